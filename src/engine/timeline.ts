/**
 * The race engine's state: a pure fold of timing events into per-car lap
 * timelines with prefix indexes (best lap so far, pit stops so far, …).
 *
 * The state at any instant t is then a query over this index (standings.ts):
 * a binary search per car, never a refold from the start. Same events in any
 * arrival order give the same timeline (events are placed by race time and
 * keyed by car and lap), so a live feed, a replay and an import agree.
 */
import { classificationProfileFor, installedClassificationProfiles, type ClassificationProfile } from '../model/classification.js';
import { roadLeaderFlagMs } from './finish.js';
import type { BoardEvent, DecisionEvent, EntryEvent, Flag, LapEvent, MessageEvent, PitOutEvent, SessionEvent, TimingEvent } from '../model/events.js';

export class CarTimeline {
  entry: EntryEvent;
  private sortedLaps: LapEvent[] = [];
  private readonly crossingList: number[] = [];
  private readonly bestLapList: number[] = [];
  private readonly bestSectorLists: [number[], number[], number[]] = [[], [], []];
  private readonly pitStopList: number[] = [];
  private readonly lastInLapList: number[] = [];
  private readonly pitOutList: PitOutEvent[] = [];
  /** The lap held for each lap number, settled or not (a repeat replaces it). */
  private readonly byLap = new Map<number, LapEvent>();
  /** Laps that arrived out of order or as repeats, placed on the next read. */
  private pending: LapEvent[] = [];
  private readonly pitOutByLap = new Map<number, PitOutEvent>();
  private pitOutsStale = false;
  /** Board rows a live feed gave without a lap event (joined partway, a missed lap), in time order. */
  readonly boards: BoardEvent[] = [];

  constructor(readonly number: string) {
    this.entry = { type: 'entry', car: number, class: '', group: '', team: '', manufacturer: '', drivers: [] };
  }

  /** Completed laps in lap order (which is also crossing order). */
  get laps(): readonly LapEvent[] {
    return this.settled().sortedLaps;
  }
  /** laps[i].crossingMs, kept apart for fast binary search. */
  get crossings(): readonly number[] {
    return this.settled().crossingList;
  }
  /** Fastest lap time over laps[0..i]. */
  get bestLapUpTo(): readonly number[] {
    return this.settled().bestLapList;
  }
  /** Fastest S1/S2/S3 over laps[0..i]; Infinity while none. */
  get bestSectorUpTo(): readonly [readonly number[], readonly number[], readonly number[]] {
    return this.settled().bestSectorLists;
  }
  /** In-laps (pit entries) among laps[0..i]. */
  get pitStopsUpTo(): readonly number[] {
    return this.settled().pitStopList;
  }
  /** Index of the latest in-lap among laps[0..i], or -1. */
  get lastInLapUpTo(): readonly number[] {
    return this.settled().lastInLapList;
  }
  /** Pit exits in time order. */
  get pitOuts(): readonly PitOutEvent[] {
    if (this.pitOutsStale) {
      this.pitOutList.length = 0;
      this.pitOutList.push(...[...this.pitOutByLap.values()].sort((a, b) => a.atMs - b.atMs || a.lap - b.lap));
      this.pitOutsStale = false;
    }
    return this.pitOutList;
  }

  /** Number of laps completed at race time t (crossings at or before t). */
  indexAt(t: number): number {
    return upperBound(this.crossings, t);
  }

  /** Laps completed at t, by lap number (robust to a skipped row). */
  lapsAt(t: number): number {
    const n = this.indexAt(t);
    return n === 0 ? 0 : this.sortedLaps[n - 1]!.lap;
  }

  /** Race time at which lap `lap` was completed; 0 for lap 0 (the start). */
  crossingOfLap(lap: number): number {
    if (lap <= 0) return 0;
    const laps = this.laps;
    const guess = laps[lap - 1];
    if (guess !== undefined && guess.lap === lap) return guess.crossingMs;
    let lo = 0;
    let hi = laps.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const l = laps[mid]!.lap;
      if (l === lap) return laps[mid]!.crossingMs;
      if (l < lap) lo = mid + 1;
      else hi = mid - 1;
    }
    return NaN;
  }

  /** The latest pit exit at or before t, if any. */
  pitOutAt(t: number): PitOutEvent | undefined {
    return latestAtOrBefore(this.pitOuts, t);
  }

  /**
   * Adds or replaces a lap; returns the lap it replaced, if any. A lap after
   * the last costs O(1); any other is held and placed on the next read, all
   * held laps at once (a sort of those and one merge), so laps arriving in
   * any order cost about what they cost in order (bench/engine.ts "arrival").
   */
  addLap(event: LapEvent): LapEvent | undefined {
    const replaced = this.byLap.get(event.lap);
    this.byLap.set(event.lap, event);
    const n = this.sortedLaps.length;
    if (replaced === undefined && this.pending.length === 0 && (n === 0 || event.lap > this.sortedLaps[n - 1]!.lap)) {
      this.sortedLaps.push(event);
      this.crossingList.push(event.crossingMs);
      this.extendPrefixes(n);
    } else {
      this.pending.push(event);
    }
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
    const replaced = this.pitOutByLap.has(event.lap);
    this.pitOutByLap.set(event.lap, event);
    const list = this.pitOutList;
    if (!this.pitOutsStale && !replaced && (list.length === 0 || event.atMs >= list[list.length - 1]!.atMs)) list.push(event);
    else this.pitOutsStale = true;
  }

  private settled(): this {
    if (this.pending.length > 0) this.settle();
    return this;
  }

  /** Places the held laps: sorts them, merges them with the settled ones, and rebuilds the prefixes from the first change. */
  private settle(): void {
    const held = sortedBy(this.pending, (lap) => lap.lap);
    this.pending = [];
    const old = this.sortedLaps;
    const merged: LapEvent[] = [];
    let i = 0;
    let firstChange = -1;
    for (let j = 0; j < held.length; j++) {
      const lap = held[j]!;
      // A lap held twice, or replaced since: the one byLap holds is placed once.
      if (this.byLap.get(lap.lap) !== lap || merged[merged.length - 1] === lap) continue;
      while (i < old.length && old[i]!.lap < lap.lap) merged.push(old[i++]!);
      if (i < old.length && old[i]!.lap === lap.lap) i++; // replaced
      if (firstChange < 0) firstChange = merged.length;
      merged.push(lap);
    }
    if (firstChange < 0) return;
    while (i < old.length) merged.push(old[i++]!);
    this.sortedLaps = merged;
    this.crossingList.length = firstChange;
    for (let k = firstChange; k < merged.length; k++) {
      this.crossingList.push(merged[k]!.crossingMs);
      this.extendPrefixes(k);
    }
  }

  private extendPrefixes(i: number): void {
    const lap = this.sortedLaps[i]!;
    const prev = i - 1;
    this.bestLapList[i] = prev >= 0 ? Math.min(this.bestLapList[prev]!, lap.lapMs) : lap.lapMs;
    for (let s = 0; s < 3; s++) {
      const sector = lap.sectorsMs[s] ?? Infinity;
      const best = this.bestSectorLists[s]!;
      best[i] = prev >= 0 ? Math.min(best[prev]!, sector) : sector;
    }
    this.pitStopList[i] = (prev >= 0 ? this.pitStopList[prev]! : 0) + (lap.inPit ? 1 : 0);
    this.lastInLapList[i] = lap.inPit ? i : prev >= 0 ? this.lastInLapList[prev]! : -1;
  }
}

/** The last of `items` (sorted by atMs) at or before t, by binary search. */
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

/** Insert in (atMs, id) order, replacing an event with the same id (a resend or a correction). */
function insertByTime<T extends { atMs: number; id: string }>(list: T[], event: T): void {
  const same = list.findIndex((e) => e.id === event.id);
  if (same >= 0) list.splice(same, 1);
  let i = list.length;
  while (i > 0 && (list[i - 1]!.atMs > event.atMs || (list[i - 1]!.atMs === event.atMs && list[i - 1]!.id > event.id))) i--;
  list.splice(i, 0, event);
}

export interface FlagChange {
  atMs: number;
  flag: Flag;
}

export class RaceTimeline {
  session: SessionEvent | null = null;
  readonly cars = new Map<string, CarTimeline>();
  private chosenClassification: ClassificationProfile | null = null;

  /**
   * The classification rules the result applies (rules/classification-*.json):
   * the one a caller set, else the installed profile for the race's name
   * (model/classification.ts), else the §6 general rule.
   */
  get classification(): ClassificationProfile {
    return this.chosenClassification ?? classificationProfileFor(installedClassificationProfiles(), this.session?.name ?? '');
  }

  set classification(profile: ClassificationProfile) {
    this.chosenClassification = profile;
  }
  /**
   * The events are a whole race (an imported export, not a live feed still
   * running): timing that stops before the scheduled length then means the
   * race was stopped there (finish.ts redFlagResultMs). Set by the caller.
   */
  complete = false;
  /** Race control's decisions as announced (DESIGN.md "Decision"), in time order. */
  readonly decisions: DecisionEvent[] = [];
  /** Race control's other messages, as published. */
  readonly messages: MessageEvent[] = [];
  /** Flag shown at each crossing where it differs from the crossing before. */
  private flagTimes: number[] = [];
  private flagValues: Flag[] = [];
  /** Every crossing's flag, in time order (those in lateFlags excepted), kept so out-of-order laps can be placed. */
  private crossingFlags: FlagChange[] = [];
  /** Crossings' flags that arrived out of time order since the last read: merged into crossingFlags then. */
  private lateFlags: FlagChange[] = [];
  /** The flag changes must be derived again on the next read (a late flag, a replaced lap). */
  private flagsStale = false;
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
        // Kept in announcement order whatever the arrival order (a repeat replaces); the classification applies them (classification.ts).
        insertByTime(this.decisions, event);
        if (event.atMs > this.lastEventMs) this.lastEventMs = event.atMs;
        return;
      case 'message':
        insertByTime(this.messages, event);
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
    return this.crossingFlags.length + this.lateFlags.length > 0;
  }

  /** Course state at t: the flag shown at the latest crossing at or before t. */
  flagAt(t: number): Flag | 'unknown' {
    if (this.flagsStale) this.rebuildFlagChanges();
    const i = upperBound(this.flagTimes, t);
    return i === 0 ? 'unknown' : this.flagValues[i - 1]!;
  }

  /** Flag changes in time order (for race control analysis). */
  flagChanges(): FlagChange[] {
    if (this.flagsStale) this.rebuildFlagChanges();
    return this.flagTimes.map((atMs, i) => ({ atMs, flag: this.flagValues[i]! }));
  }

  /**
   * When the chequered flag fell: the first crossing under the finish flag,
   * else the road leader's first crossing after the scheduled length
   * (finish.ts); null before.
   */
  chequeredMs(): number | null {
    if (this.chequeredCache !== undefined) return this.chequeredCache;
    let result: number | null = null;
    if (Number.isFinite(this.firstFinishMs)) {
      result = this.firstFinishMs;
    } else {
      const duration = this.session?.scheduledDurationMs ?? null;
      if (duration !== null) result = roadLeaderFlagMs(this.cars.values(), duration);
    }
    this.chequeredCache = result;
    return result;
  }

  /** A lap sent again replaces the old one: its flag must not count twice. */
  private removeFlag(atMs: number, flag: Flag): void {
    for (const list of [this.lateFlags, this.crossingFlags]) {
      const at = list.findIndex((c) => c.atMs === atMs && c.flag === flag);
      if (at < 0) continue;
      list.splice(at, 1);
      this.flagsStale = true;
      return;
    }
  }

  /**
   * Places the late flags (time, then flag, so any arrival order gives one
   * list) and derives the changes: the late ones sorted among themselves and
   * merged into the sorted list, O(n + k log k) for k late of n — not a sort of
   * all n on every commit that brings one late lap (bench/arrival.ts: with
   * 100,000 laps that sort was most of a commit's cost, in any arrival order).
   */
  private rebuildFlagChanges(): void {
    if (this.lateFlags.length > 0) {
      const late = sortedBy(this.lateFlags, flagKey);
      const placed = this.crossingFlags;
      const merged: FlagChange[] = new Array(placed.length + late.length);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < placed.length && j < late.length) merged[k++] = compareFlagCrossings(placed[i]!, late[j]!) <= 0 ? placed[i++]! : late[j++]!;
      while (i < placed.length) merged[k++] = placed[i++]!;
      while (j < late.length) merged[k++] = late[j++]!;
      this.crossingFlags = merged;
      this.lateFlags = [];
    }
    this.flagTimes.length = 0;
    this.flagValues.length = 0;
    for (const c of this.crossingFlags) {
      if (this.flagValues[this.flagValues.length - 1] !== c.flag) {
        this.flagTimes.push(c.atMs);
        this.flagValues.push(c.flag);
      }
    }
    this.flagsStale = false;
  }

  /** In time order costs O(1); a lap that arrived late is held and merged on the next read. */
  private addFlag(atMs: number, flag: Flag): void {
    const list = this.crossingFlags;
    const last = list[list.length - 1];
    const crossing = { atMs, flag };
    if (this.lateFlags.length > 0 || (last !== undefined && compareFlagCrossings(last, crossing) > 0)) {
      this.lateFlags.push(crossing);
      this.flagsStale = true;
      return;
    }
    list.push(crossing);
    if (this.flagsStale) return;
    if (this.flagValues[this.flagValues.length - 1] !== flag) {
      this.flagTimes.push(atMs);
      this.flagValues.push(flag);
    }
  }
}

const FLAG_ORDER: Record<Flag, number> = { green: 0, 'safety-car': 1, fcy: 2, red: 3, finish: 4 };
const FLAG_RANKS = 8;
const flagKey = (c: FlagChange) => c.atMs * FLAG_RANKS + FLAG_ORDER[c.flag];

/**
 * Items sorted by a non-negative integer key, ties in arrival order: the keys
 * and indexes packed in one Float64Array sorted as numbers, several times
 * faster than Array.prototype.sort with a comparator on 100,000 objects.
 * Keys stay below 2^53 / 2^17 (race time × 8 ≤ 4.9e9; lap ≤ 100,000).
 */
function sortedBy<T>(items: readonly T[], key: (item: T) => number): T[] {
  const n = items.length;
  const width = 2 ** Math.max(1, Math.ceil(Math.log2(n + 1)));
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = key(items[i]!) * width + i;
  let max = 0;
  for (let i = 0; i < n; i++) if (packed[i]! > max) max = packed[i]!;
  // Past 2^53 the packing loses the index: sort the objects instead (stable).
  if (max >= Number.MAX_SAFE_INTEGER) return [...items].sort((a, b) => key(a) - key(b));
  packed.sort();
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = items[packed[i]! % width]!;
  return out;
}

function compareFlagCrossings(a: FlagChange, b: FlagChange): number {
  return a.atMs - b.atMs || FLAG_ORDER[a.flag] - FLAG_ORDER[b.flag];
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
