/**
 * The gap of B behind A, exactly as DESIGN.md defines it.
 *
 * Let L = laps B has completed, and N = laps A had completed at the instant B
 * completed lap L, minus L. N ≥ 1 → "N laps"; N = 0 → the time between their
 * crossings of lap L. So a car that has just crossed the line ahead of one a
 * few seconds behind is not "a lap" ahead until it comes round again. A car
 * that is stopped (or has no lap yet) is A.laps − B.laps laps behind, or the
 * rule would freeze its gap at its last crossing.
 *
 * Passed in the pits (endurance-rules.md §7): A completed lap L *after* B
 * did (B then stopped in the pits, and A went by), so at B's crossing A had
 * fewer than L laps. B is a lap down only once A has come round again to
 * where B is: while A has completed one lap more than B, B's gap is not yet
 * known and is given as its lower bound, now − A's crossing of lap L + 1,
 * marked provisional; it grows until B crosses, then is exact. Each further
 * lap A completes counts one lap.
 */
import type { Gap } from '../model/standings.js';
import type { CarTimeline } from './timeline.js';

export interface CarAtInstant {
  car: CarTimeline;
  /** Laps completed at the instant. */
  laps: number;
  lastCrossingMs: number;
  /** Stopped, retired or parked in the garage: gaps count in laps. */
  stationary: boolean;
}

/** `now`: the instant of the standings, ms (the provisional lower bound grows with it). */
export function gapBehind(a: CarAtInstant, b: CarAtInstant, now: number): Gap {
  if (a.car === b.car) return null;
  const lapsDown = a.laps - b.laps;
  if (b.laps === 0 || (b.stationary && lapsDown > 0)) return { laps: Math.max(0, lapsDown) };
  const bCrossing = b.lastCrossingMs;
  const n = a.car.lapsAt(bCrossing) - b.laps;
  if (n >= 1) return { laps: n };
  if (n < 0) {
    if (lapsDown >= 2) return { laps: lapsDown - 1 };
    if (lapsDown === 1) return { ms: Math.max(0, now - a.car.crossingOfLap(b.laps + 1)), provisional: true };
    return { laps: Math.max(0, lapsDown) };
  }
  return { ms: bCrossing - a.car.crossingOfLap(b.laps) };
}
