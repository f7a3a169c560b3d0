/**
 * Series for the race charts, from the analysis history (GET …/history) and
 * stints (GET …/stints). Pure, unit-tested in Node; uPlot wants columns
 * aligned on one x axis, which is what these build.
 */
import type { CarHistory } from '../../analysis/history.js';
import type { CarStints } from '../../analysis/stints.js';
import type { CarRef } from '../../analysis/roster.js';
import { HOUR } from '../../model/time.js';
import { stintBars, type StintBar } from '../car/car-data.js';

/** The class's cars, leader first (so legends read like the classification). */
function byLastClassPosition(histories: readonly CarHistory[], className: string): CarHistory[] {
  const rank = (h: CarHistory): number => {
    const last = h.laps[h.laps.length - 1];
    // More laps first; then the class position that last lap gave.
    return last === undefined ? Infinity : -last.lap * 1000 + last.classPosition;
  };
  return histories.filter((h) => h.car.class === className).sort((a, b) => rank(a) - rank(b));
}

export interface LapChartData {
  cars: CarRef[];
  /** x: lap numbers 1..n. */
  laps: number[];
  /** Per car, class position after each lap (null before it completed that lap). */
  positions: Array<Array<number | null>>;
}

/** Position in class after every lap: the classic lap chart, one line per car. */
export function lapChartData(histories: readonly CarHistory[], className: string): LapChartData {
  const inClass = byLastClassPosition(histories, className);
  const maxLap = Math.max(0, ...inClass.map((h) => h.laps[h.laps.length - 1]?.lap ?? 0));
  const laps = Array.from({ length: maxLap }, (_, i) => i + 1);
  const positions = inClass.map((h) => {
    const column: Array<number | null> = new Array<number | null>(maxLap).fill(null);
    for (const point of h.laps) column[point.lap - 1] = point.classPosition;
    return column;
  });
  return { cars: inClass.map((h) => h.car), laps, positions };
}

export interface GapChartData {
  cars: CarRef[];
  /** x: race time (hours) at which the class leader completed each lap. */
  hours: number[];
  /** Per car, seconds behind the class leader at the same lap (null before it completed it). */
  gaps: Array<Array<number | null>>;
}

/**
 * Gap to the class leader over time: for every lap L, how long after the
 * first car of the class each car completed L. That is a time even for a
 * lapped car (it keeps growing), which is what a gap chart needs to show
 * a car losing ground.
 */
export function gapChartData(histories: readonly CarHistory[], className: string): GapChartData {
  const inClass = byLastClassPosition(histories, className);
  const firstMs: number[] = [];
  for (const h of inClass) {
    for (const point of h.laps) {
      const prev = firstMs[point.lap - 1];
      if (prev === undefined || point.atMs < prev) firstMs[point.lap - 1] = point.atMs;
    }
  }
  const laps = firstMs.length;
  const hours = Array.from({ length: laps }, (_, i) => (firstMs[i] ?? NaN) / HOUR);
  const gaps = inClass.map((h) => {
    const column: Array<number | null> = new Array<number | null>(laps).fill(null);
    for (const point of h.laps) {
      const first = firstMs[point.lap - 1];
      if (first !== undefined) column[point.lap - 1] = (point.atMs - first) / 1000;
    }
    return column;
  });
  return { cars: inClass.map((h) => h.car), hours, gaps };
}

/**
 * A y ceiling for the gap chart that keeps the fight for position readable:
 * cars hours behind (long repairs) would otherwise flatten everyone else.
 * The 85th percentile of all gaps, with headroom; at least one minute.
 */
export function gapCeiling(data: GapChartData): number {
  const all: number[] = [];
  for (const column of data.gaps) for (const v of column) if (v !== null) all.push(v);
  if (all.length === 0) return 60;
  all.sort((a, b) => a - b);
  return Math.max(60, all[Math.floor(all.length * 0.85)]! * 1.15);
}

export interface StrategyRow {
  car: string;
  class: string;
  bars: StintBar[];
}

/** One row per car of the class, in the order given (the classification), bars per driver stint. */
export function strategyRows(all: readonly CarStints[], className: string | null, order: readonly string[], classOf: (car: string) => string | undefined): StrategyRow[] {
  const byCar = new Map(all.map((s) => [s.car, s]));
  const rows: StrategyRow[] = [];
  for (const car of order) {
    const cls = classOf(car);
    if (cls === undefined || (className !== null && cls !== className)) continue;
    const stints = byCar.get(car);
    if (stints === undefined) continue;
    // Car stints split at every stop; each coloured by its (first) driver.
    rows.push({ car, class: cls, bars: stintBars(stints.carStints) });
  }
  return rows;
}
