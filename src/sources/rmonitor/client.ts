/**
 * `rmonitor://HOST:PORT`: a live Orbits / RMonitor TCP feed (or a Race
 * Monitor relay), decoded into timing events. Transport only: lines go to
 * the RMonitorDecoder, which a capture replay uses too.
 *
 * - Reconnects when the connection drops or is refused, with exponential
 *   backoff (500 ms doubling to 30 s, reset once data flows again), and says
 *   so through the sink's status and log. The decoder's state survives a
 *   reconnection: the session goes on, and the board the timing system
 *   re-sends is recognised as known (nothing counted twice).
 * - Stalled: connected but silent for longer than `stallAfterMs` (Orbits
 *   sends `$F` every second, spec §3; 5 s by default).
 * - Reading waits for each batch to be stored (`for await` on the socket):
 *   a slow store slows the reading, never loses lines.
 * - A line cut by a dropped connection is logged as truncated and skipped.
 */
import { connect, type Socket } from 'node:net';
import type { SessionType } from '../../model/events.js';
import { Pause, type BadInput, type SessionBatch, type SourceSink, type SourceState, type TimingSource } from '../source.js';
import { decodeBytes } from './capture.js';
import { RMonitorDecoder } from './decoder.js';

export interface RMonitorClientOptions {
  host: string;
  port: number;
  sessionType?: SessionType;
  /** Silence (ms) after which a connected feed is "stalled". */
  stallAfterMs?: number;
  /** First reconnection delay and its cap (ms). */
  backoffMs?: { initial: number; max: number };
}

/** Parses "rmonitor://host:port" (port defaults to Orbits' 50000, spec §1). */
export function parseRMonitorUrl(text: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--source "${text}": expected rmonitor://HOST:PORT`);
  }
  if (url.protocol !== 'rmonitor:') throw new Error(`--source "${text}": only rmonitor://HOST:PORT is known`);
  const port = url.port === '' ? 50000 : Number(url.port);
  if (url.hostname === '' || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--source "${text}": expected rmonitor://HOST:PORT`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

export class RMonitorTcpSource implements TimingSource {
  readonly name: string;
  private readonly decoder: RMonitorDecoder;
  private socket: Socket | null = null;
  private stopped = false;
  private readonly pause = new Pause();
  private state: SourceState | null = null;
  private lastDataMs = 0;
  /** Lines read from the socket, all connections together. */
  lines = 0;
  reconnects = 0;

  constructor(private readonly options: RMonitorClientOptions) {
    this.name = `rmonitor://${options.host}:${options.port}`;
    // One decoder for the source's life: the session survives reconnections.
    this.decoder = new RMonitorDecoder({ source: this.name, sessionType: options.sessionType }, (bad) => this.onBad?.(bad));
  }

  private onBad: ((bad: BadInput) => void) | null = null;

  get badLines(): number {
    return this.decoder.badLines;
  }

  stop(): void {
    this.stopped = true;
    this.socket?.destroy();
    this.pause.wake();
  }

  async run(sink: SourceSink): Promise<void> {
    const { initial, max } = this.options.backoffMs ?? { initial: 500, max: 30_000 };
    const stallAfterMs = this.options.stallAfterMs ?? 5_000;
    const setState = (state: SourceState, detail: string, sinceMs = Date.now()) => {
      if (state === this.state) return;
      this.state = state;
      sink.status({ state, sinceMs, detail });
    };
    const decoder = this.decoder;
    this.onBad = (bad) => sink.badInput(bad);
    const watchdog = setInterval(() => {
      if (this.state === 'live' && Date.now() - this.lastDataMs > stallAfterMs) {
        setState('stalled', `no data for more than ${Math.round(stallAfterMs / 1000)} s`, this.lastDataMs);
      }
    }, Math.max(50, Math.min(1000, stallAfterMs / 4)));
    watchdog.unref();
    let delay = initial;
    try {
      while (!this.stopped) {
        setState('connecting', this.reconnects === 0 ? `connecting to ${this.name}` : `reconnecting to ${this.name}`);
        let received = false;
        try {
          const socket = await this.open();
          sink.log?.('connected', { source: this.name });
          decoder.streamInterrupted();
          let partial: Buffer = Buffer.alloc(0);
          for await (const chunk of socket as AsyncIterable<Buffer>) {
            this.lastDataMs = Date.now();
            if (!received) {
              received = true;
              delay = initial;
            }
            setState('live', 'receiving');
            const data = partial.length > 0 ? Buffer.concat([partial, chunk]) : chunk;
            const end = data.lastIndexOf(0x0a);
            if (end < 0) {
              partial = data;
              continue;
            }
            partial = Buffer.from(data.subarray(end + 1));
            const text = decodeBytes(data.subarray(0, end));
            const batches: SessionBatch[] = [];
            for (const line of text.split('\n')) {
              this.lines++;
              for (const batch of decoder.push(line.replace(/\r$/, ''))) {
                const last = batches[batches.length - 1];
                if (last !== undefined && last.session === batch.session) last.events.push(...batch.events);
                else batches.push(batch);
              }
            }
            for (const batch of batches) await sink.events(batch);
          }
          if (partial.length > 0) {
            sink.badInput({ source: this.name, line: this.lines + 1, text: decodeBytes(partial).slice(0, 200), reason: 'line cut by the end of the connection' });
          }
          if (this.stopped) break;
          sink.log?.('connection closed by the feed', { source: this.name, retryInMs: delay });
        } catch (error) {
          if (this.stopped) break;
          sink.log?.('connection failed', { source: this.name, error: (error as Error).message, retryInMs: delay });
        }
        this.socket = null;
        this.reconnects++;
        setState('connecting', `connection lost; retrying in ${delay} ms`);
        await this.pause.sleep(delay);
        delay = Math.min(max, delay * 2);
      }
    } finally {
      clearInterval(watchdog);
      setState('ended', 'source stopped');
    }
  }

  private open(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.options.host, port: this.options.port });
      this.socket = socket;
      socket.setKeepAlive(true, 10_000);
      const onError = (error: Error) => reject(error);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        // Errors while reading end the for-await loop with a throw.
        resolve(socket);
      });
    });
  }
}
