/**
 * Classification of any session at instant t: races as standings.ts ranks
 * them, practice, qualifying and test sessions by best lap (DESIGN.md
 * "Session type"), and in both cases with the board rows a live feed gave
 * where it has no lap event (a feed joined at lap 300, a lap the feed missed).
 *
 * A wrapper over `standingsAt`, not a second engine: it reads the same rows
 * and only re-ranks and re-measures when the session is not a race or the
 * timeline holds board rows. A race from lap files comes back unchanged.
 *
 * Gaps where board rows are involved follow the live board's own rule
 * (specs/rmonitor.md §7: same laps → difference of last crossings; else
 * "N laps"), because the crossing of an earlier lap is not in the feed. In a
 * non-race session the gap is the difference of best laps, as a practice
 * board shows it; a car with no timed lap has none.
 */
import { sessionTypeOf } from '../model/events.js';
import { resultCode } from '../model/format.js';
import type { CarStanding, Gap, Standings } from '../model/standings.js';
import { classKey, compareCarNumbers, standingsAt, type StandingsOptions } from './standings.js';
import type { RaceTimeline } from './timeline.js';

export function classificationAt(timeline: RaceTimeline, t: number | null, options: StandingsOptions = {}): Standings {
  const race = sessionTypeOf(timeline.session) === 'race';
  if (race && !timeline.hasBoards) return standingsAt(timeline, t, options);
  const base = standingsAt(timeline, t);
  const at = base.at.raceTimeMs;
  const place = new Map<string, { refresh: number; position: number }>();
  // A practice, qualifying or test session has no result to stand: no classification rule (the flag, 70%) applies.
  const cars = base.cars.map((car) => withBoard(timeline, race ? car : { ...car, classified: null, reason: null }, at, place));
  const byPlace = (a: CarStanding, b: CarStanding): number => {
    const pa = place.get(a.number);
    const pb = place.get(b.number);
    if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1;
    return pb.refresh - pa.refresh || pa.position - pb.position;
  };
  cars.sort(race ? (a, b) => resultGroup(a) - resultGroup(b) || compareByLaps(a, b, byPlace) : (a, b) => compareByBestLap(a, b, byPlace));
  const classCount = new Map<string, number>();
  const classLeader = new Map<string, CarStanding>();
  const classAhead = new Map<string, CarStanding>();
  const wanted = options.className === undefined ? undefined : classKey(options.className);
  const out: CarStanding[] = [];
  cars.forEach((car, i) => {
    const classPosition = (classCount.get(car.class) ?? 0) + 1;
    classCount.set(car.class, classPosition);
    const cLeader = classLeader.get(car.class) ?? car;
    if (!classLeader.has(car.class)) classLeader.set(car.class, car);
    const cAhead = classAhead.get(car.class);
    classAhead.set(car.class, car);
    if (wanted !== undefined && classKey(car.class) !== wanted) return;
    const gap = race ? boardGap : bestLapGap;
    out.push({
      ...car,
      position: i + 1,
      classPosition,
      gap: i === 0 ? null : gap(cars[0]!, car),
      interval: i === 0 ? null : gap(cars[i - 1]!, car),
      classGap: cLeader === car ? null : gap(cLeader, car),
      classInterval: cAhead === undefined ? null : gap(cAhead, car),
    });
  });
  if (race) return { ...base, cars: out };
  const { result: _result, ...session } = base;
  return { ...session, cars: out };
}

/**
 * The car's row with the board's word where it is the latest: a board row
 * stated after the car's last lap event gives laps, last crossing and best
 * lap (the timing system may have corrected them, e.g. after a reset); lap
 * events after the row extend it, and their lap times count for the best.
 * The row's board place, if any, goes into `place`.
 */
function withBoard(timeline: RaceTimeline, car: CarStanding, at: number, place: Map<string, { refresh: number; position: number }>): CarStanding {
  const timelineCar = timeline.cars.get(car.number);
  const board = timelineCar?.boardAt(at);
  if (timelineCar === undefined || board === undefined) return car;
  if (board.position !== null) place.set(car.number, { refresh: board.refresh, position: board.position });
  const next = { ...car };
  // A row stated at the very instant of the car's last crossing was built before that lap was told: the lap stands.
  if (board.atMs > car.lastCrossingMs) {
    next.laps = board.laps;
    next.lastCrossingMs = board.crossingMs;
  }
  let best = board.bestLapMs ?? Infinity;
  for (let i = timelineCar.indexAt(board.atMs), n = timelineCar.indexAt(at); i < n; i++) best = Math.min(best, timelineCar.lapAtIndex(i)!.lapMs);
  next.bestLapMs = Number.isFinite(best) ? best : null;
  return next;
}

type Comparator = (a: CarStanding, b: CarStanding) => number;

/**
 * Race order: laps, then who completed them first; cars with no lap in the
 * board's order (`byPlace`: the grid, as the feed's last `$G` ranks it; a
 * place from a later refresh first), then by number.
 */
/**
 * After the flag, as standings.ts orders a race from lap files (and official
 * results list them): classified (or still running to the line) first, then
 * the unclassified, disqualified last. 0 for every car before the result.
 */
function resultGroup(car: CarStanding): number {
  const code = resultCode(car);
  return code === 'DSQ' ? 2 : code === '' ? 0 : 1;
}

function compareByLaps(a: CarStanding, b: CarStanding, byPlace: Comparator): number {
  if (a.laps !== b.laps) return b.laps - a.laps;
  if (a.laps > 0 && a.lastCrossingMs !== b.lastCrossingMs) return a.lastCrossingMs - b.lastCrossingMs;
  return (a.laps === 0 ? byPlace(a, b) : 0) || compareCarNumbers(a.number, b.number);
}

/** Practice, qualifying and test order: best lap; cars without a timed lap last, in the board's order. */
function compareByBestLap(a: CarStanding, b: CarStanding, byPlace: Comparator): number {
  const ba = a.bestLapMs ?? Infinity;
  const bb = b.bestLapMs ?? Infinity;
  if (ba !== bb) return ba - bb;
  return (a.bestLapMs === null ? byPlace(a, b) : 0) || compareByLaps(a, b, byPlace);
}

function boardGap(ahead: CarStanding, car: CarStanding): Gap {
  if (ahead.laps > car.laps) return { laps: ahead.laps - car.laps };
  if (car.laps === 0) return null;
  return { ms: Math.max(0, car.lastCrossingMs - ahead.lastCrossingMs) };
}

function bestLapGap(ahead: CarStanding, car: CarStanding): Gap {
  if (ahead.bestLapMs === null || car.bestLapMs === null) return null;
  return { ms: car.bestLapMs - ahead.bestLapMs };
}
