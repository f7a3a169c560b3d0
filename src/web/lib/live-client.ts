/**
 * The live connection: Server-Sent Events from GET /api/races/:race/live
 * (src/model/live.ts). Messages are queued as they arrive, held back by the
 * viewer delay (to match a TV picture), and applied in an animation frame at
 * most every MIN_REDRAW_MS, so a burst of deltas costs one redraw.
 *
 * EventSource reconnects by itself and sends Last-Event-ID, and the server
 * answers with the deltas missed; if a delta still does not follow the state
 * (a gap), the client reconnects from scratch to get a fresh snapshot.
 */
import { afterFirstFrame } from './first-frame.js';
import type { LiveDelta, LiveSnapshot } from '../../model/live.js';
import { applyDelta, emptyChange, fromSnapshot, mergeChange, OutOfSyncError, type Change, type LiveState } from './live-state.js';

/**
 * Deltas arriving closer together than this are applied in one redraw: the
 * screen refreshes at most once a second, as official timing pages do. Live
 * (1×) a 62-car field crosses the line every few seconds, so a delta after a
 * quiet spell shows at once and this only merges bursts; at 60× replay it
 * halves the work per second against 500 ms (bench/README.md).
 */
export const MIN_REDRAW_MS = 1000;

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

type Queued = { arrivedMs: number } & ({ kind: 'snapshot'; snapshot: LiveSnapshot } | { kind: 'delta'; delta: LiveDelta });

export interface LiveClientOptions {
  url: string;
  /**
   * A snapshot already in hand (the page's, boot.ts) with its SSE id: applied
   * at once (in the constructor when there is no viewer delay), and the stream
   * is asked for what follows it (?lastEventId=) instead of a second snapshot.
   */
  initial?: { snapshot: LiveSnapshot; eventId: string } | null;
  /** Viewer delay in milliseconds, read at every frame so it can change live. */
  delayMs: () => number;
  onUpdate: (state: LiveState, change: Change) => void;
  onStatus: (status: ConnectionStatus) => void;
}

/** Per-frame timings, kept when the page is opened with ?metrics (bench:web). */
export interface FrameMetric {
  /** performance.now() when the frame's work started. */
  atMs: number;
  /** Time to apply the frame's deltas and redraw, style and layout included in metrics mode. */
  workMs: number;
  deltas: number;
  /** The race time the frame brought the screen to (ms): how much race one update carries. */
  raceMs: number;
  /** Split of workMs: deltas applied and table updated; Preact's re-renders; style and layout. */
  applyMs: number;
  renderMs: number;
  layoutMs: number;
}

export class LiveClient {
  state: LiveState | null = null;
  private source: EventSource | null = null;
  private readonly queue: Queued[] = [];
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private lastRedrawMs = -Infinity;
  /** The SSE id to carry on from on the first connection (options.initial); a reconnection from scratch asks for a fresh snapshot. */
  private resumeFrom: string | null = null;

  constructor(private readonly options: LiveClientOptions) {
    const initial = options.initial ?? null;
    if (initial !== null) {
      // Arrived with the page: held back by the viewer delay from the navigation's start.
      this.queue.push({ kind: 'snapshot', snapshot: initial.snapshot, arrivedMs: 0 });
      this.resumeFrom = initial.eventId;
      // The stream carries on from the snapshot's id after the first frame, which draws the
      // snapshot: its request, the server's answer and the first deltas do not share the
      // machine with that frame (bench:web first paint).
      void afterFirstFrame.then(() => {
        if (!this.closed && this.source === null) this.connect();
      });
    } else {
      this.connect();
    }
    if (this.queue.length > 0) {
      if (options.delayMs() === 0) this.flush();
      else this.schedule();
    }
  }

  close(): void {
    this.closed = true;
    this.source?.close();
    this.source = null;
    cancelAnimationFrame(this.frame);
    clearTimeout(this.timer);
    this.options.onStatus('closed');
  }

  private connect(): void {
    this.source?.close();
    this.options.onStatus(this.state === null ? 'connecting' : 'reconnecting');
    const url = this.resumeFrom === null ? this.options.url : `${this.options.url}?lastEventId=${encodeURIComponent(this.resumeFrom)}`;
    this.resumeFrom = null;
    const source = new EventSource(url);
    this.source = source;
    source.addEventListener('open', () => this.options.onStatus('live'));
    source.addEventListener('error', () => {
      if (!this.closed) this.options.onStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
      // EventSource gives up on an HTTP error; try again from scratch a little later.
      if (source.readyState === EventSource.CLOSED && !this.closed) setTimeout(() => this.connect(), 3000);
    });
    source.addEventListener('snapshot', (event) => {
      this.enqueue({ kind: 'snapshot', snapshot: JSON.parse((event as MessageEvent<string>).data) as LiveSnapshot, arrivedMs: performance.now() });
    });
    source.addEventListener('delta', (event) => {
      this.enqueue({ kind: 'delta', delta: JSON.parse((event as MessageEvent<string>).data) as LiveDelta, arrivedMs: performance.now() });
    });
  }

  private enqueue(message: Queued): void {
    if (message.kind === 'snapshot') {
      // A snapshot replaces everything before it that is not shown yet.
      const delay = this.options.delayMs();
      if (delay === 0) this.queue.length = 0;
    }
    this.queue.push(message);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame !== 0 || this.queue.length === 0) return;
    // Held back by the viewer delay, and at most one redraw per MIN_REDRAW_MS.
    const due = Math.max(this.queue[0]!.arrivedMs + this.options.delayMs(), this.lastRedrawMs + redrawMs);
    const wait = due - performance.now();
    if (wait > 16) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.schedule(), Math.min(wait, 1000));
      return;
    }
    // A hidden tab gets no animation frames: keep the state current on a timer.
    if (document.visibilityState === 'hidden') {
      this.timer = setTimeout(() => this.flush(), 250);
      this.frame = -1;
    } else {
      this.frame = requestAnimationFrame(() => this.flush());
    }
  }

  private flush(): void {
    this.frame = 0;
    const started = performance.now();
    const cutoff = started - this.options.delayMs();
    let change: Change | null = null;
    let deltas = 0;
    while (this.queue.length > 0 && this.queue[0]!.arrivedMs <= cutoff) {
      const message = this.queue.shift()!;
      if (message.kind === 'snapshot') {
        this.state = fromSnapshot(message.snapshot);
        change = { ...emptyChange(), reset: true };
        continue;
      }
      if (this.state === null) continue; // a delta before any snapshot has nothing to apply to
      try {
        const next = applyDelta(this.state, message.delta);
        change = change === null ? next : mergeChange(change, next);
        deltas++;
      } catch (error) {
        if (!(error instanceof OutOfSyncError)) throw error;
        // Lost a message: start again from a fresh snapshot (new connection, no Last-Event-ID).
        this.queue.length = 0;
        this.connect();
        break;
      }
    }
    if (this.state !== null && change !== null) {
      this.lastRedrawMs = started;
      this.options.onUpdate(this.state, change);
      if (metrics !== null) {
        const log = metrics;
        const raceMs = this.state.raceTimeMs;
        // After Preact's re-renders (queued as microtasks by onUpdate), with style and
        // layout forced (bench mode only: a reflow per frame is not free).
        const applied = performance.now();
        queueMicrotask(() => {
          const rendered = performance.now();
          void document.body.offsetHeight;
          const done = performance.now();
          log.push({ atMs: started, workMs: done - started, deltas, raceMs, applyMs: applied - started, renderMs: rendered - applied, layoutMs: done - rendered });
        });
      }
    }
    this.schedule();
  }
}

// No `location` on the server, which imports this module to write the page's first view (ssr.tsx).
const pageParams = new URLSearchParams(typeof location === 'undefined' ? '' : location.search);

/** Enabled by ?metrics in the page URL; read by bench/web.ts through window.__sartheMetrics. */
const metrics: FrameMetric[] | null = pageParams.has('metrics') ? [] : null;
if (metrics !== null) (window as unknown as { __sartheMetrics: FrameMetric[] }).__sartheMetrics = metrics;

/**
 * The least time between two redraws (ms): MIN_REDRAW_MS, or in metrics mode
 * `?redrawMs=` (a whole number, 20–1000). bench:web replays k times faster
 * than 60× with commits k times closer together and redraws every 1000/k ms,
 * so each update carries the same race time as a 60× replay redrawn each
 * second, k times as often: a few hundred updates in well under a minute.
 */
const redrawMs = ((): number => {
  const given = metrics === null ? null : pageParams.get('redrawMs');
  if (given === null) return MIN_REDRAW_MS;
  const ms = Number(given);
  if (!Number.isInteger(ms) || ms < 20 || ms > 1000) throw new Error(`live-client: ?redrawMs=${given} is not a whole number of milliseconds from 20 to 1000`);
  return ms;
})();
