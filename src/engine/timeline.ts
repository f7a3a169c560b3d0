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
import type { BoardEvent, DecisionEvent, EntryEvent, Flag, LapEvent, MessageEvent, PitOutEvent, SectorEvent, SessionEvent, TimingEvent, WeatherEvent } from '../model/events.js';
import { POINTS_PER_LAP, sectorCrossingsMs, sectorPosition } from '../model/sectors.js';

/** A car's timing points (model/sectors.ts) up to the end of what is known: positions and race times (ms), both ascending. */
export interface TimingPoints {
  readonly positions: readonly number[];
  readonly times: readonly number[];
}

export class CarTimeline {
  entry: EntryEvent;
  private readonly sortedLaps: LapEvent[] = [];
  /**
   * What the prefixes are built from, one number per placed lap in lap
   * order: lap number, lap time, S1–S3 (Infinity when missing), in-lap (1/0).
   * Kept apart from the lap objects so that placing late laps reads and
   * moves numbers in contiguous lists, not one scattered object per lap.
   */
  private readonly lapNumberList: number[] = [];
  private readonly lapMsList: number[] = [];
  private readonly sectorLists: [number[], number[], number[]] = [[], [], []];
  private readonly inPitList: number[] = [];
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
  /** Sector crossings a feed told (sector events), ms by timing point position; they win over the ones derived from a lap's S1/S2. */
  private readonly toldSectors = new Map<number, number>();
  /**
   * Timing points, built on the first read after a change (an import never
   * pays for them unless gaps at timing points are asked for): the finish
   * line of every lap, its S1/S2 lines where known, then the S1/S2 lines
   * told of the lap in progress.
   */
  private readonly points = { positions: [] as number[], times: [] as number[] };
  /** pointLapStart[i]: index in the points of lap i's first point; pointLapStart[pointLaps] is the end of the laps' points. */
  private readonly pointLapStart: number[] = [0];
  /** Laps whose points stand (laps[0 .. pointLaps)); the rest are built again on the next read. */
  private pointLaps = 0;
  private pointsStale = false;

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
    if (replaced === undefined && this.pending.length === 0 && (n === 0 || event.lap > this.lapNumberList[n - 1]!)) {
      this.place(n, event);
      this.extendPrefixes(n);
    } else {
      this.pending.push(event);
    }
    return replaced;
  }

  /** A sector crossing told live: the points from its lap on are built again on the next read. */
  addSector(event: SectorEvent): void {
    this.toldSectors.set(sectorPosition(event.lap, event.sector), event.crossingMs);
    const i = lowerBound(this.lapNumberList, event.lap);
    if (i < this.pointLaps) this.pointLaps = i;
    this.pointsStale = true;
  }

  /**
   * The car's timing points: each lap's finish line, and its S1 and S2
   * lines where a sector event told them or the lap's S1/S2 give them
   * (model/sectors.ts), in position order. A point whose time does not
   * follow the one before is left out, so times ascend with positions and
   * one binary search finds the car's latest point at any instant. An
   * imported race holds every lap, so at an instant mid-lap the points of
   * the lap in progress come from that lap's S1/S2, as a feed would have
   * told them by then (the replay sends them as sector events).
   */
  timingPoints(): TimingPoints {
    this.settled();
    if (!this.pointsStale) return this.points;
    const { positions, times } = this.points;
    const laps = this.sortedLaps;
    const from = this.pointLaps;
    const keep = this.pointLapStart[from]!;
    positions.length = keep;
    times.length = keep;
    let lastMs = keep === 0 ? -1 : times[keep - 1]!;
    const told = this.toldSectors.size > 0 ? this.toldSectors : null;
    for (let i = from; i < laps.length; i++) {
      this.pointLapStart[i] = positions.length;
      const lap = laps[i]!;
      const before = i > 0 ? laps[i - 1]! : undefined;
      const [s1Ms, s2Ms] = sectorCrossingsMs(lap, before !== undefined && before.lap === lap.lap - 1 ? before.crossingMs : null);
      for (const s of SECTOR_LINES) {
        const position = sectorPosition(lap.lap, s);
        const atMs = told?.get(position) ?? (s === 1 ? s1Ms : s2Ms);
        if (atMs === null || atMs <= lastMs || atMs >= lap.crossingMs) continue;
        positions.push(position);
        times.push((lastMs = atMs));
      }
      if (lap.crossingMs <= lastMs) continue;
      positions.push(POINTS_PER_LAP * lap.lap);
      times.push((lastMs = lap.crossingMs));
    }
    this.pointLapStart[laps.length] = positions.length;
    this.pointLapStart.length = laps.length + 1;
    this.pointLaps = laps.length;
    // The lap in progress: only what a feed told.
    const inProgress = (laps.length === 0 ? 0 : laps[laps.length - 1]!.lap) + 1;
    for (const s of told === null ? [] : SECTOR_LINES) {
      const position = sectorPosition(inProgress, s);
      const atMs = told?.get(position);
      if (atMs === undefined || atMs <= lastMs) continue;
      positions.push(position);
      times.push((lastMs = atMs));
    }
    this.pointsStale = false;
    return this.points;
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

  /**
   * Places the held laps: sorts them, merges them into the placed ones from
   * the first lap they change, and rebuilds the prefixes from there. The
   * merge and the rebuild read the number lists only (the held laps' objects
   * once each), so a commit of late laps costs a pass over numbers per car
   * touched, about what its standings cost (bench/arrival.ts).
   */
  private settle(): void {
    const sorted = sortedBy(this.pending, (lap) => lap.lap);
    this.pending = [];
    // A lap held twice, or replaced since: the one byLap holds is placed once.
    const held: LapEvent[] = [];
    for (const lap of sorted) if (this.byLap.get(lap.lap) === lap && held[held.length - 1] !== lap) held.push(lap);
    if (held.length === 0) return;
    const numbers = this.lapNumberList;
    const n = numbers.length;
    const from = lowerBound(numbers, held[0]!.lap);
    // Where each slot from `from` on comes from: a placed index, or −1 − j for held[j].
    const source = mergeScratch;
    let count = 0;
    let i = from;
    for (let j = 0; j < held.length; j++) {
      const lap = held[j]!.lap;
      while (i < n && numbers[i]! < lap) source[count++] = i++;
      if (i < n && numbers[i] === lap) i++; // replaced
      source[count++] = -1 - j;
    }
    while (i < n) source[count++] = i++;
    const laps = this.sortedLaps;
    const [s1, s2, s3] = this.sectorLists;
    // Grown first (slots overwritten below), so that no list ever has a hole: V8 keeps them packed.
    for (let k = n; k < from + count; k++) this.place(k, held[0]!);
    // Written back over [from, from + count) from the end: each slot reads one at or before it, never one already written.
    for (let k = count - 1; k >= 0; k--) {
      const at = from + k;
      const was = source[k]!;
      if (was < 0 || was === at) continue;
      laps[at] = laps[was]!;
      numbers[at] = numbers[was]!;
      this.crossingList[at] = this.crossingList[was]!;
      this.lapMsList[at] = this.lapMsList[was]!;
      s1[at] = s1[was]!;
      s2[at] = s2[was]!;
      s3[at] = s3[was]!;
      this.inPitList[at] = this.inPitList[was]!;
    }
    for (let k = 0; k < count; k++) if (source[k]! < 0) this.place(from + k, held[-1 - source[k]!]!);
    for (let k = from; k < from + count; k++) this.extendPrefixes(k);
  }

  /** Writes a lap's numbers at index i of the lists (i ≤ their length). */
  private place(i: number, lap: LapEvent): void {
    if (i < this.pointLaps) this.pointLaps = i;
    this.pointsStale = true;
    this.sortedLaps[i] = lap;
    this.lapNumberList[i] = lap.lap;
    this.crossingList[i] = lap.crossingMs;
    this.lapMsList[i] = lap.lapMs;
    for (let s = 0; s < 3; s++) this.sectorLists[s]![i] = lap.sectorsMs[s] ?? Infinity;
    this.inPitList[i] = lap.inPit ? 1 : 0;
  }

  /** Prefix values at index i from those at i − 1 and the lap's numbers. */
  private extendPrefixes(i: number): void {
    const lapMs = this.lapMsList[i]!;
    const inPit = this.inPitList[i]!;
    if (i === 0) {
      this.bestLapList[0] = lapMs;
      for (let s = 0; s < 3; s++) this.bestSectorLists[s]![0] = this.sectorLists[s]![0]!;
      this.pitStopList[0] = inPit;
      this.lastInLapList[0] = inPit === 1 ? 0 : -1;
      return;
    }
    const prev = i - 1;
    this.bestLapList[i] = Math.min(this.bestLapList[prev]!, lapMs);
    for (let s = 0; s < 3; s++) {
      const best = this.bestSectorLists[s]!;
      best[i] = Math.min(best[prev]!, this.sectorLists[s]![i]!);
    }
    this.pitStopList[i] = this.pitStopList[prev]! + inPit;
    this.lastInLapList[i] = inPit === 1 ? i : this.lastInLapList[prev]!;
  }
}

/** The intermediate timing points of a lap (model/sectors.ts); the third is the finish line. */
const SECTOR_LINES = [1, 2] as const;

/** Scratch list of CarTimeline.settle (one settle runs at a time, synchronously), reused so that a settle allocates nothing per lap. */
const mergeScratch: number[] = [];

/** Number of values < x in an ascending array. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
  /** Weather readings in time order, one per instant (a resend of an instant replaces it). */
  readonly weather: WeatherEvent[] = [];
  /** Flag shown at each crossing where it differs from the crossing before, and the index in flagKeys it comes from. */
  private readonly flagTimes: number[] = [];
  private readonly flagValues: Flag[] = [];
  private readonly flagSources: number[] = [];
  /**
   * Every crossing's flag as one number, atMs × 8 + the flag's rank
   * (flagKey), ascending (those in lateFlags excepted): numbers, so that
   * placing late ones moves numbers, not objects (bench/arrival.ts).
   */
  private readonly flagKeys: number[] = [];
  /** Crossings' flags that arrived out of time order since the last read: merged into flagKeys then. */
  private lateFlags: number[] = [];
  /** flagTimes/flagValues are derived from flagKeys[0 .. flagsDerived); the rest on the next read. */
  private flagsDerived = 0;
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
      case 'sector':
        this.car(event.car).addSector(event);
        if (event.crossingMs > this.lastEventMs) this.lastEventMs = event.crossingMs;
        return;
      case 'decision':
        // Kept in announcement order whatever the arrival order (a repeat replaces); the classification applies them (classification.ts).
        insertByTime(this.decisions, event);
        if (event.atMs > this.lastEventMs) this.lastEventMs = event.atMs;
        return;
      case 'message':
        insertByTime(this.messages, event);
        return;
      case 'weather': {
        let i = this.weather.length;
        while (i > 0 && this.weather[i - 1]!.atMs > event.atMs) i--;
        if (i > 0 && this.weather[i - 1]!.atMs === event.atMs) this.weather[i - 1] = event;
        else this.weather.splice(i, 0, event);
        return;
      }
      case 'board':
        this.car(event.car).addBoard(event);
        this.hasBoards = true;
        if (event.atMs > this.lastEventMs) this.lastEventMs = event.atMs;
        return;
    }
  }

  /** The latest weather reading at or before t, if any. */
  weatherAt(t: number): WeatherEvent | undefined {
    return latestAtOrBefore(this.weather, t);
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
    return this.flagKeys.length + this.lateFlags.length > 0;
  }

  /** Course state at t: the flag shown at the latest crossing at or before t. */
  flagAt(t: number): Flag | 'unknown' {
    this.deriveFlagChanges();
    const i = upperBound(this.flagTimes, t);
    return i === 0 ? 'unknown' : this.flagValues[i - 1]!;
  }

  /** Flag changes in time order (for race control analysis). */
  flagChanges(): FlagChange[] {
    this.deriveFlagChanges();
    return this.flagTimes.map((atMs, i) => ({ atMs, flag: this.flagValues[i]! }));
  }

  /** The latest flag change, if any: flagChanges().at(-1) without building the list. */
  lastFlagChange(): FlagChange | undefined {
    this.deriveFlagChanges();
    const n = this.flagTimes.length;
    return n === 0 ? undefined : { atMs: this.flagTimes[n - 1]!, flag: this.flagValues[n - 1]! };
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
    const key = flagKey(atMs, flag);
    const late = this.lateFlags.indexOf(key);
    if (late >= 0) {
      this.lateFlags.splice(late, 1);
      return;
    }
    const at = lowerBound(this.flagKeys, key);
    if (this.flagKeys[at] !== key) return;
    this.flagKeys.splice(at, 1);
    this.flagsDerived = Math.min(this.flagsDerived, at);
  }

  /**
   * Places the late flags (by time, then flag, so any arrival order gives one
   * list) and derives the changes from the first crossing that moved: the
   * late ones sorted among themselves and merged into the placed ones from
   * where the first of them goes, O(k log k + what lies after it) for k late
   * — not a pass over every crossing of the race on each read after a
   * commit, which in-order arrival pays too (a lap row of 60 cars is not in
   * time order).
   */
  private deriveFlagChanges(): void {
    const keys = this.flagKeys;
    if (this.lateFlags.length > 0) {
      const late = Float64Array.from(this.lateFlags).sort();
      this.lateFlags = [];
      const n = keys.length;
      const from = lowerBound(keys, late[0]!);
      // Merged from the end into the grown list: each slot reads one at or before it.
      for (let k = 0; k < late.length; k++) keys.push(0);
      let i = n - 1;
      let j = late.length - 1;
      for (let w = keys.length - 1; j >= 0; w--) keys[w] = i >= from && keys[i]! > late[j]! ? keys[i--]! : late[j--]!;
      this.flagsDerived = Math.min(this.flagsDerived, from);
    }
    if (this.flagsDerived === keys.length) return;
    // The changes before the first moved crossing stand; the rest are derived again.
    let c = this.flagSources.length;
    while (c > 0 && this.flagSources[c - 1]! >= this.flagsDerived) c--;
    this.flagTimes.length = c;
    this.flagValues.length = c;
    this.flagSources.length = c;
    // The loop of extendFlagChanges, over numbers only: a change where the rank differs from the one before.
    let shown = c === 0 ? -1 : FLAG_ORDER[this.flagValues[c - 1]!];
    for (let i = this.flagsDerived; i < keys.length; i++) {
      const key = keys[i]!;
      const rank = flagRank(key);
      if (rank === shown) continue;
      shown = rank;
      this.flagTimes.push((key - rank) / FLAG_RANKS);
      this.flagValues.push(FLAGS_BY_RANK[rank]!);
      this.flagSources.push(i);
    }
    this.flagsDerived = keys.length;
  }

  /** A change at flagKeys[i] when its flag differs from the one shown before it (derived up to i − 1). */
  private extendFlagChanges(i: number): void {
    const key = this.flagKeys[i]!;
    const rank = flagRank(key);
    const flag = FLAGS_BY_RANK[rank]!;
    if (this.flagValues[this.flagValues.length - 1] === flag) return;
    this.flagTimes.push((key - rank) / FLAG_RANKS);
    this.flagValues.push(flag);
    this.flagSources.push(i);
  }

  /** In time order costs O(1); a lap that arrived late is held and merged on the next read. */
  private addFlag(atMs: number, flag: Flag): void {
    const keys = this.flagKeys;
    const key = flagKey(atMs, flag);
    if (this.lateFlags.length > 0 || (keys.length > 0 && keys[keys.length - 1]! > key)) {
      this.lateFlags.push(key);
      return;
    }
    keys.push(key);
    if (this.flagsDerived === keys.length - 1) {
      this.extendFlagChanges(keys.length - 1);
      this.flagsDerived = keys.length;
    }
  }
}

const FLAG_ORDER: Record<Flag, number> = { green: 0, 'safety-car': 1, fcy: 2, red: 3, finish: 4 };
const FLAGS_BY_RANK: Flag[] = ['green', 'safety-car', 'fcy', 'red', 'finish'];
const FLAG_RANKS = 8;
/** A crossing's flag as one number ordered by time, then flag (exact: race time × 8 + rank stays below 2^53). */
const flagKey = (atMs: number, flag: Flag) => atMs * FLAG_RANKS + FLAG_ORDER[flag];
/** The flag's rank in a flagKey (a floor, several times cheaper than % on a double). */
const flagRank = (key: number) => key - Math.floor(key / FLAG_RANKS) * FLAG_RANKS;

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
