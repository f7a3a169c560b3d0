/**
 * Race history: the lap chart (position of every car after every lap,
 * overall and in class, with its gap to the leader), positions at each
 * hour, leader changes and laps led, retirements, long stops and the finish.
 *
 * Positions follow the engine's order (more laps; equal laps → completed
 * first), so after car X completes lap L its position is one more than the
 * cars that completed lap L before it, and the leader of lap L is the first
 * car to complete it. Gaps follow DESIGN.md (see engine/gap.ts).
 */
import type { Gap, CarStatus, Standings } from '../model/standings.js';
import { HOUR, MAX_RACE_HOURS } from '../model/time.js';
import { classKey, standingsAt, stoppedAfterMs, underSafetyCarAt } from '../engine/standings.js';
import type { CarTimeline, RaceTimeline } from '../engine/timeline.js';
import type { AnalysisOptions } from './options.js';
import { pitStops, type PitStop } from './pits.js';
import { crossingsUpTo, instant, leaderLapsAt, raceIndex, type LapLeaders } from './race-index.js';
import { rosterOf, type CarRef, type DriverRef, type Roster } from './roster.js';

export interface LapChartPoint {
  lap: number;
  /** Race time the lap was completed. */
  atMs: number;
  position: number;
  classPosition: number;
  /** To the overall / class leader at that instant. */
  gap: Gap;
  classGap: Gap;
}

export interface CarHistory {
  car: CarRef;
  laps: LapChartPoint[];
}

export interface HourPositions {
  hour: number;
  atMs: number;
  standings: Standings;
}

export interface LeaderChange {
  scope: 'overall' | 'class';
  /** The class, for class leader changes; null overall. */
  class: string | null;
  /** When the new leader completed the lap that put it ahead. */
  atMs: number;
  lap: number;
  /** Previous leader; null for the first leader. */
  from: string | null;
  to: string;
}

export interface LapsLed {
  car: string;
  class: string;
  overall: number;
  inClass: number;
}

export interface Retirement {
  car: CarRef;
  status: Extract<CarStatus, 'stopped' | 'retired'>;
  laps: number;
  /** Last crossing, or pit exit if later. */
  lastSeenMs: number;
  lastLapInPit: boolean;
  lastDriver: DriverRef | null;
}

export interface Finish {
  chequeredMs: number;
  /** The car that took the chequered flag first: the winner. */
  winner: string;
  winnerDriver: DriverRef | null;
  winnerLaps: number;
  classWinners: Array<{ class: string; car: string; laps: number }>;
  /** Every car in final order, with whether it took the flag and the engine's result (classified, or not and why; null while undecided). */
  finishers: Array<{
    car: string;
    class: string;
    position: number;
    classPosition: number;
    laps: number;
    tookFlag: boolean;
    classified: boolean | null;
    reason: string | null;
  }>;
}

export interface RaceHistory {
  at: number;
  lapChart: CarHistory[];
  hours: HourPositions[];
  leaderChanges: LeaderChange[];
  lapsLed: LapsLed[];
  retirements: Retirement[];
  longStops: PitStop[];
  finish: Finish | null;
}

/** Gap of a car that just completed `lap` at t, behind the leader per `leaders`. */
export function gapAtCrossing(leaders: LapLeaders, car: string, lap: number, t: number): Gap {
  const leaderLaps = leaderLapsAt(leaders, t);
  const first = leaders.firstMs[lap];
  if (leaders.firstCar[lap] === car && leaderLaps === lap) return null;
  const n = leaderLaps - lap;
  if (n >= 1) return { laps: n };
  return { ms: t - (first ?? t) };
}

export function lapChart(timeline: RaceTimeline, options: AnalysisOptions = {}): CarHistory[] {
  const at = instant(timeline, options.at);
  const index = raceIndex(timeline);
  const roster = rosterOf(timeline, options.entryList);
  const wanted = options.cars === undefined ? null : new Set(options.cars);
  const byCar = new Map<string, CarHistory>();
  const n = crossingsUpTo(index, at);
  for (let k = 0; k < n; k++) {
    const car = index.crossingCar[k]!;
    if (wanted !== null && !wanted.has(car.number)) continue;
    let history = byCar.get(car.number);
    if (history === undefined) byCar.set(car.number, (history = { car: roster.car(car.number), laps: [] }));
    const lap = car.laps[index.crossingLapIndex[k]!]!.lap;
    const t = index.crossingMs[k]!;
    history.laps.push({
      lap,
      atMs: t,
      position: index.position[k]!,
      classPosition: index.classPosition[k]!,
      gap: gapAtCrossing(index.overall, car.number, lap, t),
      classGap: gapAtCrossing(index.classes.get(car.entry.class)!, car.number, lap, t),
    });
  }
  return [...byCar.values()];
}

/** Standings at each whole hour up to `at` (1h, 2h, …). */
export function hourlyPositions(timeline: RaceTimeline, options: Pick<AnalysisOptions, 'at'> = {}): HourPositions[] {
  const at = instant(timeline, options.at);
  const hours: HourPositions[] = [];
  for (let h = 1; h * HOUR <= at && h <= MAX_RACE_HOURS; h++) hours.push({ hour: h, atMs: h * HOUR, standings: standingsAt(timeline, h * HOUR) });
  return hours;
}

function changesOf(leaders: LapLeaders, at: number, scope: LeaderChange['scope'], cls: string | null): LeaderChange[] {
  const changes: LeaderChange[] = [];
  let previous: string | null = null;
  for (let lap = 1; lap < leaders.firstMs.length; lap++) {
    const ms = leaders.firstMs[lap];
    const car = leaders.firstCar[lap];
    if (ms === undefined || car === undefined || ms > at) break;
    if (car !== previous) changes.push({ scope, class: cls, atMs: ms, lap, from: previous, to: car });
    previous = car;
  }
  return changes;
}

/** Leader changes up to `at`, overall then per class; the first entry of each is who led first. */
export function leaderChanges(timeline: RaceTimeline, options: Pick<AnalysisOptions, 'at'> & { className?: string } = {}): LeaderChange[] {
  const at = instant(timeline, options.at);
  const index = raceIndex(timeline);
  const wanted = options.className === undefined ? null : classKey(options.className);
  const result = wanted === null ? changesOf(index.overall, at, 'overall', null) : [];
  for (const [cls, leaders] of index.classes) {
    if (wanted !== null && classKey(cls) !== wanted) continue;
    result.push(...changesOf(leaders, at, 'class', cls));
  }
  return result;
}

export function lapsLed(timeline: RaceTimeline, options: Pick<AnalysisOptions, 'at'> = {}): LapsLed[] {
  const at = instant(timeline, options.at);
  const index = raceIndex(timeline);
  const led = new Map<string, LapsLed>();
  for (const car of timeline.cars.values()) led.set(car.number, { car: car.number, class: car.entry.class, overall: 0, inClass: 0 });
  const count = (leaders: LapLeaders, field: 'overall' | 'inClass') => {
    for (let lap = 1; lap < leaders.firstMs.length; lap++) {
      if ((leaders.firstMs[lap] ?? Infinity) > at) break;
      led.get(leaders.firstCar[lap]!)![field]++;
    }
  };
  count(index.overall, 'overall');
  for (const leaders of index.classes.values()) count(leaders, 'inClass');
  return [...led.values()].filter((l) => l.overall > 0 || l.inClass > 0).sort((a, b) => b.overall - a.overall || b.inClass - a.inClass);
}

/**
 * Out of the running at t: no crossing or pit exit for longer than the
 * engine's stopped threshold (stoppedAfterMs), parked on track or in the
 * garage. The engine shows a car in its garage as "in-pit" however long it
 * stays there; for the story of the race a car silent that long has stopped
 * all the same. Once the chequered flag has fallen such a car is retired; a
 * car that crossed the line after the flag has finished, never out.
 */
export function outOfRunning(car: CarTimeline, t: number, chequeredMs: number | null, timeline?: RaceTimeline): 'stopped' | 'retired' | null {
  const n = car.indexAt(t);
  if (n === 0) return null; // not started (or did not start): nothing to say yet
  const lastCrossing = car.crossings[n - 1]!;
  const raceOver = chequeredMs !== null && t >= chequeredMs;
  if (raceOver && lastCrossing >= chequeredMs) return null;
  const lastSeen = Math.max(lastCrossing, car.pitOutAt(t)?.atMs ?? 0);
  if (t - lastSeen <= stoppedAfterMs(car, n - 1, timeline !== undefined && underSafetyCarAt(timeline, t, lastSeen))) return null;
  return raceOver ? 'retired' : 'stopped';
}

/** Cars out of the running at `at` (see outOfRunning), the earliest gone first. */
export function retirements(timeline: RaceTimeline, options: AnalysisOptions = {}): Retirement[] {
  const at = instant(timeline, options.at);
  const roster = rosterOf(timeline, options.entryList);
  const chequeredMs = timeline.chequeredMs();
  const result: Retirement[] = [];
  for (const car of timeline.cars.values()) {
    const status = outOfRunning(car, at, chequeredMs, timeline);
    if (status === null) continue;
    result.push(retirementOf(car, at, status, roster));
  }
  return result.sort((a, b) => a.lastSeenMs - b.lastSeenMs);
}

export function retirementOf(car: CarTimeline, at: number, status: 'stopped' | 'retired', roster: Roster): Retirement {
  const n = car.indexAt(at);
  const last = n > 0 ? car.laps[n - 1]! : undefined;
  const pitOut = car.pitOutAt(at);
  return {
    car: roster.car(car.number),
    status,
    laps: last?.lap ?? 0,
    lastSeenMs: Math.max(last?.crossingMs ?? 0, pitOut?.atMs ?? 0),
    lastLapInPit: last?.inPit ?? false,
    lastDriver: last === undefined ? null : roster.driver(car.number, last.driverNumber, last.driverName),
  };
}

/** The finish, once the chequered flag has fallen by `at`. */
export function finish(timeline: RaceTimeline, options: AnalysisOptions = {}): Finish | null {
  const at = instant(timeline, options.at);
  const chequeredMs = timeline.chequeredMs();
  if (chequeredMs === null || chequeredMs > at) return null;
  const roster = rosterOf(timeline, options.entryList);
  const standings = standingsAt(timeline, at);
  const winner = standings.cars[0]!;
  const winnerCar = timeline.cars.get(winner.number)!;
  const winnerLap = winnerCar.laps[winnerCar.indexAt(at) - 1];
  const classWinners = standings.cars.filter((c) => c.classPosition === 1).map((c) => ({ class: c.class, car: c.number, laps: c.laps }));
  return {
    chequeredMs,
    winner: winner.number,
    winnerDriver: winnerLap === undefined ? null : roster.driver(winner.number, winnerLap.driverNumber, winnerLap.driverName),
    winnerLaps: winner.laps,
    classWinners,
    finishers: standings.cars.map((c) => ({
      car: c.number,
      class: c.class,
      position: c.position,
      classPosition: c.classPosition,
      laps: c.laps,
      tookFlag: c.status === 'finished',
      // The engine's result (the race's classification profile and decisions).
      classified: c.classified,
      reason: c.reason,
    })),
  };
}

export function raceHistory(timeline: RaceTimeline, options: AnalysisOptions = {}): RaceHistory {
  const at = instant(timeline, options.at);
  const opts = { ...options, at };
  return {
    at,
    lapChart: lapChart(timeline, opts),
    hours: hourlyPositions(timeline, opts),
    leaderChanges: leaderChanges(timeline, opts),
    lapsLed: lapsLed(timeline, opts),
    retirements: retirements(timeline, opts),
    longStops: pitStops(timeline, opts).filter((s) => s.long),
    finish: finish(timeline, opts),
  };
}

