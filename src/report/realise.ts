/**
 * Stage two: the selected stories in words. Each sentence is built together
 * with the facts it states (types.ts), so the checker can verify it. Wording
 * varies by a seed of race, hour and sentence role (words.ts `pick`): the
 * same data always gives the same words, and 24 hours do not read alike.
 */
import type { Gap } from '../model/standings.js';
import { resultCode } from '../model/format.js';
import { HOUR, MINUTE } from '../model/time.js';
import type { CarPosition } from '../analysis/hour-facts.js';
import type { DriverRef } from '../analysis/roster.js';
import type { ClassStories, Selection, Story } from './select.js';
import type { Paragraph, PositionsTable, Report, ReportFact, Section } from './types.js';
import {
  advantageWords,
  articleFor,
  capitalise,
  carWords,
  gapWords,
  hourPhrase,
  listWords,
  makeWords,
  minutesWords,
  NameTracker,
  sharedSurnames,
  numberWord,
  ordinal,
  pick,
  placeWords,
  progressWords,
  classWords,
  raceClockWords,
  sameTeam,
  teamWords,
  timeGapWords,
} from './words.js';

/** One sentence and its facts; a paragraph joins a few. */
interface Sentence {
  text: string;
  facts: ReportFact[];
}

/** Names of cars and drivers as a report goes: full on first mention, short after. */
class Mentions {
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

const wheelOf = (c: CarPosition) => c.driverAtWheel;

function positionFact(c: CarPosition, cls: string | null, atMs: number): ReportFact {
  return { kind: 'position', car: c.car, class: cls, position: cls === null ? c.position : c.classPosition, atMs };
}
/** The gap a sentence states; none when it states none (the leader, or a margin withheld because a car is in the pit lane). */
function gapFact(c: CarPosition, cls: string | null, atMs: number): ReportFact[] {
  const gap = cls === null ? c.gap : c.classGap;
  return gap === null ? [] : [{ kind: 'gap', car: c.car, class: cls, gap, atMs }];
}
function wheelFact(c: CarPosition, atMs: number): ReportFact[] {
  return c.driverAtWheel === null ? [] : [{ kind: 'at-wheel', car: c.car, driver: c.driverAtWheel.name, atMs }];
}
function lapsFact(c: CarPosition, atMs: number): ReportFact {
  return { kind: 'laps', car: c.car, laps: c.laps, atMs };
}

/**
 * A gap the report can state. The engine gives a negative time gap when the
 * car ahead on laps completed the lap in question after the car behind (it
 * passed it in the pits); no reader can use that, so it is left unsaid.
 */
function known(gap: Gap): boolean {
  return gap !== null && ('laps' in gap || gap.ms >= 0);
}

/** ", 4.5s behind" or nothing when the gap cannot be stated. */
function gapClause(gap: Gap, tail: string): string {
  return known(gap) ? `, ${gapWords(gap)}${tail}` : '';
}

/** Gap as "by X" text: "4.5s", "one lap". */
function gapText(gap: Gap): string {
  return gapWords(gap);
}

/** "4.5s ahead", "two laps ahead". */
function aheadText(gap: Gap): string {
  return `${gapWords(gap)} ahead`;
}

/** "a minute", "12 minutes", "1 hour 32 minutes", "4 hours". */
function durationMinutes(ms: number): string {
  const m = Math.max(1, Math.round(ms / MINUTE));
  if (m === 1) return 'a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  const hours = `${h} ${h === 1 ? 'hour' : 'hours'}`;
  return rest === 0 ? hours : `${hours} ${rest} ${rest === 1 ? 'minute' : 'minutes'}`;
}

export function realise(sel: Selection, timelineLap: (car: string, crossingMs: number) => number | null): Report {
  const seed = `${sel.race}/${sel.hour}`;
  const top = sel.classes[0]!;
  const headline = headlineOf(sel, seed);
  const m = new Mentions(sel);
  const standfirst = standfirstOf(sel, m, seed);
  const sections: Section[] = [];
  sections.push({
    heading: null,
    headingFacts: [],
    class: top.class,
    paragraphs: paragraphsOf(sectionSentences(sel, top, m, seed, true, timelineLap)),
  });
  for (const cls of sel.classes.slice(1)) {
    const cm = m; // names carry across sections: full name on first mention in the report
    const head = classHeading(sel, cls, seed);
    sections.push({
      heading: head.text,
      headingFacts: head.facts,
      class: cls.class,
      paragraphs: paragraphsOf(sectionSentences(sel, cls, cm, seed, false, timelineLap)),
    });
  }
  return {
    race: sel.race,
    hour: sel.hour,
    atMs: sel.atMs,
    fromMs: sel.fromMs,
    final: sel.final,
    headline: headline.text,
    headlineFacts: headline.facts,
    standfirst: standfirst.text,
    standfirstFacts: standfirst.facts,
    sections,
    tablesTitle: tablesTitleOf(sel),
    tables: tablesOf(sel),
  };
}

/** The tables' heading: never an hour the race did not reach (the timing may stop inside it). */
function tablesTitleOf(sel: Selection): string {
  if (sel.final) return 'Final classification';
  if (sel.declaredUnderRed) return `Result, declared under red flag at ${raceClockWords(sel.atMs)}`;
  if (sel.atMs < sel.hour * HOUR) return `Positions at ${raceClockWords(sel.atMs)}, when the timing stops`;
  return `Positions after ${sel.hour} ${sel.hour === 1 ? 'hour' : 'hours'}`;
}

/** Up to three sentences a paragraph, in the ranked order. */
function paragraphsOf(sentences: Sentence[][]): Paragraph[] {
  const out: Paragraph[] = [];
  for (const group of sentences) {
    for (let i = 0; i < group.length; i += 3) {
      const part = group.slice(i, i + 3);
      if (part.length === 0) continue;
      out.push({ text: part.map((s) => s.text).join(' '), facts: part.flatMap((s) => s.facts) });
    }
  }
  return out.filter((p) => p.text !== '');
}

function progress(sel: Selection): string {
  return progressWords(sel.hour, sel.hoursRemaining, sel.scheduledHours);
}

// ——— Headline ———

function headlineOf(sel: Selection, seed: string): Sentence {
  const race = sel.race;
  const story = sel.headline;
  const names = new Mentions(sel);
  const when = progress(sel);
  if (story.kind === 'data-end') {
    const lead = sel.classes[0]!.stories.find((s) => s.kind === 'lead');
    const leader = lead?.kind === 'lead' ? lead.leader : sel.classes[0]!.cars[0]!;
    return {
      text: `${race}: timing stops in ${hourPhrase(sel.hour)} with ${names.driver(wheelOf(leader))} in front`,
      facts: [{ kind: 'data-ends', atMs: story.lastMs }, positionFact(leader, null, sel.atMs), ...wheelFact(leader, sel.atMs)],
    };
  }
  if (story.kind === 'finish') {
    const winner = story.podium[0]!;
    const d = names.driver(wheelOf(winner));
    const car = carWords(winner);
    const text = pick(
      [`${d} takes the ${car} to victory`, `${d} brings the ${car} home to win`, `victory for the ${car} as ${d} takes the flag`],
      `${seed}/headline`,
    );
    return {
      text: `${race}: ${capitalise(text)}`,
      facts: [{ kind: 'chequered', atMs: story.chequeredMs }, positionFact(winner, null, sel.atMs), ...wheelFact(winner, sel.atMs)],
    };
  }
  if (story.kind === 'class-out') {
    return { text: `${race}: no ${classWords(story.class)} car left running ${when}`, facts: [] };
  }
  if (story.kind !== 'lead') return { text: `${race}: ${when}`, facts: [] };
  const leader = story.leader;
  // Who took the lead is whoever drove then, not whoever is at the wheel at the end of the hour.
  const changer = story.change?.newLeaderDriver ?? null;
  const facts: ReportFact[] = [positionFact(leader, null, sel.atMs)];
  if (story.change !== null && changer !== null) facts.push({ kind: 'at-wheel', car: leader.car, driver: changer.name, atMs: story.change.atMs });
  else facts.push(...wheelFact(leader, sel.atMs));
  const d1 = names.driver(changer ?? wheelOf(leader));
  const halted = sel.classes[0]!.stories.find((s) => s.kind === 'field-stopped');
  if (halted !== undefined && halted.kind === 'field-stopped') {
    facts.push({ kind: 'field-stopped', stopped: halted.stopped, entries: halted.entries, sinceMs: halted.sinceMs, atMs: sel.atMs });
    return { text: `${race}: field halted ${when}, ${d1} in front`, facts };
  }
  // A red flag is the story of its hour, whoever leads.
  const red = sel.classes[0]!.stories.find((s) => s.kind === 'flag' && s.period.period.flag === 'red' && s.period.startedInHour);
  if (red !== undefined && red.kind === 'flag') {
    facts.push({ kind: 'flag-period', flag: 'red', startMs: red.period.period.startMs, endMs: red.period.period.endMs, atMs: sel.atMs });
    return { text: `${race}: red flag stops the race ${when}, ${d1} in front`, facts };
  }
  if (story.change !== null) {
    const old = story.change.previousLeaderDriver;
    facts.push({ kind: 'lead-change', car: leader.car, from: story.change.previousLeader.car, class: story.class, lap: story.change.lap, atMs: story.change.atMs });
    const inLap = story.change.previousLeaderInLap;
    if (old !== null && story.change.previousLeaderPitting && inLap !== null)
      facts.push({ kind: 'pitted', car: story.change.previousLeader.car, driver: old.name, inLap, atMs: story.change.atMs });
    else if (old !== null) facts.push({ kind: 'at-wheel', car: story.change.previousLeader.car, driver: old.name, atMs: story.change.atMs });
    const oldName = old === null ? `the #${story.change.previousLeader.car}` : names.driver(old);
    const text = story.change.previousLeaderPitting
      ? `${d1} into lead as ${oldName} pits ${when}`
      : pick([`${d1} takes lead from ${oldName} ${when}`, `${d1} moves ahead of ${oldName} ${when}`], `${seed}/headline`);
    return { text: `${race}: ${text}`, facts };
  }
  // A safety car in the hour that coincided with a new leader in another class.
  const sc = sel.classes[0]!.stories.find((s) => s.kind === 'flag' && (s.period.period.flag === 'safety-car' || s.period.period.flag === 'red'));
  const shaken = sel.classes.slice(1).find((c) => c.stories.some((s) => s.kind === 'lead' && s.change !== null));
  if (sc !== undefined && sc.kind === 'flag' && shaken !== undefined) {
    const lead = shaken.stories.find((s) => s.kind === 'lead');
    const cause = sc.period.period.flag === 'red' ? 'Red flag' : 'Safety car';
    const f: ReportFact[] = [{ kind: 'flag-period', flag: sc.period.period.flag, startMs: sc.period.period.startMs, endMs: sc.period.period.endMs, atMs: sel.atMs }];
    if (lead?.kind === 'lead' && lead.change !== null) {
      f.push({ kind: 'lead-change', car: lead.leader.car, from: lead.change.previousLeader.car, class: shaken.class, lap: lead.change.lap, atMs: lead.change.atMs });
    }
    return { text: `${race}: ${cause} shakes up ${classWords(shaken.class)} fight ${when}`, facts: f };
  }
  // "Keeps X at bay" is a fight on the road: not when the margin is not one (a car in the pits).
  if (story.second === null || !known(story.second.classGap)) return { text: `${race}: ${d1} leads ${when}`, facts };
  facts.push(positionFact(story.second, story.class, sel.atMs), ...wheelFact(story.second, sel.atMs));
  const d2 = names.driver(wheelOf(story.second));
  const text = pick(
    [
      `${d1} holds lead over ${d2} ${when}`,
      `${d1} keeps ${d2} at bay ${when}`,
      `${d1} retains lead over ${d2} ${when}`,
      `${d1} stays ahead of ${d2} ${when}`,
      `${d1} continues to lead ${d2} ${when}`,
    ],
    `${seed}/headline`,
  );
  return { text: `${race}: ${text}`, facts };
}

// ——— Standfirst ———

function standfirstOf(sel: Selection, m: Mentions, seed: string): Sentence {
  const top = sel.classes[0]!;
  const story = top.stories[0]!;
  const when = progress(sel);
  const at = sel.atMs;
  if (story.kind === 'finish') {
    const [winner, second] = story.podium;
    const crew = winner!.crew.length > 0 ? winner!.crew : winner!.driverAtWheel === null ? [] : [winner!.driverAtWheel];
    const facts: ReportFact[] = [
      { kind: 'chequered', atMs: story.chequeredMs },
      positionFact(winner!, null, at),
      lapsFact(winner!, at),
      { kind: 'crew', car: winner!.car, drivers: crew.map((d) => d.name) },
    ];
    const who = listWords(crew.map((d) => m.driver(d)));
    const car = m.car(winner!);
    if (second === undefined || !known(second.classGap)) return { text: `${who} won the ${sel.race} in the ${car} after ${winner!.laps} laps.`, facts };
    facts.push(positionFact(second, top.class, at), ...gapFact(second, top.class, at));
    const rival = m.rival(second, winner!);
    return {
      text: `${who} won the ${sel.race} in the ${car}, ${aheadText(second.classGap)} of ${rival} after ${winner!.laps} laps.`,
      facts,
    };
  }
  if (story.kind !== 'lead') {
    const leader = top.cars[0]!;
    return { text: `The ${m.car(leader)} led ${when}.`, facts: [positionFact(leader, null, at)] };
  }
  const leader = story.leader;
  const second = story.second;
  const facts: ReportFact[] = [positionFact(leader, null, at), ...wheelFact(leader, at)];
  const dataEnd = sel.classes[0]!.stories.find((s) => s.kind === 'data-end');
  if (dataEnd !== undefined && dataEnd.kind === 'data-end') {
    const minutes = Math.floor((dataEnd.lastMs - sel.fromMs) / MINUTE);
    facts.push({ kind: 'data-ends', atMs: dataEnd.lastMs });
    const d1 = m.driver(wheelOf(leader));
    const car = m.car(leader);
    const tail = second === null || !known(second.classGap) ? '' : `, ${aheadText(second.classGap)} of ${m.rival(second, leader)}`;
    if (tail !== '') facts.push(positionFact(second!, top.class, at), ...gapFact(second!, top.class, at));
    return {
      text: `The timing data stops at ${raceClockWords(dataEnd.lastMs)} race time, ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} into ${hourPhrase(sel.hour)}, with no chequered flag in it; ${d1} was then leading in the ${car}${tail}.`,
      facts,
    };
  }
  const changer = story.change?.newLeaderDriver ?? null;
  if (story.change !== null && changer !== null) {
    facts.splice(1, facts.length - 1, { kind: 'at-wheel', car: leader.car, driver: changer.name, atMs: story.change.atMs });
  }
  const d1 = m.driver(changer ?? wheelOf(leader));
  const car = m.car(leader);
  if (second === null || !known(second.classGap)) return { text: `${d1} led the ${sel.race} in the ${car} ${when}.`, facts };
  facts.push(positionFact(second, top.class, at), ...gapFact(second, top.class, at), ...wheelFact(second, at));
  if (story.change !== null) {
    const c = story.change;
    facts.push({ kind: 'lead-change', car: leader.car, from: c.previousLeader.car, class: top.class, lap: c.lap, atMs: c.atMs });
    const old = c.previousLeader.car === second.car ? null : c.previousLeader;
    const d2 = m.driver(wheelOf(second));
    const rival = m.rival(second, leader);
    const how = c.previousLeaderPitting
      ? old === null
        ? ` when ${rival} pitted`
        : ` when the #${old.car} pitted`
      : '';
    if (old !== null) facts.push({ kind: 'position', car: old.car, class: top.class, position: 1, atMs: c.atMs - 1 });
    // Name the second car unless it is the one that just pitted (named already).
    const lead = old === null ? d2 : `${rival} of ${d2}`;
    return {
      text:
        how === ''
          ? `${d1} put the ${car} in front ${minutesWords(c.minutesIntoHour)} and ${when} led ${rival} of ${d2} by ${gapText(second.classGap)}.`
          : `${d1} took the ${car} into the lead ${minutesWords(c.minutesIntoHour)}${how}, and ${when} was ${aheadText(second.classGap)} of ${lead}.`,
      facts,
    };
  }
  const rival = m.rival(second, leader);
  const d2 = m.driver(wheelOf(second));
  const goal = pick(['victory', 'the win', 'overall honours'], `${seed}/goal`);
  const adv = advantageWords(second.classGap);
  const text = pick(
    [
      `${d1} kept the ${car} crew on course for ${goal} ${when}, holding ${adv} over ${rival} of ${d2}.`,
      `${capitalise(when)}, ${d1} had the ${car} ${aheadText(second.classGap)} of ${d2} in ${rival}.`,
      `${d1} was at the wheel of the leading ${car} ${when}, ${gapText(second.classGap)} clear of ${rival} of ${d2}.`,
      `${capitalise(when)}, ${d1} led in the ${car} with ${adv} over ${d2} in ${rival}.`,
    ],
    `${seed}/standfirst`,
  );
  return { text, facts };
}

// ——— Sections ———

function classHeading(sel: Selection, cls: ClassStories, seed: string): Sentence {
  const story = cls.stories[0];
  const leader = cls.cars[0]!;
  const name = headingCar(leader);
  const at = sel.atMs;
  if (story === undefined) return { text: `${classWords(cls.class)}`, facts: [] };
  if (story.kind === 'class-out') {
    return { text: `${classWords(cls.class)} - no car left running`, facts: [{ kind: 'class-running', class: cls.class, running: 0, entries: cls.cars.length, atMs: at }] };
  }
  const facts: ReportFact[] = [positionFact(leader, cls.class, at)];
  if (story.kind === 'finish') {
    // A class of one (Garage 56) has no winner to speak of: it finishes or it does not.
    if (cls.cars.length === 1) {
      const done = leader.status === 'finished';
      return { text: `${classWords(cls.class)} - ${name} ${done ? 'sees the flag' : 'does not finish'}`, facts: [{ kind: 'status', car: leader.car, status: leader.status, atMs: at }] };
    }
    return { text: `${classWords(cls.class)} - ${name} wins`, facts: [{ kind: 'chequered', atMs: story.chequeredMs }, ...facts] };
  }
  if (story.kind !== 'lead') return { text: `${classWords(cls.class)} - ${name} leads`, facts };
  if (story.second === null) return { text: `${classWords(cls.class)} - ${name} alone in class`, facts: [...facts, { kind: 'class-running', class: cls.class, running: cls.running, entries: cls.cars.length, atMs: at }] };
  const gap = story.second.classGap;
  if (!known(gap)) return { text: `${classWords(cls.class)} - ${name} leads`, facts };
  facts.push(...gapFact(story.second, cls.class, at));
  if (story.change !== null) {
    facts.push({ kind: 'lead-change', car: leader.car, from: story.change.previousLeader.car, class: cls.class, lap: story.change.lap, atMs: story.change.atMs });
    return { text: `${classWords(cls.class)} - ${name} ${pick(['takes over', 'hits the front', 'moves ahead'], `${seed}/${cls.class}/h`)}`, facts };
  }
  if (gap !== null && 'laps' in gap) return { text: `${classWords(cls.class)} - ${name} ${gapWords(gap)} clear`, facts };
  const startGap = story.startSecond?.classGap ?? null;
  if (gap !== null && 'ms' in gap && startGap !== null && 'ms' in startGap && story.startLeader?.car === leader.car && gap.ms < 60_000 && startGap.ms - gap.ms >= 5_000) {
    facts.push({ kind: 'gap', car: story.startSecond!.car, class: cls.class, gap: startGap, atMs: sel.fromMs });
    return { text: `${classWords(cls.class)} - ${name} lead cut to ${gapWords(gap)}`, facts };
  }
  if (gap !== null && 'ms' in gap && gap.ms >= 60_000) return { text: `${classWords(cls.class)} - ${name} ${pick(['in charge', 'in control', 'well clear'], `${seed}/${cls.class}/h`)}`, facts };
  if (gap !== null && 'ms' in gap && gap.ms < 10_000) return { text: `${classWords(cls.class)} - ${name} ahead by ${gapWords(gap)}`, facts };
  return { text: `${classWords(cls.class)} - ${name} ${gapWords(gap)} clear`, facts };
}

/** "#22 United Autosports", "#92 Porsche": the heading's short car name. */
function headingCar(c: CarPosition): string {
  const make = makeWords(c.manufacturer);
  const team = teamWords(c.team);
  if (make !== '' && c.team.toLowerCase().includes(make.toLowerCase())) return `#${c.car} ${make}`;
  return `#${c.car} ${team || make}`.trim();
}

function sectionSentences(
  sel: Selection,
  cls: ClassStories,
  m: Mentions,
  seed: string,
  isTop: boolean,
  lapAt: (car: string, crossingMs: number) => number | null,
): Sentence[][] {
  const groups: Sentence[][] = [];
  const [first, ...rest] = cls.stories;
  if (first === undefined) return groups;
  const lead = leadSentences(sel, cls, first, m, seed, isTop, lapAt);
  groups.push(lead);
  const others: Sentence[] = [];
  for (const story of rest.slice(0, isTop ? 6 : 4)) {
    const s = storySentence(sel, cls, story, m, seed);
    if (s !== null) others.push(s);
  }
  if (others.length > 0) groups.push(others);
  return groups;
}

function crewWords(m: Mentions, c: CarPosition, except: DriverRef | null): { text: string; names: string[]; drivers: DriverRef[] } {
  const drivers = c.crew.filter((d) => except === null || d.name !== except.name);
  const names = drivers.map((d) => m.driver(d));
  return { text: listWords(names), names, drivers };
}

function leadSentences(
  sel: Selection,
  cls: ClassStories,
  story: Story,
  m: Mentions,
  seed: string,
  isTop: boolean,
  lapAt: (car: string, crossingMs: number) => number | null,
): Sentence[] {
  const at = sel.atMs;
  const scope = cls.class;
  const out: Sentence[] = [];
  if (story.kind === 'class-out') {
    out.push({
      text: `None of the ${numberWord(story.cars.length)} ${classWords(cls.class)} ${story.cars.length === 1 ? 'car is' : 'cars is'} still running.`,
      facts: [{ kind: 'class-running', class: cls.class, running: 0, entries: story.cars.length, atMs: at }],
    });
    return out;
  }
  if (story.kind === 'finish') {
    const [winner, second, third] = story.podium;
    if (winner === undefined) return out;
    if (isTop) {
      if (second !== undefined) {
        const facts: ReportFact[] = [positionFact(second, scope, at), ...gapFact(second, scope, at), { kind: 'crew', car: second.car, drivers: second.crew.map((d) => d.name) }];
        let text = `${capitalise(m.rival(second, winner))}, shared by ${crewWords(m, second, null).text}, finished second${gapClause(second.classGap, ' behind')}`;
        if (third !== undefined) {
          facts.push(positionFact(third, scope, at), ...gapFact(third, scope, at));
          text += `, and the ${m.car(third)} completed the podium${gapClause(third.classGap, ' down')}`;
        }
        out.push({ text: `${text}.`, facts });
      }
      return out;
    }
    const crew = crewWords(m, winner, null);
    const facts: ReportFact[] = [positionFact(winner, cls.class, at), { kind: 'crew', car: winner.car, drivers: crew.drivers.map((d) => d.name) }];
    if (cls.cars.length === 1) {
      facts.push({ kind: 'status', car: winner.car, status: winner.status, atMs: at }, positionFact(winner, null, at));
      const verb = winner.status === 'finished' ? 'took the chequered flag' : 'did not take the chequered flag';
      out.push({ text: `${crew.text} ${verb} in the ${m.car(winner)}, the class's only entry, ${placeWords(winner.position)} overall.`, facts });
      return out;
    }
    let text = `${crew.text} won ${classWords(cls.class)} in the ${m.car(winner)}`;
    if (second !== undefined) {
      facts.push(positionFact(second, cls.class, at), ...gapFact(second, cls.class, at));
      text += known(second.classGap) ? `, ${aheadText(second.classGap)} of ${m.rival(second, winner)}` : `, ahead of ${m.rival(second, winner)}`;
    }
    out.push({ text: `${text}.`, facts });
    if (third !== undefined) {
      out.push({
        text: `The ${m.car(third)} completed the class podium${gapClause(third.classGap, ' behind the winner')}.`,
        facts: [positionFact(third, cls.class, at), ...gapFact(third, cls.class, at)],
      });
    }
    return out;
  }
  if (story.kind !== 'lead') return out;
  const leader = story.leader;
  if (isTop) {
    // The standfirst told who leads and by how much; here the crew and the lead's story.
    const wheel = wheelOf(leader);
    const crew = crewWords(m, leader, wheel);
    const share = story.share;
    const facts: ReportFact[] = [{ kind: 'crew', car: leader.car, drivers: [...(wheel === null ? [] : [wheel.name]), ...crew.drivers.map((d) => d.name)] }];
    const wheelName = wheel === null ? '' : m.driver(wheel);
    const who = wheel === null ? `The #${leader.car}` : `The #${leader.car}, which ${wheelName} shares with ${crew.text},`;
    if (story.change !== null) {
      const c = story.change;
      facts.push({ kind: 'lead-change', car: leader.car, from: c.previousLeader.car, class: cls.class, lap: c.lap, atMs: c.atMs });
      const how = c.previousLeaderPitting && story.previousLeaderStop !== null ? `, when the #${c.previousLeader.car} made its stop` : '';
      if (how !== '') {
        const st = story.previousLeaderStop!;
        m.told.add(`stop/${st.car.car}/${st.stop.inLap}`);
        facts.push({ kind: 'pit-stop', car: st.car.car, inLap: st.stop.inLap, inMs: st.stop.inMs, pitLaneMs: st.stop.pitLaneMs, atMs: at });
      }
      const shared = crew.drivers.length > 0 && wheel !== null ? `The #${leader.car}, shared by ${listWords([wheelName, ...crew.names])},` : `The #${leader.car}`;
      out.push({ text: `${shared} took the lead on lap ${c.lap}${how}.`, facts });
      if (story.changesInHour > 1) {
        out.push({ text: `The lead changed hands ${timesWords(story.changesInHour)} in the hour.`, facts: [{ kind: 'lead-change', car: leader.car, from: c.previousLeader.car, class: cls.class, lap: c.lap, atMs: c.atMs }] });
      }
    } else if (share !== null) {
      const led = shareSentence(sel, leader, share, lapAt, cls.class);
      facts.push(...led.facts);
      // The crew sentence turns by the hour, so two hours in a row never open alike. Laps led
      // belong to the car, never to one driver of its crew: the car is always the subject.
      const variants =
        crew.drivers.length === 0 || wheel === null
          ? [`The #${leader.car} ${led.text}.`]
          : [
              `${who} ${led.text}.`,
              `The #${leader.car}, shared by ${listWords([wheelName, ...crew.names])}, ${led.text}.`,
              `With ${wheelName} at the wheel, the #${leader.car} ${led.text}.`,
              `The #${leader.car} of ${wheelName}, ${crew.text} ${led.text}.`,
            ];
      out.push({ text: variants[sel.hour % variants.length]!, facts });
    }
    if (story.third !== null && !goneStatus(story.third)) {
      out.push({
        // Variants as thunks: naming a car marks it mentioned, so only the chosen one may run.
        text: pick(
          [
            () => `The ${m.car(story.third!)} ran third${gapClause(story.third!.classGap, ' behind the leader')}.`,
            () => `Third place belonged to the ${m.car(story.third!)}${gapClause(story.third!.classGap, ' down')}.`,
          ],
          `${seed}/third`,
        )(),
        facts: [positionFact(story.third, scope, at), ...gapFact(story.third, scope, at)],
      });
    }
    return out;
  }
  // Another class: leader and second with drivers and the gap, then third.
  const changer = story.change?.newLeaderDriver ?? null;
  const facts: ReportFact[] = [positionFact(leader, scope, at)];
  if (story.change !== null && changer !== null) facts.push({ kind: 'at-wheel', car: leader.car, driver: changer.name, atMs: story.change.atMs });
  else facts.push(...wheelFact(leader, at));
  const d1 = m.driver(changer ?? wheelOf(leader));
  const car = m.car(leader);
  if (story.second === null) {
    facts.push(positionFact(leader, null, at));
    out.push({ text: `${d1} was at the wheel of the ${car}, the class's only entry, ${placeWords(leader.position)} overall.`, facts });
    return out;
  }
  const second = story.second;
  if (!known(second.classGap)) {
    out.push({ text: `${d1} led ${classWords(cls.class)} in the ${car}.`, facts });
    return out;
  }
  facts.push(positionFact(second, scope, at), ...gapFact(second, scope, at), ...wheelFact(second, at));
  const rival = m.rival(second, leader);
  const d2 = m.driver(wheelOf(second));
  const gap = second.classGap;
  if (story.change !== null) {
    const c = story.change;
    facts.push({ kind: 'lead-change', car: leader.car, from: c.previousLeader.car, class: cls.class, lap: c.lap, atMs: c.atMs });
    const how = c.previousLeaderPitting ? ` when the #${c.previousLeader.car} pitted` : '';
    out.push({
      text: `${d1} took the ${car} into the ${classWords(cls.class)} lead on lap ${c.lap}${how}, and at the end of the hour was ${aheadText(gap)} of ${d2} in ${rival}.`,
      facts,
    });
  } else {
    out.push({
      text: pick(
        [
          `${d1} kept the ${car} ahead in ${classWords(cls.class)}, ${gapWords(gap)} clear of ${d2} in ${rival}.`,
          // The driver comes first, so "at the wheel" can only be the leader's.
          `With ${d1} at the wheel, the ${car} led ${classWords(cls.class)} by ${gapWords(gap)} from ${d2} in ${rival}.`,
          `${d1} had the ${car} in front of the ${classWords(cls.class)} field, ${aheadText(gap)} of ${rival} of ${d2}.`,
        ],
        `${seed}/${cls.class}/lead`,
      ),
      facts,
    });
  }
  if (story.third !== null && !goneStatus(story.third)) {
    out.push({
      text: pick(
        [
          () => `The ${m.car(story.third!)} was third${gapClause(story.third!.classGap, ' off the lead')}${closeBehind(story.third!, second)}.`,
          () => `Third went to the ${m.car(story.third!)}${gapClause(story.third!.classGap, ' back')}${closeBehind(story.third!, second)}.`,
        ],
        `${seed}/${cls.class}/third`,
      )(),
      facts: [positionFact(story.third, scope, at), ...gapFact(story.third, scope, at), ...closeFact(story.third, at)],
    });
  }
  if (story.share !== null && story.change === null) {
    const led = shareSentence(sel, leader, story.share, lapAt, cls.class);
    out.push({ text: `The #${leader.car} ${led.text}.`, facts: led.facts });
  }
  return out;
}

/** ", only 0.4s behind the #77": a fight for second hidden in two gaps to the leader. */
function closeBehind(third: CarPosition, second: CarPosition): string {
  const g = third.classInterval;
  return g !== null && 'ms' in g && g.ms >= 0 && g.ms < 10_000 ? ` and only ${gapWords(g)} behind the #${second.car}` : '';
}

function closeFact(third: CarPosition, at: number): ReportFact[] {
  const g = third.classInterval;
  return g !== null && 'ms' in g && g.ms >= 0 && g.ms < 10_000 ? [{ kind: 'interval', car: third.car, class: third.class, gap: g, atMs: at }] : [];
}

function goneStatus(c: CarPosition): boolean {
  return c.status === 'stopped' || c.status === 'retired';
}

function timesWords(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${numberWord(n)} times`;
}

/** "has led every lap", "has led since the fourth hour, 158 of the 188 laps". */
function shareSentence(
  sel: Selection,
  leader: CarPosition,
  share: NonNullable<Extract<Story, { kind: 'lead' }>['share']>,
  lapAt: (car: string, crossingMs: number) => number | null,
  cls: string | null = null,
): Sentence {
  const at = sel.atMs;
  const facts: ReportFact[] = [{ kind: 'laps-led', car: leader.car, class: cls, lapsLed: share.lapsLed, leaderLaps: share.leaderLaps, atMs: at }];
  if (share.ledEveryLap) return { text: `has led every one of the ${share.leaderLaps} laps`, facts };
  const sinceLap = lapAt(leader.car, share.leadingSinceMs);
  if (sinceLap !== null) facts.push({ kind: 'led-since', car: leader.car, class: cls, sinceLap, sinceMs: share.leadingSinceMs, atMs: at });
  const since = sinceLap === null ? '' : share.leadingSinceHour >= sel.hour ? `has been in front since lap ${sinceLap}` : `has led since ${hourPhrase(share.leadingSinceHour)}`;
  const most = share.share >= 0.5 ? `${share.lapsLed} of the ${share.leaderLaps} laps so far` : null;
  if (since === '') return { text: `has led ${share.lapsLed} of the ${share.leaderLaps} laps`, facts };
  return { text: most === null ? since : `${since}, and ${most}`, facts };
}

function storySentence(sel: Selection, cls: ClassStories, story: Story, m: Mentions, seed: string): Sentence | null {
  const at = sel.atMs;
  const scope = cls.rank === 0 ? null : cls.class;
  switch (story.kind) {
    case 'flag': {
      const p = story.period.period;
      const facts: ReportFact[] = [{ kind: 'flag-period', flag: p.flag, startMs: p.startMs, endMs: p.endMs, atMs: at }];
      const name = p.flag === 'safety-car' ? 'safety car' : p.flag === 'fcy' ? 'full course yellow' : 'red flag';
      const started = story.period.startedInHour ? minutesWords(Math.floor((p.startMs - sel.fromMs) / MINUTE)) : null;
      const ended = p.endMs !== null && p.endMs <= at;
      if (p.flag === 'red') {
        return { text: `The race was stopped under the red flag${started === null ? '' : ` ${started}`}${ended ? `, for ${durationMinutes(p.endMs! - p.startMs)}` : ''}.`, facts };
      }
      if (started !== null && ended) {
        return { text: `A ${name} period began ${started} and lasted ${durationMinutes(p.endMs! - p.startMs)}.`, facts };
      }
      if (started !== null) return { text: `The ${name} came out ${started} and was still deployed when the hour ended.`, facts };
      // Say when it began, never "in the previous hour": a period may reach back several hours (Le Mans 2024: 6:37 to hour 9).
      if (ended) return { text: `The ${name} period that began at ${raceClockWords(p.startMs)} race time ended after ${durationMinutes(p.endMs! - p.startMs)} in all.`, facts };
      return { text: `The ${name} was out for the whole hour.`, facts };
    }
    case 'data-end':
      return null;
    case 'drive-time': {
      const f = story.fact;
      return {
        text: `${capitalise(m.driver(f.driver))}, the Bronze-rated driver of the #${f.car.car}, completed the ${durationMinutes(f.minimumMs)} minimum drive time on lap ${f.lap}, ${minutesWords(f.minutesIntoHour)}.`,
        facts: [{ kind: 'drive-minimum', car: f.car.car, driver: f.driver.name, category: 'Bronze', minimumMs: f.minimumMs, lap: f.lap, atMs: f.atMs }],
      };
    }
    case 'late-change': {
      const c = story.change;
      const facts: ReportFact[] = [{ kind: 'lead-change', car: c.newLeader.car, from: c.previousLeader.car, class: cls.class, lap: c.lap, atMs: c.atMs }];
      let text = `The #${c.newLeader.car} took the lead on lap ${c.lap}, ${minutesWords(c.minutesIntoHour).replace(' of the hour', ' of the final hour').replace('into the hour', 'into the final hour')}`;
      const st = story.previousLeaderStop;
      if (st !== null && st.stop.pitLaneMs !== null) {
        facts.push({ kind: 'pit-stop', car: st.car.car, inLap: st.stop.inLap, inMs: st.stop.inMs, pitLaneMs: st.stop.pitLaneMs, atMs: at });
        text += `, when the #${st.car.car} spent ${timeGapWords(st.stop.pitLaneMs)} in the pit lane on lap ${st.stop.inLap}`;
        m.told.add(`stop/${st.car.car}/${st.stop.inLap}`);
      } else if (c.previousLeaderPitting) {
        text += `, when the #${c.previousLeader.car} pitted`;
      }
      return { text: `${text}.`, facts };
    }
    case 'field-stopped':
      return {
        text: `The field is halted: ${story.stopped} of the ${story.entries} cars have not crossed the line since ${raceClockWords(story.sinceMs)} race time.`,
        facts: [{ kind: 'field-stopped', stopped: story.stopped, entries: story.entries, sinceMs: story.sinceMs, atMs: at }],
      };
    case 'long-stop': {
      const s = story.stop;
      const facts: ReportFact[] = [
        { kind: 'long-stop', car: s.car.car, inLap: s.stop.inLap, inMs: s.stop.inMs, pitLaneMs: s.stop.pitLaneMs!, usualMs: s.stop.usualPitLaneMs!, lostMs: s.stop.lostMs!, atMs: at },
      ];
      const car = m.car(story.positionAtEnd ?? { car: s.car.car, team: s.car.team, manufacturer: s.car.manufacturer });
      let tail = '';
      let stopTail = '';
      const end = story.positionAtEnd;
      if (end !== null && s.classPositionAtEntry !== null && s.classPositionAtEntry < end.classPosition) {
        facts.push(positionFact(end, cls.class, at), { kind: 'position', car: s.car.car, class: cls.class, position: s.classPositionAtEntry, atMs: s.stop.inMs });
        tail = `, and fell from ${placeWords(s.classPositionAtEntry)} to ${placeWords(end.classPosition)} in class`;
        stopTail = `, dropping it from ${placeWords(s.classPositionAtEntry)} to ${placeWords(end.classPosition)} in class`;
      }
      m.told.add(`stop/${s.car.car}/${s.stop.inLap}`);
      return {
        text: pick(
          [
            `The ${car} lost ${timeGapWords(s.stop.lostMs!)} on its stop on lap ${s.stop.inLap}, ${minutesWords(s.minutesIntoHour)}, with ${timeGapWords(s.stop.pitLaneMs!)} in the pit lane${tail}.`,
            `${capitalise(articleFor(timeGapWords(s.stop.pitLaneMs!)))} ${timeGapWords(s.stop.pitLaneMs!)} stop on lap ${s.stop.inLap}, ${minutesWords(s.minutesIntoHour)}, cost the ${car} ${timeGapWords(s.stop.lostMs!)} on its usual time in the pits${stopTail}.`,
          ],
          `${seed}/${s.car.car}/long`,
        ),
        facts,
      };
    }
    case 'retirement': {
      const car = m.car(story.car);
      const facts: ReportFact[] = [
        { kind: 'status', car: story.car.car, status: story.car.status, atMs: at },
        { kind: 'last-seen', car: story.car.car, lastSeenMs: story.lastSeenMs, atMs: at },
        lapsFact(story.car, at),
      ];
      const where = story.lastLapInPit ? 'in the pit lane' : 'on track';
      let lead = '';
      if (story.startPosition !== null) {
        facts.push({ kind: 'position', car: story.car.car, class: cls.class, position: story.startPosition, atMs: sel.fromMs });
        lead = `, ${placeWords(story.startPosition)} in ${classWords(cls.class)} when the hour began,`;
      }
      return {
        // As a desk writes it, not as a log: where it stopped, after how many laps, when it was last timed.
        text: story.lastLapInPit
          ? `The ${car}${lead} went into the pits after ${story.car.laps} laps at ${raceClockWords(story.lastSeenMs)} race time and has not come back out.`
          : `The ${car}${lead} stopped out on track after its ${ordinal(story.car.laps)} lap, completed at ${raceClockWords(story.lastSeenMs)} race time, and has not been timed since.`,
        facts,
      };
    }
    case 'last-running': {
      return {
        text: `The ${m.car(story.car)} is the last of the ${numberWord(story.entries)} ${classWords(cls.class)} cars still running.`,
        facts: [
          { kind: 'class-running', class: cls.class, running: 1, entries: story.entries, atMs: at },
          { kind: 'status', car: story.car.car, status: story.car.status, atMs: at },
        ],
      };
    }
    case 'battle': {
      const f = story.fact;
      // A fight is for a place only when every swap was for that place (Le Mans 2024 hour 3: the
      // #38 and #8 swapped as P10/P8, P5/P6 and P6/P4 — a fight for no one place).
      const places = new Set(f.events.map((e) => e.classPlace));
      const place = places.size === 1 && !places.has(0) ? [...places][0]! : null;
      const facts: ReportFact[] = [
        { kind: 'swaps', class: f.class, cars: [f.cars[0].car, f.cars[1].car], swaps: f.swaps, fromMs: sel.fromMs, toMs: at },
        positionFact(story.ahead, cls.class, at),
        positionFact(story.behind, cls.class, at),
      ];
      const a = m.car(story.behind);
      const b = m.car(story.ahead);
      let text: string;
      if (place === null) {
        text = `The ${a} and the ${b} swapped places ${timesWords(f.swaps)} during the hour, the #${story.ahead.car} finishing it ahead.`;
      } else {
        facts.push({ kind: 'swap-place', class: f.class, cars: [f.cars[0].car, f.cars[1].car], place, fromMs: sel.fromMs, toMs: at });
        const what = place === 1 ? `the ${classWords(cls.class)} lead` : `${placeWords(place)} place${cls.rank === 0 ? '' : ` in ${classWords(cls.class)}`}`;
        text = pick(
          [
            `The fight for ${what} ebbed and flowed between the ${a} and the ${b}: they swapped places ${timesWords(f.swaps)}, and the #${story.ahead.car} ended the hour in front.`,
            `The ${a} and the ${b} traded ${what} ${timesWords(f.swaps)} during the hour, the #${story.ahead.car} finishing it ahead.`,
          ],
          `${seed}/${cls.class}/battle`,
        );
      }
      if (story.change !== null) {
        const d = story.change;
        m.told.add(`change/${d.car.car}/${d.lap}`);
        facts.push({ kind: 'driver-change', car: d.car.car, lap: d.lap, from: d.from.name, to: d.to.name, atMs: d.atMs });
        text += ` ${capitalise(m.driver(d.to))} took over the #${d.car.car} ${minutesWords(d.minutesIntoHour)}.`;
      }
      return { text, facts };
    }
    case 'podium': {
      const gap = story.fourth.classInterval;
      if (!known(gap)) return null;
      const third = m.car(story.third);
      const fourth = m.car(story.fourth);
      // Only a close margin is a "fight".
      const close = gap !== null && 'ms' in gap && gap.ms < 30_000;
      return {
        text: close
          ? `In the fight for the final ${cls.rank === 0 ? 'podium place' : 'class podium place'}, the ${third} was ${gapWords(gap)} clear of the ${fourth}.`
          : `The ${third} held third, ${aheadText(gap)} of the ${fourth}.`,
        facts: [
          positionFact(story.third, scope ?? cls.class, at),
          positionFact(story.fourth, scope ?? cls.class, at),
          { kind: 'interval', car: story.fourth.car, class: cls.class, gap, atMs: at },
        ],
      };
    }
    case 'recovery': {
      const r = story.fact;
      const facts: ReportFact[] = [
        { kind: 'long-stop', car: r.car.car, inLap: r.loss.inLap, inMs: r.loss.inMs, pitLaneMs: r.loss.pitLaneMs!, usualMs: r.loss.usualPitLaneMs!, lostMs: r.lostMs, atMs: at },
        { kind: 'position', car: r.car.car, class: cls.class, position: r.classPositionAtStart, atMs: sel.fromMs },
        positionFact(story.car, cls.class, at),
      ];
      return {
        text: `The ${m.car(story.car)} is recovering after losing ${timeGapWords(r.lostMs)} in the pits in ${hourPhrase(r.lossHour)}: it climbed from ${placeWords(r.classPositionAtStart)} to ${placeWords(r.classPositionAtEnd)} in class this hour.`,
        facts,
      };
    }
    case 'leader-stops': {
      const stops = story.stops.filter((s) => !m.told.has(`stop/${s.car.car}/${s.stop.inLap}`));
      if (stops.length === 0) return null;
      story = { ...story, stops, changes: story.changes.filter((d) => !m.told.has(`change/${d.car.car}/${d.lap}`)) };
      const parts = story.stops.map((s) => `the #${s.car.car} on lap ${s.stop.inLap}`);
      const facts: ReportFact[] = story.stops.map((s) => ({ kind: 'pit-stop', car: s.car.car, inLap: s.stop.inLap, inMs: s.stop.inMs, pitLaneMs: s.stop.pitLaneMs, atMs: at }));
      const one = story.stops[0]!;
      const oneChange = story.stops.length === 1 ? story.changes.find((d) => d.car.car === one.car.car && d.lap === one.stop.inLap + 1) : undefined;
      if (oneChange !== undefined) {
        m.told.add(`change/${oneChange.car.car}/${oneChange.lap}`);
        facts.push({ kind: 'driver-change', car: oneChange.car.car, lap: oneChange.lap, from: oneChange.from.name, to: oneChange.to.name, atMs: oneChange.atMs });
      }
      let text =
        story.stops.length === 1
          ? `The #${one.car.car} made its stop on lap ${one.stop.inLap}, ${minutesWords(one.minutesIntoHour)}${oneChange === undefined ? '' : `, with ${m.driver(oneChange.to)} taking over`}.`
          : `Both leading cars stopped during the hour: ${listWords(parts)}.`;
      const shown = new Set(story.stops.map((s) => s.car.car));
      if (story.stops.length > 2) text = `The leading pair made ${numberWord(story.stops.length)} stops between them.`;
      for (const d of story.changes.slice(0, 2)) {
        if (!shown.has(d.car.car) || m.told.has(`change/${d.car.car}/${d.lap}`)) continue;
        facts.push({ kind: 'driver-change', car: d.car.car, lap: d.lap, from: d.from.name, to: d.to.name, atMs: d.atMs });
        text += ` ${capitalise(m.driver(d.to))} took over the #${d.car.car} ${minutesWords(d.minutesIntoHour)}.`;
      }
      return { text, facts };
    }
    default:
      return null;
  }
}

// ——— Tables ———

function tablesOf(sel: Selection): PositionsTable[] {
  return sel.classes.map((cls) => ({
    class: cls.class,
    rows: cls.cars.map((c) => ({
      position: c.classPosition,
      car: c.car,
      team: c.team,
      make: makeWords(c.manufacturer),
      drivers: c.crew.map((d) => d.displayName),
      laps: c.laps,
      gap: c.classGap,
      status: c.status,
      result: resultCode(c),
      reason: c.reason,
    })),
  }));
}

