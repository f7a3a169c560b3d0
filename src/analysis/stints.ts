/**
 * Stints. A car stint runs from the start or an out-lap to the next in-lap
 * (inclusive), so a car's stints partition its completed laps. A driver stint
 * is a run of consecutive laps by the same driver; it may span several car
 * stints (a double or triple stint).
 *
 * Pace is the median of the stint's clean laps: not the first lap of the
 * race, not an in- or out-lap, and — when the file has flags — only laps run
 * entirely under green. Without flags, laps that overlap no neutralisation
 * inferred from sector times (neutralisations.ts), and the record says so
 * (`basis: 'inferred-green-laps'`).
 */
import type { LapEvent } from '../model/events.js';
import { countedLaps } from '../engine/finish.js';
import type { CarTimeline, RaceTimeline } from '../engine/timeline.js';
import type { AnalysisOptions } from './options.js';
import { instant, isGreenLap, isInferredGreenLap, isOutLap, lapDriveMs, lapStartMs, median, pitPartsOfLap, raceIndex, type RaceIndex } from './race-index.js';
import { rosterOf, type DriverRef, type Roster } from './roster.js';

export interface StintPace {
  basis: 'green-laps' | 'inferred-green-laps';
  /** Laps the pace is measured on. */
  laps: number;
  medianLapMs: number | null;
  meanLapMs: number | null;
}

interface StintCommon {
  car: string;
  class: string;
  /** 1-based per car. */
  number: number;
  startLap: number;
  endLap: number;
  laps: number;
  /** Race time the stint began: the pit exit (estimated, see pitPartsOfLap), or the start of its first lap. */
  startMs: number;
  /** Crossing of its last completed lap. */
  endMs: number;
  /** Sum of its laps' drive time (lap time less the pit lane time within them). */
  driveMs: number;
  bestLapMs: number;
  medianLapMs: number;
  pace: StintPace;
  /** Still running at `at` (no in-lap or driver change ended it yet). */
  open: boolean;
}

export interface CarStint extends StintCommon {
  kind: 'car';
  /** Drivers in lap order (one unless a change happened without a stop). */
  drivers: DriverRef[];
  endsWithStop: boolean;
}

export interface DriverStint extends StintCommon {
  kind: 'driver';
  driver: DriverRef;
  /** Car stints it spans: 1 single, 2 double, 3 triple… */
  carStints: number;
  /** Stop numbers within it (the driver stayed in the car). */
  stopsWithin: number;
}

export interface CarStints {
  car: string;
  carStints: CarStint[];
  driverStints: DriverStint[];
}

/** Where each stint starts and ends, as [first, last] indexes into car.laps. */
function carStintRanges(car: CarTimeline, n: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    if (car.laps[i]!.inPit || i === n - 1) {
      ranges.push([start, i]);
      start = i + 1;
    }
  }
  return ranges;
}

function driverStintRanges(car: CarTimeline, n: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const next = i + 1 < n ? car.laps[i + 1] : undefined;
    if (next === undefined || next.driverNumber !== car.laps[i]!.driverNumber) {
      ranges.push([start, i]);
      start = i + 1;
    }
  }
  return ranges;
}

function paceOf(car: CarTimeline, first: number, last: number, index: RaceIndex, at: number): StintPace {
  const clean: number[] = [];
  for (let i = first; i <= last; i++) {
    const lap = car.laps[i]!;
    if (i === 0 || lap.lap === 1 || lap.inPit || isOutLap(car, i)) continue;
    const green = isGreenLap(index, lap) ?? isInferredGreenLap(index, lap, at);
    if (!green) continue;
    clean.push(lap.lapMs);
  }
  const sum = clean.reduce((a, b) => a + b, 0);
  return {
    basis: index.hasFlags ? 'green-laps' : 'inferred-green-laps',
    laps: clean.length,
    medianLapMs: median(clean),
    meanLapMs: clean.length === 0 ? null : Math.round(sum / clean.length),
  };
}

function common(car: CarTimeline, first: number, last: number, number: number, open: boolean, index: RaceIndex, n: number, at: number): StintCommon {
  const firstLap = car.laps[first]!;
  const count = last - first + 1;
  // One pass, one sort: stints are computed for every car at every instant asked.
  const lapTimes = new Float64Array(count);
  let driveMs = 0;
  for (let i = first; i <= last; i++) {
    lapTimes[i - first] = car.laps[i]!.lapMs;
    driveMs += lapDriveMs(index, car, i, n);
  }
  lapTimes.sort();
  const mid = count >> 1;
  return {
    car: car.number,
    class: car.entry.class,
    number,
    startLap: firstLap.lap,
    endLap: car.laps[last]!.lap,
    laps: count,
    startMs: lapStartMs(firstLap) + pitPartsOfLap(index, car, first, n)[0],
    endMs: car.laps[last]!.crossingMs,
    driveMs,
    bestLapMs: lapTimes[0]!,
    medianLapMs: count % 2 === 1 ? lapTimes[mid]! : Math.round((lapTimes[mid - 1]! + lapTimes[mid]!) / 2),
    pace: paceOf(car, first, last, index, at),
    open,
  };
}

function isStillRunning(car: CarTimeline, n: number, lastOfRange: number): boolean {
  return lastOfRange === n - 1 && !car.laps[lastOfRange]!.inPit;
}

/** Stints up to `at`; a car that has taken the chequered flag has all its stints closed (issue 10, "The finish"). */
export function stintsOfCar(car: CarTimeline, at: number, roster: Roster, index: RaceIndex, chequeredMs: number | null = null): CarStints {
  const { n, finished } = countedLaps(car, at, chequeredMs);
  const carRanges = carStintRanges(car, n);
  const carStints: CarStint[] = carRanges.map(([first, last], k) => {
    const drivers: DriverRef[] = [];
    for (let i = first; i <= last; i++) {
      const lap: LapEvent = car.laps[i]!;
      if (!drivers.some((d) => d.number === lap.driverNumber)) drivers.push(roster.driver(car.number, lap.driverNumber, lap.driverName));
    }
    return {
      kind: 'car',
      ...common(car, first, last, k + 1, !finished && isStillRunning(car, n, last), index, n, at),
      drivers,
      endsWithStop: car.laps[last]!.inPit,
    };
  });
  const driverStints: DriverStint[] = driverStintRanges(car, n).map(([first, last], k) => {
    const spanned = carRanges.filter(([a, b]) => a <= last && b >= first).length;
    let stopsWithin = 0;
    for (let i = first; i < last; i++) if (car.laps[i]!.inPit) stopsWithin++;
    const lap = car.laps[first]!;
    return {
      kind: 'driver',
      // After an in-lap the same driver may yet go out again: open until someone else drives.
      ...common(car, first, last, k + 1, !finished && last === n - 1, index, n, at),
      driver: roster.driver(car.number, lap.driverNumber, lap.driverName),
      carStints: spanned,
      stopsWithin,
    };
  });
  return { car: car.number, carStints, driverStints };
}

export function stints(timeline: RaceTimeline, options: AnalysisOptions = {}): CarStints[] {
  const at = instant(timeline, options.at);
  const roster = rosterOf(timeline, options.entryList);
  const index = raceIndex(timeline);
  const wanted = options.cars === undefined ? null : new Set(options.cars);
  const result: CarStints[] = [];
  for (const car of timeline.cars.values()) {
    if (wanted !== null && !wanted.has(car.number)) continue;
    result.push(stintsOfCar(car, at, roster, index, timeline.chequeredMs()));
  }
  return result;
}
