/**
 * A car's timing points come in race-time order (DESIGN.md "Crossing"):
 * lap L is completed after every timing point before it (the laps below,
 * the S1 and S2 lines of lap L and of every lap below) and before every
 * point after it, and a sector line of lap L is crossed after lap L − 1 and
 * the lines before it, and before lap L is completed. The engine's reads rely
 * on it: "laps completed at t" counts the crossings at or before t, by
 * binary search. A lap that breaks it (a timing system's clock reset, a feed
 * that sends another car's time, a hand-typed event) would make the car
 * complete lap 3 before lap 2 at some instant and give every car around it
 * a wrong place and gap, so it is refused where events come in
 * (server/races.ts `RaceHub.ingest`: the ingest API, file imports, live
 * sources) and left out with a warning where files are read (cli/load.ts).
 *
 * Points are numbered as model/sectors.ts `sectorPosition` numbers them: the
 * S1 and S2 lines of lap L at 3(L − 1) + 1 and + 2, its line at 3L. A point
 * is checked against the nearest known points on either side: the car's
 * placed laps and the sector crossings told by sector events (a lap's S1/S2
 * times are not points here), and those accepted before it in the same
 * batch. Points may still arrive in any order (a late lap between two placed
 * ones is fine as long as its crossing lies between theirs). A point already
 * stored (a lap or a sector sent again) is the store's business (duplicate
 * or conflict), not checked here, so a batch sent again is answered as
 * before; one sent twice in a batch (or a file read by the CLI, which has no
 * store) with another time the second time is refused: the first stands.
 *
 * What it cannot know: which of two contradicting points is wrong. The first
 * one stored stands, so a lap stamped hours late (a clock jumping forward)
 * makes the car's later laps refused, each saying why.
 */
import type { LapEvent, SectorEvent, TimingEvent } from '../model/events.js';
import { sectorPosition } from '../model/sectors.js';
import { formatRaceTime } from '../model/time.js';
import type { CarTimeline, RaceTimeline, ToldSectors } from './timeline.js';

/** Points accepted by this check but not in the timeline yet (earlier events of the same batch), per car. */
interface Pending {
  /** Lap numbers ascending, their crossings beside them. */
  laps: number[];
  crossings: number[];
  /** Sector lines told. */
  sectors: ToldSectors;
}

/** The nearest known point on one side: its position and crossing (position 0 at 0 ms: the start). */
interface Point {
  position: number;
  ms: number;
}

/** CarTimeline.lapsAround's answer. */
type LapsAround = ReturnType<CarTimeline['lapsAround']>;

const START: Point = { position: 0, ms: 0 };
const NONE: Point = { position: Infinity, ms: Infinity };

/**
 * Checks events one after another against a race's timeline and the points
 * accepted before them in the same batch. `problem` names what is wrong
 * (null when the event may be stored); `accept` records a point that is going
 * to be stored, so later events of the batch are checked against it too.
 */
export class CrossingOrder {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly timeline: RaceTimeline | undefined) {}

  /** Why this event contradicts the car's timing points, or null. Only laps and sector crossings are checked. */
  problem(event: TimingEvent): string | null {
    if (event.type !== 'lap' && event.type !== 'sector') return null;
    const lap = event.lap;
    const position = event.type === 'lap' ? sectorPosition(lap, 3) : sectorPosition(lap, event.sector);
    const car = this.timeline?.cars.get(event.car);
    const pending = this.pending.get(event.car);
    // Sent again in the same batch (or file) with another time: the first stands. Stored already: the store's to answer.
    const earlier = pendingAt(pending, lap, position);
    if (earlier !== undefined) return earlier === event.crossingMs ? null : `${pointSaid(event)}, sent again: it was told at ${formatRaceTime(earlier, true)} before, which stands`;
    if (this.known(car, lap, position)) return null;
    // The car's placed laps either side, found once for both sides.
    const laps = car?.lapsAround(lap);
    const below = this.below(car, laps, pending, lap, position);
    const above = this.above(car, laps, pending, lap, position);
    const t = event.crossingMs;
    if (t > below.ms && t < above.ms) return null;
    const rule = event.type === 'lap' ? ": a car's laps are completed in lap order" : '';
    if (t <= below.ms) return `${pointSaid(event)}, not after ${pointName(below)}${rule}`;
    return `${pointSaid(event)}, not before ${pointName(above)}${rule}`;
  }

  /** A point about to be stored: later events of the batch see it. */
  accept(event: TimingEvent): void {
    if (event.type !== 'lap' && event.type !== 'sector') return;
    let pending = this.pending.get(event.car);
    if (pending === undefined) this.pending.set(event.car, (pending = { laps: [], crossings: [], sectors: { points: new Map(), highest: 0 } }));
    if (event.type === 'sector') {
      const position = sectorPosition(event.lap, event.sector);
      if (!pending.sectors.points.has(position)) pending.sectors.points.set(position, event.crossingMs);
      if (position > pending.sectors.highest) pending.sectors.highest = position;
      return;
    }
    const i = lowerBound(pending.laps, event.lap);
    if (pending.laps[i] === event.lap) return;
    pending.laps.splice(i, 0, event.lap);
    pending.crossings.splice(i, 0, event.crossingMs);
  }

  /** `problem`, then `accept` when there is none. */
  take(event: TimingEvent): string | null {
    const problem = this.problem(event);
    if (problem === null) this.accept(event);
    return problem;
  }

  /** A point at `position` is stored already. */
  private known(car: CarTimeline | undefined, lap: number, position: number): boolean {
    if (car === undefined) return false;
    return !Number.isNaN(position % 3 === 0 ? car.crossingOfLap(lap) : car.toldSectorAt(position));
  }

  /** The nearest known point before `position`: the nearest lap below `lap`, or a sector line told after it. */
  private below(car: CarTimeline | undefined, laps: LapsAround | undefined, pending: Pending | undefined, lap: number, position: number): Point {
    let point = START;
    if (laps !== undefined && laps.below > 0) point = { position: sectorPosition(laps.below, 3), ms: laps.belowMs };
    if (pending !== undefined) {
      const i = lowerBound(pending.laps, lap);
      if (i > 0 && sectorPosition(pending.laps[i - 1]!, 3) > point.position) point = { position: sectorPosition(pending.laps[i - 1]!, 3), ms: pending.crossings[i - 1]! };
    }
    if (car !== undefined) point = nearestSector(car.toldSectorPoints(), point.position, position, point, 'below');
    if (pending !== undefined) point = nearestSector(pending.sectors, point.position, position, point, 'below');
    return point;
  }

  /** The nearest known point after `position`: lap `lap` itself for one of its sector lines, else the nearest lap above, or a sector line told before it. */
  private above(car: CarTimeline | undefined, laps: LapsAround | undefined, pending: Pending | undefined, lap: number, position: number): Point {
    let point = NONE;
    const consider = (number: number, ms: number): void => {
      const at = sectorPosition(number, 3);
      if (at > position && at < point.position) point = { position: at, ms };
    };
    if (car !== undefined) {
      const own = car.crossingOfLap(lap);
      if (!Number.isNaN(own)) consider(lap, own);
    }
    if (laps !== undefined && laps.above !== null) consider(laps.above, laps.aboveMs);
    if (pending !== undefined) {
      const i = lowerBound(pending.laps, lap);
      if (i < pending.laps.length) consider(pending.laps[i]!, pending.crossings[i]!);
    }
    if (car !== undefined) point = nearestSector(car.toldSectorPoints(), position, point.position, point, 'above');
    if (pending !== undefined) point = nearestSector(pending.sectors, position, point.position, point, 'above');
    return point;
  }
}

/**
 * The told sector line nearest `side` within the open range (from, to) of
 * positions, or `found` when none is nearer: position by position when the
 * range is short (a lap or two), else over every sector told (a range across
 * many missing laps), so a check costs the smaller of the two. The range
 * ends at the highest position told: a point at the front of
 * the car's race, the usual case live, has none above it and costs nothing.
 */
function nearestSector(told: Readonly<ToldSectors>, from: number, to: number, found: Point, side: 'below' | 'above'): Point {
  const sectors = told.points;
  to = Math.min(to, told.highest + 1);
  if (sectors.size === 0 || to - from <= 1) return found;
  if (to - from - 1 <= sectors.size) {
    if (side === 'below') {
      for (let q = to - 1; q > from; q--) {
        const ms = sectors.get(q);
        if (ms !== undefined) return { position: q, ms };
      }
    } else {
      for (let q = from + 1; q < to; q++) {
        const ms = sectors.get(q);
        if (ms !== undefined) return { position: q, ms };
      }
    }
    return found;
  }
  let point = found;
  for (const [q, ms] of sectors) {
    if (q <= from || q >= to) continue;
    if (side === 'below' ? q > point.position : q < point.position) point = { position: q, ms };
  }
  return point;
}

/** The crossing accepted earlier in the batch at this point, if any. */
function pendingAt(pending: Pending | undefined, lap: number, position: number): number | undefined {
  if (pending === undefined) return undefined;
  if (position % 3 !== 0) return pending.sectors.points.get(position);
  const i = lowerBound(pending.laps, lap);
  return pending.laps[i] === lap ? pending.crossings[i] : undefined;
}

/** "car 7 lap 6 is completed at 0:15:00.000", "car 7 crosses the S1 line of lap 2 at 0:04:30.000": built only for a refusal. */
function pointSaid(event: LapEvent | SectorEvent): string {
  const at = formatRaceTime(event.crossingMs, true);
  return event.type === 'lap' ? `car ${event.car} lap ${event.lap} is completed at ${at}` : `car ${event.car} crosses the S${event.sector} line of lap ${event.lap} at ${at}`;
}

/** "lap 4 (0:13:20.000)", "the S1 line of lap 5 (0:14:00.000)", "the start". */
function pointName(point: Point): string {
  if (point.position === 0) return 'the start';
  const lap = Math.ceil(point.position / 3);
  const line = point.position % 3;
  const at = formatRaceTime(point.ms, true);
  return line === 0 ? `lap ${lap} (${at})` : `the S${line} line of lap ${lap} (${at})`;
}

/**
 * The events with every lap or sector crossing that contradicts the car's
 * timing points before it (in the events' order) left out, and those left
 * out with the reason. For files read on the command line (cli/load.ts),
 * where the rest of the race is still worth showing.
 */
export function inCrossingOrder(events: readonly TimingEvent[]): { events: TimingEvent[]; refused: { event: TimingEvent; reason: string }[] } {
  const order = new CrossingOrder(undefined);
  const kept: TimingEvent[] = [];
  const refused: { event: TimingEvent; reason: string }[] = [];
  for (const event of events) {
    const reason = order.take(event);
    if (reason === null) kept.push(event);
    else refused.push({ event, reason });
  }
  return { events: refused.length === 0 ? (events as TimingEvent[]) : kept, refused };
}

function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
