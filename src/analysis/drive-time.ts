/**
 * Drive time per driver.
 *
 * Stated choice: **pit lane time does not count** (the rules notes: driving
 * time is counted excluding pit stops). A lap's drive time is its lap time
 * less the pit lane time within it; a stop's pit lane time is shared between
 * its in-lap and out-lap (see pitPartsOfLap). So the drivers of a car add up
 * exactly to the car's drive time: the sum of its lap times (its race time at
 * its last crossing) less all its recorded pit lane time. Only completed laps
 * count; the lap being run at `at` is not yet known, and an in-lap counts
 * whole until its stop's length is known (its out-lap completed).
 */
import { countedLaps } from '../engine/finish.js';
import { upperBound, type CarTimeline, type RaceTimeline } from '../engine/timeline.js';
import type { AnalysisOptions } from './options.js';
import { instant, lapStartMs, pitPartsOfLap, raceIndex, type RaceIndex } from './race-index.js';
import { rosterOf, type CarRef, type DriverRef, type Roster } from './roster.js';

/** One stretch of driving: [startMs, endMs] of race time, pit lane time excluded. */
export interface DriveInterval {
  startMs: number;
  endMs: number;
}

export interface DriverDriveTime {
  driver: DriverRef;
  driveMs: number;
  laps: number;
  /** Share of the car's drive time, 0..1. */
  share: number;
  /** Drive time of each of this driver's stints, in race order. */
  stintDriveMs: number[];
  longestStintMs: number;
  /** Stretches at the wheel in race order, pit lane excluded (for rolling windows and milestones). */
  intervals: DriveInterval[];
}

export interface CarDriveTime {
  car: CarRef;
  driveMs: number;
  /** Pit lane time taken off its laps (stops whose out-lap is completed). */
  pitLaneMs: number;
  laps: number;
  drivers: DriverDriveTime[];
}

/** Drive time up to `at`, and none after the car's finish once the chequered flag (`chequeredMs`) has fallen. */
export function carDriveTime(car: CarTimeline, at: number, roster: Roster, index: RaceIndex, chequeredMs: number | null = null): CarDriveTime {
  const { n } = countedLaps(car, at, chequeredMs);
  const byDriver = new Map<number, DriverDriveTime>();
  let carDrive = 0;
  let carPit = 0;
  let previousDriver = -1;
  for (let i = 0; i < n; i++) {
    const lap = car.laps[i]!;
    const [head, tail] = pitPartsOfLap(index, car, i, n);
    const drive = lap.lapMs - head - tail;
    carDrive += drive;
    carPit += head + tail;
    let d = byDriver.get(lap.driverNumber);
    if (d === undefined) {
      d = {
        driver: roster.driver(car.number, lap.driverNumber, lap.driverName),
        driveMs: 0,
        laps: 0,
        share: 0,
        stintDriveMs: [],
        longestStintMs: 0,
        intervals: [],
      };
      byDriver.set(lap.driverNumber, d);
    }
    d.driveMs += drive;
    d.laps++;
    if (lap.driverNumber !== previousDriver) d.stintDriveMs.push(0);
    d.stintDriveMs[d.stintDriveMs.length - 1]! += drive;
    // Driving runs from the pit exit (if the lap began in the pits) to the pit entry (if it ends there).
    const start = lapStartMs(lap) + head;
    const end = lap.crossingMs - tail;
    const last = d.intervals[d.intervals.length - 1];
    if (last !== undefined && last.endMs === start) last.endMs = end;
    else if (end > start) d.intervals.push({ startMs: start, endMs: end });
    previousDriver = lap.driverNumber;
  }
  const drivers = [...byDriver.values()].sort((a, b) => a.driver.number - b.driver.number);
  for (const d of drivers) {
    d.share = carDrive > 0 ? d.driveMs / carDrive : 0;
    d.longestStintMs = Math.max(0, ...d.stintDriveMs);
  }
  return { car: roster.car(car.number), driveMs: carDrive, pitLaneMs: carPit, laps: n, drivers };
}

export function driveTimes(timeline: RaceTimeline, options: AnalysisOptions = {}): CarDriveTime[] {
  const at = instant(timeline, options.at);
  const roster = rosterOf(timeline, options.entryList);
  const index = raceIndex(timeline);
  const wanted = options.cars === undefined ? null : new Set(options.cars);
  const result: CarDriveTime[] = [];
  for (const car of timeline.cars.values()) {
    if (wanted !== null && !wanted.has(car.number)) continue;
    result.push(carDriveTime(car, at, roster, index, timeline.chequeredMs()));
  }
  return result;
}

/**
 * The instant a driver's total reached `targetMs`, from their stretches at
 * the wheel; null if it has not.
 */
export function instantReaching(intervals: readonly DriveInterval[], targetMs: number): number | null {
  let done = 0;
  for (const iv of intervals) {
    const length = iv.endMs - iv.startMs;
    if (done + length >= targetMs) return iv.startMs + (targetMs - done);
    done += length;
  }
  return null;
}

/**
 * The most driving in any window of `windowMs` ending at or before `at`, and
 * where that window ends. Driving within a window is piecewise linear in its
 * end, so the maximum is at a window whose end or start meets an interval's
 * end or start: those candidates are all evaluated.
 */
export function maxDriveInWindow(intervals: readonly DriveInterval[], windowMs: number, at: number): { driveMs: number; windowEndMs: number } {
  if (intervals.length === 0) return { driveMs: 0, windowEndMs: at };
  const starts = intervals.map((iv) => iv.startMs);
  const prefix = [0];
  for (const iv of intervals) prefix.push(prefix[prefix.length - 1]! + (iv.endMs - iv.startMs));
  // Drive time done by instant x.
  const doneBy = (x: number): number => {
    const started = upperBound(starts, x);
    if (started === 0) return 0;
    const iv = intervals[started - 1]!;
    return prefix[started - 1]! + Math.min(x, iv.endMs) - iv.startMs;
  };
  let best = { driveMs: 0, windowEndMs: Math.min(at, intervals[0]!.endMs) };
  const candidates = [at];
  for (const iv of intervals) candidates.push(iv.startMs, iv.endMs, iv.startMs + windowMs, iv.endMs + windowMs);
  for (const end of candidates) {
    if (end > at) continue;
    const drive = doneBy(end) - doneBy(end - windowMs);
    if (drive > best.driveMs) best = { driveMs: drive, windowEndMs: end };
  }
  return best;
}
