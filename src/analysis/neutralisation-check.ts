/**
 * Judging the inferred neutralisations against race control's flags on a
 * file that has them (FLAG_AT_FL, 2023 on): the inference never reads the
 * flags, so the same timeline is both the "hidden" input and the truth.
 *
 * Per lap: a lap is neutralised in truth when the flag shown as it crossed
 * the line was SF or FCY, inferred when a safety-car or FCY period covers its
 * crossing. Laps under red or after the finish flag, and lap 1, are left out.
 * FLAG_AT_FL belongs to the lap's end crossing, not its start: sorted by end
 * crossing the 15 files' flags change 16–25 times per 24 h file (the flag
 * periods), sorted by start 78–133 times (Le Mans 2023: 16 against 78), so
 * both sides compare the state at the end crossing.
 * The flag almost never shows the FCY that precedes a safety car: one file
 * has an FCY turning into SF (Fuji 2025, 3:32:07 → 3:35:56), yet in 17 of
 * the 38 safety cars the GF laps crossing
 * in the 5 min before SF first shows ran at 1.5–2.5× the car's median green
 * lap, the pace of the flagged FCYs (1.4–2.0×) (e.g. Fuji 2024 from
 * 1:21:30: every class at S1 58.5 s against 22.5 s, GF until 1:28:31).
 * These laps stay green in the truth (the file's word); the false positives
 * among them are counted apart (falsePositiveInRunUp). The inference tells
 * that FCY from the safety car by its pace (every car at the limiter's
 * sector times) and starts the safety car where the cars leave it
 * (neutralisations.ts, fcyFromMs), so the comparison itself is unchanged.
 * Per period: consecutive SF/FCY periods of race control make one
 * neutralisation (an FCY often turns into a safety car); it is found when an
 * inferred field-wide period overlaps it, and its start and end errors are
 * inferred minus true (ms).
 */
import type { RaceTimeline } from '../engine/timeline.js';
import { flagPeriods } from './flags.js';
import { inferNeutralisations, inferredNeutralisationAt } from './neutralisations.js';
import { median } from './race-index.js';

/** How long before a safety car shows at the line its run-up is counted (see falsePositiveInRunUp). */
export const RUN_UP_MS = 15 * 60_000;

export interface NeutralisationCheck {
  laps: number;
  truePositive: number;
  falsePositive: number;
  falseNegative: number;
  recall: number;
  precision: number;
  /**
   * False positives in the RUN_UP_MS before a safety car shows at the line:
   * on these files the field often runs at safety-car pace for minutes while
   * FLAG_AT_FL still shows green (e.g. Fuji 2024 #6 lap 50, 3:23 against
   * 1:32, flagged green). Precision without them says how much of the rest
   * is the inference's own error.
   */
  falsePositiveInRunUp: number;
  precisionOutsideRunUp: number;
  /** Race control's neutralisations (consecutive SF/FCY joined), each with what the inference made of it. */
  periods: Array<{ startMs: number; endMs: number; safetyCar: boolean; found: boolean; startErrorMs: number | null; endErrorMs: number | null }>;
  safetyCarPeriods: number;
  safetyCarPeriodsFound: number;
  medianAbsStartErrorMs: number | null;
  medianAbsEndErrorMs: number | null;
  /** Inferred field-wide periods that overlap no neutralisation of race control. */
  spuriousPeriods: number;
}

export function checkNeutralisations(timeline: RaceTimeline): NeutralisationCheck {
  const control = flagPeriods(timeline);
  if (!control.known) throw new Error('checkNeutralisations needs a file with flags (FLAG_AT_FL)');
  const inferred = inferNeutralisations(timeline).filter((p) => p.kind !== 'slow-zone');
  const safetyCarStarts = control.periods.filter((p) => p.flag === 'safety-car').map((p) => p.startMs);
  const inRunUp = (t: number) => safetyCarStarts.some((s) => t < s && t >= s - RUN_UP_MS);
  let runUp = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let laps = 0;
  for (const car of timeline.cars.values()) {
    for (const lap of car.laps) {
      if (lap.lap === 1 || lap.flag === null || lap.flag === 'red' || lap.flag === 'finish') continue;
      laps++;
      const truth = lap.flag === 'safety-car' || lap.flag === 'fcy';
      const guess = inferredNeutralisationAt(inferred, lap.crossingMs) !== null;
      if (truth && guess) tp++;
      else if (guess) {
        fp++;
        if (inRunUp(lap.crossingMs)) runUp++;
      }
      else if (truth) fn++;
    }
  }
  const joined: Array<{ startMs: number; endMs: number; safetyCar: boolean }> = [];
  for (const p of control.periods) {
    if (p.flag !== 'safety-car' && p.flag !== 'fcy') continue;
    const endMs = p.endMs ?? p.startMs + p.durationMs;
    const last = joined[joined.length - 1];
    if (last !== undefined && last.endMs === p.startMs) {
      last.endMs = endMs;
      last.safetyCar ||= p.flag === 'safety-car';
    } else joined.push({ startMs: p.startMs, endMs, safetyCar: p.flag === 'safety-car' });
  }
  const periods = joined.map((t) => {
    const overlapping = inferred.filter((p) => p.startMs < t.endMs && p.endMs > t.startMs);
    if (overlapping.length === 0) return { ...t, found: false, startErrorMs: null, endErrorMs: null };
    return { ...t, found: true, startErrorMs: overlapping[0]!.startMs - t.startMs, endErrorMs: overlapping[overlapping.length - 1]!.endMs - t.endMs };
  });
  const spurious = inferred.filter((p) => !joined.some((t) => p.startMs < t.endMs && p.endMs > t.startMs)).length;
  const found = periods.filter((p) => p.found);
  return {
    laps,
    truePositive: tp,
    falsePositive: fp,
    falseNegative: fn,
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    falsePositiveInRunUp: runUp,
    precisionOutsideRunUp: tp + fp - runUp === 0 ? 1 : tp / (tp + fp - runUp),
    periods,
    safetyCarPeriods: periods.filter((p) => p.safetyCar).length,
    safetyCarPeriodsFound: periods.filter((p) => p.safetyCar && p.found).length,
    medianAbsStartErrorMs: median(found.map((p) => Math.abs(p.startErrorMs!))),
    medianAbsEndErrorMs: median(found.map((p) => Math.abs(p.endErrorMs!))),
    spuriousPeriods: spurious,
  };
}

/** The 2023+ files the thresholds of neutralisations.ts were tuned on. */
export const TUNING_RACES = [
  'lemans-2023-race-analysis.csv',
  'lemans-2024-race-analysis.csv',
  'wec-2024-fuji-6h-race-analysis.csv',
  'wec-2025-qatar-1812km-race-analysis.csv',
  'wec-2025-spa-6h-race-analysis.csv',
] as const;

/** The 2023+ files held out: judged only, never tuned on. */
export const HELD_OUT_RACES = [
  'lemans-2025-race-analysis.csv',
  'lemans-2026-race-analysis.csv',
  'wec-2024-bahrain-8h-race-analysis.csv',
  'wec-2025-cota-6h-race-analysis.csv',
  'wec-2025-fuji-6h-race-analysis.csv',
  'wec-2025-imola-6h-race-analysis.csv',
  'wec-2025-sao-paulo-6h-race-analysis.csv',
  'wec-2026-imola-6h-race-analysis.csv',
  'wec-2026-sao-paulo-6h-race-analysis.csv',
  'wec-2026-spa-6h-race-analysis.csv',
] as const;

/** Totals over several races: laps pooled for recall/precision, periods pooled for the errors. */
export function poolChecks(checks: readonly NeutralisationCheck[]): { recall: number; precision: number; precisionOutsideRunUp: number; safetyCarPeriods: number; safetyCarPeriodsFound: number; medianAbsStartErrorMs: number | null; medianAbsEndErrorMs: number | null } {
  const tp = checks.reduce((a, c) => a + c.truePositive, 0);
  const fp = checks.reduce((a, c) => a + c.falsePositive, 0);
  const fn = checks.reduce((a, c) => a + c.falseNegative, 0);
  const runUp = checks.reduce((a, c) => a + c.falsePositiveInRunUp, 0);
  const found = checks.flatMap((c) => c.periods.filter((p) => p.found));
  return {
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    precisionOutsideRunUp: tp + fp - runUp === 0 ? 1 : tp / (tp + fp - runUp),
    safetyCarPeriods: checks.reduce((a, c) => a + c.safetyCarPeriods, 0),
    safetyCarPeriodsFound: checks.reduce((a, c) => a + c.safetyCarPeriodsFound, 0),
    medianAbsStartErrorMs: median(found.map((p) => Math.abs(p.startErrorMs!))),
    medianAbsEndErrorMs: median(found.map((p) => Math.abs(p.endErrorMs!))),
  };
}
