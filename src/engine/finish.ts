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
  for (const c of candidates) if (leadsOnRoad(field, c.car, c.index, c.ms)) return c.ms;
  return null;
}

/**
 * True when the crossing of `car` at `index` (at `ms`) is by the car leading
 * on the road: no other car still running is ahead of it in the order (more
 * laps, or as many and crossed first); a car that is overdue (`overdueAt`)
 * has stopped and does not count.
 */
function leadsOnRoad(field: readonly CarTimeline[], car: CarTimeline, index: number, ms: number): boolean {
  const laps = car.lapAtIndex(index)!.lap;
  return !field.some((other) => {
    if (other === car) return false;
    const n = other.indexAt(ms);
    if (n === 0) return false;
    const otherLap = other.lapAtIndex(n - 1)!;
    const isAhead = otherLap.lap > laps || (otherLap.lap === laps && otherLap.crossingMs < ms);
    return isAhead && !overdueAt(other, n - 1, ms);
  });
}

/**
 * How far (ms) from the first crossing under a feed's finish flag the road
 * leader's crossing may lie and still be the one the flag fell on
 * (feedFlagMs). A feed tells the finish as a state, not as a crossing, and
 * the state is seen late or early against the crossing it marks:
 * - RMonitor sends `$F` once a second in whole seconds, after the crossings
 *   of its second (specs/rmonitor.md §5), so the first "Finish" can follow
 *   the crossing it marks by up to 2 s; a relay has delivered a `$F` 3 s
 *   late (barber-2025-8h-finish-stopped-cars; decoder.ts TOTAL_CLOCK_LEAD_MS);
 * - observed at the Sebring 14hr 2025 (champcar-2025-sebring-14h-last-35min):
 *   the winner #352 crossed at 13:48:57.372, the next `$F` (13:48:57) still
 *   said Green and the one after (13:48:58) said Finish; the first crossing
 *   under it, #252's, came 1.469 s after the winner's;
 * - at Barber 2025 the "Finish" came ~1 s before the winner #58's crossing.
 * 5 s is those 2 s + 3 s; it is far below a lap (~1:30 at the shortest
 * circuit we hold), so the leader's crossing before or after is never
 * mistaken for one a lap away.
 */
export const FEED_FLAG_WINDOW_MS = 5_000;

/**
 * When the chequered flag fell in a file or feed that signals it (an `FF`
 * flag in Al Kamel, `$F` "Finish" in RMonitor), `firstFinishMs` being the
 * first crossing that carries that flag. endurance-rules.md §6: the flag is
 * shown to the overall leader as it crosses the line, so the signal marks
 * the leader's crossing, not whichever car happened to cross next: the
 * flag falls on the crossing within FEED_FLAG_WINDOW_MS of `firstFinishMs`
 * (before or after it, the earliest) by the car leading on the road
 * (`leadsOnRoad`: a leader that has stopped does not count). A crossing by
 * any other car in that window is not the flag; with no leader's crossing
 * there, the first crossing under the flag stands, as the feed said.
 *
 * A feed says the finish late, so what is known at an instant differs from
 * an import for a few seconds: live, the flag is known at `firstFinishMs`
 * (then placed on the leader's crossing up to the window before it), and a
 * leader's crossing up to the window after it moves the flag when it
 * arrives. From the later of the two on, live, replay and import agree.
 */
export function feedFlagMs(cars: Iterable<CarTimeline>, firstFinishMs: number): number {
  const field = [...cars];
  let best = Infinity;
  for (const car of field) {
    for (let i = car.indexAt(firstFinishMs - FEED_FLAG_WINDOW_MS - 1); i < car.lapTotal; i++) {
      const ms = car.crossingAtIndex(i);
      if (ms > firstFinishMs + FEED_FLAG_WINDOW_MS) break;
      if (ms < best && leadsOnRoad(field, car, i, ms)) best = ms;
    }
  }
  return Number.isFinite(best) ? best : firstFinishMs;
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
 * events are known to be the whole race (`complete`, set by an import, or a
 * `result-declared` decision, which a live replay of the file sends) and
 * whose timing stops before the scheduled length, the last crossing. Laps
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
  // A whole race (a file: timeline.complete) or race control's word (a `result-declared` decision, as a
  // live replay of such a file sends at its end) says the timing's end is the race's.
  // Race control's word stands at the last crossing before it: laps that arrive after it do not move it.
  const word = timeline.complete ? undefined : timeline.decisions.find((d) => d.kind === 'result-declared');
  if (!timeline.complete && word === undefined) return null;
  // The timing's end is the last crossing: a decision announced later (a post-race DSQ, time added)
  // neither moves the declaration nor, past the scheduled length, cancels it.
  const endMs = word === undefined ? timeline.lastCrossingMs : lastCrossingAtOrBefore(timeline, word.atMs);
  if (scheduled === null || endMs >= scheduled || endMs <= 0) return null;
  return endMs;
}

/** The latest crossing of the line by any car at or before race time t (0 when none). */
function lastCrossingAtOrBefore(timeline: RaceTimeline, t: number): number {
  let latest = 0;
  for (const car of timeline.cars.values()) {
    const n = car.indexAt(t);
    const crossing = n > 0 ? car.lapAtIndex(n - 1)!.crossingMs : 0;
    if (crossing > latest) latest = crossing;
  }
  return latest;
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
