/**
 * Where a pit stop sits relative to the timing line. Al Kamel gives the pit
 * lane time on the out-lap, but not how much of it came before the line (in
 * the in-lap) and how much after (in the out-lap): that depends on where the
 * line crosses the pit lane — before the boxes at Le Mans, after them at
 * Imola or Daytona. Both laps run long by the part of the stop they hold, so
 * the stop is shared in proportion to how much each exceeded the car's best
 * lap, never more than either lap can hold.
 *
 * One rule for the source (placing the pit exit) and the analysis (drive time).
 */
export function pitTimeBeforeLine(
  pitLaneMs: number,
  inLapMs: number,
  outLapMs: number,
  bestLapMs: number,
  /** What the in-lap can still hold (less when it was also an out-lap). */
  roomMs: number = inLapMs,
): number {
  const excessIn = Math.max(0, inLapMs - bestLapMs);
  const excessOut = Math.max(0, outLapMs - bestLapMs);
  const share = excessIn + excessOut === 0 ? 0 : Math.round((pitLaneMs * excessIn) / (excessIn + excessOut));
  return Math.max(0, Math.min(roomMs, pitLaneMs, Math.max(share, pitLaneMs - outLapMs)));
}
