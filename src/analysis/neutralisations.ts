/**
 * Neutralisations inferred from lap and sector times, for files without a
 * flag column (Al Kamel before 2023). Nothing here reads `lap.flag`: the
 * 2023+ files, whose FLAG_AT_FL is the truth, validate it by comparison
 * (test/neutralisations.test.ts, bench/neutralisations.ts).
 *
 * Each car is, at every instant, in one sector of one lap; that sector's
 * time over the car's reference for it (median of its clean laps) says how
 * slowly it went then. Race time is cut into BIN_MS bins and each bin takes
 * the median ratio over the cars running then (pit sectors left out).
 * - Field-wide: the median ratio ≥ NEUTRAL_RATIO for at least MIN_PERIOD_MS
 *   (gaps under MERGE_GAP_MS joined). A safety car when it lasts
 *   SAFETY_CAR_MIN_MS or more, else a full-course yellow: under the WEC
 *   rules both slow the whole field, and an FCY is the short one (a safety
 *   car takes laps to gather the field and release it).
 * - Slow zone: outside those, one sector's median ratio ≥ SLOW_ZONE_RATIO
 *   for at least MIN_PERIOD_MS while the other sectors stay under
 *   SLOW_ZONE_OTHERS (a local yellow slows one part of the lap only).
 * Thresholds were tuned on the tuning races named in bench/neutralisations.ts
 * and judged on the others.
 * Periods start and end at the bin edges: the change happened within BIN_MS.
 */
import type { CarTimeline, RaceTimeline } from '../engine/timeline.js';
import { median } from './race-index.js';

export type NeutralisationKind = 'safety-car' | 'fcy' | 'slow-zone';

export interface InferredNeutralisation {
  kind: NeutralisationKind;
  /** Always true: read from lap and sector times, not shown by race control. */
  inferred: true;
  /** Race time (ms) the slowdown began and ended, to within BIN_MS. */
  startMs: number;
  endMs: number;
  durationMs: number;
  /** Slow zone: the sector (1–3) it lay in; null for field-wide periods. */
  sector: number | null;
  /** Median lap/sector time over reference during the period (2 = twice as slow). */
  slowdown: number;
}

export const BIN_MS = 10_000;
export const NEUTRAL_RATIO = 1.3;
/** Once neutralised, it lasts while the median stays at or above this (the field speeds up before the restart). */
export const NEUTRAL_HOLD_RATIO = 1.2;
export const MIN_PERIOD_MS = 60_000;
export const MERGE_GAP_MS = 30_000;
export const SAFETY_CAR_MIN_MS = 12 * 60_000;
export const SLOW_ZONE_RATIO = 1.15;
export const SLOW_ZONE_OTHERS = 1.06;
/** Fewer cars than this running in a bin: too few to say anything. */
const MIN_CARS = 5;

const cache = new WeakMap<RaceTimeline, { eventCount: number; lastEventMs: number; periods: InferredNeutralisation[] }>();

/** Inferred periods over the whole data (memoised per timeline); callers cut them at their `at`. */
export function inferNeutralisations(timeline: RaceTimeline): InferredNeutralisation[] {
  const hit = cache.get(timeline);
  if (hit !== undefined && hit.eventCount === timeline.eventCount && hit.lastEventMs === timeline.lastEventMs) return hit.periods;
  const periods = infer(timeline);
  cache.set(timeline, { eventCount: timeline.eventCount, lastEventMs: timeline.lastEventMs, periods });
  return periods;
}

/** Field-wide periods (safety car or FCY) that cover t. */
export function inferredNeutralisationAt(periods: readonly InferredNeutralisation[], t: number): InferredNeutralisation | null {
  for (const p of periods) if (p.kind !== 'slow-zone' && p.startMs <= t && t < p.endMs) return p;
  return null;
}

function infer(timeline: RaceTimeline): InferredNeutralisation[] {
  const bins = Math.ceil(timeline.lastEventMs / BIN_MS) + 1;
  // Per sector and per bin, the ratios of the cars in that sector then, in thousandths (integers: median() rounds), capped at 4.
  const all: number[][] = Array.from({ length: bins }, () => []);
  const bySector: number[][][] = [0, 1, 2].map(() => Array.from({ length: bins }, () => []));
  for (const car of timeline.cars.values()) addCar(car, all, bySector);
  const field = all.map((r) => (r.length >= MIN_CARS ? median(r)! / 1000 : 1));
  const neutral = field.map((r) => r >= NEUTRAL_RATIO);
  // Hysteresis: extend each neutral run both ways while the median stays at or above the hold ratio.
  for (let b = 1; b < bins; b++) if (!neutral[b] && neutral[b - 1] && field[b]! >= NEUTRAL_HOLD_RATIO) neutral[b] = true;
  for (let b = bins - 2; b >= 0; b--) if (!neutral[b] && neutral[b + 1] && field[b]! >= NEUTRAL_HOLD_RATIO) neutral[b] = true;
  const periods: InferredNeutralisation[] = [];
  for (const [from, to] of runs(neutral)) {
    const durationMs = (to - from) * BIN_MS;
    const slowdown = median(field.slice(from, to).map((r) => Math.round(r * 1000)))! / 1000;
    periods.push({
      kind: durationMs >= SAFETY_CAR_MIN_MS ? 'safety-car' : 'fcy',
      inferred: true,
      startMs: from * BIN_MS,
      endMs: to * BIN_MS,
      durationMs,
      sector: null,
      slowdown: Math.round(slowdown * 100) / 100,
    });
  }
  const sectorMedian = bySector.map((s) => s.map((r) => (r.length >= MIN_CARS ? median(r)! / 1000 : 1)));
  for (let k = 0; k < 3; k++) {
    const zone = sectorMedian[k]!.map(
      (r, b) => !neutral[b] && r >= SLOW_ZONE_RATIO && sectorMedian.every((other, j) => j === k || other[b]! < SLOW_ZONE_OTHERS),
    );
    for (const [from, to] of runs(zone)) {
      periods.push({
        kind: 'slow-zone',
        inferred: true,
        startMs: from * BIN_MS,
        endMs: to * BIN_MS,
        durationMs: (to - from) * BIN_MS,
        sector: k + 1,
        slowdown: Math.round(median(sectorMedian[k]!.slice(from, to).map((r) => Math.round(r * 1000)))! / 10) / 100,
      });
    }
  }
  return periods.sort((a, b) => a.startMs - b.startMs);
}

/** [from, to) bin runs that are true, with gaps under MERGE_GAP_MS joined and runs under MIN_PERIOD_MS dropped. */
function runs(flags: readonly boolean[]): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  const gap = MERGE_GAP_MS / BIN_MS;
  let b = 0;
  while (b < flags.length) {
    if (!flags[b]) {
      b++;
      continue;
    }
    let end = b;
    while (end < flags.length && flags[end]) end++;
    const last = found[found.length - 1];
    if (last !== undefined && b - last[1] < gap) last[1] = end;
    else found.push([b, end]);
    b = end;
  }
  return found.filter(([from, to]) => (to - from) * BIN_MS >= MIN_PERIOD_MS);
}

function addCar(car: CarTimeline, all: number[][], bySector: number[][][]): void {
  const laps = car.laps;
  // Reference per sector: median over clean laps (not lap 1, no pit lane either side, within 7% of the best).
  const plain = laps.filter((l, i) => i > 0 && !l.inPit && l.pitLaneMs === null);
  if (plain.length < 5) return;
  let best = Infinity;
  for (const l of plain) best = Math.min(best, l.lapMs);
  const clean = plain.filter((l) => l.lapMs < best * 1.07);
  if (clean.length < 5) return;
  const ref = [0, 1, 2].map((k) => median(clean.flatMap((l) => (l.sectorsMs[k] ? [l.sectorsMs[k]!] : []))));
  for (let i = 1; i < laps.length; i++) {
    const lap = laps[i]!;
    let t = lap.crossingMs - lap.lapMs;
    for (let k = 0; k < 3; k++) {
      const sectorMs = lap.sectorsMs[k];
      if (sectorMs === null || sectorMs === undefined) break;
      const from = t;
      t += sectorMs;
      const refMs = ref[k];
      // The pit lane lies in the in-lap's S3 and the out-lap's S1.
      if (refMs === null || refMs === undefined || (k === 2 && lap.inPit) || (k === 0 && lap.pitLaneMs !== null)) continue;
      if (sectorMs > 20 * refMs) continue; // a stop on track or a red flag: not a measure of pace
      const ratio = Math.round(Math.min(4, sectorMs / refMs) * 1000);
      const first = Math.ceil(from / BIN_MS);
      const last = Math.floor(t / BIN_MS);
      for (let b = first; b <= last && b < all.length; b++) {
        all[b]!.push(ratio);
        bySector[k]![b]!.push(ratio);
      }
    }
  }
}
