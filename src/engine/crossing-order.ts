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
 * known (a lap or a sector sent again) is the store's business (duplicate or
 * conflict), not checked here, so a batch sent again is answered as before.
 *
 * What it cannot know: which of two contradicting points is wrong. The first
 * one stored stands, so a lap stamped hours late (a clock jumping forward)
 * makes the car's later laps refused, each saying why.
 */
import type { TimingEvent } from '../model/events.js';
import { sectorPosition } from '../model/sectors.js';
import { formatRaceTime } from '../model/time.js';
import type { CarTimeline, RaceTimeline } from './timeline.js';

/** Points accepted by this check but not in the timeline yet (earlier events of the same batch), per car. */
interface Pending {
  /** Lap numbers ascending, their crossings beside them. */
  laps: number[];
  crossings: number[];
  /** Sector lines told: position → crossing. */
  sectors: Map<number, number>;
}

/** The nearest known point on one side: its position and crossing (position 0 at 0 ms: the start). */
interface Point {
  position: number;
  ms: number;
}

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
    if (this.known(car, pending, lap, position)) return null;
    const below = this.below(car, pending, lap, position);
    const above = this.above(car, pending, lap, position);
    const t = event.crossingMs;
    if (t > below.ms && t < above.ms) return null;
    const what = event.type === 'lap' ? `car ${event.car} lap ${lap} is completed at ${formatRaceTime(t, true)}` : `car ${event.car} crosses the S${event.sector} line of lap ${lap} at ${formatRaceTime(t, true)}`;
    const rule = event.type === 'lap' ? ": a car's laps are completed in lap order" : '';
    if (t <= below.ms) return `${what}, not after ${pointName(below)}${rule}`;
    return `${what}, not before ${pointName(above)}${rule}`;
  }

  /** A point about to be stored: later events of the batch see it. */
  accept(event: TimingEvent): void {
    if (event.type !== 'lap' && event.type !== 'sector') return;
    let pending = this.pending.get(event.car);
    if (pending === undefined) this.pending.set(event.car, (pending = { laps: [], crossings: [], sectors: new Map() }));
    if (event.type === 'sector') {
      const position = sectorPosition(event.lap, event.sector);
      if (!pending.sectors.has(position)) pending.sectors.set(position, event.crossingMs);
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

  /** A point at `position` is stored already, or was accepted earlier in the batch. */
  private known(car: CarTimeline | undefined, pending: Pending | undefined, lap: number, position: number): boolean {
    if (position % 3 === 0) {
      if (car !== undefined && !Number.isNaN(car.crossingOfLap(lap))) return true;
      return pending !== undefined && pending.laps[lowerBound(pending.laps, lap)] === lap;
    }
    if (car !== undefined && !Number.isNaN(car.toldSectorAt(position))) return true;
    return pending?.sectors.has(position) === true;
  }

  /** The nearest known point before `position`: the nearest lap below `lap`, or a sector line told after it. */
  private below(car: CarTimeline | undefined, pending: Pending | undefined, lap: number, position: number): Point {
    let point = START;
    if (car !== undefined) {
      const l = car.lapsAround(lap);
      if (l.below > 0) point = { position: sectorPosition(l.below, 3), ms: l.belowMs };
    }
    if (pending !== undefined) {
      const i = lowerBound(pending.laps, lap);
      if (i > 0 && sectorPosition(pending.laps[i - 1]!, 3) > point.position) point = { position: sectorPosition(pending.laps[i - 1]!, 3), ms: pending.crossings[i - 1]! };
    }
    for (const sectors of [car?.toldSectorPoints(), pending?.sectors]) {
      if (sectors !== undefined) point = nearestSector(sectors, point.position, position, point, 'below');
    }
    return point;
  }

  /** The nearest known point after `position`: lap `lap` itself for one of its sector lines, else the nearest lap above, or a sector line told before it. */
  private above(car: CarTimeline | undefined, pending: Pending | undefined, lap: number, position: number): Point {
    let point = NONE;
    const consider = (number: number, ms: number): void => {
      const at = sectorPosition(number, 3);
      if (at > position && at < point.position) point = { position: at, ms };
    };
    if (car !== undefined) {
      const own = car.crossingOfLap(lap);
      if (!Number.isNaN(own)) consider(lap, own);
      const l = car.lapsAround(lap);
      if (l.above !== null) consider(l.above, l.aboveMs);
    }
    if (pending !== undefined) {
      const i = lowerBound(pending.laps, lap);
      if (i < pending.laps.length) consider(pending.laps[i]!, pending.crossings[i]!);
    }
    for (const sectors of [car?.toldSectorPoints(), pending?.sectors]) {
      if (sectors !== undefined) point = nearestSector(sectors, position, point.position, point, 'above');
    }
    return point;
  }
}

/**
 * The told sector line nearest `side` within the open range (from, to) of
 * positions, or `found` when none is nearer: position by position when the
 * range is short (a lap or two), else over every sector told (a range across
 * many missing laps), so a check costs the smaller of the two.
 */
function nearestSector(sectors: ReadonlyMap<number, number>, from: number, to: number, found: Point, side: 'below' | 'above'): Point {
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
