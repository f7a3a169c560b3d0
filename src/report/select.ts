/**
 * Stage one: which facts make the story of this hour. Reads the analysis
 * hour facts plus the classification at the report's instant and returns,
 * for the top class and each other class, the stories worth telling, ranked
 * by newsworthiness (STORY_WEIGHTS). No words here: realise.ts writes them.
 */
import type { CarStatus, Standings } from '../model/standings.js';
import { HOUR, MAX_RACE_HOURS, MINUTE } from '../model/time.js';
import { standingsAt } from '../engine/standings.js';
import type { RaceTimeline } from '../engine/timeline.js';
import {
  carPosition,
  factsOfKind,
  hourFactsFromTimeline,
  type CarPosition,
  type DriverChangeFact,
  type DriveTimeMilestoneFact,
  type FlagPeriodFact,
  type HourFacts,
  type HourFactsOptions,
  type LeadChangeFact,
  type LeadShareFact,
  type PitStopFact,
  type PositionSwapsFact,
  type RecoveryFact,
} from '../analysis/hour-facts.js';
import { makeRoster, type Roster } from '../analysis/roster.js';

export type ReportOptions = HourFactsOptions;

/**
 * How newsworthy each kind of story is. The order is the editor's: the
 * finish, then who leads (a change beats a hold), then race control, then
 * cars that lost the race (retirements, long stops), then the fights behind.
 * A lead change always outranks a safety car, which outranks a long stop.
 */
export const STORY_WEIGHTS = {
  finish: 100,
  'red-flag': 95,
  'lead-change': 90,
  'safety-car': 75,
  'leader-retired': 72,
  'last-running': 66,
  'long-stop-front': 62,
  retirement: 58,
  'lead-held-tight': 56,
  'long-stop': 48,
  fcy: 46,
  battle: 40,
  recovery: 34,
  podium: 30,
  'leader-stops': 24,
  'drive-time': 20,
  'lead-held': 10,
} as const;

export type StoryWeight = keyof typeof STORY_WEIGHTS;

export type Story =
  | {
      kind: 'lead';
      weight: StoryWeight;
      class: string | null;
      leader: CarPosition;
      second: CarPosition | null;
      third: CarPosition | null;
      /** Leader and second when the hour began (same car numbers or not). */
      startLeader: CarPosition | null;
      startSecond: CarPosition | null;
      /** The last lead change of the hour, when the lead changed hands. */
      change: LeadChangeFact | null;
      changesInHour: number;
      share: LeadShareFact | null;
      /** The lead changer's pit stop, when it lost the lead in the pits. */
      previousLeaderStop: PitStopFact | null;
    }
  | { kind: 'finish'; weight: StoryWeight; class: string | null; podium: CarPosition[]; chequeredMs: number }
  /** In the final hour: the winner took the lead during it. */
  | { kind: 'late-change'; weight: StoryWeight; change: LeadChangeFact; previousLeaderStop: PitStopFact | null }
  | { kind: 'flag'; weight: StoryWeight; period: FlagPeriodFact }
  | { kind: 'long-stop'; weight: StoryWeight; stop: PitStopFact; positionAtEnd: CarPosition | null }
  | { kind: 'retirement'; weight: StoryWeight; car: CarPosition; startPosition: number | null; lastSeenMs: number; lastLapInPit: boolean }
  | { kind: 'battle'; weight: StoryWeight; fact: PositionSwapsFact; ahead: CarPosition; behind: CarPosition; change: DriverChangeFact | null }
  | { kind: 'podium'; weight: StoryWeight; third: CarPosition; fourth: CarPosition }
  | { kind: 'recovery'; weight: StoryWeight; fact: RecoveryFact; car: CarPosition }
  | { kind: 'leader-stops'; weight: StoryWeight; stops: PitStopFact[]; changes: DriverChangeFact[] }
  | { kind: 'last-running'; weight: StoryWeight; car: CarPosition; entries: number }
  | { kind: 'class-out'; weight: StoryWeight; class: string; cars: CarPosition[] }
  | { kind: 'data-end'; weight: StoryWeight; lastMs: number }
  /** A Bronze driver completed the minimum drive time (only with an entry list and rules). */
  | { kind: 'drive-time'; weight: StoryWeight; fact: DriveTimeMilestoneFact }
  /** Most of the field has not crossed the line for a while: the timing shows the race halted. */
  | { kind: 'field-stopped'; weight: StoryWeight; stopped: number; entries: number; sinceMs: number };

export interface ClassStories {
  class: string;
  /** 0 for the top class. */
  rank: number;
  cars: CarPosition[];
  running: number;
  stories: Story[];
}

export interface Selection {
  race: string;
  hour: number;
  fromMs: number;
  atMs: number;
  final: boolean;
  /** The report's instant has a result declared under red flag (engine finish.ts). */
  declaredUnderRed: boolean;
  hoursRemaining: number | null;
  scheduledHours: number | null;
  /** The story the headline and standfirst tell. */
  headline: Story;
  classes: ClassStories[];
  roster: Roster;
  /** The hour facts the selection read (for debugging and `sarthe facts`). */
  facts: HourFacts;
}

const gone = (s: CarStatus | undefined) => s === 'stopped' || s === 'retired';

/** Hours a race report can be written for: up to the end of the data, at most the scheduled length. */
export function reportHours(timeline: RaceTimeline): number[] {
  const scheduled = timeline.session?.scheduledDurationMs ?? null;
  let last = Math.max(1, Math.ceil(timeline.lastEventMs / HOUR));
  if (scheduled !== null) last = Math.min(last, Math.max(1, Math.ceil(scheduled / HOUR)));
  // The event schema bounds race time; a timeline folded from older data may not be.
  last = Math.min(last, MAX_RACE_HOURS);
  return Array.from({ length: last }, (_, i) => i + 1);
}

export function selectStories(timeline: RaceTimeline, hour: number, options: ReportOptions = {}): Selection {
  const hours = reportHours(timeline);
  if (!hours.includes(hour)) {
    throw new RangeError(`no hour ${hour} in this race: its timing covers hours 1 to ${hours[hours.length - 1]}`);
  }
  const facts = hourFactsFromTimeline(timeline, hour, options);
  const roster = makeRoster(timeline, options.entryList);
  const chequered = timeline.chequeredMs();
  const finishInHour = chequered !== null && chequered > facts.fromMs && chequered <= facts.toMs;
  // A race whose timing stops without a chequered flag (Daytona 2019, red flag):
  // describe it as of the last timing, or every car would look stopped.
  const dataEnds = !finishInHour && timeline.lastEventMs < facts.toMs;
  const atMs = dataEnds ? timeline.lastEventMs : facts.toMs;
  const start = standingsAt(timeline, facts.fromMs);
  const end = standingsAt(timeline, atMs);
  const pos = (s: Standings) => new Map(s.cars.map((c) => [c.number, carPosition({ roster }, c)]));
  const endPos = pos(end);
  const startPos = pos(start);
  const started = start.cars.some((c) => c.laps > 0);

  // When most of the field is stationary (a race halted, flags or not), single
  // cars are not "stopped": the story is the field.
  const stoppedCars = end.cars.filter((c) => gone(c.status) && c.laps > 0);
  const fieldStopped = !dataEnds && !finishInHour && stoppedCars.length * 2 > end.cars.length;
  const fieldSince = Math.max(
    0,
    ...stoppedCars.map((c) => {
      const car = timeline.cars.get(c.number)!;
      return Math.max(c.lastCrossingMs, car.pitOutAt(atMs)?.atMs ?? 0);
    }),
  );

  const classOrder: string[] = [];
  for (const c of end.cars) if (!classOrder.includes(c.class)) classOrder.push(c.class);

  const lead = factsOfKind(facts.facts, 'class-lead');
  const changes = factsOfKind(facts.facts, 'lead-change');
  const shares = factsOfKind(facts.facts, 'lead-share');
  const stops = factsOfKind(facts.facts, 'pit-stop');
  // A driver change is dated by the in-lap the data shows (the car came in for it),
  // not by an estimated pit exit; changes whose stop began last hour are last hour's.
  const driverChanges = factsOfKind(facts.facts, 'driver-change').flatMap((d) => {
    const inLap = timeline.cars.get(d.car.car)?.laps.find((l) => l.lap === d.lap - 1);
    if (inLap === undefined || inLap.crossingMs <= facts.fromMs) return [];
    return [{ ...d, atMs: inLap.crossingMs, minutesIntoHour: Math.floor((inLap.crossingMs - facts.fromMs) / MINUTE) }];
  });
  const swaps = factsOfKind(facts.facts, 'position-swaps');
  const recoveries = factsOfKind(facts.facts, 'recovery');
  const flags = factsOfKind(facts.facts, 'flag-period');
  const milestones = factsOfKind(facts.facts, 'drive-time-minimum');

  const classes: ClassStories[] = classOrder.map((cls, rank) => {
    const cars = end.cars.filter((c) => c.class === cls).map((c) => endPos.get(c.number)!);
    const startCars = start.cars.filter((c) => c.class === cls && c.laps > 0).map((c) => startPos.get(c.number)!);
    const running = cars.filter((c) => !gone(c.status)).length;
    const stories: Story[] = [];
    const leader = cars[0]!;

    if (finishInHour) {
      // The podium is of classified cars: an unclassified one is listed after them (engine standings).
      stories.push({ kind: 'finish', weight: 'finish', class: cls, podium: cars.filter((c) => c.classified !== false).slice(0, 3), chequeredMs: chequered });
      // The final hour's own story: a winner who took the lead in it, and what the loser lost.
      const inClass = changes.filter((c) => c.class === cls);
      const change = leader.car !== startCars[0]?.car ? (inClass[inClass.length - 1] ?? null) : null;
      if (change !== null) {
        const stop = [...stops].reverse().find((s) => s.car.car === change.previousLeader.car && s.atMs <= change.atMs + 10 * MINUTE) ?? null;
        stories.push({ kind: 'late-change', weight: 'lead-change', change, previousLeaderStop: change.previousLeaderPitting ? stop : null });
      }
    } else if (running === 0 && started && !fieldStopped) {
      stories.push({ kind: 'class-out', weight: 'last-running', class: cls, cars });
    } else {
      const inClass = changes.filter((c) => c.class === cls);
      const change = leader.car !== startCars[0]?.car ? (inClass[inClass.length - 1] ?? null) : null;
      const previousLeaderStop =
        change === null || !change.previousLeaderPitting
          ? null
          : ([...stops].reverse().find((s) => s.car.car === change.previousLeader.car && s.atMs <= change.atMs + 10 * MINUTE) ?? null);
      const gap = cars[1]?.classGap ?? null;
      const tight = gap !== null && 'ms' in gap && gap.ms < 10_000;
      stories.push({
        kind: 'lead',
        weight: change !== null ? 'lead-change' : tight ? 'lead-held-tight' : 'lead-held',
        class: cls,
        leader,
        second: onRoad(cars, 1),
        third: onRoad(cars, 2),
        startLeader: startCars[0] ?? null,
        startSecond: startCars[1] ?? null,
        change,
        changesInHour: lead.find((l) => l.class === cls)?.leadChangesInHour ?? 0,
        share: shares.find((s) => s.class === cls) ?? null,
        previousLeaderStop,
      });
    }

    if (!finishInHour && (running > 0 || fieldStopped)) {
      // Cars that stopped during the hour (not the data simply ending).
      const startStatus = new Map(start.cars.map((c) => [c.number, c]));
      if (!dataEnds && !fieldStopped) {
        for (const c of cars) {
          const before = startStatus.get(c.car);
          if (!gone(c.status) || gone(before?.status) || c.laps === 0) continue;
          const car = timeline.cars.get(c.car)!;
          const n = car.indexAt(atMs);
          const last = car.laps[n - 1];
          const out = car.pitOutAt(atMs);
          const startPosition = before !== undefined && before.laps > 0 ? before.classPosition : null;
          stories.push({
            kind: 'retirement',
            weight: startPosition !== null && startPosition <= 3 ? 'leader-retired' : 'retirement',
            car: c,
            startPosition,
            lastSeenMs: Math.max(last?.crossingMs ?? 0, out?.atMs ?? 0),
            lastLapInPit: last?.inPit ?? false,
          });
        }
      }
      if (running === 1 && cars.length > 1 && !fieldStopped) {
        const survivor = cars.find((c) => !gone(c.status))!;
        stories.push({ kind: 'last-running', weight: 'last-running', car: survivor, entries: cars.length });
      }
      // Long stops: at most two a class (the front-runners', then the costliest), one per car.
      const longStops = stops
        .filter((s) => s.car.class === cls && s.stop.long && s.stop.pitLaneMs !== null && s.stop.lostMs !== null)
        .filter((s) => !gone(endPos.get(s.car.car)?.status)) // told as a retirement
        .sort((a, b) => Number((a.classPositionAtEntry ?? 99) > 3) - Number((b.classPositionAtEntry ?? 99) > 3) || b.stop.lostMs! - a.stop.lostMs!)
        .filter((s, i, all) => all.findIndex((x) => x.car.car === s.car.car) === i)
        .slice(0, 2);
      for (const stop of longStops) {
        const front = (stop.classPositionAtEntry ?? 99) <= 3;
        stories.push({ kind: 'long-stop', weight: front ? 'long-stop-front' : 'long-stop', stop, positionAtEnd: endPos.get(stop.car.car) ?? null });
      }
      const battle = swaps
        .filter((s) => s.class === cls && s.swaps >= 2 && Math.min(...s.classPositionsAtEnd) <= 6)
        .filter((s) => !(Math.min(...s.classPositionsAtEnd) === 1 && stories.some((x) => x.kind === 'lead' && x.change !== null)))
        .sort((a, b) => b.swaps - a.swaps || Math.min(...a.classPositionsAtEnd) - Math.min(...b.classPositionsAtEnd))[0];
      if (battle !== undefined) {
        const ahead = endPos.get(battle.aheadAtEnd)!;
        const other = battle.cars[0].car === battle.aheadAtEnd ? battle.cars[1].car : battle.cars[0].car;
        const behind = endPos.get(other)!;
        const lastPitSwap = [...battle.events].reverse().find((e) => e.pitCar !== null && e.driverChange);
        const change =
          lastPitSwap === undefined
            ? null
            : (driverChanges.find((d) => d.car.car === lastPitSwap.pitCar && Math.abs(d.lap - lastPitSwap.lap) <= 1) ?? null);
        if (!gone(ahead.status) && !gone(behind.status)) stories.push({ kind: 'battle', weight: 'battle', fact: battle, ahead, behind, change });
      }
      const third = cars[2];
      const fourth = cars[3];
      // A podium fight only when it is one: within half a minute (third place is told with the leaders anyway).
      const close = (g: CarPosition['classInterval']) => g !== null && 'ms' in g && g.ms >= 0 && g.ms < 30_000;
      if (third !== undefined && fourth !== undefined && !gone(third.status) && !gone(fourth.status) && close(fourth.classInterval) && battle?.classPositionsAtEnd.includes(3) !== true) {
        stories.push({ kind: 'podium', weight: 'podium', third: onRoad(cars, 2)!, fourth: onRoad(cars, 3)! });
      }
      const recovery = recoveries
        .filter((r) => r.car.class === cls && r.lossHour < hour && r.lostMs >= MINUTE && r.car.car !== leader.car)
        .sort((a, b) => a.classPositionAtEnd - b.classPositionAtEnd)[0];
      if (recovery !== undefined) stories.push({ kind: 'recovery', weight: 'recovery', fact: recovery, car: endPos.get(recovery.car.car)! });
      for (const fact of milestones) {
        if (fact.car.class === cls && fact.driver.category === 'Bronze') stories.push({ kind: 'drive-time', weight: 'drive-time', fact });
      }
      if (rank === 0) {
        const front = cars.slice(0, 2).map((c) => c.car);
        const leaderStops = stops.filter((s) => front.includes(s.car.car) && !s.stop.long);
        const leaderChanges = driverChanges.filter((d) => front.includes(d.car.car) && d.stopNumber !== null);
        if (leaderStops.length > 0) stories.push({ kind: 'leader-stops', weight: 'leader-stops', stops: leaderStops, changes: leaderChanges });
      }
    }
    if (rank === 0) {
      for (const period of flags) {
        if (period.period.flag === 'green' || period.period.flag === 'finish') continue;
        if (!period.startedInHour && period.inHourMs < 2 * MINUTE) continue;
        const weight = period.period.flag === 'red' ? 'red-flag' : period.period.flag === 'safety-car' ? 'safety-car' : 'fcy';
        stories.push({ kind: 'flag', weight, period });
      }
      if (dataEnds) stories.push({ kind: 'data-end', weight: 'red-flag', lastMs: atMs });
      if (fieldStopped) stories.push({ kind: 'field-stopped', weight: 'red-flag', stopped: stoppedCars.length, entries: end.cars.length, sinceMs: fieldSince });
    }
    const [first, ...rest] = stories;
    rest.sort((a, b) => STORY_WEIGHTS[b.weight] - STORY_WEIGHTS[a.weight]);
    return { class: cls, rank, cars, running, stories: first === undefined ? [] : [first, ...rest] };
  });

  const top = classes[0]!;
  return {
    race: facts.race.name,
    hour,
    fromMs: facts.fromMs,
    atMs,
    final: facts.final && finishInHour,
    declaredUnderRed: end.result?.declared === 'red-flag',
    hoursRemaining: facts.hoursRemaining,
    scheduledHours: facts.race.scheduledDurationMs === null ? null : Math.round(facts.race.scheduledDurationMs / HOUR),
    headline: top.stories.find((s) => s.kind === 'data-end') ?? top.stories[0]!,
    classes,
    roster,
    facts,
  };
}

/** The car is in the pit lane: its last timing was its in-lap, and it has not crossed the line since. */
function inPitLane(car: CarPosition): boolean {
  return car.status === 'in-pit' || car.status === 'out-lap';
}

/**
 * cars[i] as a sentence may state it: a time gap is a margin on the road only
 * when neither car is in the pit lane (a car in the pits was last timed on its
 * in-lap; Le Mans 2024 hour 3 read the #5's in-lap as "28.3s" behind the #83).
 * Withheld time gaps become null, which no sentence states; lap gaps stand.
 * The tables keep the timing's own values.
 */
function onRoad(cars: readonly CarPosition[], i: number): CarPosition | null {
  const car = cars[i];
  if (car === undefined) return null;
  const leader = cars[0]!;
  const ahead = cars[i - 1]!;
  const timed = (g: CarPosition['classGap']) => g !== null && 'ms' in g;
  const classGap = timed(car.classGap) && (inPitLane(car) || inPitLane(leader)) ? null : car.classGap;
  const classInterval = timed(car.classInterval) && (inPitLane(car) || inPitLane(ahead)) ? null : car.classInterval;
  return classGap === car.classGap && classInterval === car.classInterval ? car : { ...car, classGap, classInterval };
}
