/**
 * What every claim kind (one file each in this directory) is built from: the
 * finder's context, the writer's context, the sentence with its facts, and
 * the shape of a kind — finder, words and verifier side by side
 * (`ClaimDefinition`). The ordered registry is index.ts.
 */
import type { CarStatus, Gap, Standings } from '../../model/standings.js';
import type { RaceTimeline } from '../../engine/timeline.js';
import { MINUTE } from '../../model/time.js';
import { median } from '../../analysis/race-index.js';
import { LONG_STOP_EXTRA_MS, pitStops, type PitStop } from '../../analysis/pits.js';
import type {
  CarPosition,
  DriverChangeFact,
  DriveTimeMilestoneFact,
  FlagPeriodFact,
  LeadChangeFact,
  LeadShareFact,
  PitStopFact,
  PositionSwapsFact,
  RecoveryFact,
  ClassLeadFact,
} from '../../analysis/hour-facts.js';
import type { DriverRef, Roster } from '../../analysis/roster.js';
import type { ClassStories, Selection, StoryWeight } from '../select.js';
import type { ReportFact, ReportFactKind } from '../types.js';
import { carWords, gapWords, listWords, NameTracker, sameTeam, sharedSurnames } from '../words.js';
import type { RawRace } from './raw.js';

/** One sentence and the facts it states; a paragraph joins a few. */
export interface Sentence {
  text: string;
  facts: ReportFact[];
}

/** Every story names its kind and how newsworthy it is (select.ts STORY_WEIGHTS). */
export interface StoryBase {
  kind: string;
  weight: StoryWeight;
}

/** The hour facts a finder reads, already cut to the report's hour. */
export interface HourStories {
  lead: ClassLeadFact[];
  changes: LeadChangeFact[];
  shares: LeadShareFact[];
  stops: PitStopFact[];
  /** Dated by the in-lap the data shows; changes whose stop began last hour are dropped. */
  driverChanges: DriverChangeFact[];
  swaps: PositionSwapsFact[];
  recoveries: RecoveryFact[];
  flags: FlagPeriodFact[];
  milestones: DriveTimeMilestoneFact[];
}

/** What a finder sees: the race at the report's instant, one class, and the stories found before it. */
export interface FindContext {
  timeline: RaceTimeline;
  hour: number;
  fromMs: number;
  atMs: number;
  roster: Roster;
  chequeredMs: number | null;
  finishInHour: boolean;
  /** The timing stops inside the hour without a chequered flag. */
  dataEnds: boolean;
  /**
   * Where the timing stops when dataEnds: the instant a red-flag result was
   * declared at (the last crossing), else atMs. A decision announced after
   * the stop moves atMs (so the report applies it), not this.
   */
  dataEndMs: number;
  /** Most of the field is stationary: the story is the field, not single cars. */
  fieldStopped: boolean;
  stoppedCars: Standings['cars'];
  fieldSinceMs: number;
  /** Any car had completed a lap when the hour began. */
  started: boolean;
  start: Standings;
  end: Standings;
  endPos: Map<string, CarPosition>;
  /** The class and its rank (0: the top class). */
  cls: string;
  rank: number;
  /** The class's cars at the end, in class order. */
  cars: CarPosition[];
  /** The class's cars with a lap when the hour began, in class order. */
  startCars: CarPosition[];
  running: number;
  facts: HourStories;
  /** Stories already found for this class, in registry order. */
  stories: StoryBase[];
}

/** What the words see: the selection, the class, the names mentioned so far. */
export interface WordsContext {
  sel: Selection;
  cls: ClassStories;
  m: Mentions;
  seed: string;
  isTop: boolean;
  /** The story opens its section (the class's lead, finish or "no car left"). */
  first: boolean;
  lapAt: (car: string, crossingMs: number) => number | null;
}

/** An independent meaning of one fact kind: null when the fact holds of the raw laps and events, else what is wrong. */
export type Meaning<K extends ReportFactKind> = (fact: Extract<ReportFact, { kind: K }>, raw: RawRace) => string | null;
export type Meanings = { [K in ReportFactKind]?: Meaning<K> };

/**
 * One kind of sentence: how it is found, how it is said, and what its facts
 * mean, checked from the raw laps and events (raw.ts) rather than from what
 * the finder read. The registry (index.ts) demands all three of every kind.
 */
/**
 * How the checker reads a fact kind in the words (check.ts): every way its
 * numbers may be written ("-3 °C" is read as 3), and the cars it is about
 * (a "#7" in the sentence must be one of them).
 */
export interface FactReading<K extends ReportFactKind> {
  numbers(fact: Extract<ReportFact, { kind: K }>, fromMs: number): string[];
  cars(fact: Extract<ReportFact, { kind: K }>): string[];
}
export type FactReadings = { [K in ReportFactKind]?: FactReading<K> };

export interface ClaimDefinition<S extends StoryBase, V extends Meanings = Meanings> {
  /** Stories of this kind in one class (none when the kind does not apply). */
  find(ctx: FindContext): S[];
  /** The sentences that tell the story; none when it is told elsewhere (say why in the kind's file). */
  words(story: S, ctx: WordsContext): Sentence[];
  /** Meanings of the fact kinds this sentence kind introduces (shared ones live in raw.ts). */
  verify: V;
  /** How the checker reads the fact kinds it introduces in the words; the older kinds are read in check.ts. */
  readings?: FactReadings;
}

export const gone = (s: CarStatus | undefined) => s === 'stopped' || s === 'retired';

export function goneStatus(c: CarPosition): boolean {
  return c.status === 'stopped' || c.status === 'retired';
}

/** Names of cars and drivers as a report goes: full on first mention, short after. */
export class Mentions {
  readonly names: NameTracker;

  /** `sel`: the race, so drivers who share a surname are always named in full. */
  constructor(sel: Selection) {
    this.names = new NameTracker(sharedSurnames(sel.classes.flatMap((c) => c.cars.flatMap((car) => car.crew))));
  }

  private readonly cars = new Set<string>();
  /** Stops and driver changes already told ("car/lap"), so none is told twice. */
  readonly told = new Set<string>();

  driver(d: DriverRef | null): string {
    if (d === null) return 'its driver';
    return this.names.name(d.name, { full: d.displayName, surname: d.surname });
  }

  /** "#31 DragonSpeed Oreca" first, "#31" after. */
  car(c: CarPosition | { car: string; team: string; manufacturer: string }): string {
    if (this.cars.has(c.car)) return `#${c.car}`;
    this.cars.add(c.car);
    return carWords(c);
  }

  /** "the sister #8 car" when same team as `of`, else "the #8 Toyota" (or "the #8"). */
  rival(c: CarPosition, of: CarPosition): string {
    if (sameTeam(c, of)) {
      this.cars.add(c.car);
      return `the sister #${c.car} car`;
    }
    return `the ${this.car(c)}`;
  }
}

export const wheelOf = (c: CarPosition) => c.driverAtWheel;

export function positionFact(c: CarPosition, cls: string | null, atMs: number): ReportFact {
  return { kind: 'position', car: c.car, class: cls, position: cls === null ? c.position : c.classPosition, atMs };
}
/** The gap a sentence states; none when it states none (the leader, or a margin withheld because a car is in the pit lane). */
export function gapFact(c: CarPosition, cls: string | null, atMs: number): ReportFact[] {
  const gap = cls === null ? c.gap : c.classGap;
  return gap === null ? [] : [{ kind: 'gap', car: c.car, class: cls, gap, atMs }];
}
export function wheelFact(c: CarPosition, atMs: number): ReportFact[] {
  return c.driverAtWheel === null ? [] : [{ kind: 'at-wheel', car: c.car, driver: c.driverAtWheel.name, atMs }];
}
export function lapsFact(c: CarPosition, atMs: number): ReportFact {
  return { kind: 'laps', car: c.car, laps: c.laps, atMs };
}

/**
 * A gap the report can state. The engine gives a negative time gap when the
 * car ahead on laps completed the lap in question after the car behind (it
 * passed it in the pits); no reader can use that, so it is left unsaid.
 */
export function known(gap: Gap): boolean {
  return gap !== null && ('laps' in gap || gap.ms >= 0);
}

/** ", 4.5s behind" or nothing when the gap cannot be stated. */
export function gapClause(gap: Gap, tail: string): string {
  return known(gap) ? `, ${gapWords(gap)}${tail}` : '';
}

/** "4.5s ahead", "two laps ahead". */
export function aheadText(gap: Gap): string {
  return `${gapWords(gap)} ahead`;
}

export function crewWords(m: Mentions, c: CarPosition, except: DriverRef | null): { text: string; names: string[]; drivers: DriverRef[] } {
  const drivers = c.crew.filter((d) => except === null || d.name !== except.name);
  const names = drivers.map((d) => m.driver(d));
  return { text: listWords(names), names, drivers };
}

/** The class's lead change of the hour, when the leader at the end is not the one at the start. */
export function classLeadChange(ctx: FindContext): LeadChangeFact | null {
  const inClass = ctx.facts.changes.filter((c) => c.class === ctx.cls);
  return ctx.cars[0]!.car !== ctx.startCars[0]?.car ? (inClass[inClass.length - 1] ?? null) : null;
}

/** The stop the previous leader made when it lost the lead (ten minutes' grace after the change). */
export function stopOfPreviousLeader(ctx: FindContext, change: LeadChangeFact): PitStopFact | null {
  return [...ctx.facts.stops].reverse().find((s) => s.car.car === change.previousLeader.car && s.atMs <= change.atMs + 10 * MINUTE) ?? null;
}

/** "when the #8 made its stop": the lead change's cause, for a change lost to a stop (LeadChangeFact.lostToStop). */
export function lostInStopFact(c: LeadChangeFact, cls: string | null): ReportFact {
  return { kind: 'lead-lost-in-stop', car: c.newLeader.car, from: c.previousLeader.car, class: cls, lap: c.lap, inLap: c.previousLeaderInLap ?? 0, atMs: c.atMs };
}

/** ", crossing the line in the pit lane": a lead taken on the new leader's own in-lap (LeadChangeFact.newLeaderInPitLane). */
export const PIT_LANE_CLAUSE = ', crossing the line in the pit lane';

/** The new leader's in-lap that took the lead, as a checked fact (a `pitted` fact: the lap ended in the pit lane, with that driver). */
export function pitLaneLeadFact(c: LeadChangeFact): ReportFact[] {
  return c.newLeaderInPitLane && c.newLeaderInLapDriver !== null ? [{ kind: 'pitted', car: c.newLeader.car, driver: c.newLeaderInLapDriver, inLap: c.lap, atMs: c.atMs }] : [];
}

/** The car is in the pit lane: its last timing was its in-lap, and it has not crossed the line since. */
function inPitLane(car: CarPosition): boolean {
  return car.status === 'in-pit' || car.status === 'out-lap';
}

/**
 * cars[i] as a sentence may state it: a time gap is a margin on the road only
 * when neither car is in the pit lane (a car in the pits was last timed on its
 * in-lap; Le Mans 2024 hour 3 read the #5's in-lap as "28.3s" behind the #83).
 * Neither is a provisional one (the car ahead on laps passed it in the pits:
 * no margin on the road). Withheld time gaps become null, which no sentence
 * states; lap gaps stand.
 * The tables keep the timing's own values.
 */
export function onRoad(cars: readonly CarPosition[], i: number): CarPosition | null {
  const car = cars[i];
  if (car === undefined) return null;
  const leader = cars[0]!;
  const ahead = cars[i - 1]!;
  const timed = (g: CarPosition['classGap']) => g !== null && 'ms' in g;
  const provisional = (g: CarPosition['classGap']) => g !== null && 'ms' in g && g.provisional === true;
  const classGap = timed(car.classGap) && (inPitLane(car) || inPitLane(leader) || provisional(car.classGap)) ? null : car.classGap;
  const classInterval = timed(car.classInterval) && (inPitLane(car) || inPitLane(ahead) || provisional(car.classInterval)) ? null : car.classInterval;
  return classGap === car.classGap && classInterval === car.classInterval ? car : { ...car, classGap, classInterval };
}

/** The interval to the car ahead when it is a close one (under 10 s), else null. */
export function closeInterval(c: CarPosition): Gap {
  const g = c.classInterval;
  return g !== null && 'ms' in g && g.ms >= 0 && g.ms < 10_000 ? g : null;
}

/**
 * Pit stops per instant, per timeline, for the events it had folded then: a
 * lap that arrives late (a bulk import in any order, a resent feed) changes
 * the stops of an instant already judged, so the entry is dropped when the
 * timeline's eventCount moves on.
 */
const stopsCache = new WeakMap<RaceTimeline, { eventCount: number; byAt: Map<number, PitStop[]> }>();

/**
 * A stop is long only against stops made under the same conditions (issue
 * 11, fault 4: in Le Mans 2024 hour 15 every stop was under the safety car):
 * it must also be LONG_STOP_EXTRA longer than the median of its class's
 * other complete stops that began within 15 minutes of it, when there are
 * three or more of them.
 */
export function longAgainstStopsThen(timeline: RaceTimeline, atMs: number, cls: string, car: string, inMs: number, pitLaneMs: number): boolean {
  let cached = stopsCache.get(timeline);
  if (cached === undefined || cached.eventCount !== timeline.eventCount) stopsCache.set(timeline, (cached = { eventCount: timeline.eventCount, byAt: new Map() }));
  const byAt = cached.byAt;
  let stops = byAt.get(atMs);
  if (stops === undefined) byAt.set(atMs, (stops = pitStops(timeline, { at: atMs })));
  const near = stops.flatMap((s) => (s.class === cls && s.car !== car && s.pitLaneMs !== null && Math.abs(s.inMs - inMs) <= 15 * MINUTE ? [s.pitLaneMs] : []));
  return near.length < 3 || pitLaneMs - median(near)! >= LONG_STOP_EXTRA_MS;
}
