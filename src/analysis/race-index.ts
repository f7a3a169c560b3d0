/**
 * Indexes every analysis reads, built once per timeline from the engine's
 * per-car laps: all crossings in time order with the overall and class
 * position each one gave (the lap chart), the first car to complete each
 * lap (the leader of that lap), and the flag changes.
 *
 * Positions at a crossing depend only on earlier crossings, so one index
 * serves every instant `at`: queries simply stop at `at`. The index is
 * memoised per timeline and rebuilt when the timeline has taken new events.
 */
import type { Flag, FlagState, LapEvent } from '../model/events.js';
import { compareCarNumbers } from '../engine/standings.js';
import { upperBound, type CarTimeline, type RaceTimeline } from '../engine/timeline.js';
import { inferNeutralisations, type InferredNeutralisation } from './neutralisations.js';
import { boxSide, pitBasis, pitTimeBeforeLine, type PitBasis, type PitLane } from '../model/pit.js';

/** The first car to complete each lap, overall or in one class. */
export interface LapLeaders {
  /** firstMs[L] = race time at which lap L was first completed (index 0 unused). */
  readonly firstMs: number[];
  readonly firstCar: string[];
}

export interface RaceIndex {
  /** All crossings sorted by time (ties: car number, like the engine's order). */
  readonly crossingMs: Float64Array;
  readonly crossingCar: CarTimeline[];
  /** Index into crossingCar[k].laps. */
  readonly crossingLapIndex: Int32Array;
  /** Overall and class position given by each crossing. */
  readonly position: Int32Array;
  readonly classPosition: Int32Array;
  readonly overall: LapLeaders;
  readonly classes: Map<string, LapLeaders>;
  /** Flag changes (engine's flagChanges), as parallel arrays for binary search. */
  readonly flagTimes: number[];
  readonly flagValues: Flag[];
  readonly hasFlags: boolean;
  /** Per car, where each stop's pit lane time falls (filled on first use). */
  readonly pitParts: Map<CarTimeline, PitParts>;
  /** Per car, the crossing index k of each of its laps (car.laps[i] ↔ crossing k). */
  readonly crossingOf: Map<CarTimeline, Int32Array>;
  /** The circuit's measured pit lane (session event), or null: stops are then estimated from lap times. */
  readonly pitLane: PitLane | null;
  /** Neutralisations inferred from sector times (neutralisations.ts), for files without flags; memoised. */
  readonly inferred: (at: number) => InferredNeutralisation[];
}

const cache = new WeakMap<RaceTimeline, { eventCount: number; lastEventMs: number; index: RaceIndex }>();

export function raceIndex(timeline: RaceTimeline): RaceIndex {
  const hit = cache.get(timeline);
  if (hit !== undefined && hit.eventCount === timeline.eventCount && hit.lastEventMs === timeline.lastEventMs) return hit.index;
  const index = buildIndex(timeline);
  cache.set(timeline, { eventCount: timeline.eventCount, lastEventMs: timeline.lastEventMs, index });
  return index;
}

function buildIndex(timeline: RaceTimeline): RaceIndex {
  // Cars in the engine's tie-break order, so equal crossing times sort like standings.
  const cars = [...timeline.cars.values()].sort((a, b) => compareCarNumbers(a.number, b.number));
  let total = 0;
  for (const car of cars) total += car.laps.length;
  // One numeric key per crossing (time × 1024 + car rank) sorted natively: much
  // cheaper than sorting objects with a comparator. Times stay far below 2^43.
  const keys = new Float64Array(total);
  let k = 0;
  cars.forEach((car, rank) => {
    for (const ms of car.crossings) keys[k++] = ms * 1024 + rank;
  });
  keys.sort();
  const crossingMs = new Float64Array(total);
  const crossingCar: CarTimeline[] = new Array(total);
  const crossingLapIndex = new Int32Array(total);
  const position = new Int32Array(total);
  const classPosition = new Int32Array(total);
  const overall: LapLeaders = { firstMs: [0], firstCar: [''] };
  const overallCount: number[] = [0];
  // Per car rank: its class's leaders and per-lap counts, looked up once.
  const classes = new Map<string, LapLeaders>();
  const classCounts = new Map<string, number[]>();
  const carLeaders: LapLeaders[] = [];
  const carCounts: number[][] = [];
  for (const car of cars) {
    const cls = car.entry.class;
    if (!classes.has(cls)) {
      classes.set(cls, { firstMs: [0], firstCar: [''] });
      classCounts.set(cls, [0]);
    }
    carLeaders.push(classes.get(cls)!);
    carCounts.push(classCounts.get(cls)!);
  }
  const cursor = new Int32Array(cars.length);
  const crossingOf = new Map<CarTimeline, Int32Array>();
  const crossingOfRank = cars.map((car) => {
    const ks = new Int32Array(car.laps.length);
    crossingOf.set(car, ks);
    return ks;
  });
  for (let j = 0; j < total; j++) {
    const key = keys[j]!;
    const rank = key % 1024;
    const car = cars[rank]!;
    const i = cursor[rank]!++;
    crossingOfRank[rank]![i] = j;
    const ms = (key - rank) / 1024;
    crossingMs[j] = ms;
    crossingCar[j] = car;
    crossingLapIndex[j] = i;
    const lap = car.laps[i]!.lap;
    // Position after completing lap L = 1 + cars that completed lap L before.
    const before = overallCount[lap] ?? 0;
    overallCount[lap] = before + 1;
    position[j] = before + 1;
    if (before === 0) {
      overall.firstMs[lap] = ms;
      overall.firstCar[lap] = car.number;
    }
    const counts = carCounts[rank]!;
    const classBefore = counts[lap] ?? 0;
    counts[lap] = classBefore + 1;
    classPosition[j] = classBefore + 1;
    if (classBefore === 0) {
      const leaders = carLeaders[rank]!;
      leaders.firstMs[lap] = ms;
      leaders.firstCar[lap] = car.number;
    }
  }
  const changes = timeline.flagChanges();
  return {
    crossingMs,
    crossingCar,
    crossingLapIndex,
    position,
    classPosition,
    overall,
    classes,
    flagTimes: changes.map((c) => c.atMs),
    flagValues: changes.map((c) => c.flag),
    hasFlags: timeline.hasFlags,
    pitParts: new Map(),
    crossingOf,
    pitLane: timeline.session?.pitLane ?? null,
    inferred: (at: number) => inferNeutralisations(timeline, at),
  };
}

/** Number of crossings at or before t. */
export function crossingsUpTo(index: RaceIndex, t: number): number {
  const a = index.crossingMs;
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Laps the leader had completed at t (the highest lap first completed by then). */
export function leaderLapsAt(leaders: LapLeaders, t: number): number {
  let lo = 1;
  let hi = leaders.firstMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((leaders.firstMs[mid] ?? Infinity) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The analysis instant: `at` if given, else the last event of the data. */
export function instant(timeline: RaceTimeline, at: number | null | undefined): number {
  return at ?? timeline.lastEventMs;
}

export function flagStateAt(index: RaceIndex, t: number): FlagState {
  const i = upperBound(index.flagTimes, t);
  return i === 0 ? 'unknown' : index.flagValues[i - 1]!;
}

/** Race time at which a lap started: the crossing before it (0 for lap 1 from the start). */
export function lapStartMs(lap: LapEvent): number {
  return lap.crossingMs - lap.lapMs;
}

/**
 * Pit lane time falling within lap i, as [at its start, at its end], with n
 * laps known. Al Kamel records a stop's pit lane time (PIT_TIME) on the
 * out-lap, but the line is crossed somewhere in the pit lane: at Le Mans
 * before the boxes (the stop lies in the out-lap), at Imola or Daytona among
 * them (for a car boxed before the line, even a 35-minute repair lies in the
 * in-lap). The circuit profile places it (model/pit.ts); without one it is
 * split in proportion to how much each lap exceeded the car's best lap so
 * far, never more than either lap. Until the out-lap is
 * completed the in-lap keeps its whole time: the stop's length is not known.
 * Pit lane time on a lap no in-lap announced (a pit lane start, a red-flag
 * hold) lies wholly in that lap.
 */
export function pitPartsOfLap(index: RaceIndex, car: CarTimeline, i: number, n: number): [number, number] {
  const parts = pitPartsOf(index, car);
  return [parts.head[i]!, i + 1 < n ? parts.tail[i]! : 0];
}

export function pitPartsOf(index: RaceIndex, car: CarTimeline): PitParts {
  let parts = index.pitParts.get(car);
  if (parts === undefined) index.pitParts.set(car, (parts = pitParts(car, index.pitLane)));
  return parts;
}

export interface PitParts {
  head: number[];
  tail: number[];
  /** How the stops were placed (model/pit.ts). */
  basis: PitBasis;
}

/**
 * One forward pass over a car's laps (memoised in the race index, so rebuilt
 * whenever the timeline takes new events): a lap can be both the out-lap of
 * one stop and the in-lap of the next (a car back in at once), so each
 * stop's share is bounded by what the laps still hold.
 */
function pitParts(car: CarTimeline, pitLane: PitLane | null): PitParts {
  const laps = car.laps;
  const side = boxSide(pitLane, laps);
  const placement = { pitLane, side };
  const head: number[] = new Array(laps.length).fill(0);
  const tail: number[] = new Array(laps.length).fill(0);
  for (let i = 0; i < laps.length; i++) {
    const lap = laps[i]!;
    const previous = i > 0 ? laps[i - 1] : undefined;
    if (lap.pitLaneMs !== null && !previous?.inPit) head[i] = Math.min(lap.pitLaneMs, lap.lapMs);
    const next = laps[i + 1];
    if (!lap.inPit || next === undefined || next.pitLaneMs === null) continue;
    const pit = next.pitLaneMs;
    tail[i] = pitTimeBeforeLine(pit, lap.lapMs, next.lapMs, car.bestLapUpTo[i + 1]!, lap.lapMs - head[i]!, placement);
    head[i + 1] = Math.min(pit - tail[i]!, next.lapMs);
  }
  return { head, tail, basis: pitBasis(pitLane, side) };
}

/**
 * Time lap i counts as driving: its lap time less the pit lane time within
 * it (the rules notes: driving time is counted excluding pit stops).
 */
export function lapDriveMs(index: RaceIndex, car: CarTimeline, i: number, n: number): number {
  const parts = pitPartsOf(index, car);
  return car.laps[i]!.lapMs - parts.head[i]! - (i + 1 < n ? parts.tail[i]! : 0);
}

/** An out-lap: the lap after an in-lap, or one with pit lane time on it. */
export function isOutLap(car: CarTimeline, i: number): boolean {
  const lap = car.laps[i]!;
  if (lap.pitLaneMs !== null) return true;
  const previous = i > 0 ? car.laps[i - 1] : undefined;
  return previous !== undefined && previous.inPit;
}

/**
 * A lap run entirely under green: green when it started and no flag change
 * before it was completed. Null when the source has no flags.
 */
export function isGreenLap(index: RaceIndex, lap: LapEvent): boolean | null {
  if (!index.hasFlags) return null;
  const start = lapStartMs(lap);
  const before = upperBound(index.flagTimes, start);
  const after = upperBound(index.flagTimes, lap.crossingMs);
  if (before === 0) return false; // started before any flag was shown: not known to be green
  return before === after && index.flagValues[before - 1] === 'green';
}

/**
 * For files without flags: a lap that overlaps no safety car or FCY
 * inferred from the laps known at `at` (slow zones slow one sector only and
 * are ignored here).
 */
export function isInferredGreenLap(index: RaceIndex, lap: LapEvent, at: number): boolean {
  const start = lapStartMs(lap);
  for (const p of index.inferred(at)) {
    if (p.kind !== 'slow-zone' && p.startMs < lap.crossingMs && p.endMs > start) return false;
  }
  return true;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}
