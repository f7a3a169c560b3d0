/**
 * Replay-as-live: hands the events of a finished race to a sink (the server's
 * ingest path) when a replay clock passes their race time, so viewers see the
 * race unfold as if live. `speed` race seconds pass per wall second; `fromMs`
 * starts the clock later in the race (everything before it is sent at once).
 *
 * Knows nothing of the store or the server: it only decides when each event
 * is due. The wall clock and the sleep are injectable for tests.
 */
import { basename } from 'node:path';
import { compareEvents, eventTimeMs, type LapEvent, type SectorEvent, type TimingEvent } from '../../model/events.js';
import { sectorCrossingsMs } from '../../model/sectors.js';

export interface ReplayProgress {
  clockMs: number;
  sent: number;
  total: number;
  /** Race time of the last event: the replay ends there. */
  endMs: number;
  done: boolean;
}

export interface ReplayOptions {
  events: readonly TimingEvent[];
  /** Race milliseconds per wall millisecond (60 = an hour of racing per minute). */
  speed: number;
  /** Race time the clock starts at. */
  fromMs?: number;
  /** Wall milliseconds between two sends (each send is one store commit, one delta). */
  tickMs?: number;
  /** Stores one batch of due events; the replay waits for it before the next. */
  send: (events: TimingEvent[], progress: ReplayProgress) => Promise<void>;
  /** Called every `progressEveryMs` of wall time, and at the end. */
  onProgress?: (progress: ReplayProgress) => void;
  progressEveryMs?: number;
  /** Largest batch when catching up to `fromMs`. */
  catchUpChunk?: number;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export class Replay {
  private readonly events: TimingEvent[];
  private sent = 0;
  private clockMs: number;
  private readonly abort = new AbortController();

  constructor(private readonly options: ReplayOptions) {
    if (!(options.speed > 0)) throw new Error(`replay speed must be above 0, got ${options.speed}`);
    this.events = [...options.events].sort(compareEvents);
    this.clockMs = options.fromMs ?? 0;
  }

  progress(): ReplayProgress {
    const endMs = this.events.length === 0 ? 0 : eventTimeMs(this.events[this.events.length - 1]!);
    return { clockMs: Math.min(this.clockMs, endMs), sent: this.sent, total: this.events.length, endMs, done: this.sent === this.events.length };
  }

  stop(): void {
    this.abort.abort();
  }

  /** Runs until every event is sent or stop() is called. */
  async run(): Promise<ReplayProgress> {
    const { speed, tickMs = 250, progressEveryMs = 10_000, catchUpChunk = 5_000 } = this.options;
    const now = this.options.now ?? (() => performance.now());
    const sleep = this.options.sleep ?? abortableSleep;
    const signal = this.abort.signal;
    const fromMs = this.options.fromMs ?? 0;
    // Catch up to the starting instant in chunks, with a progress line each.
    while (!signal.aborted && this.dueCount(fromMs, catchUpChunk) > 0) {
      await this.sendDue(fromMs, catchUpChunk);
      this.options.onProgress?.(this.progress());
    }
    const wallStart = now();
    let lastProgress = wallStart;
    while (!signal.aborted && this.sent < this.events.length) {
      this.clockMs = fromMs + (now() - wallStart) * speed;
      await this.sendDue(this.clockMs, Infinity);
      if (now() - lastProgress >= progressEveryMs) {
        lastProgress = now();
        this.options.onProgress?.(this.progress());
      }
      if (this.sent < this.events.length) await sleep(tickMs, signal);
    }
    const final = this.progress();
    if (final.done) this.options.onProgress?.(final);
    return final;
  }

  private dueCount(clockMs: number, limit: number): number {
    let n = 0;
    while (this.sent + n < this.events.length && n < limit && eventTimeMs(this.events[this.sent + n]!) <= clockMs) n++;
    return n;
  }

  private async sendDue(clockMs: number, limit: number): Promise<void> {
    const n = this.dueCount(clockMs, limit);
    if (n === 0) return;
    const batch = this.events.slice(this.sent, this.sent + n);
    this.sent += n;
    await this.options.send(batch, this.progress());
  }
}

/**
 * The events of a finished race with what a live feed would also have told:
 * a `sector` event at each S1 and S2 crossing, derived from the laps' S1/S2
 * exactly as the engine derives an imported lap's timing points
 * (model/sectors.ts), so the replay's standings at any instant equal the
 * import's (test/engine-sectors.test.ts). A sector event already among the
 * events (a feed's own) is kept, and none is derived for it.
 */
export function withSectorEvents(events: readonly TimingEvent[]): TimingEvent[] {
  const lapsByCar = new Map<string, LapEvent[]>();
  const told = new Set<string>();
  for (const event of events) {
    if (event.type === 'lap') {
      let laps = lapsByCar.get(event.car);
      if (laps === undefined) lapsByCar.set(event.car, (laps = []));
      laps.push(event);
    } else if (event.type === 'sector') told.add(`${event.car}:${event.lap}:${event.sector}`);
  }
  const out: TimingEvent[] = [...events];
  for (const [car, laps] of lapsByCar) {
    laps.sort((a, b) => a.lap - b.lap);
    laps.forEach((lap, i) => {
      const before = laps[i - 1];
      const crossings = sectorCrossingsMs(lap, before !== undefined && before.lap === lap.lap - 1 ? before.crossingMs : null);
      crossings.forEach((crossingMs, s) => {
        const sector = (s + 1) as SectorEvent['sector'];
        if (crossingMs !== null && !told.has(`${car}:${lap.lap}:${sector}`)) out.push({ type: 'sector', car, lap: lap.lap, sector, crossingMs });
      });
    });
  }
  return out;
}

/** A race id from a lap file name: "lemans-2019-race-analysis.csv" → "lemans-2019". */
export function raceIdFromFile(file: string): string {
  const id = basename(file)
    .replace(/\.[a-z]+$/i, '')
    .replace(/[-_ ]*(race[-_ ]*)?(analysis|time[-_ ]?cards)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 56);
  return id === '' ? 'race' : id;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
