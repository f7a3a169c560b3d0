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
 *
 * At every timing point (rule 'timing-points', DESIGN.md: "where sector
 * crossings are known, the same rule applies at every timing point"): the
 * finish line is one of three timed lines a lap (model/sectors.ts), and the
 * rule above is applied at B's latest timing point P instead of its latest
 * crossing of the line. So the gap moves at S1 and S2, and a car passed in
 * the pits has its exact gap at its next S1 or S2, not a lap later. Where a
 * car does not time the line P is on (no S1/S2 in its data), or where B
 * reached P before A and A has not come past B's next point since (B passed
 * A on the track since the line, or A is in the pits: the classification,
 * which is decided at the line, still has A ahead), the line rule stands.
 * The line rule is the default: the official boards (WEC's Gap prev holds a
 * whole lap, check-gaps.ts) and the hour reports quote the classification at
 * the line; the live timing screen moves at every timing point.
 */
import type { Gap } from '../model/standings.js';
import { POINTS_PER_LAP } from '../model/sectors.js';
import { upperBound, type CarTimeline, type TimingPoints } from './timeline.js';

/** Where gaps are measured: at the finish line only, or at every timing point (S1, S2 and the line) where the cars' data times them. */
export type GapRule = 'line' | 'timing-points';

export interface CarAtInstant {
  car: CarTimeline;
  /** Laps completed at the instant. */
  laps: number;
  lastCrossingMs: number;
  /** Stopped, retired or parked in the garage: gaps count in laps. */
  stationary: boolean;
}

/** `now`: the instant of the standings, ms (the provisional lower bound grows with it). */
export function gapBehind(a: CarAtInstant, b: CarAtInstant, now: number, rule: GapRule = 'line'): Gap {
  if (a.car === b.car) return null;
  const lapsDown = a.laps - b.laps;
  if (b.laps === 0 || (b.stationary && lapsDown > 0)) return { laps: Math.max(0, lapsDown) };
  if (rule === 'timing-points') {
    const atPoint = gapAtTimingPoint(a.car, b.car, now);
    if (atPoint !== undefined) return atPoint;
  }
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

/**
 * The DESIGN.md rule at B's latest timing point at `now` (positions, see
 * model/sectors.ts); undefined where the line rule stands instead. With
 * line-only data on both cars this gives exactly what the line rule gives.
 */
function gapAtTimingPoint(a: CarTimeline, b: CarTimeline, now: number): Gap | undefined {
  // Only points at or before `now` are read: an imported race holds later ones, a live feed has not told them yet.
  const bp = b.timingPoints();
  const ib = upperBound(bp.times, now) - 1;
  if (ib < 0) return undefined;
  const q = bp.positions[ib]!;
  const bAtMs = bp.times[ib]!;
  const ap = a.timingPoints();
  const iaNow = upperBound(ap.times, now) - 1;
  if (iaNow < 0 || !timesLine(ap, q, iaNow)) return undefined;
  const ia = upperBound(ap.times, bAtMs) - 1;
  const aThen = ia < 0 ? 0 : ap.positions[ia]!;
  if (aThen >= q) {
    // A had passed P when B did: N more passages of P are N laps, none is the time between the two passages.
    const n = Math.floor((aThen - q) / POINTS_PER_LAP);
    if (n >= 1) return { laps: n };
    const j = indexOfPosition(ap, q, ia);
    return j < 0 ? undefined : { ms: bAtMs - ap.times[j]! };
  }
  // B was at P first. A is ahead on the road once it has passed B's next point, which B has not reached.
  const aNow = ap.positions[iaNow]!;
  const next = nextPoint(bp, q, ib);
  if (aNow < next || !timesLine(ap, next, iaNow)) return undefined;
  // A lapped B once it came round to B's next point again (§7: "come round again to the point where that car is").
  const lapsDown = Math.floor((aNow - next) / POINTS_PER_LAP);
  if (lapsDown >= 1) return { laps: lapsDown };
  const j = indexOfPosition(ap, next, iaNow);
  // Not yet known: B's gap at its next point is at least the time since A passed it, and grows until B gets there.
  return j < 0 ? undefined : { ms: Math.max(0, now - ap.times[j]!), provisional: true };
}

/** Index of the point at `position` among points[0 ..= last], or −1 (a line the car's data does not time there). */
function indexOfPosition(points: TimingPoints, position: number, last: number): number {
  const positions = points.positions;
  let lo = 0;
  let hi = last;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = positions[mid]!;
    if (p === position) return mid;
    if (p < position) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Whether the car times the line `position` is on, from its points[0 ..= last]:
 * the finish line always; S1 or S2 when its last two laps so far had it.
 */
function timesLine(points: TimingPoints, position: number, last: number): boolean {
  if (position % POINTS_PER_LAP === 0) return true;
  const upTo = points.positions[last]!;
  const latest = upTo - ((((upTo - position) % POINTS_PER_LAP) + POINTS_PER_LAP) % POINTS_PER_LAP);
  return indexOfPosition(points, latest, last) >= 0 || indexOfPosition(points, latest - POINTS_PER_LAP, last) >= 0;
}

/** B's next timing point after `position` (its points[last]): the next line it timed on the lap before, else the finish line. */
function nextPoint(points: TimingPoints, position: number, last: number): number {
  for (let next = position + 1; ; next++) {
    if (next % POINTS_PER_LAP === 0 || indexOfPosition(points, next - POINTS_PER_LAP, last) >= 0) return next;
  }
}
