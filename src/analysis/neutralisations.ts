/**
 * Neutralisations inferred from lap and sector times, for files without a
 * flag column (Al Kamel before 2023). Nothing here reads `lap.flag`: the
 * 2023+ files, whose FLAG_AT_FL is the truth, validate it by comparison
 * (test/neutralisations.test.ts, bench/neutralisations.ts).
 *
 * Each car is, at every instant, in one sector of one lap; that sector's
 * time over the car's reference for it (median of its clean laps) says how
 * slowly it went then. Race time is cut into BIN_MS bins and each bin takes
 * the median ratio over the cars running then (pit sectors left out),
 * counted as "more than half the cars at or above the threshold".
 * - Field-wide: the median ratio ≥ NEUTRAL_RATIO, and each sector's median
 *   too (Le Mans' slow zones raise one sector; a neutralisation all), then
 *   held while the field's median stays ≥ NEUTRAL_HOLD_RATIO; at least
 *   MIN_PERIOD_MS (gaps under MERGE_GAP_MS joined). A safety car when it lasts
 *   SAFETY_CAR_MIN_MS or more, else a full-course yellow: under the WEC
 *   rules both slow the whole field, and an FCY is the short one (a safety
 *   car takes laps to gather the field and release it).
 * - Slow zone: outside those, one sector's median ratio ≥ SLOW_ZONE_RATIO
 *   for at least MIN_PERIOD_MS while the other sectors stay under
 *   SLOW_ZONE_OTHERS (a local yellow slows one part of the lap only).
 * - Bounds: the bins find a period to within BIN_MS plus a sector (a sector
 *   spanning the change counts slow in every bin it covers); each car's own
 *   sectors then date it (fieldTransition: the part-green sector between
 *   green and slow ones), and a safety car's end is its queue's first
 *   crossing into a green lap (fieldRelease). Bin edges where too few cars
 *   show the change.
 * - FCY, then safety car: race control often calls an FCY and deploys the
 *   safety car minutes later; FLAG_AT_FL shows that FCY green and SF from
 *   the deployment. Under an FCY every car runs at the limiter's speed, so
 *   a sector takes the same time for all (limiterTimes); a period that opens
 *   at that pace, then leaves it while the field stays slow, is a safety car
 *   from the instant the cars left it (limiterExit), its FCY told in
 *   fcyFromMs and not counted.
 * Thresholds were tuned on TUNING_RACES (neutralisation-check.ts) and judged
 * on HELD_OUT_RACES, never tuned on: NEUTRAL_RATIO 1.3 → 1.7 (below it, rain
 * and Le Mans slow zones made spurious periods; at 2.0 a safety car was
 * missed), MERGE_GAP_MS 30 → 90 s (a safety car catching its field broke
 * one period in two). Issue 17's precision round, on TUNING_RACES (pooled
 * precision 0.848 → 0.931, recall 0.953 → 0.958): the FCY before a safety
 * car (safetyCarAfterFcy), and a sector with fewer than MIN_CARS cars in it
 * must not be mostly green to start a period. A third change, the backward
 * hold needing every sector's median (tuning precision 0.943), was dropped
 * when the held-out races were run: held-out recall fell 0.901 → 0.769
 * (COTA 2025's rain safety car from the start lost its first 40 min). The
 * held-out races have so served twice to choose between settings.
 * Tried and not kept: telling a safety car from an FCY by the queue (over
 * the period's last 60%, the share of gaps between consecutive crossings
 * of the line, in- and out-laps left out, of 2 s or less; a safety car at
 * 0.6 or more, set on TUNING_RACES where safety cars had 0.64–0.94 and
 * FCYs 0.00–0.50) instead of the length. Inferred periods named right, on
 * TUNING_RACES 30 → 33 of 34 (+1 spurious), on HELD_OUT_RACES 42 → 41 of
 * 46: safety cars 18 → 21 of 22, but FCYs 24 → 20 of 24 (Fuji 2025 4:07
 * and 4:32, São Paulo 2025 2:32 and 4:23, 2–5 min, named safety cars).
 * Lap recall and precision do not move (the kind is not scored there).
 * That was the held-out races' third use.
 */
import type { CarTimeline, RaceTimeline } from '../engine/timeline.js';

export type NeutralisationKind = 'safety-car' | 'fcy' | 'slow-zone';

export interface InferredNeutralisation {
  kind: NeutralisationKind;
  /** Always true: read from lap and sector times, not shown by race control. */
  inferred: true;
  /** Race time (ms) the slowdown began and ended: from the cars' sectors, else to within BIN_MS. */
  startMs: number;
  endMs: number;
  durationMs: number;
  /** Slow zone: the sector (1–3) it lay in; null for field-wide periods. */
  sector: number | null;
  /** Mean sector time over reference during the period (2 = twice as slow). */
  slowdown: number;
  /**
   * A safety car deployed during an FCY: when the field went to FCY pace
   * (ms), before startMs; null otherwise. Race control's flag (FLAG_AT_FL)
   * shows such an FCY as green and SF from the deployment, so the period
   * starts there and this FCY is told, not counted (safetyCarAfterFcy).
   */
  fcyFromMs: number | null;
}

export const BIN_MS = 10_000;
export const NEUTRAL_RATIO = 1.7;
/** Once neutralised, it lasts while the median stays at or above this (the field speeds up before the restart). */
export const NEUTRAL_HOLD_RATIO = 1.2;
export const MIN_PERIOD_MS = 60_000;
export const MERGE_GAP_MS = 90_000;
export const SAFETY_CAR_MIN_MS = 12 * 60_000;
export const SLOW_ZONE_RATIO = 1.15;
export const SLOW_ZONE_OTHERS = 1.06;
/** Fewer cars than this running in a bin: too few to say anything. */
const MIN_CARS = 5;

const cache = new WeakMap<RaceTimeline, { eventCount: number; lastEventMs: number; byAt: Map<number, InferredNeutralisation[]> }>();
/** Instants kept per timeline (hour facts ask for each hour's end in turn). */
const CACHED_INSTANTS = 4;

/**
 * Inferred periods from the laps completed by `at` only (memoised per
 * timeline and instant): what an observer could have said then, so time
 * travel and hour facts never use later laps (the cars' reference sector
 * times too come from the laps known then). Default: all the data.
 */
export function inferNeutralisations(timeline: RaceTimeline, at: number = timeline.lastEventMs): InferredNeutralisation[] {
  const upTo = Math.min(at, timeline.lastEventMs);
  let hit = cache.get(timeline);
  if (hit === undefined || hit.eventCount !== timeline.eventCount || hit.lastEventMs !== timeline.lastEventMs) {
    hit = { eventCount: timeline.eventCount, lastEventMs: timeline.lastEventMs, byAt: new Map() };
    cache.set(timeline, hit);
  }
  const known = hit.byAt.get(upTo);
  if (known !== undefined) return known;
  const periods = infer(timeline, upTo);
  if (hit.byAt.size >= CACHED_INSTANTS) hit.byAt.delete(hit.byAt.keys().next().value!);
  hit.byAt.set(upTo, periods);
  return periods;
}

/** Field-wide periods (safety car or FCY) that cover t. */
export function inferredNeutralisationAt(periods: readonly InferredNeutralisation[], t: number): InferredNeutralisation | null {
  for (const p of periods) if (p.kind !== 'slow-zone' && p.startMs <= t && t < p.endMs) return p;
  return null;
}

/**
 * The field-wide period (safety car or FCY) in force at `at` as the laps
 * completed by then tell it, or null: what a timing screen without race
 * control's flags can show at that instant (issue 17). Each car's laps stop
 * at its last crossing, so under a safety car (Le Mans: 6-minute laps) the
 * last minutes before `at` are told by few cars and the inference ends the
 * period early, where those laps run out (Le Mans 2019 at 20:31: "ended at
 * 20:30", the field still queued until 20:44). So a period stays in force
 * until MIN_CARS cars have run a sector back at speed (under
 * NEUTRAL_HOLD_RATIO of their reference, pit sectors left out) after its
 * end; it is then returned ending at `at`. Same laps-known-then rule as
 * inferNeutralisations: never reads later laps.
 */
export function neutralisationInForce(timeline: RaceTimeline, at: number = timeline.lastEventMs): InferredNeutralisation | null {
  const upTo = Math.min(at, timeline.lastEventMs);
  let last: InferredNeutralisation | null = null;
  for (const p of inferNeutralisations(timeline, upTo)) if (p.kind !== 'slow-zone' && p.startMs <= upTo) last = p;
  if (last === null) return null;
  const ongoing = { ...last, endMs: upTo, durationMs: upTo - last.startMs };
  if (last.endMs >= upTo) return ongoing;
  let back = 0;
  for (const car of timeline.cars.values()) {
    const n = car.indexAt(upTo);
    const ref = sectorReferences(car.laps, n);
    if (ref === null) continue;
    const runs = sectorsBetween({ laps: car.laps, crossings: car.crossings, n, ref }, last.endMs, upTo);
    // NaN (pit lane, unknown) is never under the ratio.
    if (runs.some((s) => s.fromMs >= last.endMs && s.ratio < NEUTRAL_HOLD_RATIO) && ++back >= MIN_CARS) return null;
  }
  return ongoing;
}

/**
 * Per bin counters instead of lists: "the median is at or above x" is "more
 * than half the cars are at or above x", so counting the cars over each
 * threshold is enough (and ten times cheaper than sorting each bin).
 */
interface Bins {
  n: Float64Array;
  over: Float64Array;
  overHold: Float64Array;
  sum: Float64Array;
  sectorN: Float64Array[];
  sectorNeutral: Float64Array[];
  sectorHold: Float64Array[];
  sectorOver: Float64Array[];
  sectorOverOthers: Float64Array[];
  sectorSum: Float64Array[];
  /** Cars under GREEN_RATIO in each sector. */
  sectorGreen: Float64Array[];
  /** Cars whose sector took the FCY limiter's time (see limiterTimes). */
  onLimiter: Float64Array;
}

function infer(timeline: RaceTimeline, at: number): InferredNeutralisation[] {
  const count = Math.ceil(at / BIN_MS) + 1;
  // One slot more than the bins: a sector ending in the last bin marks its end there.
  const bins: Bins = {
    n: new Float64Array(count + 1),
    over: new Float64Array(count + 1),
    overHold: new Float64Array(count + 1),
    sum: new Float64Array(count + 1),
    sectorN: [0, 1, 2].map(() => new Float64Array(count + 1)),
    sectorNeutral: [0, 1, 2].map(() => new Float64Array(count + 1)),
    sectorHold: [0, 1, 2].map(() => new Float64Array(count + 1)),
    sectorOver: [0, 1, 2].map(() => new Float64Array(count + 1)),
    sectorOverOthers: [0, 1, 2].map(() => new Float64Array(count + 1)),
    sectorSum: [0, 1, 2].map(() => new Float64Array(count + 1)),
    onLimiter: new Float64Array(count + 1),
    sectorGreen: [0, 1, 2].map(() => new Float64Array(count + 1)),
  };
  const cars: CarSectors[] = [];
  for (const car of timeline.cars.values()) {
    const n = car.indexAt(at);
    const ref = sectorReferences(car.laps, n);
    if (ref === null) continue;
    cars.push({ laps: car.laps, crossings: car.crossings, n, ref });
  }
  const limiter = limiterTimes(cars);
  for (const car of cars) addCar(car.laps, car.n, car.ref, limiter, bins, count);
  for (const a of [bins.n, bins.over, bins.overHold, bins.sum, ...bins.sectorN, ...bins.sectorNeutral, ...bins.sectorHold, ...bins.sectorOver, ...bins.sectorOverOthers, ...bins.sectorSum, ...bins.sectorGreen, bins.onLimiter]) {
    for (let b = 1; b <= count; b++) a[b]! += a[b - 1]!;
  }
  const enough = (b: number) => bins.n[b]! >= MIN_CARS;
  // To start: the whole field's median over the threshold, and each sector's too (a slow zone raises one sector only).
  // A sector with fewer than MIN_CARS cars in it must at least not be mostly at green pace: at Le Mans a slow zone
  // bunches the field, and the 4 cars left in the green sector were all a bin held (2023, 1:41 and 2:41).
  const everySector = (counts: Float64Array[], b: number) =>
    counts.every((c, k) => {
      const n = bins.sectorN[k]![b]!;
      return n >= MIN_CARS ? 2 * c[b]! > n : 2 * bins.sectorGreen[k]![b]! <= n;
    });
  const neutral: boolean[] = new Array(count);
  for (let b = 0; b < count; b++) neutral[b] = enough(b) && 2 * bins.over[b]! > bins.n[b]! && everySector(bins.sectorNeutral, b);
  const hold = (b: number) => enough(b) && 2 * bins.overHold[b]! > bins.n[b]!;
  // Hysteresis: extend each neutral run both ways while the median stays at or above the hold ratio.
  for (let b = 1; b < count; b++) if (!neutral[b] && neutral[b - 1] && hold(b)) neutral[b] = true;
  for (let b = count - 2; b >= 0; b--) if (!neutral[b] && neutral[b + 1] && hold(b)) neutral[b] = true;
  const meanOver = (sum: Float64Array, n: Float64Array, from: number, to: number) => {
    let total = 0;
    let cars = 0;
    for (let b = from; b < to; b++) {
      total += sum[b]!;
      cars += n[b]!;
    }
    return cars === 0 ? 1 : Math.round((total / cars) * 100) / 100;
  };
  const periods: InferredNeutralisation[] = [];
  const fieldRuns = runs(neutral);
  const limiterBin = (b: number) => enough(b) && 2 * bins.onLimiter[b]! > bins.n[b]!;
  const catchUpMs = CATCH_UP_LAPS * greenLapMs(cars);
  for (let r = 0; r < fieldRuns.length; r++) {
    let [from, to] = fieldRuns[r]!;
    let startMs = fieldTransition(cars, from * BIN_MS, 'start') ?? from * BIN_MS;
    let fcyFromMs: number | null = null;
    const deployed = safetyCarAfterFcy(fieldRuns, r, limiterBin, hold, count);
    if (deployed !== null) {
      // The FCY before a safety car: FLAG_AT_FL shows it green, so the period starts where the FCY pace ended.
      fcyFromMs = startMs;
      const next = fieldRuns[r + 1];
      if (next !== undefined && (next[0] - deployed) * BIN_MS <= catchUpMs) {
        to = next[1];
        r++;
      }
      startMs = limiterExit(cars, limiter, deployed * BIN_MS) ?? deployed * BIN_MS;
      from = deployed;
    }
    const afterFcy = fcyFromMs !== null;
    const long = afterFcy || (to - from) * BIN_MS >= SAFETY_CAR_MIN_MS;
    const endMs = Math.min((long ? fieldRelease(cars, to * BIN_MS) : null) ?? fieldTransition(cars, to * BIN_MS, 'end') ?? to * BIN_MS, at);
    const last = periods[periods.length - 1];
    if (endMs <= startMs) continue;
    if (last !== undefined && startMs <= last.endMs) {
      // Moved bounds made two periods touch: one period.
      last.endMs = Math.max(last.endMs, endMs);
      last.durationMs = last.endMs - last.startMs;
      last.kind = afterFcy || last.durationMs >= SAFETY_CAR_MIN_MS ? 'safety-car' : 'fcy';
      continue;
    }
    const durationMs = endMs - startMs;
    periods.push({
      kind: afterFcy || durationMs >= SAFETY_CAR_MIN_MS ? 'safety-car' : 'fcy',
      inferred: true,
      startMs,
      endMs,
      durationMs,
      sector: null,
      slowdown: meanOver(bins.sum, bins.n, from, to),
      fcyFromMs,
    });
  }
  const sectorEnough = (k: number, b: number) => bins.sectorN[k]![b]! >= MIN_CARS;
  for (let k = 0; k < 3; k++) {
    const zone: boolean[] = new Array(count);
    const othersCalm = (j: number, b: number) => j === k || !sectorEnough(j, b) || 2 * bins.sectorOverOthers[j]![b]! <= bins.sectorN[j]![b]!;
    for (let b = 0; b < count; b++) {
      zone[b] =
        !neutral[b] && sectorEnough(k, b) && 2 * bins.sectorOver[k]![b]! > bins.sectorN[k]![b]! && othersCalm(0, b) && othersCalm(1, b) && othersCalm(2, b);
    }
    for (const [from, to] of runs(zone)) {
      periods.push({
        kind: 'slow-zone',
        inferred: true,
        startMs: from * BIN_MS,
        endMs: to * BIN_MS,
        durationMs: (to - from) * BIN_MS,
        sector: k + 1,
        slowdown: meanOver(bins.sectorSum[k]!, bins.sectorN[k]!, from, to),
        fcyFromMs: null,
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

/** The car's first n laps (those completed by the instant inferred for). */
function addCar(laps: CarTimeline['laps'], n: number, ref: Float64Array, limiter: Float64Array, bins: Bins, count: number): void {
  for (let i = 1; i < n; i++) {
    const lap = laps[i]!;
    let t = lap.crossingMs - lap.lapMs;
    for (let k = 0; k < 3; k++) {
      const sectorMs = lap.sectorsMs[k];
      if (sectorMs === null || sectorMs === undefined) break;
      const from = t;
      t += sectorMs;
      const refMs = ref[k]!;
      // The pit lane lies in the in-lap's S3 and the out-lap's S1.
      if (refMs === 0 || (k === 2 && lap.inPit) || (k === 0 && lap.pitLaneMs !== null)) continue;
      if (sectorMs > 20 * refMs) continue; // a stop on track or a red flag: not a measure of pace
      const ratio = Math.min(4, sectorMs / refMs);
      const over = ratio >= NEUTRAL_RATIO ? 1 : 0;
      const overHold = ratio >= NEUTRAL_HOLD_RATIO ? 1 : 0;
      const overZone = ratio >= SLOW_ZONE_RATIO ? 1 : 0;
      const overOthers = ratio >= SLOW_ZONE_OTHERS ? 1 : 0;
      // Difference arrays: +1 where the sector's bins begin, −1 after they end (prefix sums in `infer`).
      const first = Math.ceil(from / BIN_MS);
      const end = Math.min(Math.floor(t / BIN_MS), count - 1) + 1;
      if (first >= end) continue;
      add(bins, k, first, 1, ratio, over, overHold, overZone, overOthers);
      add(bins, k, end, -1, ratio, over, overHold, overZone, overOthers);
      if (ratio < GREEN_RATIO) {
        bins.sectorGreen[k]![first]! += 1;
        bins.sectorGreen[k]![end]! -= 1;
      }
      if (onLimiter(sectorMs, limiter[k]!)) {
        bins.onLimiter[first]! += 1;
        bins.onLimiter[end]! -= 1;
      }
    }
  }
}

function add(bins: Bins, k: number, b: number, sign: 1 | -1, ratio: number, over: number, overHold: number, overZone: number, overOthers: number): void {
  bins.n[b]! += sign;
  bins.over[b]! += sign * over;
  bins.overHold[b]! += sign * overHold;
  bins.sum[b]! += sign * ratio;
  bins.sectorN[k]![b]! += sign;
  bins.sectorNeutral[k]![b]! += sign * over;
  bins.sectorHold[k]![b]! += sign * overHold;
  bins.sectorOver[k]![b]! += sign * overZone;
  bins.sectorOverOthers[k]![b]! += sign * overOthers;
  bins.sectorSum[k]![b]! += sign * ratio;
}

/**
 * The car's reference time per sector (ms; 0 where unknown): the median over
 * its first n laps' clean ones (not lap 1, no pit lane either side, within 7% of its best).
 * Null with fewer than 5 clean laps.
 */
function sectorReferences(laps: CarTimeline['laps'], n: number): Float64Array | null {
  let best = Infinity;
  for (let i = 1; i < n; i++) {
    const l = laps[i]!;
    if (!l.inPit && l.pitLaneMs === null && l.lapMs < best) best = l.lapMs;
  }
  const limit = best * 1.07;
  const ref = new Float64Array(3);
  const values = new Float64Array(n);
  for (let k = 0; k < 3; k++) {
    let count = 0;
    for (let i = 1; i < n; i++) {
      const l = laps[i]!;
      const sectorMs = l.sectorsMs[k];
      if (l.inPit || l.pitLaneMs !== null || l.lapMs >= limit || sectorMs === null || sectorMs === undefined) continue;
      values[count++] = sectorMs;
    }
    if (count < 5) return null;
    const sorted = values.subarray(0, count).sort();
    ref[k] = sorted[count >> 1]!;
  }
  return ref;
}

/** A car's laps known at the instant inferred for, with its reference sector times (ms). */
interface CarSectors {
  laps: CarTimeline['laps'];
  crossings: readonly number[];
  n: number;
  ref: Float64Array;
}

/** A sector under green: under this ratio to the car's reference. */
export const GREEN_RATIO = 1.1;
/** How far (ms) from a bin-edge bound the cars' own transitions are looked for. */
export const TRANSITION_WINDOW_MS = 120_000;
/**
 * Which of the cars' transition instants (sorted, 0 = earliest) dates the
 * field's. Under an FCY the cars all change at once, so a middle quantile
 * does: the median for the start, the lower quartile for the end (set
 * before tuning). A second round on TUNING_RACES (start 0.3, end 0.5,
 * RELEASE_WINDOW_MS 360 s) gained recall 0.953 → 0.967 there but lost it
 * on the held-out races (0.905 → 0.883), so it was not kept: the held-out
 * figures have served once to choose between two settings.
 * A safety car's end is dated by fieldRelease instead.
 */
export const START_QUANTILE = 0.5;
export const END_QUANTILE = 0.25;

/** One sector run by a car: [fromMs, toMs), sector index, ratio to its reference (NaN: unknown or pit lane). */
interface SectorRun {
  fromMs: number;
  toMs: number;
  k: number;
  ratio: number;
}

/** Index of the car's first line crossing at or after fromMs (car.n when none): a binary search over its crossings (ms). */
function firstCrossingFrom(car: CarSectors, fromMs: number): number {
  let lo = 0;
  let hi = car.n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (car.crossings[mid]! < fromMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The car's sectors from the lap under way at fromMs to the one under way at toMs, in time order. */
function sectorsBetween(car: CarSectors, fromMs: number, toMs: number): SectorRun[] {
  const runs: SectorRun[] = [];
  for (let i = Math.max(1, firstCrossingFrom(car, fromMs)); i < car.n; i++) {
    const lap = car.laps[i]!;
    let t = lap.crossingMs - lap.lapMs;
    if (t > toMs) break;
    for (let k = 0; k < 3; k++) {
      const sectorMs = lap.sectorsMs[k];
      if (sectorMs === null || sectorMs === undefined) {
        runs.push({ fromMs: t, toMs: t, k, ratio: NaN });
        continue;
      }
      const refMs = car.ref[k]!;
      const pit = (k === 2 && lap.inPit) || (k === 0 && lap.pitLaneMs !== null);
      const ratio = refMs === 0 || pit || sectorMs > 20 * refMs ? NaN : sectorMs / refMs;
      runs.push({ fromMs: t, toMs: t + sectorMs, k, ratio });
      t += sectorMs;
    }
  }
  return runs;
}

/**
 * When the field's state changed near boundMs (ms), from each car's own
 * sectors: the sector between a green one and slow ones (or slow ones and
 * green ones) is part green, part slow, and its time says where the change
 * fell in it. Green for a time x of reference R, then ρ times slower: the
 * sector takes x + ρ(R − x), so x = (ρR − d)/(ρ − 1); slow first for y:
 * d = y + R − y/ρ, so y = (d − R)/(1 − 1/ρ). ρ is the car's ratio in the
 * same sector a lap later (earlier for an end) when that was slow, else in
 * the next (previous) sector. Null when fewer than MIN_CARS cars show a
 * clean change within TRANSITION_WINDOW_MS of boundMs.
 */
function fieldTransition(cars: readonly CarSectors[], boundMs: number, which: 'start' | 'end'): number | null {
  const green = (s: SectorRun | undefined) => s !== undefined && s.ratio < GREEN_RATIO;
  const slow = (s: SectorRun | undefined) => s !== undefined && s.ratio >= NEUTRAL_RATIO;
  const notGreen = (s: SectorRun | undefined) => s !== undefined && s.ratio >= GREEN_RATIO;
  const fromMs = boundMs - TRANSITION_WINDOW_MS;
  const toMs = boundMs + TRANSITION_WINDOW_MS;
  const estimates: number[] = [];
  for (const car of cars) {
    const seq = sectorsBetween(car, fromMs, toMs);
    for (let i = 1; i + 1 < seq.length; i++) {
      const mixed = seq[i]!;
      if (mixed.toMs <= fromMs) continue;
      if (mixed.fromMs >= toMs) break;
      const refMs = car.ref[mixed.k]!;
      const d = mixed.toMs - mixed.fromMs;
      let at: number | null = null;
      if (which === 'start' && green(seq[i - 1]) && notGreen(mixed) && slow(seq[i + 1])) {
        const rho = slow(seq[i + 3]) ? seq[i + 3]!.ratio : seq[i + 1]!.ratio;
        at = mixed.fromMs + Math.min(d, Math.max(0, (rho * refMs - d) / (rho - 1)));
      } else if (which === 'end' && i >= 1 && slow(seq[i - 1]) && notGreen(mixed) && green(seq[i + 1]) && (i + 2 >= seq.length || green(seq[i + 2]))) {
        const rho = i >= 3 && slow(seq[i - 3]) ? seq[i - 3]!.ratio : seq[i - 1]!.ratio;
        at = mixed.fromMs + Math.min(d, Math.max(0, (d - refMs) / (1 - 1 / rho)));
      }
      if (at === null) continue;
      if (at >= fromMs && at <= toMs) estimates.push(at);
      break;
    }
  }
  if (estimates.length < MIN_CARS) return null;
  estimates.sort((a, b) => a - b);
  const q = which === 'start' ? START_QUANTILE : END_QUANTILE;
  return Math.round(estimates[Math.min(estimates.length - 1, Math.floor(q * estimates.length))]!);
}

/** How far (ms) from the bin-edge end a safety car's release is looked for. */
export const RELEASE_WINDOW_MS = 240_000;
/** Which of the cars' release crossings (sorted, 0 = earliest) dates the end of a safety car. */
export const RELEASE_QUANTILE = 0.1;

/**
 * When a safety car released the field (ms), near boundMs: each car's first
 * crossing after a lap with a slow sector (≥ NEUTRAL_HOLD_RATIO) from which
 * its next lap's first two sectors are green. The queue crosses the line one
 * car after the other and the flag turns green at the line for the first of
 * them, so an early quantile of these crossings dates it; the field speeds up
 * before that (the safety car's last lap), which is why sector times alone
 * end it early. Null with fewer than MIN_CARS releases within RELEASE_WINDOW_MS.
 */
function fieldRelease(cars: readonly CarSectors[], boundMs: number): number | null {
  const fromMs = boundMs - RELEASE_WINDOW_MS;
  const toMs = boundMs + RELEASE_WINDOW_MS;
  const estimates: number[] = [];
  for (const car of cars) {
    for (let i = Math.max(1, firstCrossingFrom(car, fromMs)); i + 1 < car.n && car.crossings[i]! <= toMs; i++) {
      const lap = car.laps[i]!;
      const next = car.laps[i + 1]!;
      const after = car.laps[i + 2];
      if (lap.inPit || next.pitLaneMs !== null || next.inPit) continue;
      const ratio = (l: typeof lap, k: number) => {
        const ms = l.sectorsMs[k];
        return ms === null || ms === undefined || car.ref[k] === 0 ? NaN : ms / car.ref[k]!;
      };
      const wasSlow = ratio(lap, 0) >= NEUTRAL_HOLD_RATIO || ratio(lap, 1) >= NEUTRAL_HOLD_RATIO || ratio(lap, 2) >= NEUTRAL_HOLD_RATIO;
      // Green for a lap and on into the next: a car waved past the safety car catches the queue at race pace, then slows again.
      const green = (l: typeof lap, k: number) => !(ratio(l, k) >= GREEN_RATIO);
      if (wasSlow && ratio(next, 0) < GREEN_RATIO && green(next, 1) && green(next, 2) && (after === undefined || i + 2 >= car.n || green(after, 0))) {
        estimates.push(lap.crossingMs);
        break;
      }
    }
  }
  if (estimates.length < MIN_CARS) return null;
  estimates.sort((a, b) => a - b);
  return estimates[Math.min(estimates.length - 1, Math.floor(RELEASE_QUANTILE * estimates.length))]!;
}

/**
 * Under an FCY every car is held to the same speed (80 km/h in the WEC), so
 * a sector takes the same time for every car whatever its class: 92.3 s,
 * 70.9 s and 79.2 s at Qatar 2025 for Hypercar and LMGT3 alike, within 1.5%.
 * A safety car's queue runs at the safety car's pace instead, which changes
 * along the lap and from one lap to the next.
 */
export const LIMITER_TOLERANCE = 0.02;
/** Slow sectors at one time (within LIMITER_TOLERANCE) needed to call it the limiter's. */
export const LIMITER_MIN_SECTORS = 30;
/** An FCY pace this long at least, at the head of a neutralisation, before a safety car is looked for after it. */
export const LIMITER_MIN_MS = 120_000;
/**
 * How soon after the FCY pace ends a following period is the same safety
 * car's, in the field's green laps (median reference lap): the cars catch
 * its queue at near race pace (up to a lap), then the queue must reach
 * NEUTRAL_RATIO in every sector again (Qatar 2025: FCY pace until 2:13:00,
 * the next period from 2:17:50, 2.6 laps of 1:52).
 */
export const CATCH_UP_LAPS = 3;
/** How far (ms) from the start of a neutralisation its FCY pace may begin (the field slows over a lap). */
const LIMITER_LEAD_MS = 120_000;

function onLimiter(sectorMs: number, limiterMs: number): boolean {
  return limiterMs > 0 && Math.abs(sectorMs - limiterMs) <= LIMITER_TOLERANCE * limiterMs;
}

/**
 * The FCY limiter's time (ms) in each sector: the time shared by most slow
 * sectors (≥ NEUTRAL_RATIO; the window of ±LIMITER_TOLERANCE holding the
 * most), 0 where fewer than LIMITER_MIN_SECTORS share one (no FCY in the
 * data, or a circuit whose neutralisations have no common pace).
 */
function limiterTimes(cars: readonly CarSectors[]): Float64Array {
  const slow: number[][] = [[], [], []];
  for (const car of cars) {
    for (let i = 1; i < car.n; i++) {
      const lap = car.laps[i]!;
      for (let k = 0; k < 3; k++) {
        const sectorMs = lap.sectorsMs[k];
        if (sectorMs === null || sectorMs === undefined || (k === 2 && lap.inPit) || (k === 0 && lap.pitLaneMs !== null)) continue;
        const refMs = car.ref[k]!;
        if (sectorMs >= NEUTRAL_RATIO * refMs && sectorMs <= 20 * refMs) slow[k]!.push(sectorMs);
      }
    }
  }
  const limiter = new Float64Array(3);
  for (let k = 0; k < 3; k++) {
    const sorted = Float64Array.from(slow[k]!).sort();
    let best = 0;
    let bestAt = 0;
    for (let i = 0, j = 0; i < sorted.length; i++) {
      while (j < sorted.length && sorted[j]! <= sorted[i]! * (1 + 2 * LIMITER_TOLERANCE)) j++;
      if (j - i > best) {
        best = j - i;
        bestAt = i;
      }
    }
    if (best >= LIMITER_MIN_SECTORS) limiter[k] = sorted[bestAt + (best >> 1)]!;
  }
  return limiter;
}

/**
 * The bin where the FCY that opened fieldRuns[r] gave way to a safety car,
 * or null. Race control often calls an FCY first and deploys the safety car
 * minutes later; FLAG_AT_FL shows that FCY as green and SF from the
 * deployment (one of the 15 files shows an FCY turning into SF instead:
 * Fuji 2025, 3:32:07, where this costs the FCY's laps). In the laps: the run opens at
 * the limiter's pace (limiterBin) for LIMITER_MIN_MS or more, then the cars
 * leave it (they catch the safety car's queue at near race pace, then run at
 * its pace) and the field is held slow (hold) for most of the
 * SAFETY_CAR_MIN_MS that follow. An FCY released to green is not.
 */
function safetyCarAfterFcy(fieldRuns: ReadonlyArray<[number, number]>, r: number, limiterBin: (b: number) => boolean, hold: (b: number) => boolean, count: number): number | null {
  const [from, to] = fieldRuns[r]!;
  let b = from;
  while (b < to && !limiterBin(b) && (b - from) * BIN_MS < LIMITER_LEAD_MS) b++;
  if (b >= to || !limiterBin(b)) return null;
  // Bins with few cars crossing can miss: a gap under MIN_PERIOD_MS does not end the FCY pace.
  let end = b;
  for (let gap = 0, i = b; i < to && gap * BIN_MS < MIN_PERIOD_MS; i++) {
    if (limiterBin(i)) {
      end = i + 1;
      gap = 0;
    } else gap++;
  }
  if ((end - b) * BIN_MS < LIMITER_MIN_MS) return null;
  const after = Math.min(count, end + SAFETY_CAR_MIN_MS / BIN_MS);
  let held = 0;
  for (let i = end; i < after; i++) if (hold(i)) held++;
  return after > end && 2 * held >= after - end ? end : null;
}

/**
 * When the field left the limiter's pace near boundMs (ms): each car's first
 * sector off it after one on it holds the instant. Slow for a time x at the
 * limiter's L, then at the car's pace in its next sector (q times the
 * limiter's there), the sector takes d = x + (1 − x/L)·qL, so
 * x = (d − qL)/(1 − q); the middle of the sector when q is not under 1.
 * The median of the cars' instants; null with fewer than MIN_CARS.
 */
function limiterExit(cars: readonly CarSectors[], limiter: Float64Array, boundMs: number): number | null {
  const fromMs = boundMs - TRANSITION_WINDOW_MS;
  const toMs = boundMs + TRANSITION_WINDOW_MS;
  const estimates: number[] = [];
  for (const car of cars) {
    const seq = sectorsBetween(car, fromMs, toMs);
    const on = (s: SectorRun | undefined) => s !== undefined && !Number.isNaN(s.ratio) && onLimiter(s.toMs - s.fromMs, limiter[s.k]!);
    for (let i = 1; i < seq.length; i++) {
      const mixed = seq[i]!;
      if (mixed.fromMs < fromMs) continue;
      if (mixed.fromMs >= toMs) break;
      if (!on(seq[i - 1]) || on(mixed) || Number.isNaN(mixed.ratio) || limiter[mixed.k] === 0) continue;
      const d = mixed.toMs - mixed.fromMs;
      const L = limiter[mixed.k]!;
      const after = seq[i + 1];
      const q = after !== undefined && !Number.isNaN(after.ratio) && limiter[after.k]! > 0 ? (after.toMs - after.fromMs) / limiter[after.k]! : NaN;
      const x = q < 1 && d < L ? (d - q * L) / (1 - q) : d / 2;
      estimates.push(mixed.fromMs + Math.min(d, Math.max(0, x)));
      break;
    }
  }
  if (estimates.length < MIN_CARS) return null;
  estimates.sort((a, b) => a - b);
  return Math.round(estimates[estimates.length >> 1]!);
}

/** The field's green lap (ms): the median over the cars of their reference sectors' sum. */
function greenLapMs(cars: readonly CarSectors[]): number {
  const laps = cars.map((c) => c.ref[0]! + c.ref[1]! + c.ref[2]!).sort((a, b) => a - b);
  return laps.length === 0 ? 0 : laps[laps.length >> 1]!;
}
