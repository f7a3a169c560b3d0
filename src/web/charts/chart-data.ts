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
 * The y ceiling of the gap chart: every gap inside the plot (the largest,
 * with 5% headroom; at least one minute). A car hours behind squeezes the
 * others, but a line that runs off the plot says nothing at all; zooming
 * (drag across the chart) is the way to read the close fights.
 */
export function gapCeiling(data: GapChartData): number {
  let max = 0;
  for (const column of data.gaps) for (const v of column) if (v !== null && v > max) max = v;
  return Math.max(60, max * 1.05);
}

/** sRGB hex of an OKLCH colour (Björn Ottosson, "A perceptual color space for image processing", 2020), clipped to gamut. */
export function oklchHex(l: number, c: number, hueDeg: number): string {
  const h = (hueDeg * Math.PI) / 180;
  const a = c * Math.cos(h);
  const b = c * Math.sin(h);
  const l1 = (l + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m1 = (l - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s1 = (l - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const linear = [
    4.0767416621 * l1 - 3.3077115913 * m1 + 0.2309699292 * s1,
    -1.2684380046 * l1 + 2.6097574011 * m1 - 0.3413193965 * s1,
    -0.0041960863 * l1 - 0.7034186147 * m1 + 1.707614701 * s1,
  ];
  return `#${linear
    .map((x) => {
      const v = Math.min(1, Math.max(0, x));
      const srgb = v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
      return Math.round(srgb * 255)
        .toString(16)
        .padStart(2, '0');
    })
    .join('')}`;
}

/**
 * One colour per car of a class, never repeated: hues spread evenly round
 * the OKLCH circle (perceptually even steps), and past 9 cars alternating
 * between two (past 16, three) tones, so neighbours in hue differ in
 * lightness too. All read on the dark theme (lightness ≥ 0.62). Measured
 * (test/site-live-strip.test.ts): every pair at least 0.07 apart in OKLab
 * up to 20 cars, a class's largest field at Le Mans.
 */
export function carColours(count: number): string[] {
  const tones = count <= 9 ? [0.78] : count <= 16 ? [0.86, 0.66] : [0.9, 0.76, 0.62];
  const hues = Math.ceil(count / tones.length);
  return Array.from({ length: count }, (_, i) => oklchHex(tones[i % tones.length]!, 0.15, 25 + (360 * Math.floor(i / tones.length)) / hues + (i % tones.length) * (180 / hues)));
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
