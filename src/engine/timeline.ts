/**
 * The race engine's state: a pure fold of timing events into per-car lap
 * timelines with prefix indexes (best lap so far, pit stops so far, …).
 *
 * The state at any instant t is then a query over this index (standings.ts):
 * a binary search per car, never a refold from the start. Same events in any
 * arrival order give the same timeline (events are placed by race time and
 * keyed by car and lap), so a live feed, a replay and an import agree.
 */
import type { BoardEvent, DecisionEvent, EntryEvent, Flag, LapEvent, PitOutEvent, SessionEvent, TimingEvent } from '../model/events.js';

export class CarTimeline {
  entry: EntryEvent;
  /** Completed laps in lap order (which is also crossing order). */
  readonly laps: LapEvent[] = [];
  /** laps[i].crossingMs, kept apart for fast binary search. */
  readonly crossings: number[] = [];
  /** Fastest lap time over laps[0..i]. */
  readonly bestLapUpTo: number[] = [];
  /** Fastest S1/S2/S3 over laps[0..i]; Infinity while none. */
  readonly bestSectorUpTo: [number[], number[], number[]] = [[], [], []];
  /** In-laps (pit entries) among laps[0..i]. */
  readonly pitStopsUpTo: number[] = [];
  /** Index of the latest in-lap among laps[0..i], or -1. */
  readonly lastInLapUpTo: number[] = [];
  /** Pit exits in time order. */
  readonly pitOuts: PitOutEvent[] = [];
  /** Board rows a live feed gave without a lap event (joined partway, a missed lap), in time order. */
  readonly boards: BoardEvent[] = [];

  constructor(readonly number: string) {
    this.entry = { type: 'entry', car: number, class: '', group: '', team: '', manufacturer: '', drivers: [] };
  }

  /** Number of laps completed at race time t (crossings at or before t). */
  indexAt(t: number): number {
    return upperBound(this.crossings, t);
  }

  /** Laps completed at t, by lap number (robust to a skipped row). */
  lapsAt(t: number): number {
    const n = this.indexAt(t);
    return n === 0 ? 0 : this.laps[n - 1]!.lap;
  }

  /** Race time at which lap `lap` was completed; 0 for lap 0 (the start). */
  crossingOfLap(lap: number): number {
    if (lap <= 0) return 0;
    const guess = this.laps[lap - 1];
    if (guess !== undefined && guess.lap === lap) return guess.crossingMs;
    let lo = 0;
    let hi = this.laps.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const l = this.laps[mid]!.lap;
      if (l === lap) return this.laps[mid]!.crossingMs;
      if (l < lap) lo = mid + 1;
      else hi = mid - 1;
    }
    return NaN;
  }

  /** The latest pit exit at or before t, if any. */
  pitOutAt(t: number): PitOutEvent | undefined {
    return latestAtOrBefore(this.pitOuts, t);
  }

  /** Adds or replaces a lap; returns the lap it replaced, if any. */
  addLap(event: LapEvent): LapEvent | undefined {
    const n = this.laps.length;
    if (n === 0 || event.lap > this.laps[n - 1]!.lap) {
      this.laps.push(event);
      this.crossings.push(event.crossingMs);
      this.extendPrefixes(n);
      return undefined;
    }
    // Out of order or a repeat: place by lap number, replace a repeat, and
    // rebuild the prefixes from there (rare, so O(laps) is fine).
    let at = 0;
    while (at < n && this.laps[at]!.lap < event.lap) at++;
    let replaced: LapEvent | undefined;
    if (at < n && this.laps[at]!.lap === event.lap) {
      replaced = this.laps[at];
      this.laps[at] = event;
      this.crossings[at] = event.crossingMs;
    } else {
      this.laps.splice(at, 0, event);
      this.crossings.splice(at, 0, event.crossingMs);
    }
    for (let i = at; i < this.laps.length; i++) this.extendPrefixes(i);
    return replaced;
  }

  addBoard(event: BoardEvent): void {
    let i = this.boards.length;
    while (i > 0 && this.boards[i - 1]!.atMs > event.atMs) i--;
    this.boards.splice(i, 0, event);
  }

  /** The latest board row stated at or before t, if any. */
  boardAt(t: number): BoardEvent | undefined {
    return latestAtOrBefore(this.boards, t);
  }

  addPitOut(event: PitOutEvent): void {
    const at = this.pitOuts.findIndex((p) => p.lap === event.lap);
    if (at >= 0) this.pitOuts.splice(at, 1);
    let i = this.pitOuts.length;
    while (i > 0 && this.pitOuts[i - 1]!.atMs > event.atMs) i--;
    this.pitOuts.splice(i, 0, event);
  }

  private extendPrefixes(i: number): void {
    const lap = this.laps[i]!;
    const prev = i - 1;
    this.bestLapUpTo[i] = prev >= 0 ? Math.min(this.bestLapUpTo[prev]!, lap.lapMs) : lap.lapMs;
    for (let s = 0; s < 3; s++) {
      const sector = lap.sectorsMs[s] ?? Infinity;
      const best = this.bestSectorUpTo[s]!;
      best[i] = prev >= 0 ? Math.min(best[prev]!, sector) : sector;
    }
    this.pitStopsUpTo[i] = (prev >= 0 ? this.pitStopsUpTo[prev]! : 0) + (lap.inPit ? 1 : 0);
    this.lastInLapUpTo[i] = lap.inPit ? i : prev >= 0 ? this.lastInLapUpTo[prev]! : -1;
  }
}

/** The last of `items` (sorted by atMs) stated at or before t, by binary search. */
function latestAtOrBefore<T extends { atMs: number }>(items: readonly T[], t: number): T | undefined {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.atMs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : items[lo - 1];
}

export interface FlagChange {
  atMs: number;
  flag: Flag;
}

export class RaceTimeline {
  session: SessionEvent | null = null;
  readonly cars = new Map<string, CarTimeline>();
  /** Race control's decisions as announced (DESIGN.md "Decision"). */
  readonly decisions: DecisionEvent[] = [];
  /** Flag shown at each crossing where it differs from the crossing before. */
  private flagTimes: number[] = [];
  private flagValues: Flag[] = [];
  /** Every crossing's flag, in time order, kept so out-of-order laps can be placed. */
  private crossingFlags: FlagChange[] = [];
  /** Events applied, and the latest race time seen. */
  eventCount = 0;
  lastEventMs = 0;
  /** True once a live feed's board row was applied (session-standings.ts then reads them). */
  hasBoards = false;
  private firstFinishMs = Infinity;
  private chequeredCache: number | null | undefined;

  apply(event: TimingEvent): void {
    this.eventCount++;
    this.chequeredCache = undefined;
    switch (event.type) {
      case 'session':
        this.session = event;
        return;
      case 'entry':
        this.car(event.car).entry = event;
        return;
      case 'lap': {
        const replaced = this.car(event.car).addLap(event);
        if (event.crossingMs > this.lastEventMs) this.lastEventMs = event.crossingMs;
        if (replaced !== undefined && replaced.flag !== null) this.removeFlag(replaced.crossingMs, replaced.flag);
        if (event.flag !== null) this.addFlag(event.crossingMs, event.flag);
        if (event.flag === 'finish' && event.crossingMs < this.firstFinishMs) this.firstFinishMs = event.crossingMs;
        return;
      }
      case 'pit-out':
        this.car(event.car).addPitOut(event);
        if (event.atMs > this.lastEventMs) this.lastEventMs = event.atMs;
        return;
      case 'decision':
        // Kept in announcement order; the classification applies them (results issue).
        this.decisions.push(event);
        return;
      case 'board':
        this.car(event.car).addBoard(event);
        this.hasBoards = true;
        if (event.atMs > this.lastEventMs) this.lastEventMs = event.atMs;
        return;
    }
  }

  car(number: string): CarTimeline {
    let car = this.cars.get(number);
    if (car === undefined) {
      car = new CarTimeline(number);
      this.cars.set(number, car);
    }
    return car;
  }

  /** True when the source states flags at all (2023+ Al Kamel files do). */
  get hasFlags(): boolean {
    return this.crossingFlags.length > 0;
  }

  /** Course state at t: the flag shown at the latest crossing at or before t. */
  flagAt(t: number): Flag | 'unknown' {
    const i = upperBound(this.flagTimes, t);
    return i === 0 ? 'unknown' : this.flagValues[i - 1]!;
  }

  /** Flag changes in time order (for race control analysis). */
  flagChanges(): FlagChange[] {
    return this.flagTimes.map((atMs, i) => ({ atMs, flag: this.flagValues[i]! }));
  }

  /**
   * When the chequered flag fell: the first crossing under the finish flag,
   * else the leader's first crossing after the scheduled length; null before.
   */
  chequeredMs(): number | null {
    if (this.chequeredCache !== undefined) return this.chequeredCache;
    let result: number | null = null;
    if (Number.isFinite(this.firstFinishMs)) {
      result = this.firstFinishMs;
    } else {
      const duration = this.session?.scheduledDurationMs ?? null;
      if (duration !== null) {
        let leader: CarTimeline | undefined;
        let leaderLaps = -1;
        let leaderMs = Infinity;
        for (const car of this.cars.values()) {
          const n = car.indexAt(duration);
          const laps = n === 0 ? 0 : car.laps[n - 1]!.lap;
          const at = n === 0 ? Infinity : car.crossings[n - 1]!;
          if (laps > leaderLaps || (laps === leaderLaps && at < leaderMs)) {
            leader = car;
            leaderLaps = laps;
            leaderMs = at;
          }
        }
        if (leader !== undefined) {
          const next = leader.crossings[leader.indexAt(duration)];
          if (next !== undefined) result = next;
        }
      }
    }
    this.chequeredCache = result;
    return result;
  }

  /** A lap sent again replaces the old one: its flag must not count twice. */
  private removeFlag(atMs: number, flag: Flag): void {
    const at = this.crossingFlags.findIndex((c) => c.atMs === atMs && c.flag === flag);
    if (at < 0) return;
    this.crossingFlags.splice(at, 1);
    this.rebuildFlagChanges();
  }

  private rebuildFlagChanges(): void {
    this.flagTimes = [];
    this.flagValues = [];
    for (const c of this.crossingFlags) {
      if (this.flagValues[this.flagValues.length - 1] !== c.flag) {
        this.flagTimes.push(c.atMs);
        this.flagValues.push(c.flag);
      }
    }
  }

  private addFlag(atMs: number, flag: Flag): void {
    const list = this.crossingFlags;
    if (list.length === 0 || atMs >= list[list.length - 1]!.atMs) {
      list.push({ atMs, flag });
      const last = this.flagValues[this.flagValues.length - 1];
      if (last !== flag) {
        this.flagTimes.push(atMs);
        this.flagValues.push(flag);
      }
      return;
    }
    // A lap arrived late: place it and rebuild the change list.
    list.splice(upperBound(list.map((c) => c.atMs), atMs), 0, { atMs, flag });
    this.rebuildFlagChanges();
  }
}

/** state = fold(events). */
export function foldEvents(events: Iterable<TimingEvent>): RaceTimeline {
  const timeline = new RaceTimeline();
  for (const event of events) timeline.apply(event);
  return timeline;
}

/** Number of values ≤ t in an ascending array. */
export function upperBound(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
