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
  const startMs = previousCrossingMs ?? lap.crossingMs - lap.lapMs;
  const [s1, s2] = lap.sectorsMs;
  if (s1 === null || startMs < 0 || startMs >= lap.crossingMs) return [null, null];
  const s1Ms = startMs + s1;
  if (s1Ms >= lap.crossingMs) return [null, null];
  if (s2 === null) return [s1Ms, null];
  const s2Ms = s1Ms + s2;
  return [s1Ms, s2Ms < lap.crossingMs ? s2Ms : null];
}
