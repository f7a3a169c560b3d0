/**
 * The facts a report of hour N needs (shared/specs/report-style.md), as
 * typed records, never prose: the report generator selects and words them.
 *
 * Hour N is race time ((N − 1)h, Nh]; only data at or before Nh counts. The
 * hour that reaches the scheduled length runs on to the end of the data, so
 * the finish (the leader takes the flag a little after 24:00:00) is in it.
 *
 * Each fact finder takes the hour's context and returns the facts of one
 * kind; HOUR_FACT_FINDERS fixes their order (see there).
 */
import type { LapEvent, TimingEvent } from '../model/events.js';
import type { CarStanding, CarStatus, Gap, Standings } from '../model/standings.js';
import { HOUR, MINUTE } from '../model/time.js';
import { standingsAt } from '../engine/standings.js';
import { foldEvents, type CarTimeline, type RaceTimeline } from '../engine/timeline.js';
import type { EntryList } from './entry-list.js';
import { flagPeriods, type FlagPeriod, type RaceControl } from './flags.js';
import { lapsLed, leaderChanges, outOfRunning, retirementOf, type Retirement } from './history.js';
import { pitStops, type PitStop } from './pits.js';
import { crossingsUpTo, raceIndex, type RaceIndex } from './race-index.js';
import { rosterOf, type CarRef, type DriverRef, type Roster } from './roster.js';
import { checkDriveTimes, type DriveStatus, type DriverRuleCheck, type RegulationProfile } from './rules.js';

export interface HourFactsOptions {
  entryList?: EntryList;
  /** Drive-time rules; without them there are no drive-time facts. */
  rules?: RegulationProfile;
}

/** A car's place at an instant, with who is at the wheel and the whole crew. */
export interface CarPosition
  extends CarRef,
    Pick<
      CarStanding,
      'position' | 'classPosition' | 'laps' | 'gap' | 'interval' | 'classGap' | 'classInterval' | 'status' | 'pitStops' | 'lastCrossingMs' | 'classified' | 'reason'
    > {
  driverAtWheel: DriverRef | null;
  crew: DriverRef[];
}

/** When within the hour: minutes since its start (0–59; 60+ only in the final hour's run-on). */
export interface InHour {
  atMs: number;
  minutesIntoHour: number;
}

export interface FlagsUnknownFact {
  kind: 'flags-unknown';
}

export interface FlagPeriodFact {
  kind: 'flag-period';
  period: FlagPeriod;
  /** Part of the period inside this hour. */
  inHourMs: number;
  startedInHour: boolean;
  endedInHour: boolean;
}

export interface FinishFact extends InHour {
  kind: 'finish';
  winner: CarPosition;
  /** Leader of each class at the end, top class first. */
  classWinners: CarPosition[];
}

export interface ClassLeadFact {
  kind: 'class-lead';
  /** null for the overall lead. */
  class: string | null;
  leader: CarPosition;
  second: CarPosition | null;
  /** Second's gap to the leader at the end of the hour (class gap for a class). */
  gapToSecond: Gap;
  /** Who led, and by how much, when the hour began (null before the first lap). */
  leaderAtStart: CarRef | null;
  gapToSecondAtStart: Gap;
  kept: boolean;
  leadChangesInHour: number;
}

export interface LeadChangeFact extends InHour {
  kind: 'lead-change';
  class: string | null;
  lap: number;
  newLeader: CarRef;
  newLeaderDriver: DriverRef | null;
  previousLeader: CarRef;
  /** Its driver then; when it lost the lead to a stop, the driver of the in-lap (the one who pitted). */
  previousLeaderDriver: DriverRef | null;
  /** The in-lap of that stop, when it lost the lead to one. */
  previousLeaderInLap: number | null;
  /** The previous leader's status at that instant (the engine's). */
  previousLeaderStatus: CarStatus;
  /**
   * It lost the lead to a pit stop: it was in the pits or on its out-lap
   * then, or the lap it was on ended in the pit lane (known by the hour's end).
   */
  previousLeaderPitting: boolean;
  /**
   * Its stop is what put the new leader ahead: it was pitting (above), and
   * the new leader completed the lap out on track. When the new leader's own
   * crossing of that lap was in the pit lane, both cars were stopping and the
   * lead is a matter of who reached the line first in the pit cycle, not of
   * the other's stop (issue 11: Le Mans 2024 lap 171, the #6 crossed in the
   * pit lane while the #8 was on its out-lap). Only then may a report say
   * "as X pits" or "when X made its stop".
   */
  lostToStop: boolean;
  /**
   * The new leader took the lead on a crossing of the line in the pit lane
   * (its in-lap): first to complete the lap by the timing rule, but in the
   * stops, not by a pass (Le Mans 2026 lap 144: the #12 came in while the #8,
   * which had stopped a lap earlier, was on track). Reports say so.
   */
  newLeaderInPitLane: boolean;
  /** Who drove that in-lap (the raw name), when newLeaderInPitLane. */
  newLeaderInLapDriver: string | null;
}

export interface LeadShareFact {
  kind: 'lead-share';
  class: string | null;
  car: CarRef;
  lapsLed: number;
  /** Laps the lead car of the race/class has completed (laps there were to lead). */
  leaderLaps: number;
  /** lapsLed / leaderLaps. */
  share: number;
  /** When it last took the lead, and the hour that was in (1-based: "since the third hour"). */
  leadingSinceMs: number;
  leadingSinceHour: number;
  ledEveryLap: boolean;
}

export interface ClassStandingsFact {
  kind: 'class-standings';
  class: string;
  /** 0 for the top class (the overall leader's), then by each class leader's overall position. */
  classRank: number;
  cars: CarPosition[];
  /** Cars not out of the running (history.ts outOfRunning) at the end of the hour, of all entries. */
  running: number;
  entries: number;
}

export interface PositionChangeFact {
  kind: 'position-change';
  car: CarRef;
  classPositionAtStart: number;
  classPositionAtEnd: number;
  positionAtStart: number;
  positionAtEnd: number;
}

export interface SwapEvent extends InHour {
  /** The car that went ahead by completing a lap before the other. */
  ahead: string;
  behind: string;
  lap: number;
  /** The class place `ahead` took from `behind`, which dropped to the next; 0 when the two did not end side by side. */
  classPlace: number;
  /** A car that was in, entering or leaving the pits then; null when it happened on track. */
  pitCar: string | null;
  /** That pit stop changed the driver. */
  driverChange: boolean;
}

export interface PositionSwapsFact {
  kind: 'position-swaps';
  class: string;
  cars: [CarRef, CarRef];
  swaps: number;
  events: SwapEvent[];
  /** Ahead of the two at the end of the hour. */
  aheadAtEnd: string;
  /** Their class positions at the end. */
  classPositionsAtEnd: [number, number];
}

export interface PitStopFact extends InHour {
  kind: 'pit-stop';
  car: CarRef;
  stop: PitStop;
  /** Class position when it came in (as it crossed the line in the pit lane). */
  classPositionAtEntry: number | null;
}

/** `atMs`: the estimated pit exit (never before the hour: the change is reported the hour the data showed it). */
export interface DriverChangeFact extends InHour {
  kind: 'driver-change';
  car: CarRef;
  /** The lap the new driver began. */
  lap: number;
  from: DriverRef;
  to: DriverRef;
  /** Stop number; null for a change the data shows without a stop. */
  stopNumber: number | null;
}

/**
 * A car that went out of the running in this hour (history.ts outOfRunning:
 * silent on track or in its garage for longer than the stopped threshold).
 * 'stopped' before the flag — it may yet come back — 'retired' after it.
 */
export interface RetirementFact extends Retirement {
  kind: 'retirement';
  classPositionAtStart: number | null;
}

export interface RecoveryFact {
  kind: 'recovery';
  car: CarRef;
  /** The latest long stop up to the end of the hour. */
  loss: PitStop;
  lostMs: number;
  /** Hour (1-based) in which the long stop began. */
  lossHour: number;
  /** Class position as it came in for that stop, and the worst since. */
  classPositionBeforeLoss: number;
  worstClassPosition: number;
  classPositionAtStart: number;
  classPositionAtEnd: number;
}

/** `atMs` is the crossing that completed the minimum (when the data showed it). */
export interface DriveTimeMilestoneFact extends InHour {
  kind: 'drive-time-minimum';
  driver: DriverRef;
  car: CarRef;
  minimumMs: number;
  minimumBasis: 'category' | 'general';
  lap: number;
  /** The instant within that lap the running total reached the minimum (may be just before the hour). */
  reachedAtMs: number;
  /** Drive time at the end of the hour. */
  driveMs: number;
}

export interface DriveTimeStatusFact {
  kind: 'drive-time-status';
  driver: DriverRef;
  car: CarRef;
  statusAtStart: DriveStatus;
  status: DriveStatus;
  check: DriverRuleCheck;
}

export type HourFact =
  | FlagsUnknownFact
  | FlagPeriodFact
  | FinishFact
  | ClassLeadFact
  | LeadChangeFact
  | LeadShareFact
  | ClassStandingsFact
  | PositionChangeFact
  | PositionSwapsFact
  | PitStopFact
  | DriverChangeFact
  | RetirementFact
  | RecoveryFact
  | DriveTimeMilestoneFact
  | DriveTimeStatusFact;

export type HourFactKind = HourFact['kind'];

export interface HourFacts {
  race: { name: string; scheduledDurationMs: number | null; zeroTimeOfDayMs: number | null };
  hour: number;
  fromMs: number;
  toMs: number;
  /** Whole hours left after this one; null when the length is unknown or not a whole number of hours after it. */
  hoursRemaining: number | null;
  final: boolean;
  flagsKnown: boolean;
  facts: HourFact[];
}

/** Everything a finder may read; computed once per hour. */
export interface HourContext {
  timeline: RaceTimeline;
  index: RaceIndex;
  roster: Roster;
  hour: number;
  fromMs: number;
  toMs: number;
  start: Standings;
  end: Standings;
  /** All stops up to the end of the hour, judged as of then; and by car. */
  stops: PitStop[];
  stopsByCar: Map<string, PitStop[]>;
  control: RaceControl;
  /** Cars out of the running at the start and end of the hour, with their status. */
  outAtStart: Map<string, 'stopped' | 'retired'>;
  outAtEnd: Map<string, 'stopped' | 'retired'>;
  rules: RegulationProfile | undefined;
  entryList: EntryList | undefined;
}

export type HourFactFinder = (ctx: HourContext) => HourFact[];

/** Facts of one kind from a list, typed. */
export function factsOfKind<K extends HourFactKind>(facts: readonly HourFact[], kind: K): Array<Extract<HourFact, { kind: K }>> {
  return facts.filter((f): f is Extract<HourFact, { kind: K }> => f.kind === kind);
}

function inHour(ctx: HourContext, atMs: number): InHour {
  return { atMs, minutesIntoHour: Math.floor((atMs - ctx.fromMs) / MINUTE) };
}

const isInHour = (ctx: HourContext, t: number) => t > ctx.fromMs && t <= ctx.toMs;

export function carPosition(ctx: Pick<HourContext, 'roster'>, c: CarStanding): CarPosition {
  return {
    ...ctx.roster.car(c.number),
    position: c.position,
    classPosition: c.classPosition,
    laps: c.laps,
    gap: c.gap,
    interval: c.interval,
    classGap: c.classGap,
    classInterval: c.classInterval,
    status: c.status,
    pitStops: c.pitStops,
    lastCrossingMs: c.lastCrossingMs,
    classified: c.classified,
    reason: c.reason,
    // In the pit lane the crew may be changing drivers: who drives on is not known until the car leaves.
    driverAtWheel: c.driverNumber === null || c.status === 'in-pit' ? null : ctx.roster.driver(c.number, c.driverNumber, c.driver),
    crew: ctx.roster.crew(c.number),
  };
}

/** Classes with the overall leader's first, then by each class leader's position. */
function classOrder(standings: Standings): string[] {
  const order: string[] = [];
  for (const c of standings.cars) if (!order.includes(c.class)) order.push(c.class);
  return order;
}

// ——— Fact finders, one kind each ———

/** Race control frames everything else in the hour (a safety car explains a reshuffle). */
export const flagFacts: HourFactFinder = (ctx) => {
  if (!ctx.control.known) return [{ kind: 'flags-unknown' }];
  return ctx.control.periods
    .filter((p) => p.startMs <= ctx.toMs && (p.endMs ?? Infinity) > ctx.fromMs)
    .map((period) => ({
      kind: 'flag-period' as const,
      period,
      inHourMs: Math.min(period.endMs ?? ctx.toMs, ctx.toMs) - Math.max(period.startMs, ctx.fromMs),
      startedInHour: isInHour(ctx, period.startMs),
      endedInHour: period.endMs !== null && isInHour(ctx, period.endMs),
    }));
};

export const finishFacts: HourFactFinder = (ctx) => {
  const chequered = ctx.end.chequeredMs;
  if (chequered === null || !isInHour(ctx, chequered)) return [];
  const winner = ctx.end.cars[0];
  if (winner === undefined) return [];
  return [
    {
      kind: 'finish',
      ...inHour(ctx, chequered),
      winner: carPosition(ctx, winner),
      classWinners: classOrder(ctx.end).map((cls) => carPosition(ctx, ctx.end.cars.find((c) => c.class === cls && c.classPosition === 1)!)),
    },
  ];
};

export const classLeadFacts: HourFactFinder = (ctx) => {
  const changes = leaderChanges(ctx.timeline, { at: ctx.toMs }).filter((c) => isInHour(ctx, c.atMs));
  const one = (cls: string | null): ClassLeadFact | null => {
    const inScope = (c: CarStanding) => cls === null || c.class === cls;
    const endCars = ctx.end.cars.filter(inScope);
    const startCars = ctx.start.cars.filter(inScope);
    const leader = endCars[0];
    if (leader === undefined || leader.laps === 0) return null;
    const second = endCars[1];
    const startLeader = startCars[0] !== undefined && startCars[0].laps > 0 ? startCars[0] : undefined;
    const startSecond = startLeader === undefined ? undefined : startCars[1];
    const gapOf = (c: CarStanding | undefined) => (c === undefined ? null : cls === null ? c.gap : c.classGap);
    return {
      kind: 'class-lead',
      class: cls,
      leader: carPosition(ctx, leader),
      second: second === undefined ? null : carPosition(ctx, second),
      gapToSecond: gapOf(second),
      leaderAtStart: startLeader === undefined ? null : ctx.roster.car(startLeader.number),
      gapToSecondAtStart: gapOf(startSecond),
      kept: startLeader?.number === leader.number,
      // Changes of hands: the first leader of the race (from nobody) is not one (hour 1 said "swapped twice" for one change).
      leadChangesInHour: changes.filter((c) => c.class === cls && c.from !== null).length,
    };
  };
  return [one(null), ...classOrder(ctx.end).map(one)].filter((f): f is ClassLeadFact => f !== null);
};

export const leadChangeFacts: HourFactFinder = (ctx) =>
  leaderChanges(ctx.timeline, { at: ctx.toMs })
    .filter((c) => c.from !== null && isInHour(ctx, c.atMs))
    .map((c) => {
      const then = standingsAt(ctx.timeline, c.atMs);
      const driverOf = (car: string) => {
        const s = then.cars.find((x) => x.number === car);
        return s === undefined || s.driverNumber === null ? null : ctx.roster.driver(car, s.driverNumber, s.driver);
      };
      const status = then.cars.find((x) => x.number === c.from)?.status ?? 'running';
      const previous = ctx.timeline.cars.get(c.from!)!;
      const running = previous.laps[previous.indexAt(c.atMs)];
      const pitting = status === 'in-pit' || status === 'out-lap' || (running?.inPit === true && running.crossingMs <= ctx.toMs);
      // The driver who pits is the one who drove the in-lap, not the one who takes over in the stop.
      const inLap = pitting ? inLapAround(previous, c.atMs, running) : undefined;
      const next = ctx.timeline.cars.get(c.to)!;
      const crossing = next.laps[next.indexAt(c.atMs) - 1];
      // On track, and not on an out-lap: a new leader that pitted in the same cycle got ahead in the stops (Le Mans 2019 lap 87: both pitted on lap 86).
      const previousLap = next.laps[next.indexAt(c.atMs) - 2];
      const newLeaderOnTrack = crossing !== undefined && crossing.lap === c.lap && !crossing.inPit && !(previousLap?.lap === c.lap - 1 && previousLap.inPit);
      return {
        kind: 'lead-change' as const,
        ...inHour(ctx, c.atMs),
        class: c.class,
        lap: c.lap,
        newLeader: ctx.roster.car(c.to),
        newLeaderDriver: driverOf(c.to),
        previousLeader: ctx.roster.car(c.from!),
        previousLeaderDriver:
          inLap === undefined ? driverOf(c.from!) : ctx.roster.driver(c.from!, inLap.driverNumber, inLap.driverName),
        previousLeaderInLap: inLap?.lap ?? null,
        previousLeaderStatus: status,
        previousLeaderPitting: pitting,
        lostToStop: pitting && inLap !== undefined && newLeaderOnTrack,
        newLeaderInPitLane: crossing !== undefined && crossing.lap === c.lap && crossing.inPit,
        newLeaderInLapDriver: crossing !== undefined && crossing.lap === c.lap && crossing.inPit ? crossing.driverName : null,
      };
    });

/**
 * The in-lap of the stop a car is making at t: its latest in-lap completed by
 * t while it is in the pits or on its out-lap, else the lap it is running
 * when that lap ends in the pits.
 */
function inLapAround(car: CarTimeline, t: number, running: LapEvent | undefined): LapEvent | undefined {
  if (running?.inPit === true) return running;
  const n = car.indexAt(t);
  const last = n > 0 ? car.lastInLapUpTo[n - 1]! : -1;
  return last >= 0 ? car.laps[last] : undefined;
}

export const leadShareFacts: HourFactFinder = (ctx) => {
  const led = new Map(lapsLed(ctx.timeline, { at: ctx.toMs }).map((l) => [l.car, l]));
  const changes = leaderChanges(ctx.timeline, { at: ctx.toMs });
  const one = (cls: string | null): LeadShareFact | null => {
    const leader = ctx.end.cars.find((c) => cls === null || c.class === cls);
    if (leader === undefined || leader.laps === 0) return null;
    const scoped = changes.filter((c) => c.class === cls);
    // A leader by the result alone (the car ahead on the lap chart was not classified) never "took" the
    // lead, and a feed joined partway (RMonitor at lap 300) may not show when it did: say nothing then.
    const took = [...scoped].reverse().find((c) => c.to === leader.number);
    if (took === undefined) return null;
    // A leader by race control's decisions alone (time added to, or laps deducted from, the car ahead on the
    // lap chart) did not lead the laps since it last took the lead on the road: say nothing of its record.
    if (scoped[scoped.length - 1] !== took) return null;
    const lapsLedNow = cls === null ? (led.get(leader.number)?.overall ?? 0) : (led.get(leader.number)?.inClass ?? 0);
    return {
      kind: 'lead-share',
      class: cls,
      car: ctx.roster.car(leader.number),
      lapsLed: lapsLedNow,
      leaderLaps: leader.laps,
      share: leader.laps > 0 ? lapsLedNow / leader.laps : 0,
      leadingSinceMs: took.atMs,
      leadingSinceHour: Math.max(1, Math.ceil(took.atMs / HOUR)),
      ledEveryLap: lapsLedNow === leader.laps,
    };
  };
  return [one(null), ...classOrder(ctx.end).map(one)].filter((f): f is LeadShareFact => f !== null);
};

export const classStandingsFacts: HourFactFinder = (ctx) =>
  classOrder(ctx.end).map((cls, classRank) => {
    const cars = ctx.end.cars.filter((c) => c.class === cls);
    return {
      kind: 'class-standings' as const,
      class: cls,
      classRank,
      cars: cars.map((c) => carPosition(ctx, c)),
      running: cars.filter((c) => !ctx.outAtEnd.has(c.number)).length,
      entries: cars.length,
    };
  });

export const positionChangeFacts: HourFactFinder = (ctx) => {
  const before = new Map(ctx.start.cars.map((c) => [c.number, c]));
  return ctx.end.cars.flatMap((c) => {
    const s = before.get(c.number);
    if (s === undefined || s.laps === 0 || s.classPosition === c.classPosition) return [];
    return [
      {
        kind: 'position-change' as const,
        car: ctx.roster.car(c.number),
        classPositionAtStart: s.classPosition,
        classPositionAtEnd: c.classPosition,
        positionAtStart: s.position,
        positionAtEnd: c.position,
      },
    ];
  });
};

/**
 * Replays the hour's crossings on each class order: a car that completes a
 * lap passes every car of its class on the same lap that had completed the
 * previous lap before it, and each such pass is one swap of that pair.
 */
export const positionSwapFacts: HourFactFinder = (ctx) => {
  const state = new Map<string, { laps: number; last: number }>();
  const order = new Map<string, string[]>();
  for (const c of ctx.start.cars) {
    state.set(c.number, { laps: c.laps, last: c.lastCrossingMs });
    let list = order.get(c.class);
    if (list === undefined) order.set(c.class, (list = []));
    list.push(c.number);
  }
  const pairs = new Map<string, SwapEvent[]>();
  const first = crossingsUpTo(ctx.index, ctx.fromMs);
  const last = crossingsUpTo(ctx.index, ctx.toMs);
  for (let k = first; k < last; k++) {
    const car = ctx.index.crossingCar[k]!;
    const lapIndex = ctx.index.crossingLapIndex[k]!;
    const lap = car.laps[lapIndex]!;
    const t = ctx.index.crossingMs[k]!;
    const me = state.get(car.number) ?? { laps: 0, last: 0 };
    me.laps = lap.lap;
    me.last = t;
    state.set(car.number, me);
    const list = order.get(car.entry.class);
    if (list === undefined) continue;
    let at = list.indexOf(car.number);
    const passes: SwapEvent[] = [];
    while (at > 0) {
      const ahead = list[at - 1]!;
      const other = state.get(ahead)!;
      const stillAhead = other.laps > me.laps || (other.laps === me.laps && other.last <= t);
      if (stillAhead) break;
      list[at - 1] = car.number;
      list[at] = ahead;
      at--;
      // Only cars on the same lap trade places, and only once there is an order:
      // before their first crossing cars sit in car-number order, not the grid's.
      if (other.laps !== me.laps - 1 || other.laps === 0) continue;
      const pit = pitInvolvement(ctx, car.number, lapIndex, ahead, t);
      const key = car.number < ahead ? `${car.number}\u0000${ahead}` : `${ahead}\u0000${car.number}`;
      let events = pairs.get(key);
      if (events === undefined) pairs.set(key, (events = []));
      const event: SwapEvent = {
        ...inHour(ctx, t),
        ahead: car.number,
        behind: ahead,
        lap: lap.lap,
        classPlace: 0,
        pitCar: pit?.car ?? null,
        driverChange: pit?.driverChange ?? false,
      };
      events.push(event);
      passes.push(event);
    }
    // A pass is for one place only when the two end up side by side: a car that jumps
    // several places at one crossing took none of them from the car it passed on the way.
    for (const e of passes) if (list.indexOf(e.behind) === at + 1) e.classPlace = at + 1;
  }
  const endPosition = new Map(ctx.end.cars.map((c) => [c.number, c]));
  const facts: PositionSwapsFact[] = [];
  for (const [key, events] of pairs) {
    const [a, b] = key.split('\u0000') as [string, string];
    const pa = endPosition.get(a)!;
    const pb = endPosition.get(b)!;
    facts.push({
      kind: 'position-swaps',
      class: pa.class,
      cars: [ctx.roster.car(a), ctx.roster.car(b)],
      swaps: events.length,
      events,
      aheadAtEnd: pa.position < pb.position ? a : b,
      classPositionsAtEnd: [pa.classPosition, pb.classPosition],
    });
  }
  // Battles first: most swaps, then the better placed pair.
  return facts.sort((x, y) => y.swaps - x.swaps || Math.min(...x.classPositionsAtEnd) - Math.min(...y.classPositionsAtEnd));
};

/**
 * Was either car of a swap at time t on an in-lap or out-lap, so that a stop
 * made the swap? Uses only what was known by the end of the hour.
 */
function pitInvolvement(ctx: HourContext, passer: string, passerLapIndex: number, passed: string, t: number): { car: string; driverChange: boolean } | null {
  const passerLap = ctx.timeline.cars.get(passer)!.laps[passerLapIndex]!;
  if (passerLap.inPit) return { car: passer, driverChange: stopChangedDriver(ctx, passer, passerLap.lap) };
  if (passerLap.pitLaneMs !== null) return { car: passer, driverChange: stopChangedDriver(ctx, passer, passerLap.lap - 1) };
  const passedCar = ctx.timeline.cars.get(passed)!;
  const n = passedCar.indexAt(t);
  const lastDone = passedCar.laps[n - 1];
  const running = passedCar.laps[n];
  if (lastDone?.inPit) return { car: passed, driverChange: stopChangedDriver(ctx, passed, lastDone.lap) };
  if (running !== undefined && running.inPit && running.crossingMs <= ctx.toMs) {
    return { car: passed, driverChange: stopChangedDriver(ctx, passed, running.lap) };
  }
  return null;
}

function stopChangedDriver(ctx: HourContext, car: string, inLap: number): boolean {
  return ctx.stopsByCar.get(car)?.find((s) => s.inLap === inLap)?.driverChange === true;
}

export const pitStopFacts: HourFactFinder = (ctx) =>
  ctx.stops
    .filter((s) => isInHour(ctx, s.inMs))
    .sort((a, b) => a.inMs - b.inMs)
    .map((stop) => {
      const car = ctx.timeline.cars.get(stop.car)!;
      const k = ctx.index.crossingOf.get(car)?.[stop.inLap - 1];
      const classPositionAtEntry = k === undefined ? null : ctx.index.classPosition[k]!;
      return { kind: 'pit-stop' as const, ...inHour(ctx, stop.inMs), car: ctx.roster.car(stop.car), stop, classPositionAtEntry };
    });

export const driverChangeFacts: HourFactFinder = (ctx) => {
  const facts: DriverChangeFact[] = [];
  for (const stop of ctx.stops) {
    // In the hour the data showed it; timed at the (estimated) pit exit.
    if (stop.driverChange !== true || stop.exitKnownMs === null || !isInHour(ctx, stop.exitKnownMs)) continue;
    facts.push({
      kind: 'driver-change',
      ...inHour(ctx, Math.max(ctx.fromMs, Math.min(stop.outMs ?? stop.exitKnownMs, stop.exitKnownMs))),
      car: ctx.roster.car(stop.car),
      lap: stop.outLap!,
      from: stop.driverIn,
      to: stop.driverOut!,
      stopNumber: stop.number,
    });
  }
  // Changes the data shows without a stop (rare; see the data exceptions in the tests).
  for (const car of ctx.timeline.cars.values()) {
    const n = car.indexAt(ctx.toMs);
    for (let i = Math.max(1, car.indexAt(ctx.fromMs)); i < n; i++) {
      const lap = car.laps[i]!;
      const previous = car.laps[i - 1]!;
      if (previous.inPit || previous.driverNumber === lap.driverNumber || !isInHour(ctx, previous.crossingMs)) continue;
      facts.push({
        kind: 'driver-change',
        ...inHour(ctx, previous.crossingMs),
        car: ctx.roster.car(car.number),
        lap: lap.lap,
        from: ctx.roster.driver(car.number, previous.driverNumber, previous.driverName),
        to: ctx.roster.driver(car.number, lap.driverNumber, lap.driverName),
        stopNumber: null,
      });
    }
  }
  return facts.sort((a, b) => a.atMs - b.atMs);
};

export const retirementFacts: HourFactFinder = (ctx) => {
  const before = new Map(ctx.start.cars.map((c) => [c.number, c]));
  const facts: RetirementFact[] = [];
  for (const c of ctx.end.cars) {
    const status = ctx.outAtEnd.get(c.number);
    if (status === undefined || ctx.outAtStart.has(c.number)) continue;
    const s = before.get(c.number);
    facts.push({
      kind: 'retirement',
      ...retirementOf(ctx.timeline.cars.get(c.number)!, ctx.toMs, status, ctx.roster),
      classPositionAtStart: s === undefined || s.laps === 0 ? null : s.classPosition,
    });
  }
  return facts;
};

export const recoveryFacts: HourFactFinder = (ctx) => {
  const atStart = new Map(ctx.start.cars.map((c) => [c.number, c]));
  const facts: RecoveryFact[] = [];
  const latestLong = new Map<string, PitStop>();
  for (const s of ctx.stops) if (s.long && s.outMs !== null && s.outMs <= ctx.toMs) latestLong.set(s.car, s);
  for (const c of ctx.end.cars) {
    const loss = latestLong.get(c.number);
    const s = atStart.get(c.number);
    if (loss === undefined || s === undefined || s.laps === 0 || ctx.outAtEnd.has(c.number)) continue;
    if (c.classPosition >= s.classPosition) continue;
    // Class position at the in-lap's crossing, then the worst at its crossings since.
    const car = ctx.timeline.cars.get(c.number)!;
    const crossingOf = ctx.index.crossingOf.get(car)!;
    const lapIndex = car.laps.findIndex((l) => l.lap === loss.inLap);
    const beforeLoss: number | null = lapIndex < 0 ? null : ctx.index.classPosition[crossingOf[lapIndex]!]!;
    let worst = c.classPosition;
    for (let i = Math.max(0, lapIndex), n = car.indexAt(ctx.toMs); i < n; i++) {
      worst = Math.max(worst, ctx.index.classPosition[crossingOf[i]!]!);
    }
    // Recovering means the stop cost places and some are coming back this hour.
    if (beforeLoss === null || worst <= beforeLoss) continue;
    facts.push({
      kind: 'recovery',
      car: ctx.roster.car(c.number),
      loss,
      lostMs: loss.lostMs ?? 0,
      lossHour: Math.max(1, Math.ceil(loss.inMs / HOUR)),
      classPositionBeforeLoss: beforeLoss,
      worstClassPosition: worst,
      classPositionAtStart: s.classPosition,
      classPositionAtEnd: c.classPosition,
    });
  }
  return facts;
};

export const driveTimeFacts: HourFactFinder = (ctx) => {
  if (ctx.rules === undefined) return [];
  const options = { profile: ctx.rules, entryList: ctx.entryList };
  const atEnd = checkDriveTimes(ctx.timeline, { ...options, at: ctx.toMs });
  const atStart = new Map(
    checkDriveTimes(ctx.timeline, { ...options, at: ctx.fromMs }).map((c) => [`${c.car.car}\u0000${c.driver.number}`, c]),
  );
  const facts: HourFact[] = [];
  for (const check of atEnd) {
    const reached = check.minimumReached;
    if (reached !== null && check.minimumMs !== null && check.minimumBasis !== null && isInHour(ctx, reached.crossingMs)) {
      facts.push({
        kind: 'drive-time-minimum',
        ...inHour(ctx, reached.crossingMs),
        driver: check.driver,
        car: check.car,
        minimumMs: check.minimumMs,
        minimumBasis: check.minimumBasis,
        lap: reached.lap,
        reachedAtMs: reached.atMs,
        driveMs: check.driveMs,
      });
    }
    const start = atStart.get(`${check.car.car}\u0000${check.driver.number}`);
    const worrying = check.status === 'at-risk' || check.status === 'over-max' || check.status === 'missed';
    if (worrying && start?.status !== check.status) {
      facts.push({
        kind: 'drive-time-status',
        driver: check.driver,
        car: check.car,
        statusAtStart: start?.status ?? 'on-track',
        status: check.status,
        check,
      });
    }
  }
  return facts;
};

/**
 * The order facts come out in: what frames the hour first (race control,
 * the finish), then who leads and for how long, then the order behind and
 * how it changed, then the single-car events that explain the changes
 * (stops, driver changes, retirements, recoveries), then the drive-time
 * paperwork. A report walks this list top-down.
 */
export const HOUR_FACT_FINDERS: ReadonlyArray<[HourFactKind | 'flags', HourFactFinder]> = [
  ['flags', flagFacts],
  ['finish', finishFacts],
  ['class-lead', classLeadFacts],
  ['lead-change', leadChangeFacts],
  ['lead-share', leadShareFacts],
  ['class-standings', classStandingsFacts],
  ['position-change', positionChangeFacts],
  ['position-swaps', positionSwapFacts],
  ['pit-stop', pitStopFacts],
  ['driver-change', driverChangeFacts],
  ['retirement', retirementFacts],
  ['recovery', recoveryFacts],
  ['drive-time-minimum', driveTimeFacts],
];

function outOfRunningAt(timeline: RaceTimeline, t: number): Map<string, 'stopped' | 'retired'> {
  const chequeredMs = timeline.chequeredMs();
  const out = new Map<string, 'stopped' | 'retired'>();
  for (const car of timeline.cars.values()) {
    const status = outOfRunning(car, t, chequeredMs, timeline);
    if (status !== null) out.set(car.number, status);
  }
  return out;
}

/** The context of hour N (1-based) of a race. */
export function hourContext(timeline: RaceTimeline, hour: number, options: HourFactsOptions = {}): HourContext {
  if (!Number.isInteger(hour) || hour < 1) throw new RangeError(`hour must be a whole number from 1, got ${hour}`);
  const fromMs = (hour - 1) * HOUR;
  const scheduled = timeline.session?.scheduledDurationMs ?? null;
  const final = scheduled !== null && hour * HOUR >= scheduled;
  const toMs = final ? Math.max(hour * HOUR, timeline.lastEventMs) : hour * HOUR;
  const stops = pitStops(timeline, { at: toMs, entryList: options.entryList });
  const stopsByCar = new Map<string, PitStop[]>();
  for (const stop of stops) {
    const list = stopsByCar.get(stop.car);
    if (list === undefined) stopsByCar.set(stop.car, [stop]);
    else list.push(stop);
  }
  return {
    timeline,
    index: raceIndex(timeline),
    roster: rosterOf(timeline, options.entryList),
    hour,
    fromMs,
    toMs,
    start: standingsAt(timeline, fromMs),
    end: standingsAt(timeline, toMs),
    stops,
    stopsByCar,
    control: flagPeriods(timeline, { at: toMs }),
    outAtStart: outOfRunningAt(timeline, fromMs),
    outAtEnd: outOfRunningAt(timeline, toMs),
    rules: options.rules,
    entryList: options.entryList,
  };
}

export function hourFactsFromTimeline(timeline: RaceTimeline, hour: number, options: HourFactsOptions = {}): HourFacts {
  const ctx = hourContext(timeline, hour, options);
  const scheduled = timeline.session?.scheduledDurationMs ?? null;
  return {
    race: {
      name: timeline.session?.name ?? 'Race',
      scheduledDurationMs: scheduled,
      zeroTimeOfDayMs: timeline.session?.zeroTimeOfDayMs ?? null,
    },
    hour,
    fromMs: ctx.fromMs,
    toMs: ctx.toMs,
    // Whole hours only: a 100-minute race has no "one hour to go" after an hour (40 minutes are left).
    hoursRemaining: scheduled === null || (scheduled - hour * HOUR) % HOUR !== 0 ? null : Math.max(0, (scheduled - hour * HOUR) / HOUR),
    final: scheduled !== null && hour * HOUR >= scheduled,
    flagsKnown: ctx.control.known,
    facts: HOUR_FACT_FINDERS.flatMap(([, find]) => find(ctx)),
  };
}

/** hourFacts(events, N): fold the events, then the facts of hour N. */
export function hourFacts(events: Iterable<TimingEvent>, hour: number, options: HourFactsOptions = {}): HourFacts {
  return hourFactsFromTimeline(foldEvents(events), hour, options);
}
