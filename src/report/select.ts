/**
 * Stage one: which facts make the story of this hour. Reads the analysis
 * hour facts plus the classification at the report's instant and returns,
 * for the top class and each other class, the stories worth telling, ranked
 * by newsworthiness (STORY_WEIGHTS). Each kind's finder is in claims/<kind>.ts,
 * run in the registry's order (claims/index.ts); no words here.
 */
import type { Standings } from '../model/standings.js';
import { HOUR, MAX_RACE_HOURS, MINUTE } from '../model/time.js';
import { standingsAt } from '../engine/standings.js';
import type { RaceTimeline } from '../engine/timeline.js';
import { carPosition, factsOfKind, hourFactsFromTimeline, type CarPosition, type HourFacts, type HourFactsOptions } from '../analysis/hour-facts.js';
import { makeRoster, type Roster } from '../analysis/roster.js';
import { CLAIM_KINDS, CLAIMS, type Story } from './claims/index.js';
import { gone, type FindContext, type HourStories } from './claims/common.js';

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
  rain: 50,
  fcy: 46,
  battle: 40,
  recovery: 34,
  podium: 30,
  'leader-stops': 24,
  'weather-change': 22,
  'drive-time': 20,
  weather: 16,
  'lead-held': 10,
} as const;

export type StoryWeight = keyof typeof STORY_WEIGHTS;

export type { Story } from './claims/index.js';

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
  /** The file shows race control's flags (a stop without them is inferred from timing that ends early). */
  flagsKnown: boolean;
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

  const hourStories: HourStories = {
    lead: factsOfKind(facts.facts, 'class-lead'),
    changes: factsOfKind(facts.facts, 'lead-change'),
    shares: factsOfKind(facts.facts, 'lead-share'),
    stops: factsOfKind(facts.facts, 'pit-stop'),
    // A driver change is dated by the in-lap the data shows (the car came in for it),
    // not by an estimated pit exit; changes whose stop began last hour are last hour's.
    driverChanges: factsOfKind(facts.facts, 'driver-change').flatMap((d) => {
      const inLap = timeline.cars.get(d.car.car)?.laps.find((l) => l.lap === d.lap - 1);
      if (inLap === undefined || inLap.crossingMs <= facts.fromMs) return [];
      return [{ ...d, atMs: inLap.crossingMs, minutesIntoHour: Math.floor((inLap.crossingMs - facts.fromMs) / MINUTE) }];
    }),
    swaps: factsOfKind(facts.facts, 'position-swaps'),
    recoveries: factsOfKind(facts.facts, 'recovery'),
    flags: factsOfKind(facts.facts, 'flag-period'),
    milestones: factsOfKind(facts.facts, 'drive-time-minimum'),
  };

  const classes: ClassStories[] = classOrder.map((cls, rank) => {
    const cars = end.cars.filter((c) => c.class === cls).map((c) => endPos.get(c.number)!);
    const ctx: FindContext = {
      timeline,
      hour,
      fromMs: facts.fromMs,
      atMs,
      roster,
      chequeredMs: chequered,
      finishInHour,
      dataEnds,
      dataEndMs: end.result?.declared === 'red-flag' ? Math.min(end.result.atMs, atMs) : atMs,
      fieldStopped,
      stoppedCars,
      fieldSinceMs: fieldSince,
      started,
      start,
      end,
      endPos,
      cls,
      rank,
      cars,
      startCars: start.cars.filter((c) => c.class === cls && c.laps > 0).map((c) => startPos.get(c.number)!),
      running: cars.filter((c) => !gone(c.status)).length,
      facts: hourStories,
      stories: [],
    };
    const stories: Story[] = [];
    for (const kind of CLAIM_KINDS) {
      for (const story of CLAIMS[kind].find(ctx)) {
        stories.push(story);
        ctx.stories.push(story);
      }
    }
    const [first, ...rest] = stories;
    rest.sort((a, b) => STORY_WEIGHTS[b.weight] - STORY_WEIGHTS[a.weight]);
    return { class: cls, rank, cars, running: ctx.running, stories: first === undefined ? [] : [first, ...rest] };
  });

  const top = classes[0]!;
  return {
    race: facts.race.name,
    hour,
    fromMs: facts.fromMs,
    atMs,
    final: facts.final && finishInHour,
    declaredUnderRed: end.result?.declared === 'red-flag',
    flagsKnown: timeline.hasFlags,
    hoursRemaining: facts.hoursRemaining,
    scheduledHours: facts.race.scheduledDurationMs === null ? null : Math.round(facts.race.scheduledDurationMs / HOUR),
    headline: top.stories.find((s) => s.kind === 'data-end') ?? top.stories[0]!,
    classes,
    roster,
    facts,
  };
}
