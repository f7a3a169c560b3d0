/**
 * Laps as flat rows, one per car-lap, for data users (the laps endpoint and
 * its CSV): the lap as the source timed it, plus what the race index knows at
 * its crossing (position, class position, stint, pit parts).
 *
 *   lapRows(timeline, { at: 6 * HOUR, cars: ['8', '7'], fromLap: 10 })
 *
 * Times are integer ms. Rows come in car order (engine compareCarNumbers),
 * then lap order.
 */
import { compareCarNumbers } from '../engine/standings.js';
import type { RaceTimeline } from '../engine/timeline.js';
import type { Flag } from '../model/events.js';
import type { AnalysisOptions } from './options.js';
import { instant, isOutLap, raceIndex } from './race-index.js';
import { stints } from './stints.js';

export interface LapRow {
  car: string;
  class: string;
  /** Driver number within the crew (1–9) and name as the source gives it. */
  driverNumber: number;
  driver: string;
  lap: number;
  lapMs: number;
  s1Ms: number | null;
  s2Ms: number | null;
  s3Ms: number | null;
  /** Race time the lap was completed (crossing the line). */
  crossingMs: number;
  /** The lap ended in the pit lane (CROSSING_FINISH_LINE_IN_PIT = B). */
  inLap: boolean;
  /** The lap after an in-lap, or one carrying pit lane time. */
  outLap: boolean;
  /** Time in the pit lane on an out-lap (the source's PIT_TIME). */
  pitLaneMs: number | null;
  /** Car stint (1-based) the lap belongs to, as the stints analysis splits them. */
  stint: number;
  /** Overall and class position this crossing gave. */
  position: number;
  classPosition: number;
  /** Flag at the line at the crossing; null when the source has none. */
  flag: Flag | null;
  /** The car's fastest lap so far (a new personal best). */
  personalBest: boolean;
}

export interface LapFilter extends Pick<AnalysisOptions, 'at' | 'cars'> {
  /** Lap numbers, inclusive. */
  fromLap?: number;
  toLap?: number;
  /** Crossing race times, inclusive (ms). */
  fromMs?: number;
  toMs?: number;
}

export function lapRows(timeline: RaceTimeline, filter: LapFilter = {}): LapRow[] {
  const index = raceIndex(timeline);
  const at = instant(timeline, filter.at);
  const until = Math.min(at, filter.toMs ?? Infinity);
  const wanted = filter.cars === undefined ? null : new Set(filter.cars);
  const cars = [...timeline.cars.values()].filter((c) => wanted === null || wanted.has(c.number)).sort((a, b) => compareCarNumbers(a.number, b.number));
  const stintOfLap = new Map<string, Map<number, number>>();
  for (const carStints of stints(timeline, { at, cars: cars.map((c) => c.number) })) {
    const byLap = new Map<number, number>();
    for (const stint of carStints.carStints) for (let lap = stint.startLap; lap <= stint.endLap; lap++) byLap.set(lap, stint.number);
    stintOfLap.set(carStints.car, byLap);
  }
  const rows: LapRow[] = [];
  for (const car of cars) {
    const n = car.indexAt(at);
    const crossingOf = index.crossingOf.get(car);
    for (let i = 0; i < n; i++) {
      const lap = car.laps[i]!;
      if (lap.crossingMs > until || lap.crossingMs < (filter.fromMs ?? -Infinity)) continue;
      if (lap.lap < (filter.fromLap ?? -Infinity) || lap.lap > (filter.toLap ?? Infinity)) continue;
      const k = crossingOf?.[i];
      rows.push({
        car: car.number,
        class: car.entry.class,
        driverNumber: lap.driverNumber,
        driver: lap.driverName,
        lap: lap.lap,
        lapMs: lap.lapMs,
        s1Ms: lap.sectorsMs[0],
        s2Ms: lap.sectorsMs[1],
        s3Ms: lap.sectorsMs[2],
        crossingMs: lap.crossingMs,
        inLap: lap.inPit,
        outLap: isOutLap(car, i),
        pitLaneMs: lap.pitLaneMs,
        stint: stintOfLap.get(car.number)?.get(lap.lap) ?? 1,
        position: k === undefined ? 0 : index.position[k]!,
        classPosition: k === undefined ? 0 : index.classPosition[k]!,
        flag: lap.flag,
        personalBest: car.bestLapUpTo[i] === lap.lapMs && (i === 0 || car.bestLapUpTo[i - 1]! > lap.lapMs),
      });
    }
  }
  return rows;
}
