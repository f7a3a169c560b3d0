/**
 * The finish (endurance-rules.md §6; issue 10 "The finish"): the chequered
 * flag falls on the first crossing, after the scheduled time, of the car that
 * leads on the road; every other car finishes on its next crossing.
 */
import type { CarTimeline, RaceTimeline } from './timeline.js';

/**
 * True when car `car`, last seen crossing the line at index `index` (or
 * leaving the pits after it), should have crossed again by `t` at the pace
 * of its last lap (`laps` of them): it has stopped, on track or in the pits
 * for longer than a lap, so a car behind it that crosses now is ahead of it
 * on the road.
 */
export function overdueAt(car: CarTimeline, index: number, t: number, laps = 1): boolean {
  const last = car.lapAtIndex(index);
  if (last === undefined) return false;
  const exit = car.pitOutAt(t);
  const lastSeen = exit !== undefined && exit.atMs > last.crossingMs ? exit.atMs : last.crossingMs;
  return t > lastSeen + laps * last.lapMs;
}

/**
 * When the flag falls in a file without an `FF` flag: the first crossing
 * after `scheduledMs` by a car that no running car is ahead of. A car ahead
 * in the order (more laps, or as many and crossed first) stops counting once
 * it is overdue (`overdueAt`): the leader at the scheduled time that stopped
 * after its last crossing does not hold the flag back, and the flag waits
 * for whoever leads when it is next shown. Null until that crossing exists.
 *
 * Depends only on crossings up to the one it returns, so the flag falls at
 * the same instant in a live feed, a replay and an import.
 */
export function roadLeaderFlagMs(cars: Iterable<CarTimeline>, scheduledMs: number): number | null {
  const field = [...cars];
  const candidates: Array<{ ms: number; car: CarTimeline; index: number }> = [];
  for (const car of field) {
    for (let i = car.indexAt(scheduledMs); i < car.lapTotal; i++) candidates.push({ ms: car.crossingAtIndex(i), car, index: i });
  }
  candidates.sort((a, b) => a.ms - b.ms);
  for (const c of candidates) {
    const laps = c.car.lapAtIndex(c.index)!.lap;
    const ahead = field.some((other) => {
      if (other === c.car) return false;
      const n = other.indexAt(c.ms);
      if (n === 0) return false;
      const otherLap = other.lapAtIndex(n - 1)!;
      const isAhead = otherLap.lap > laps || (otherLap.lap === laps && otherLap.crossingMs < c.ms);
      return isAhead && !overdueAt(other, n - 1, c.ms);
    });
    if (!ahead) return c.ms;
  }
  return null;
}

/** Index in car.laps of the car's finishing crossing (its first at or after the flag), or -1. */
export function finishIndex(car: CarTimeline, chequeredMs: number): number {
  // Crossings are integer ms: those before the flag are those at or before chequeredMs − 1.
  const i = car.indexAt(chequeredMs - 1);
  return i < car.lapTotal ? i : -1;
}

/**
 * Laps of `car` that count at `at`: those completed by then, and none after
 * its finish once the flag has fallen. `finished` when its finish crossing
 * is among them, so its last stint and drive time are closed.
 */
export function countedLaps(car: CarTimeline, at: number, chequeredMs: number | null): { n: number; finished: boolean } {
  const n = car.indexAt(at);
  if (chequeredMs === null || at < chequeredMs) return { n, finished: false };
  const finish = finishIndex(car, chequeredMs);
  return finish >= 0 && finish < n ? { n: finish + 1, finished: true } : { n, finished: false };
}

/**
 * When a race stopped and never resumed has its result declared (issue 10,
 * "Red-flag results"): with no chequered flag, the first crossing showing the
 * red flag when the last flag shown is red; in a file without flags whose
 * events are known to be the whole race (`complete`, set by an import) and
 * whose timing stops before the scheduled length, the last timing. Laps
 * count up to that instant. endurance-rules.md names no other lap to take,
 * so none is guessed. Null otherwise (a live race between crossings is not
 * "stopped").
 */
export function redFlagResultMs(timeline: RaceTimeline): number | null {
  if (timeline.chequeredMs() !== null) return null;
  if (timeline.hasFlags) {
    // The flag at the latest crossing first: the changes are derived only when it is red (a live read after each commit asks).
    if (timeline.lastFlag() !== 'red') return null;
    return timeline.lastFlagChange()!.atMs;
  }
  const scheduled = timeline.session?.scheduledDurationMs ?? null;
  if (!timeline.complete || scheduled === null || timeline.lastEventMs >= scheduled || timeline.cars.size === 0) return null;
  return timeline.lastEventMs;
}

/** How far the result of a race stands at an instant (resultStatus). */
export type ResultStatus = 'running' | 'provisional' | 'final';

/**
 * Whether the result at `standings` (the classification at some instant) is
 * final (issue 11, Deliver 4):
 * - `running`: no result yet (no chequered flag, no declaration);
 * - `provisional`: the chequered flag has fallen and a car still running
 *   has yet to take it (its `classified` is still null);
 * - `final`: every car still running has taken the flag, or `settleMs`
 *   (race ms) have passed since the flag, or the result was declared under
 *   red flag (endurance-rules.md §6: the race is not resumed).
 */
export function resultStatus(standings: { at: { raceTimeMs: number }; result?: { declared: 'chequered' | 'red-flag'; atMs: number }; cars: ReadonlyArray<{ classified: boolean | null }> }, settleMs: number): ResultStatus {
  const result = standings.result;
  if (result === undefined) return 'running';
  if (result.declared === 'red-flag') return 'final';
  if (standings.cars.every((c) => c.classified !== null)) return 'final';
  return standings.at.raceTimeMs - result.atMs >= settleMs ? 'final' : 'provisional';
}
