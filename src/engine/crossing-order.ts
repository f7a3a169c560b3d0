/**
 * A car's crossings come in race-time order: lap L is completed after every
 * lap below it and before every lap above it, and a sector line of lap L is
 * crossed after lap L − 1 and before lap L (DESIGN.md "Crossing": a lap's
 * crossing is the instant it is completed). The engine's reads rely on it:
 * "laps completed at t" counts the crossings at or before t, by binary
 * search. A lap that breaks it (a timing system's clock reset, a feed that
 * sends another car's time, a hand-typed event) would make the car complete
 * lap 3 before lap 2 at some instant and give every car around it a wrong
 * place and gap, so it is refused where events come in (server/races.ts
 * `RaceHub.ingest`: the ingest API, file imports, live sources) and left out
 * with a warning where files are read (cli/load.ts).
 *
 * Laps may still arrive in any order (a late lap between two placed ones is
 * fine as long as its crossing lies between theirs); a lap number sent again
 * is the store's business (duplicate or conflict), not checked here.
 */
import type { LapEvent, SectorEvent, TimingEvent } from '../model/events.js';
import { formatRaceTime } from '../model/time.js';
import type { RaceTimeline } from './timeline.js';

/** Laps accepted by this check but not in the timeline yet (earlier events of the same batch), per car: lap numbers ascending, crossings beside them. */
interface Pending {
  laps: number[];
  crossings: number[];
}

/**
 * Checks events one after another against a race's timeline and the laps
 * accepted before them in the same batch. `problem` names what is wrong
 * (null when the event may be stored); `accept` records a lap that is going
 * to be stored, so later events of the batch are checked against it too.
 */
export class CrossingOrder {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly timeline: RaceTimeline | undefined) {}

  /** Why this event contradicts the car's crossings, or null. Only laps and sector crossings are checked. */
  problem(event: TimingEvent): string | null {
    if (event.type === 'lap') return this.lapProblem(event);
    if (event.type === 'sector') return this.sectorProblem(event);
    return null;
  }

  /** A lap about to be stored: later events of the batch see it. */
  accept(event: TimingEvent): void {
    if (event.type !== 'lap') return;
    let pending = this.pending.get(event.car);
    if (pending === undefined) this.pending.set(event.car, (pending = { laps: [], crossings: [] }));
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

  private lapProblem(event: LapEvent): string | null {
    const around = this.around(event.car, event.lap);
    if (around === null) return null;
    const at = formatRaceTime(event.crossingMs, true);
    if (event.crossingMs <= around.belowMs) {
      const before = around.below === 0 ? 'the start' : `lap ${around.below} (${formatRaceTime(around.belowMs, true)})`;
      return `car ${event.car} lap ${event.lap} is completed at ${at}, not after ${before}: a car's laps are completed in lap order`;
    }
    if (around.above !== null && event.crossingMs >= around.aboveMs) {
      return `car ${event.car} lap ${event.lap} is completed at ${at}, not before lap ${around.above} (${formatRaceTime(around.aboveMs, true)}): a car's laps are completed in lap order`;
    }
    return null;
  }

  private sectorProblem(event: SectorEvent): string | null {
    // The lap's own crossing, when known, is its end; otherwise the nearest lap above.
    const around = this.around(event.car, event.lap, true);
    if (around === null) return null;
    const at = formatRaceTime(event.crossingMs, true);
    if (event.crossingMs <= around.belowMs) {
      const before = around.below === 0 ? 'the start' : `lap ${around.below} (${formatRaceTime(around.belowMs, true)})`;
      return `car ${event.car} crosses the S${event.sector} line of lap ${event.lap} at ${at}, not after ${before}`;
    }
    if (around.above !== null && event.crossingMs >= around.aboveMs) {
      return `car ${event.car} crosses the S${event.sector} line of lap ${event.lap} at ${at}, not before lap ${around.above} is completed (${formatRaceTime(around.aboveMs, true)})`;
    }
    return null;
  }

  /**
   * The nearest laps below and above `lap` among the timeline's and the
   * batch's (`withLap`: the lap itself counts as above, for a sector line of
   * it). Null when `lap` itself is known already (a lap sent again).
   */
  private around(car: string, lap: number, withLap = false): { below: number; belowMs: number; above: number | null; aboveMs: number } | null {
    const timeline = this.timeline?.cars.get(car);
    let below = 0;
    let belowMs = 0;
    let above: number | null = null;
    let aboveMs = Infinity;
    if (timeline !== undefined) {
      const own = timeline.crossingOfLap(lap);
      if (!Number.isNaN(own)) {
        if (!withLap) return null;
        above = lap;
        aboveMs = own;
      }
      const t = timeline.lapsAround(lap);
      below = t.below;
      belowMs = t.belowMs;
      if (above === null && t.above !== null) {
        above = t.above;
        aboveMs = t.aboveMs;
      }
    }
    const pending = this.pending.get(car);
    if (pending !== undefined) {
      const i = lowerBound(pending.laps, lap);
      if (pending.laps[i] === lap) {
        if (!withLap) return null;
        if (above === null || lap < above) {
          above = lap;
          aboveMs = pending.crossings[i]!;
        }
      } else if (i < pending.laps.length && (above === null || pending.laps[i]! < above)) {
        above = pending.laps[i]!;
        aboveMs = pending.crossings[i]!;
      }
      if (i > 0 && pending.laps[i - 1]! > below) {
        below = pending.laps[i - 1]!;
        belowMs = pending.crossings[i - 1]!;
      }
    }
    return { below, belowMs, above, aboveMs };
  }
}

/**
 * The events with every lap or sector crossing that contradicts the car's
 * crossings before it (in the events' order) left out, and those left out
 * with the reason. For files read on the command line (cli/load.ts), where
 * the rest of the race is still worth showing.
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
