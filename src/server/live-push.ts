/**
 * Server-Sent Events to viewers (protocol: src/model/live.ts).
 *
 * Each delta is framed and encoded once, and the same bytes written to every
 * viewer of the race, straight to its socket: the response is close-delimited
 * (HTTP/1.1 `Connection: close`, no chunked framing), so a delta costs one
 * socket write per viewer and no per-viewer encoding (bench/README.md).
 *
 * A write never waits for a viewer: each connection's unsent bytes are
 * bounded, and a viewer past the bound is disconnected — its browser
 * reconnects with Last-Event-ID and catches up from the recent deltas, or
 * from a fresh snapshot. So one slow phone never slows the other thousands,
 * and the server's memory stays bounded.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { BusMessage, LiveBus } from '../bus/index.js';
import type { LiveRace } from './live-race.js';

export interface LivePushOptions {
  /** Unsent bytes allowed per viewer before it is dropped. */
  maxBufferedBytes: number;
  /** A comment line this often keeps proxies from closing quiet streams. */
  heartbeatMs: number;
  /** Reconnection delay suggested to browsers (the SSE `retry:` field). */
  retryMs: number;
}

export const DEFAULT_PUSH: LivePushOptions = { maxBufferedBytes: 1024 * 1024, heartbeatMs: 15_000, retryMs: 2_000 };

/** What a viewer's connection must offer: a net.Socket, or a fake in tests. */
export interface ViewerSocket {
  write(data: Buffer): boolean;
  readonly writableLength: number;
  end(): void;
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
  setNoDelay?(noDelay: boolean): unknown;
}

interface Viewer {
  socket: ViewerSocket;
  /** Seq of the last message written to this viewer. */
  seq: number;
}

interface Audience {
  viewers: Set<Viewer>;
  unsubscribe: () => void;
}

export class LivePush {
  private readonly audiences = new Map<string, Audience>();
  private readonly heartbeat: NodeJS.Timeout;
  /** Viewers disconnected for falling behind, since start. */
  dropped = 0;

  constructor(
    private readonly bus: LiveBus,
    private readonly log: FastifyBaseLogger,
    private readonly options: LivePushOptions = DEFAULT_PUSH,
  ) {
    this.heartbeat = setInterval(() => this.broadcastAll(Buffer.from(':\n\n')), options.heartbeatMs);
    this.heartbeat.unref();
  }

  get viewers(): number {
    let n = 0;
    for (const a of this.audiences.values()) n += a.viewers.size;
    return n;
  }

  /**
   * Starts a stream on a raw socket whose request has been read: the HTTP
   * head, then the deltas after `lastEventId` when they are still kept, else
   * a snapshot; then every delta.
   */
  attach(race: LiveRace, socket: ViewerSocket & { destroyed?: boolean }, lastEventId: number | null, extraHeaders = ''): void {
    // Gone before the stream started: its 'close' has fired already, so it must not join an audience.
    if (socket.destroyed === true) return;
    socket.setNoDelay?.(true);
    // extraHeaders: "Name: value\r\n" lines (CORS, request id) set by the route's hooks.
    let head = HTTP_HEAD.slice(0, -2) + extraHeaders + `\r\nretry: ${this.options.retryMs}\n\n`;
    const missed = lastEventId === null ? null : race.deltasAfter(lastEventId);
    if (missed === null) {
      head += frame('snapshot', race.seq, race.snapshotData());
    } else {
      for (const delta of missed) head += frame('delta', delta.seq, delta.data);
    }
    socket.write(Buffer.from(head));
    const viewer: Viewer = { socket, seq: race.seq };
    const audience = this.audience(race.id);
    audience.viewers.add(viewer);
    socket.once('close', () => {
      audience.viewers.delete(viewer);
      if (audience.viewers.size === 0 && this.audiences.get(race.id) === audience) {
        audience.unsubscribe();
        this.audiences.delete(race.id);
      }
    });
  }

  /**
   * Ends every stream (server shutdown) with a last `closing` event, data
   * { reason: "shutdown", retryMs }, and a `retry:` hint: browsers come back
   * after retryMs with Last-Event-ID (the event has no id, so it keeps theirs).
   */
  closeAll(retryMs = this.options.retryMs): void {
    clearInterval(this.heartbeat);
    const closing = Buffer.from(`retry: ${retryMs}\nevent: closing\ndata: ${JSON.stringify({ reason: 'shutdown', retryMs })}\n\n`);
    for (const audience of this.audiences.values()) {
      for (const viewer of audience.viewers) {
        viewer.socket.write(closing);
        viewer.socket.end();
      }
    }
  }

  private audience(race: string): Audience {
    let audience = this.audiences.get(race);
    if (audience === undefined) {
      const viewers = new Set<Viewer>();
      audience = { viewers, unsubscribe: this.bus.subscribe(race, (message) => this.deliver(viewers, message)) };
      this.audiences.set(race, audience);
    }
    return audience;
  }

  private deliver(viewers: Set<Viewer>, message: BusMessage): void {
    const bytes = Buffer.from(frame('delta', message.seq, message.data));
    const limit = this.options.maxBufferedBytes;
    for (const viewer of viewers) {
      // A viewer not at the delta's base would apply it to the wrong state.
      if (viewer.seq !== message.previousSeq || viewer.socket.writableLength > limit) {
        this.drop(viewers, viewer);
        continue;
      }
      viewer.socket.write(bytes);
      viewer.seq = message.seq;
    }
  }

  private drop(viewers: Set<Viewer>, viewer: Viewer): void {
    viewers.delete(viewer);
    this.dropped++;
    this.log.debug({ seq: viewer.seq, buffered: viewer.socket.writableLength }, 'live viewer dropped: too far behind');
    viewer.socket.destroy();
  }

  private broadcastAll(bytes: Buffer): void {
    const limit = this.options.maxBufferedBytes;
    for (const audience of this.audiences.values()) {
      for (const viewer of audience.viewers) {
        if (viewer.socket.writableLength > limit) this.drop(audience.viewers, viewer);
        else viewer.socket.write(bytes);
      }
    }
  }
}

/** The response head: close-delimited, so frames go to the socket as they are. */
const HTTP_HEAD = [
  'HTTP/1.1 200 OK',
  'Content-Type: text/event-stream; charset=utf-8',
  'Cache-Control: no-cache, no-transform',
  'Connection: close',
  'X-Accel-Buffering: no',
  '',
  '',
].join('\r\n');

function frame(event: 'snapshot' | 'delta', seq: number, data: string): string {
  return `id: ${seq}\nevent: ${event}\ndata: ${data}\n\n`;
}
