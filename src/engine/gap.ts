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
 * One case the definition leaves open: A completed lap L *after* B did (B
 * then stopped or slowed, and A went by), so at B's crossing A had fewer than
 * L laps. A now has more laps than B, and B has not crossed since A passed:
 * B is A.laps − B.laps laps behind until it crosses again (never a negative
 * time).
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

export function gapBehind(a: CarAtInstant, b: CarAtInstant): Gap {
  if (a.car === b.car) return null;
  const lapsDown = a.laps - b.laps;
  if (b.laps === 0 || (b.stationary && lapsDown > 0)) return { laps: Math.max(0, lapsDown) };
  const bCrossing = b.lastCrossingMs;
  const n = a.car.lapsAt(bCrossing) - b.laps;
  if (n >= 1) return { laps: n };
  if (n < 0) return { laps: lapsDown };
  return { ms: bCrossing - a.car.crossingOfLap(b.laps) };
}
