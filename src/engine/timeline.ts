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
import { feedFlagMs, roadLeaderFlagMs } from './finish.js';
import { MAX_LAP, type BoardEvent, type DecisionEvent, type EntryEvent, type Flag, type LapEvent, type MessageEvent, type PitOutEvent, type SectorEvent, type SessionEvent, type TimingEvent, type WeatherEvent } from '../model/events.js';
import { POINTS_PER_LAP, sectorCrossingsInto, sectorPosition } from '../model/sectors.js';

/** A car's timing points (model/sectors.ts) up to the end of what is known: positions and race times (ms), both ascending. */
export interface TimingPoints {
  readonly positions: readonly number[];
  readonly times: readonly number[];
}

/** Sector lines told by sector events (or accepted in a batch): position (model/sectors.ts sectorPosition) → crossing (ms), and the highest position among them (0: none). */
export interface ToldSectors {
  readonly points: Map<number, number>;
  highest: number;
}

export class CarTimeline {
  entry: EntryEvent;
  /**
   * The placed laps in blocks of 32 lap numbers, indexed by block number
   * ((lap − 1) >> BLOCK_SHIFT), each lap number its own slot: a late lap
   * is written into its slot at once (nothing moves, nothing is held) and
   * the per-block sums after it are summed again when next read (a pass
   * over blocks, not laps): placing laps in any order costs about what it
   * costs in order (issue 13, item 7; bench/arrival.ts). In a flat list, a
   * reversed race in commits moved and re-derived every lap of the car on
   * each commit.
   */
  private readonly blocks = new LapBlocks();
  /**
   * Every lap placed, in arrival order (a repeat takes the entry of the lap
   * it replaces), and its numbers at the same index: a block names its laps
   * by these indexes, so placing a late lap appends here and writes one
   * number in its block's slots, not a lap's numbers into a block met at
   * random (a cache miss per lap in shuffled arrival, bench/arrival.ts).
   */
  private readonly lapEvents: LapEvent[] = [];
  private readonly numbers = new LapNumbers();
  /** Per block number, TOTALS numbers over its laps (see TOTALS), side by side for sumBlocksUpTo. */
  private readonly blockTotals: number[] = [];
  /** Per block number, TOTALS numbers over every block before it. */
  private readonly before: number[] = [];
  /** The `before` values of blocks [0, beforeValid) stand; the others are summed again when read. */
  private beforeValid = 0;
  /** Laps placed, and the highest lap number among them. */
  private lapCount = 0;
  private lastLap = 0;
  /** TOTALS numbers over every placed lap, kept as laps come in while none is replaced (allValid). */
  private readonly all: number[] = [...NO_LAPS];
  private allValid = true;
  /** Counts changes to the placed laps: prefixAt keeps its last answer (for laps[prefixIndex]) while it stays. */
  private lapsVersion = 0;
  private prefixVersion = -1;
  private prefixIndex = -1;
  private readonly prefix: number[] = [...NO_LAPS];
  /**
   * The laps and their prefixes as whole lists (laps, crossings,
   * bestLapUpTo, …), for readers that walk or search every lap (analysis):
   * copied from the blocks when read, for laps from listsFromLap on (and
   * those placed after the last copy); the live read uses the methods
   * (lapAtIndex, indexAt, bestLapAt …), which read the blocks.
   */
  private readonly sortedLaps: LapEvent[] = [];
  private readonly crossingList: number[] = [];
  private readonly bestLapList: number[] = [];
  private readonly bestSectorLists: [number[], number[], number[]] = [[], [], []];
  private readonly pitStopList: number[] = [];
  private readonly lastInLapList: number[] = [];
  private listsFromLap = Infinity;
  private readonly pitOutList: PitOutEvent[] = [];
  private readonly pitOutByLap = new Map<number, PitOutEvent>();
  private pitOutsStale = false;
  /** Board rows a live feed gave without a lap event (joined partway, a missed lap), in time order. */
  readonly boards: BoardEvent[] = [];
  /** Sector crossings a feed told (sector events), ms by timing point position; they win over the ones derived from a lap's S1/S2. */
  private readonly told: ToldSectors = { points: new Map(), highest: 0 };
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
  /** The lowest lap number added or told of since the points were built (Infinity: none): the points from it on are built again. */
  private pointsFromLap = Infinity;

  constructor(readonly number: string) {
    this.entry = { type: 'entry', car: number, class: '', group: '', team: '', manufacturer: '', drivers: [] };
  }

  /** Completed laps in lap order (which is also crossing order). For one lap, lapAtIndex. */
  get laps(): readonly LapEvent[] {
    return this.listsUpToDate().sortedLaps;
  }
  /** laps[i].crossingMs. For one, crossingAtIndex. */
  get crossings(): readonly number[] {
    return this.listsUpToDate().crossingList;
  }
  /** Fastest lap time over laps[0..i] (a list for walks over every lap; bestLapAt for one). */
  get bestLapUpTo(): readonly number[] {
    return this.listsUpToDate().bestLapList;
  }
  /** Fastest S1/S2/S3 over laps[0..i]; Infinity while none. */
  get bestSectorUpTo(): readonly [readonly number[], readonly number[], readonly number[]] {
    return this.listsUpToDate().bestSectorLists;
  }
  /** In-laps (pit entries) among laps[0..i]. */
  get pitStopsUpTo(): readonly number[] {
    return this.listsUpToDate().pitStopList;
  }
  /** Index of the latest in-lap among laps[0..i], or -1. */
  get lastInLapUpTo(): readonly number[] {
    return this.listsUpToDate().lastInLapList;
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

  /** Number of completed laps: laps.length. */
  get lapTotal(): number {
    return this.lapCount;
  }

  /** laps[i], from the blocks (no copy of the whole list). */
  lapAtIndex(i: number): LapEvent | undefined {
    const n = this.lapCount;
    if (i < 0 || i >= n) return undefined;
    if (i === n - 1) {
      const bn = this.lastBlock();
      return this.lapEvents[this.blocks.eventAt(bn, this.blocks.lastSlot(bn))];
    }
    const bn = this.blockOfIndex(i);
    return this.lapEvents[this.blocks.eventOfIndex(bn, i - this.before[bn * TOTALS + COUNT]!)];
  }

  /** laps[i].crossingMs (NaN when there is no laps[i]). */
  crossingAtIndex(i: number): number {
    return this.lapAtIndex(i)?.crossingMs ?? NaN;
  }

  /** bestLapUpTo[i] without deriving the whole list: what a live read after each commit uses. */
  bestLapAt(i: number): number {
    return this.prefixAt(i)[BEST_LAP]!;
  }

  /** bestSectorUpTo[s][i], likewise. */
  bestSectorAt(s: number, i: number): number {
    return this.prefixAt(i)[BEST_SECTOR + s]!;
  }

  /** pitStopsUpTo[i], likewise. */
  pitStopsAt(i: number): number {
    return this.prefixAt(i)[PIT_STOPS]!;
  }

  /** lastInLapUpTo[i], likewise. */
  lastInLapAt(i: number): number {
    const lap = this.lastInLapNumberAt(i);
    return lap === 0 ? -1 : this.indexOfLap(lap);
  }

  /** The lap number of laps[lastInLapUpTo[i]], 0 when none: no index to look up. */
  lastInLapNumberAt(i: number): number {
    return this.prefixAt(i)[LAST_IN_LAP]!;
  }

  /** Number of laps completed at race time t (crossings at or before t). */
  indexAt(t: number): number {
    const n = this.lapTotal;
    if (n === 0) return 0;
    // At or after every crossing (the live read): all of them, no search.
    if (t >= this.totals()[LAST_CROSSING]!) return n;
    // The last block whose blocks before it all crossed by t; laps of that block then by binary search.
    const bn = this.lastBlockWithBefore(LAST_CROSSING, t);
    return this.before[bn * TOTALS + COUNT]! + this.blocks.countAt(bn, t, this.numbers);
  }

  /** Laps completed at t, by lap number (robust to a skipped row). */
  lapsAt(t: number): number {
    const n = this.indexAt(t);
    return n === 0 ? 0 : this.lapAtIndex(n - 1)!.lap;
  }

  /** Race time at which lap `lap` was completed; 0 for lap 0 (the start); NaN when not known. */
  crossingOfLap(lap: number): number {
    if (lap <= 0) return 0;
    const bn = (lap - 1) >> BLOCK_SHIFT;
    const slot = (lap - 1) & (BLOCK_LAPS - 1);
    if (!this.blocks.has(bn, slot)) return NaN;
    return this.numbers.get(this.blocks.eventAt(bn, slot), CROSSING);
  }

  /**
   * The placed laps nearest `lap` on either side, with their crossings
   * (race ms): `below` is 0 at 0 ms (the start) when no lap below is placed,
   * `above` is null when none above is. A new lap `lap` must be crossed
   * strictly between the two (engine/crossing-order.ts). A search of the
   * blocks' bitmaps: a word per 32 lap numbers, however sparse they are.
   */
  lapsAround(lap: number): { below: number; belowMs: number; above: number | null; aboveMs: number } {
    const below = this.blocks.placedBelow(lap);
    const above = this.blocks.placedAbove(lap);
    return { below, belowMs: this.crossingOfLap(below), above: above === 0 ? null : above, aboveMs: above === 0 ? Infinity : this.crossingOfLap(above) };
  }

  /** The crossing a sector event told at this timing point (model/sectors.ts sectorPosition), NaN when none did. */
  toldSectorAt(position: number): number {
    return this.told.points.get(position) ?? NaN;
  }

  /** The timing points told by sector events. */
  toldSectorPoints(): Readonly<ToldSectors> {
    return this.told;
  }

  /** The latest pit exit at or before t, if any. */
  pitOutAt(t: number): PitOutEvent | undefined {
    return latestAtOrBefore(this.pitOuts, t);
  }

  /**
   * Adds or replaces a lap; returns the lap it replaced, if any. Each lap
   * number has its own slot in its block, so a lap in any order is written
   * where it belongs at once (nothing moves): a late lap costs about what a
   * lap in order costs (bench/arrival.ts); the sums of the blocks after it,
   * and the whole lists from it on, are derived again when next read.
   */
  addLap(event: LapEvent): LapEvent | undefined {
    // The schema's bounds (model/events.ts), which the blocks rely on: a lap number outside them has no block.
    if (!Number.isInteger(event.lap) || event.lap < 1 || event.lap > MAX_LAP) throw new RangeError(`car ${event.car}: lap number ${event.lap} is not an integer from 1 to ${MAX_LAP}`);
    const lap = event.lap;
    const bn = (lap - 1) >> BLOCK_SHIFT;
    const slot = (lap - 1) & (BLOCK_LAPS - 1);
    if (lap < this.pointsFromLap) this.pointsFromLap = lap;
    const blocks = this.blocks;
    const sectors = event.sectorsMs;
    const s1 = sectors[0] ?? Infinity;
    const s2 = sectors[1] ?? Infinity;
    const s3 = sectors[2] ?? Infinity;
    const inPit = event.inPit ? 1 : 0;
    let replaced: LapEvent | undefined;
    if (blocks.has(bn, slot)) {
      // Sent again: the later one takes the entry of the one it replaces; the block's sums start over (min and max do not go back).
      const index = blocks.eventAt(bn, slot);
      replaced = this.lapEvents[index];
      this.lapEvents[index] = event;
      this.numbers.write(index, lap, event.crossingMs, event.lapMs, s1, s2, s3, inPit);
      this.setTotals(bn);
      this.allValid = false;
    } else {
      const index = this.lapEvents.length;
      this.lapEvents.push(event);
      const at = this.numbers.write(index, lap, event.crossingMs, event.lapMs, s1, s2, s3, inPit);
      const page = this.numbers.pages[pageOfLap(index)]!;
      blocks.place(bn, slot, index);
      this.lapCount++;
      const totals = this.blockTotals;
      while (totals.length < (bn + 1) * TOTALS) totals.push(...NO_LAPS);
      addLapNumbers(totals, bn * TOTALS, page, at);
      if (this.allValid) addLapNumbers(this.all, 0, page, at);
    }
    if (lap > this.lastLap) {
      this.lastLap = lap;
    } else {
      // Before the last lap (or the last one again): the blocks after this one sum again, the lists copy again from it.
      if (this.beforeValid > bn + 1) this.beforeValid = bn + 1;
      if (lap < this.listsFromLap) this.listsFromLap = lap;
    }
    this.lapsVersion++;
    return replaced;
  }

  /** A sector crossing told live: the points from its lap on are built again on the next read. */
  addSector(event: SectorEvent): void {
    const position = sectorPosition(event.lap, event.sector);
    this.told.points.set(position, event.crossingMs);
    if (position > this.told.highest) this.told.highest = position;
    if (event.lap < this.pointsFromLap) this.pointsFromLap = event.lap;
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
    if (this.pointsFromLap === Infinity) return this.points;
    const { positions, times } = this.points;
    const laps = this.laps;
    // The first lap at or after the lowest one changed (or told of): its points and those after are built again.
    let lo = 0;
    let hi = Math.min(this.pointLaps, laps.length);
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (laps[mid]!.lap < this.pointsFromLap) lo = mid + 1;
      else hi = mid;
    }
    const from = lo;
    // Written over the points from `from` on, the length set at the end: truncating first gave both
    // lists new backing stores as they grew back, for every car after each commit of late laps
    // (a reversed race rebuilds every point: most of the garbage of bulk ingest, issue 13).
    let w = this.pointLapStart[from]!;
    let lastMs = w === 0 ? -1 : times[w - 1]!;
    const told = this.told.points.size > 0 ? this.told.points : null;
    const crossings = SECTOR_CROSSINGS;
    for (let i = from; i < laps.length; i++) {
      this.pointLapStart[i] = w;
      const lap = laps[i]!;
      const before = i > 0 ? laps[i - 1]! : undefined;
      sectorCrossingsInto(crossings, lap, before !== undefined && before.lap === lap.lap - 1 ? before.crossingMs : null);
      for (let s = 1; s <= 2; s++) {
        const position = sectorPosition(lap.lap, s as 1 | 2);
        const atMs = told?.get(position) ?? (s === 1 ? crossings[0] : crossings[1]);
        if (atMs === null || atMs <= lastMs || atMs >= lap.crossingMs) continue;
        positions[w] = position;
        times[w++] = lastMs = atMs;
      }
      if (lap.crossingMs <= lastMs) continue;
      positions[w] = POINTS_PER_LAP * lap.lap;
      times[w++] = lastMs = lap.crossingMs;
    }
    this.pointLapStart[laps.length] = w;
    this.pointLapStart.length = laps.length + 1;
    this.pointLaps = laps.length;
    // The lap in progress: only what a feed told.
    const inProgress = (laps.length === 0 ? 0 : laps[laps.length - 1]!.lap) + 1;
    if (told !== null) {
      for (let s = 1; s <= 2; s++) {
        const atMs = told.get(sectorPosition(inProgress, s as 1 | 2));
        if (atMs === undefined || atMs <= lastMs) continue;
        positions[w] = sectorPosition(inProgress, s as 1 | 2);
        times[w++] = lastMs = atMs;
      }
    }
    positions.length = w;
    times.length = w;
    this.pointsFromLap = Infinity;
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

  /** The block number of the highest lap (-1: no laps). */
  private lastBlock(): number {
    return this.lapCount === 0 ? -1 : (this.lastLap - 1) >> BLOCK_SHIFT;
  }

  /** The block holding laps[i] (0 ≤ i < lapTotal), with `before` summed up to it. */
  private blockOfIndex(i: number): number {
    // The last block with fewer than i + 1 laps before it: blocks without laps share the count of the one after them.
    return this.lastBlockWithBefore(COUNT, i);
  }

  /** The last block whose `before` sum in `field` (COUNT, LAST_CROSSING: both ascend with the block) is at most `value`; `before` summed first. */
  private lastBlockWithBefore(field: number, value: number): number {
    const last = this.lastBlock();
    if (last >= this.beforeValid) this.sumBlocksUpTo(last);
    const before = this.before;
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (before[mid * TOTALS + field]! <= value) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The index in laps of lap number `lap` (placed). */
  private indexOfLap(lap: number): number {
    const bn = (lap - 1) >> BLOCK_SHIFT;
    if (bn >= this.beforeValid) this.sumBlocksUpTo(bn);
    return this.before[bn * TOTALS + COUNT]! + this.blocks.indexOf(bn, (lap - 1) & (BLOCK_LAPS - 1));
  }

  /**
   * The prefixes at laps[i] (BEST_LAP … LAST_IN_LAP of TOTALS): those of the
   * blocks before its block, then its block's laps up to it (≤ 32). Kept for
   * the next read of the same lap (a live read asks for several at the last
   * lap of each car).
   */
  private prefixAt(i: number): readonly number[] {
    const prefix = this.prefix;
    if (i === this.prefixIndex && this.prefixVersion === this.lapsVersion) return prefix;
    // At the last lap (the live read): the car's totals, no block to sum.
    if (i === this.lapCount - 1) return this.totals();
    const bn = this.blockOfIndex(i);
    for (let f = 0; f < TOTALS; f++) prefix[f] = this.before[bn * TOTALS + f]!;
    this.blocks.accumulate(bn, this.numbers, prefix, 0, this.blocks.slotAtIndex(bn, i - this.before[bn * TOTALS + COUNT]!));
    this.prefixIndex = i;
    this.prefixVersion = this.lapsVersion;
    return prefix;
  }

  /** TOTALS numbers over every placed lap. */
  private totals(): readonly number[] {
    if (!this.allValid) {
      const last = this.lastBlock();
      if (last >= this.beforeValid) this.sumBlocksUpTo(last);
      for (let f = 0; f < TOTALS; f++) this.all[f] = this.before[last * TOTALS + f]!;
      addTotals(this.all, 0, this.blockTotals, last * TOTALS);
      this.allValid = true;
    }
    return this.all;
  }

  /** Sets block bn's totals from its laps (blocks before it without laps get NO_LAPS). */
  private setTotals(bn: number): void {
    const totals = this.blockTotals;
    while (totals.length < (bn + 1) * TOTALS) totals.push(...NO_LAPS);
    const at = bn * TOTALS;
    for (let f = 0; f < TOTALS; f++) totals[at + f] = NO_LAPS[f]!;
    this.blocks.accumulate(bn, this.numbers, totals, at, BLOCK_LAPS - 1);
  }

  /** The `before` values of blocks [beforeValid, bn], each from the one before it and that block's totals. */
  private sumBlocksUpTo(bn: number): void {
    const before = this.before;
    const totals = this.blockTotals;
    let k = this.beforeValid;
    if (k === 0) {
      for (let f = 0; f < TOTALS; f++) before[f] = NO_LAPS[f]!;
      k = 1;
    }
    for (; k <= bn; k++) {
      const at = k * TOTALS;
      const prev = at - TOTALS;
      before[at + BEST_LAP] = Math.min(before[prev + BEST_LAP]!, totals[prev + BEST_LAP]!);
      before[at + BEST_SECTOR] = Math.min(before[prev + BEST_SECTOR]!, totals[prev + BEST_SECTOR]!);
      before[at + BEST_SECTOR + 1] = Math.min(before[prev + BEST_SECTOR + 1]!, totals[prev + BEST_SECTOR + 1]!);
      before[at + BEST_SECTOR + 2] = Math.min(before[prev + BEST_SECTOR + 2]!, totals[prev + BEST_SECTOR + 2]!);
      before[at + PIT_STOPS] = before[prev + PIT_STOPS]! + totals[prev + PIT_STOPS]!;
      before[at + LAST_IN_LAP] = Math.max(before[prev + LAST_IN_LAP]!, totals[prev + LAST_IN_LAP]!);
      before[at + COUNT] = before[prev + COUNT]! + totals[prev + COUNT]!;
      before[at + LAST_CROSSING] = Math.max(before[prev + LAST_CROSSING]!, totals[prev + LAST_CROSSING]!);
    }
    this.beforeValid = bn + 1;
  }

  /**
   * The whole lists, copied from the blocks for laps from listsFromLap on
   * (and those placed since the last copy): a pass over the laps after the
   * first late one, when a reader walks them.
   */
  private listsUpToDate(): this {
    const laps = this.sortedLaps;
    let from = laps.length;
    if (this.listsFromLap !== Infinity) {
      const firstLap = this.listsFromLap;
      let lo = 0;
      let hi = laps.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (laps[mid]!.lap < firstLap) lo = mid + 1;
        else hi = mid;
      }
      from = lo;
      this.listsFromLap = Infinity;
    }
    const n = this.lapCount;
    if (from === n && laps.length === n) return this;
    from = Math.min(from, laps.length);
    // The laps from `from` on, block by block, written over the old ones: truncating first (length = from)
    // gave the lists new backing stores as they grew back, each commit of late laps (issue 13, bulk ingest: GC).
    let i = from;
    const last = this.lastBlock();
    for (let bn = from === n ? last + 1 : this.blockOfIndex(from); bn <= last && i < n; bn++) {
      // The block's laps in lap order (its set bits, lowest first), from the one at index i.
      let skip = i - this.before[bn * TOTALS + COUNT]!;
      for (let bits = this.blocks.present[bn]!; bits !== 0; bits &= bits - 1) {
        if (skip > 0) {
          skip--;
          continue;
        }
        const lap = this.lapEvents[this.blocks.eventAt(bn, 31 - Math.clz32(bits & -bits))]!;
        laps[i] = lap;
        this.crossingList[i] = lap.crossingMs;
        i++;
      }
    }
    laps.length = n;
    this.crossingList.length = n;
    for (let k = from; k < n; k++) {
      const lap = laps[k]!;
      const inPit = lap.inPit ? 1 : 0;
      if (k === 0) {
        this.bestLapList[0] = lap.lapMs;
        for (let s = 0; s < 3; s++) this.bestSectorLists[s]![0] = lap.sectorsMs[s] ?? Infinity;
        this.pitStopList[0] = inPit;
        this.lastInLapList[0] = inPit === 1 ? 0 : -1;
        continue;
      }
      this.bestLapList[k] = Math.min(this.bestLapList[k - 1]!, lap.lapMs);
      for (let s = 0; s < 3; s++) {
        const best = this.bestSectorLists[s]!;
        best[k] = Math.min(best[k - 1]!, lap.sectorsMs[s] ?? Infinity);
      }
      this.pitStopList[k] = this.pitStopList[k - 1]! + inPit;
      this.lastInLapList[k] = inPit === 1 ? k : this.lastInLapList[k - 1]!;
    }
    this.bestLapList.length = n;
    for (const list of this.bestSectorLists) list.length = n;
    this.pitStopList.length = n;
    this.lastInLapList.length = n;
    return this;
  }
}

/** timingPoints' S1 and S2 instants of the lap at hand (sectorCrossingsInto): one pair for every lap, never kept. */
const SECTOR_CROSSINGS: [number | null, number | null] = [null, null];

/** Lap numbers per block (2^5, one bit each in LapBlocks.present): a read sums ≤ 32 laps of one block, and a car of 400 laps has 13 blocks to sum. */
const BLOCK_SHIFT = 5;
const BLOCK_LAPS = 1 << BLOCK_SHIFT;

/** Set bits in a 32-bit integer (SWAR popcount). */
function bitCount(bits: number): number {
  let v = bits - ((bits >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Adds one lap's numbers (data[p…], STRIDE of them) to the TOTALS sums at into[at…]. */
function addLapNumbers(into: number[], at: number, data: Float64Array, p: number): void {
  into[at + BEST_LAP] = Math.min(into[at + BEST_LAP]!, data[p + LAP_MS]!);
  into[at + BEST_SECTOR] = Math.min(into[at + BEST_SECTOR]!, data[p + SECTOR]!);
  into[at + BEST_SECTOR + 1] = Math.min(into[at + BEST_SECTOR + 1]!, data[p + SECTOR + 1]!);
  into[at + BEST_SECTOR + 2] = Math.min(into[at + BEST_SECTOR + 2]!, data[p + SECTOR + 2]!);
  if (data[p + IN_PIT] === 1) {
    into[at + PIT_STOPS] = into[at + PIT_STOPS]! + 1;
    into[at + LAST_IN_LAP] = Math.max(into[at + LAST_IN_LAP]!, data[p + LAP]!);
  }
  into[at + COUNT] = into[at + COUNT]! + 1;
  into[at + LAST_CROSSING] = Math.max(into[at + LAST_CROSSING]!, data[p + CROSSING]!);
}

/** Adds the TOTALS sums at from[f…] to those at into[at…] (laps after them). */
function addTotals(into: number[], at: number, from: readonly number[], f: number): void {
  into[at + BEST_LAP] = Math.min(into[at + BEST_LAP]!, from[f + BEST_LAP]!);
  into[at + BEST_SECTOR] = Math.min(into[at + BEST_SECTOR]!, from[f + BEST_SECTOR]!);
  into[at + BEST_SECTOR + 1] = Math.min(into[at + BEST_SECTOR + 1]!, from[f + BEST_SECTOR + 1]!);
  into[at + BEST_SECTOR + 2] = Math.min(into[at + BEST_SECTOR + 2]!, from[f + BEST_SECTOR + 2]!);
  into[at + PIT_STOPS] = into[at + PIT_STOPS]! + from[f + PIT_STOPS]!;
  into[at + LAST_IN_LAP] = Math.max(into[at + LAST_IN_LAP]!, from[f + LAST_IN_LAP]!);
  into[at + COUNT] = into[at + COUNT]! + from[f + COUNT]!;
  into[at + LAST_CROSSING] = Math.max(into[at + LAST_CROSSING]!, from[f + LAST_CROSSING]!);
}

/**
 * One lap's numbers in LapNumbers: lap number, crossing, lap time, S1–S3
 * (Infinity when missing), in-lap (1/0), and one unused so that a lap is
 * one 64-byte line.
 */
const LAP = 0;
const CROSSING = 1;
const LAP_MS = 2;
const SECTOR = 3; // S1–S3 at 3, 4, 5
const IN_PIT = 6;
const STRIDE = 8;

/**
 * Sums over laps (CarTimeline.blockTotals, .before, .prefix): best lap, best
 * S1–S3, in-laps, lap number of the latest in-lap (0: none), laps, latest
 * crossing (-Infinity: none).
 */
const BEST_LAP = 0;
const BEST_SECTOR = 1; // 1, 2, 3
const PIT_STOPS = 4;
const LAST_IN_LAP = 5;
const COUNT = 6;
const LAST_CROSSING = 7;
const TOTALS = 8;
/** Those of no laps. */
const NO_LAPS = [Infinity, Infinity, Infinity, Infinity, 0, 0, 0, -Infinity];

/** Blocks in a page of LapBlocks' slots (2 KB): a car of 500 laps has one. */
const PAGE_SHIFT = 4;
const PAGE_BLOCKS = 1 << PAGE_SHIFT;

/**
 * A car's blocks of lap numbers: in block bn, lap number bn × 32 + k + 1
 * has slot k, which holds the index of the lap in the car's lapEvents and
 * LapNumbers. A lap placed in any order writes its slot and moves nothing.
 * Which slots hold a lap is present[bn]; in-order arrival fills them from
 * the first, where index and slot are the same. No prefixes are stored: a
 * read sums a block's laps up to the one asked for (≤ 32). Everything is in
 * the car's few buffers, by block number (no object per block: a late lap
 * landing in a block met at random then touches its slot and little else).
 */
class LapBlocks {
  /** Per block number, bit k set when lap number (bn × 32 + k + 1) is placed. */
  present = new Int32Array(16);
  /**
   * Per block number, 1 + the index of the lap in slot 0 when the block's
   * laps fill slots 0 … n − 1 with consecutive indexes (laps placed in
   * order): a read then walks their numbers side by side, as a seek in an
   * imported race does; 0 otherwise.
   */
  private run = new Int32Array(16);
  /** The slots of blocks PAGE_BLOCKS × p … in pages[p] (32 per block), for the block numbers in use only (sparse lap numbers take few). */
  private readonly pages: (Int32Array | undefined)[] = [];

  has(bn: number, slot: number): boolean {
    return bn < this.present.length && ((this.present[bn]! >>> slot) & 1) === 1;
  }

  /** The highest placed lap number below `lap` (0: none): the bits below its slot, then whole blocks down. */
  placedBelow(lap: number): number {
    let bn = (lap - 1) >> BLOCK_SHIFT;
    let bits = 0;
    if (bn >= this.present.length) bn = this.present.length;
    else bits = this.present[bn]! & ((1 << ((lap - 1) & (BLOCK_LAPS - 1))) - 1);
    while (bits === 0) {
      if (--bn < 0) return 0;
      bits = this.present[bn]!;
    }
    return (bn << BLOCK_SHIFT) + (31 - Math.clz32(bits)) + 1;
  }

  /** The lowest placed lap number above `lap` (0: none): the bits above its slot, then whole blocks up. */
  placedAbove(lap: number): number {
    let bn = (lap - 1) >> BLOCK_SHIFT;
    if (bn >= this.present.length) return 0;
    const slot = (lap - 1) & (BLOCK_LAPS - 1);
    let bits = slot === BLOCK_LAPS - 1 ? 0 : this.present[bn]! & (-1 << (slot + 1));
    while (bits === 0) {
      if (++bn >= this.present.length) return 0;
      bits = this.present[bn]!;
    }
    return (bn << BLOCK_SHIFT) + (31 - Math.clz32(bits & -bits)) + 1;
  }

  /** The index among block bn's laps of the lap in `slot` (or where it would go): the laps below it, counted in `present`. */
  indexOf(bn: number, slot: number): number {
    return bitCount(this.present[bn]! & ~(-1 << slot));
  }

  /** The slot of block bn's k-th lap (0 ≤ k < its laps). */
  slotAtIndex(bn: number, k: number): number {
    let bits = this.present[bn]!;
    // Laps in slots 0 … n − 1 (in-order arrival without a skipped lap number): the slot is the index.
    if ((bits & (bits + 1)) === 0) return k;
    for (let j = 0; j < k; j++) bits &= bits - 1;
    return 31 - Math.clz32(bits & -bits);
  }

  /** The index in CarTimeline.lapEvents of block bn's k-th lap (0 ≤ k < its laps). */
  eventOfIndex(bn: number, k: number): number {
    const run = this.run[bn]!;
    return run !== 0 ? run - 1 + k : this.eventAt(bn, this.slotAtIndex(bn, k));
  }

  /** The slot of block bn's highest lap number (it has one). */
  lastSlot(bn: number): number {
    return 31 - Math.clz32(this.present[bn]!);
  }

  /** The index in CarTimeline.lapEvents (and LapNumbers) of the lap in block bn's `slot`. */
  eventAt(bn: number, slot: number): number {
    return this.pages[bn >> PAGE_SHIFT]![((bn & (PAGE_BLOCKS - 1)) << BLOCK_SHIFT) + slot]!;
  }

  /** Puts the lap of index `event` in block bn's `slot` (empty until now). */
  place(bn: number, slot: number, event: number): void {
    if (bn >= this.present.length) {
      const size = Math.max(2 * this.present.length, bn + 1);
      const grown = new Int32Array(size);
      grown.set(this.present);
      this.present = grown;
      const run = new Int32Array(size);
      run.set(this.run);
      this.run = run;
    }
    const bits = this.present[bn]!;
    if (bits === 0) this.run[bn] = slot === 0 ? event + 1 : 0;
    else if (bits !== (((1 << slot) - 1) | 0) || event !== this.run[bn]! - 1 + slot) this.run[bn] = 0;
    const p = bn >> PAGE_SHIFT;
    const page = this.pages[p] ?? (this.pages[p] = new Int32Array(PAGE_BLOCKS << BLOCK_SHIFT));
    page[((bn & (PAGE_BLOCKS - 1)) << BLOCK_SHIFT) + slot] = event;
    this.present[bn]! |= 1 << slot;
  }

  /** Laps of block bn crossed at or before t: a binary search over them in lap order. */
  countAt(bn: number, t: number, numbers: LapNumbers): number {
    let lo = 0;
    let hi = bitCount(this.present[bn]!);
    const run = this.run[bn]!;
    if (run !== 0) {
      // Slot k holds index run − 1 + k.
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (numbers.get(run - 1 + mid, CROSSING) <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (numbers.get(this.eventAt(bn, this.slotAtIndex(bn, mid)), CROSSING) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Folds block bn's laps in slots [from, to] into the TOTALS sums at into[at…]. */
  accumulate(bn: number, numbers: LapNumbers, into: number[], at: number, to: number, from = 0): void {
    const present = bn < this.present.length ? this.present[bn]! : 0;
    const slots = this.pages[bn >> PAGE_SHIFT];
    const first = (bn & (PAGE_BLOCKS - 1)) << BLOCK_SHIFT;
    let best = into[at + BEST_LAP]!;
    let best1 = into[at + BEST_SECTOR]!;
    let best2 = into[at + BEST_SECTOR + 1]!;
    let best3 = into[at + BEST_SECTOR + 2]!;
    let pitStops = into[at + PIT_STOPS]!;
    let lastInLap = into[at + LAST_IN_LAP]!;
    let lastCrossing = into[at + LAST_CROSSING]!;
    let count = 0;
    const run = bn < this.run.length ? this.run[bn]! : 0;
    // Laps placed in order, in one page: their numbers side by side, no slot to read.
    const last = Math.min(to, 31 - Math.clz32(present));
    const p = run === 0 ? -1 : pageOfLap(run - 1 + from);
    if (run !== 0 && p === pageOfLap(run - 1 + last)) {
      const d = numbers.pages[p]!;
      for (let k = offsetInPage(run - 1 + from, p), end = offsetInPage(run - 1 + last, p); k <= end; k += STRIDE) {
        count++;
        best = Math.min(best, d[k + LAP_MS]!);
        best1 = Math.min(best1, d[k + SECTOR]!);
        best2 = Math.min(best2, d[k + SECTOR + 1]!);
        best3 = Math.min(best3, d[k + SECTOR + 2]!);
        lastCrossing = Math.max(lastCrossing, d[k + CROSSING]!);
        if (d[k + IN_PIT] === 1) {
          pitStops++;
          lastInLap = Math.max(lastInLap, d[k + LAP]!);
        }
      }
      to = -1;
    }
    for (let s = from; s <= to; s++) {
      if (((present >>> s) & 1) === 0) continue;
      const index = slots![first + s]!;
      const p = pageOfLap(index);
      const d = numbers.pages[p]!;
      const k = offsetInPage(index, p);
      count++;
      best = Math.min(best, d[k + LAP_MS]!);
      best1 = Math.min(best1, d[k + SECTOR]!);
      best2 = Math.min(best2, d[k + SECTOR + 1]!);
      best3 = Math.min(best3, d[k + SECTOR + 2]!);
      lastCrossing = Math.max(lastCrossing, d[k + CROSSING]!);
      if (d[k + IN_PIT] === 1) {
        pitStops++;
        lastInLap = Math.max(lastInLap, d[k + LAP]!);
      }
    }
    into[at + BEST_LAP] = best;
    into[at + BEST_SECTOR] = best1;
    into[at + BEST_SECTOR + 1] = best2;
    into[at + BEST_SECTOR + 2] = best3;
    into[at + PIT_STOPS] = pitStops;
    into[at + LAST_IN_LAP] = lastInLap;
    into[at + COUNT] = into[at + COUNT]! + count;
    into[at + LAST_CROSSING] = lastCrossing;
  }
}

/** Laps in the first page of LapNumbers (2^5: 2 KB); page k holds 2^k times as many. */
const NUMBERS_SHIFT = 5;

/**
 * A car's laps' numbers (STRIDE each) by index in arrival order, in pages
 * that are never copied, each twice the one before (page k from index
 * 32 × (2^k − 1)): laps arriving in any order are written one after the
 * other, a car of 1,700 laps has 6 buffers, and sums read numbers, not events.
 */
class LapNumbers {
  readonly pages: Float64Array[] = [];

  /** Writes the numbers of lap index i (at most one past the last written); their start in its page (pages[pageOfLap(i)]). */
  write(i: number, lap: number, crossing: number, lapMs: number, s1: number, s2: number, s3: number, inPit: number): number {
    const p = pageOfLap(i);
    const d = this.pages[p] ?? (this.pages[p] = new Float64Array((STRIDE << NUMBERS_SHIFT) << p));
    const at = offsetInPage(i, p);
    d[at + LAP] = lap;
    d[at + CROSSING] = crossing;
    d[at + LAP_MS] = lapMs;
    d[at + SECTOR] = s1;
    d[at + SECTOR + 1] = s2;
    d[at + SECTOR + 2] = s3;
    d[at + IN_PIT] = inPit;
    return at;
  }

  /** One number (LAP … IN_PIT) of lap index i. */
  get(i: number, field: number): number {
    const p = pageOfLap(i);
    return this.pages[p]![offsetInPage(i, p) + field]!;
  }
}

/** The page of LapNumbers holding lap index i. */
function pageOfLap(i: number): number {
  return 31 - Math.clz32((i >> NUMBERS_SHIFT) + 1);
}

/** Where lap index i's numbers start in page p (its page). */
function offsetInPage(i: number, p: number): number {
  return (i - (((1 << p) - 1) << NUMBERS_SHIFT)) * STRIDE;
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
  /** Flag shown at each crossing where it differs from the crossing before, and the key (flagKey) of that crossing. */
  private readonly flagTimes: number[] = [];
  private readonly flagValues: Flag[] = [];
  private readonly flagSources: number[] = [];
  /**
   * Every crossing's flag as one number, atMs × 8 + the flag's rank
   * (flagKey), in ascending chunks (FlagKeys; those in lateFlags excepted):
   * placing a late one moves the numbers of one chunk, and the flag at an
   * instant is two binary searches (bench/arrival.ts).
   */
  private readonly flagKeys = new FlagKeys();
  /**
   * Crossings' flags that arrived before the last of flagKeys: placed, all
   * at once (one sort, then one merge per chunk they land in), when a read
   * needs them (flagAt before the latest crossing, flagChanges). The live
   * read after each commit (flagAt after the last crossing, lastFlag) needs
   * only the latest key, lateMax.
   */
  private lateFlags = new Float64Array(64);
  /** lateFlags[0 .. lateCount) are held (the buffer is kept from one placing to the next). */
  private lateCount = 0;
  /** The largest of lateFlags (-Infinity when none; NaN when a removal left it unknown). */
  private lateMax = -Infinity;
  /**
   * flagTimes/flagValues are derived from the placed keys below this one;
   * those from it on are derived again on the next read (Infinity: none).
   */
  private flagsDirtyFrom = Infinity;
  /** Events applied, and the latest race time seen. */
  eventCount = 0;
  lastEventMs = 0;
  /**
   * The latest crossing of the line by any car (ms): where the timing of a
   * stopped race ends. Unlike lastEventMs, decisions announced after it (a
   * post-race disqualification) do not move it.
   */
  lastCrossingMs = 0;
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
        if (event.crossingMs > this.lastCrossingMs) this.lastCrossingMs = event.crossingMs;
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
    return this.flagKeys.size + this.lateCount > 0;
  }

  /** Course state at t: the flag shown at the latest crossing at or before t. */
  flagAt(t: number): Flag | 'unknown' {
    // At or after the latest crossing (the live read): its flag, whatever is still to be merged.
    const latest = this.latestFlagKey();
    if (latest === -Infinity) return 'unknown';
    const bound = t * FLAG_RANKS + FLAG_RANKS - 1;
    if (latest <= bound) return FLAGS_BY_RANK[flagRank(latest)]!;
    // Before it: the flag of the latest crossing at or before t (the last
    // change at or before t holds to it), found in the chunks without
    // deriving the changes, which after a commit of late laps would be a
    // pass over every crossing after the earliest of them.
    this.placeLateFlags();
    const key = this.flagKeys.atOrBelow(bound);
    return key === -Infinity ? 'unknown' : FLAGS_BY_RANK[flagRank(key)]!;
  }

  /** The flag shown at the latest crossing (lastFlagChange()?.flag without deriving the changes), if any. */
  lastFlag(): Flag | undefined {
    const latest = this.latestFlagKey();
    return latest === -Infinity ? undefined : FLAGS_BY_RANK[flagRank(latest)]!;
  }

  /** The largest flag key, placed or late; -Infinity when none. */
  private latestFlagKey(): number {
    if (Number.isNaN(this.lateMax)) {
      let max = -Infinity;
      for (let i = 0; i < this.lateCount; i++) if (this.lateFlags[i]! > max) max = this.lateFlags[i]!;
      this.lateMax = max;
    }
    return Math.max(this.flagKeys.last(), this.lateMax);
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
   * When the chequered flag fell: the road leader's crossing the finish
   * flag marks (finish.ts feedFlagMs), else the road leader's first crossing after the scheduled length
   * (finish.ts); null before.
   */
  chequeredMs(): number | null {
    if (this.chequeredCache !== undefined) return this.chequeredCache;
    let result: number | null = null;
    if (Number.isFinite(this.firstFinishMs)) {
      result = feedFlagMs(this.cars.values(), this.firstFinishMs);
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
    const late = this.lateFlags.subarray(0, this.lateCount).indexOf(key);
    if (late >= 0) {
      // Held keys are in no order: the last takes its place.
      this.lateFlags[late] = this.lateFlags[--this.lateCount]!;
      if (key === this.lateMax) this.lateMax = NaN;
      return;
    }
    if (this.flagKeys.remove(key) && key < this.flagsDirtyFrom) this.flagsDirtyFrom = key;
  }

  /**
   * Places the late flags: sorted among themselves (by time, then flag, so
   * any arrival order gives one list) and merged into the chunks they land
   * in; the changes are derived again from the first of them.
   */
  private placeLateFlags(): void {
    const n = this.lateCount;
    if (n === 0) return;
    const late = this.lateFlags.subarray(0, n).sort();
    this.lateCount = 0;
    this.lateMax = -Infinity;
    if (late[0]! < this.flagsDirtyFrom) this.flagsDirtyFrom = late[0]!;
    this.flagKeys.insertSorted(late);
  }

  /**
   * Derives the changes from the first key placed or removed since the last
   * derivation: the changes before it stand, O(what lies after it) — not a
   * pass over every crossing of the race on each read, which in-order
   * arrival would pay too (a lap row of 60 cars is not in time order).
   */
  private deriveFlagChanges(): void {
    this.placeLateFlags();
    const from = this.flagsDirtyFrom;
    if (from === Infinity) return;
    this.flagsDirtyFrom = Infinity;
    // The changes at keys below `from` stand; the rest are derived again.
    let c = this.flagSources.length;
    while (c > 0 && this.flagSources[c - 1]! >= from) c--;
    this.flagTimes.length = c;
    this.flagValues.length = c;
    this.flagSources.length = c;
    // A change where the rank differs from the one before, over numbers only.
    let shown = c === 0 ? -1 : FLAG_ORDER[this.flagValues[c - 1]!];
    this.flagKeys.forEachFrom(from, (key) => {
      const rank = flagRank(key);
      if (rank === shown) return;
      shown = rank;
      this.flagTimes.push((key - rank) / FLAG_RANKS);
      this.flagValues.push(FLAGS_BY_RANK[rank]!);
      this.flagSources.push(key);
    });
  }

  /** In time order costs O(1); a flag before the last placed one is held and placed when a read needs it. */
  private addFlag(atMs: number, flag: Flag): void {
    const keys = this.flagKeys;
    const key = flagKey(atMs, flag);
    if (key < keys.last()) {
      if (this.lateCount === this.lateFlags.length) {
        const grown = new Float64Array(2 * this.lateCount);
        grown.set(this.lateFlags);
        this.lateFlags = grown;
      }
      this.lateFlags[this.lateCount++] = key;
      if (key > this.lateMax) this.lateMax = key;
      return;
    }
    keys.push(key);
    if (this.flagsDirtyFrom !== Infinity) {
      if (key < this.flagsDirtyFrom) this.flagsDirtyFrom = key;
      return;
    }
    // The changes stand up to here: this key extends them.
    if (this.flagValues[this.flagValues.length - 1] === flag) return;
    this.flagTimes.push(atMs);
    this.flagValues.push(flag);
    this.flagSources.push(key);
  }
}

/** Held keys (FlagKeys.extra) merged into the chunks once they pass this, or an eighth of the keys. */
const FLAG_EXTRA_MIN = 2048;

/**
 * The crossings' flag keys, a sorted multiset in two parts: the chunks
 * (FlagChunks), and the keys placed since they last took them in, in one
 * sorted list (extra) that a commit's late keys are merged into — a pass
 * over numbers side by side, where placing each into its chunk was a cache
 * miss per key in shuffled arrival. The list goes into the chunks (one pass
 * over them in order) once it holds an eighth of the keys, so each key is
 * moved a bounded number of times. The largest key at or below x is a
 * binary search in each part.
 */
class FlagKeys {
  private readonly chunks = new FlagChunks();
  private extra = new Float64Array(256);
  private extraCount = 0;

  get size(): number {
    return this.chunks.size + this.extraCount;
  }

  /** The largest key, -Infinity when none. */
  last(): number {
    return Math.max(this.chunks.last(), this.extraCount === 0 ? -Infinity : this.extra[this.extraCount - 1]!);
  }

  /** Adds a key at least as large as every other. */
  push(key: number): void {
    this.chunks.push(key);
  }

  /** The largest key ≤ x, -Infinity when none. */
  atOrBelow(x: number): number {
    let lo = 0;
    let hi = this.extraCount;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.extra[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(this.chunks.atOrBelow(x), lo === 0 ? -Infinity : this.extra[lo - 1]!);
  }

  /** Calls `each` with every key ≥ x, ascending. */
  forEachFrom(x: number, each: (key: number) => void): void {
    const extra = this.extra;
    const n = this.extraCount;
    let e = 0;
    while (e < n && extra[e]! < x) e++;
    this.chunks.forEachFrom(x, (key) => {
      while (e < n && extra[e]! < key) each(extra[e++]!);
      each(key);
    });
    while (e < n) each(extra[e++]!);
  }

  /** Removes one key equal to `key`; false when there is none. */
  remove(key: number): boolean {
    let lo = 0;
    let hi = this.extraCount;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.extra[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.extraCount && this.extra[lo] === key) {
      this.extra.copyWithin(lo, lo + 1, this.extraCount);
      this.extraCount--;
      return true;
    }
    return this.chunks.remove(key);
  }

  /** Places ascending keys (see the class). */
  insertSorted(keys: Float64Array): void {
    const k = keys.length;
    const n = this.extraCount;
    if (this.extra.length < n + k) {
      const grown = new Float64Array(2 ** Math.ceil(Math.log2(n + k)));
      grown.set(this.extra.subarray(0, n));
      this.extra = grown;
    }
    // Merged from the end: each slot reads one at or before it.
    const extra = this.extra;
    let i = n - 1;
    let j = k - 1;
    for (let w = n + k - 1; j >= 0; w--) extra[w] = i >= 0 && extra[i]! > keys[j]! ? extra[i--]! : keys[j--]!;
    this.extraCount = n + k;
    if (this.extraCount > Math.max(FLAG_EXTRA_MIN, this.chunks.size >> 3)) {
      this.chunks.insertSorted(extra.subarray(0, this.extraCount));
      this.extraCount = 0;
    }
  }
}

/** Room for keys in a chunk of FlagChunks; a chunk is filled to half of it, so that late keys find room. */
const FLAG_CHUNK = 128;
const FLAG_FILL = FLAG_CHUNK / 2;

/**
 * The placed part of FlagKeys: a sorted multiset of numbers in chunks of room
 * FLAG_CHUNK in one buffer: a key placed anywhere moves the numbers of one
 * chunk (a full one is cut in two), and the largest key at or below x is two
 * binary searches. In one sorted list, a commit with a late key moved every
 * key after it, and shuffled arrival paid a pass over the race on each
 * commit (bench/arrival.ts).
 */
class FlagChunks {
  /** Chunk id k holds counts[k] keys at data[k × FLAG_CHUNK …], ascending. */
  private data = new Float64Array(FLAG_CHUNK * 8);
  private counts = new Int32Array(8);
  /** Chunk ids given out. */
  private ids = 0;
  /** Chunk ids in key order (none empty), and the first key of each. */
  private order: number[] = [];
  private firsts: number[] = [];
  size = 0;

  /** The largest key, -Infinity when none. */
  last(): number {
    const n = this.order.length;
    if (n === 0) return -Infinity;
    const id = this.order[n - 1]!;
    return this.data[id * FLAG_CHUNK + this.counts[id]! - 1]!;
  }

  /** Adds a key at least as large as every other. */
  push(key: number): void {
    const n = this.order.length;
    let id = n === 0 ? -1 : this.order[n - 1]!;
    if (id < 0 || this.counts[id]! >= FLAG_FILL) {
      id = this.newChunk();
      this.order.push(id);
      this.firsts.push(key);
    }
    this.data[id * FLAG_CHUNK + this.counts[id]!] = key;
    this.counts[id]!++;
    this.size++;
  }

  /** The largest key ≤ x, -Infinity when none. */
  atOrBelow(x: number): number {
    if (this.size === 0 || this.firsts[0]! > x) return -Infinity;
    const id = this.order[this.chunkAtOrBelow(x)]!;
    const base = id * FLAG_CHUNK;
    // The chunk's first key is ≤ x: the last one that is.
    let lo = 0;
    let hi = this.counts[id]! - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.data[base + mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    return this.data[base + lo]!;
  }

  /** Calls `each` with every key ≥ x, ascending. */
  forEachFrom(x: number, each: (key: number) => void): void {
    if (this.size === 0) return;
    let c = this.firsts[0]! > x ? 0 : this.chunkAtOrBelow(x);
    // Keys equal to x may end the chunks before (a run of equal keys cut between chunks).
    while (c > 0 && this.lastOf(c - 1) >= x) c--;
    const data = this.data;
    for (; c < this.order.length; c++) {
      const id = this.order[c]!;
      const end = id * FLAG_CHUNK + this.counts[id]!;
      let k = id * FLAG_CHUNK;
      while (k < end && data[k]! < x) k++;
      for (; k < end; k++) each(data[k]!);
    }
  }

  /** Removes one key equal to `key`; false when there is none. */
  remove(key: number): boolean {
    if (this.size === 0 || this.firsts[0]! > key) return false;
    // The last chunk starting at or below the key holds it if any chunk does.
    const c = this.chunkAtOrBelow(key);
    const id = this.order[c]!;
    const base = id * FLAG_CHUNK;
    const n = this.counts[id]!;
    let i = 0;
    while (i < n && this.data[base + i]! < key) i++;
    if (i === n || this.data[base + i] !== key) return false;
    this.data.copyWithin(base + i, base + i + 1, base + n);
    this.counts[id] = n - 1;
    this.size--;
    if (n === 1) {
      this.order.splice(c, 1);
      this.firsts.splice(c, 1);
    } else if (i === 0) {
      this.firsts[c] = this.data[base]!;
    }
    return true;
  }

  /**
   * Places ascending keys: each chunk's share merged into it from the end;
   * a chunk without room for its share is cut into chunks filled to half.
   * As many keys as are placed (an import, a first read): one merge of
   * everything into new chunks.
   */
  insertSorted(keys: Float64Array): void {
    const k = keys.length;
    if (k >= this.size) {
      this.rebuild(keys);
      return;
    }
    for (let a = 0; a < k; ) {
      const c = this.firsts[0]! > keys[a]! ? 0 : this.chunkAtOrBelow(keys[a]!);
      // This chunk's share: the keys below the next chunk's first.
      const limit = c + 1 < this.firsts.length ? this.firsts[c + 1]! : Infinity;
      let b = a + 1;
      while (b < k && keys[b]! < limit) b++;
      const id = this.order[c]!;
      const n = this.counts[id]!;
      if (n + b - a <= FLAG_CHUNK) {
        const data = this.data;
        const base = id * FLAG_CHUNK;
        let i = base + n - 1;
        let j = b - 1;
        for (let w = base + n + b - a - 1; j >= a; w--) data[w] = i >= base && data[i]! > keys[j]! ? data[i--]! : keys[j--]!;
        this.counts[id] = n + b - a;
        this.firsts[c] = data[base]!;
      } else {
        this.cut(c, keys, a, b);
      }
      a = b;
    }
    this.size += k;
  }

  private lastOf(c: number): number {
    const id = this.order[c]!;
    return this.data[id * FLAG_CHUNK + this.counts[id]! - 1]!;
  }

  /** The last chunk (index in order) whose first key is ≤ x (the first is; callers check). */
  private chunkAtOrBelow(x: number): number {
    const firsts = this.firsts;
    let lo = 0;
    let hi = firsts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (firsts[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Chunk order[c] and keys[a, b) merged, then laid out in chunks filled to half (the first in order[c] itself). */
  private cut(c: number, keys: Float64Array, a: number, b: number): void {
    const id = this.order[c]!;
    const n = this.counts[id]!;
    const merged = new Float64Array(n + b - a);
    const base = id * FLAG_CHUNK;
    let i = 0;
    let j = a;
    for (let w = 0; w < merged.length; w++) merged[w] = j >= b || (i < n && this.data[base + i]! <= keys[j]!) ? this.data[base + i++]! : keys[j++]!;
    const ids: number[] = [];
    const firsts: number[] = [];
    for (let from = 0; from < merged.length; from += FLAG_FILL) {
      const to = Math.min(from + FLAG_FILL, merged.length);
      const piece = from === 0 ? id : this.newChunk();
      this.data.set(merged.subarray(from, to), piece * FLAG_CHUNK);
      this.counts[piece] = to - from;
      ids.push(piece);
      firsts.push(merged[from]!);
    }
    this.order.splice(c, 1, ...ids);
    this.firsts.splice(c, 1, ...firsts);
  }

  /** A new empty chunk's id (the buffer grown ×2 when full). */
  private newChunk(): number {
    if (this.ids === this.counts.length) {
      const data = new Float64Array(this.data.length * 2);
      data.set(this.data);
      this.data = data;
      const counts = new Int32Array(this.counts.length * 2);
      counts.set(this.counts);
      this.counts = counts;
    }
    this.counts[this.ids] = 0;
    return this.ids++;
  }

  /** Every key and `keys` merged into new chunks filled to half. */
  private rebuild(keys: Float64Array): void {
    const all = new Float64Array(this.size + keys.length);
    let j = 0;
    let w = 0;
    for (const id of this.order) {
      for (let k = id * FLAG_CHUNK, end = k + this.counts[id]!; k < end; k++) {
        const key = this.data[k]!;
        while (j < keys.length && keys[j]! < key) all[w++] = keys[j++]!;
        all[w++] = key;
      }
    }
    while (j < keys.length) all[w++] = keys[j++]!;
    const chunks = Math.ceil(all.length / FLAG_FILL);
    const room = Math.max(8, 2 ** Math.ceil(Math.log2(chunks + 1)));
    this.data = new Float64Array(room * FLAG_CHUNK);
    this.counts = new Int32Array(room);
    this.ids = 0;
    this.order = [];
    this.firsts = [];
    for (let from = 0; from < all.length; from += FLAG_FILL) {
      const to = Math.min(from + FLAG_FILL, all.length);
      const id = this.newChunk();
      this.data.set(all.subarray(from, to), id * FLAG_CHUNK);
      this.counts[id] = to - from;
      this.order.push(id);
      this.firsts.push(all[from]!);
    }
    this.size = all.length;
  }
}

const FLAG_ORDER: Record<Flag, number> = { green: 0, 'safety-car': 1, fcy: 2, red: 3, finish: 4 };
const FLAGS_BY_RANK: Flag[] = ['green', 'safety-car', 'fcy', 'red', 'finish'];
const FLAG_RANKS = 8;
/** A crossing's flag as one number ordered by time, then flag (exact: race time × 8 + rank stays below 2^53). */
const flagKey = (atMs: number, flag: Flag) => atMs * FLAG_RANKS + FLAG_ORDER[flag];
/** The flag's rank in a flagKey (a floor, several times cheaper than % on a double). */
const flagRank = (key: number) => key - Math.floor(key / FLAG_RANKS) * FLAG_RANKS;

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
