/**
 * Timing points: the lines where a car's passage is timed. Al Kamel circuits
 * have three per lap (S1, S2 and the finish line, which ends S3), so a
 * timing point is numbered from the start by one integer, its *position*:
 * the finish line completing lap L is 3L, the S1 and S2 lines of lap L are
 * 3(L − 1) + 1 and 3(L − 1) + 2. Positions grow with distance, so two cars'
 * positions compare as places on the road do, and positions q and q + 3 are
 * the same line one lap apart (DESIGN.md, Gap: "the same rule applies at
 * every timing point").
 */
import type { LapEvent } from './events.js';

/** Timing points per lap: the S1 line, the S2 line, the finish line. */
export const POINTS_PER_LAP = 3;

/** Position of the S1 (sector 1) or S2 (sector 2) line of lap `lap`; sector 3 ends at the finish line, position 3 × lap. */
export function sectorPosition(lap: number, sector: 1 | 2 | 3): number {
  return POINTS_PER_LAP * (lap - 1) + sector;
}

/**
 * Race times (ms) at which the car crossed the S1 and S2 lines during `lap`:
 * start + S1 and start + S1 + S2, the start being the crossing of the lap
 * before (`previousCrossingMs`), or crossing − lap time where that lap is not
 * held (lap 1, a skipped row). Null where a sector time is missing, or where
 * the instant does not fall strictly inside the lap (a sector time that
 * disagrees with the lap's). One function for the engine, which derives the
 * points of imported laps, and the replay, which tells them as sector
 * events: the two must give the same instants (test/engine-sectors.test.ts).
 */
export function sectorCrossingsMs(lap: LapEvent, previousCrossingMs: number | null): [number | null, number | null] {
  const crossings: [number | null, number | null] = [null, null];
  sectorCrossingsInto(crossings, lap, previousCrossingMs);
  return crossings;
}

/**
 * sectorCrossingsMs written into `into` (S1 at 0, S2 at 1): no list a lap
 * for the engine, which builds the points of every car's laps again after
 * a late lap (issue 13, bulk ingest: GC).
 */
export function sectorCrossingsInto(into: [number | null, number | null], lap: LapEvent, previousCrossingMs: number | null): void {
  into[0] = null;
  into[1] = null;
  const startMs = previousCrossingMs ?? lap.crossingMs - lap.lapMs;
  const s1 = lap.sectorsMs[0];
  const s2 = lap.sectorsMs[1];
  if (s1 === null || startMs < 0 || startMs >= lap.crossingMs) return;
  const s1Ms = startMs + s1;
  if (s1Ms >= lap.crossingMs) return;
  into[0] = s1Ms;
  if (s2 === null) return;
  const s2Ms = s1Ms + s2;
  if (s2Ms < lap.crossingMs) into[1] = s2Ms;
}
