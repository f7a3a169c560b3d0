/**
 * The interface every live source shares (RMonitor TCP, a capture replayed as
 * live, an official snapshot feed, a watched folder): a source turns its
 * provider's input into timing events, grouped by session (each session is a
 * race of its own in the store), and reports its state.
 *
 * Transport (a socket, a file, a replay clock) is kept apart from decoding
 * (the provider's format), so a capture played back at any speed goes through
 * exactly the decoder a live connection does (STYLE.md, "Sources as adapters").
 */
import type { TimingEvent } from '../model/events.js';

/**
 * connecting: no data yet (or reconnecting after a drop);
 * live: data arriving; stalled: silent longer than the stall threshold while
 * connected; ended: the source will send nothing more (end of a capture, stop()).
 */
export type SourceState = 'connecting' | 'live' | 'stalled' | 'ended';

export interface SourceStatus {
  state: SourceState;
  /** Wall-clock epoch ms since when the state holds (for "feed stalled since …"). */
  sinceMs: number;
  /** Why, in words ("connection refused, retrying in 2 s"). */
  detail: string;
}

/** Events of one session, keyed by a stable session key (e.g. the RMonitor run number and name). */
export interface SessionBatch {
  /** Stable key of the session inside this source, e.g. "36-barber-saturday-8-hour". */
  session: string;
  events: TimingEvent[];
}

/** A line (or record) the source could not read: logged with where and what, counted, skipped. */
export interface BadInput {
  /** Where: the source name and line number (1-based) in the stream or file. */
  source: string;
  line: number;
  text: string;
  reason: string;
}

/** Where a source delivers: the server's ingest path, or an in-memory collector. */
export interface SourceSink {
  /** Stores one batch; the source waits for it before handing over the next. */
  events(batch: SessionBatch): Promise<void>;
  status(status: SourceStatus): void;
  badInput(bad: BadInput): void;
  /** Free-form log lines (connected, reconnecting in N ms, …). */
  log?(message: string, fields?: Record<string, unknown>): void;
}

export interface TimingSource {
  /** e.g. "rmonitor://127.0.0.1:50000". */
  readonly name: string;
  /** Runs until the source ends or stop() is called. Never rejects for bad input. */
  run(sink: SourceSink): Promise<void>;
  stop(): void;
}

/** A wait between two attempts (reconnect, poll) that stop() can cut short. */
export class Pause {
  private wakeUp: (() => void) | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      this.wakeUp = done;
      function done() {
        clearTimeout(timer);
        self.wakeUp = null;
        resolve();
      }
    });
  }

  wake(): void {
    this.wakeUp?.();
  }
}
