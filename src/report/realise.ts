/**
 * Stage two: the selected stories in words. Each sentence is built together
 * with the facts it states (types.ts), so the checker can verify it. Wording
 * varies by a seed of race, hour and sentence role (words.ts `pick`): the
 * same data always gives the same words, and 24 hours do not read alike.
 */
import { resultCode } from '../model/format.js';
import type { CarPosition } from '../analysis/hour-facts.js';
import { HOUR, MINUTE } from '../model/time.js';
import type { ClassStories, Selection } from './select.js';
import type { Paragraph, PositionsTable, Report, ReportFact, Section } from './types.js';
import {
  advantageWords,
  capitalise,
  carWords,
  gapWords,
  hourPhrase,
  listWords,
  makeWords,
  pick,
  progressWords,
  classWords,
  raceClockWords,
  teamWords,
  minutesWords,
} from './words.js';
import { aheadText, gapFact, known, lapsFact, lostInStopFact, Mentions, PIT_LANE_CLAUSE, pitLaneLeadFact, positionFact, wheelFact, wheelOf, type Sentence, type WordsContext } from './claims/common.js';
import { claimOf } from './claims/index.js';

/** Gap as "by X" text: "4.5s", "one lap". */
function gapText(gap: Parameters<typeof gapWords>[0]): string {
  return gapWords(gap);
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
  // A file without flags shows the stop, not the flag: the heading says only what it shows.
  if (sel.declaredUnderRed) {
    // Where the race stopped, not a decision announced after it (which moves sel.atMs).
    const end = sel.classes[0]?.stories.find((s) => s.kind === 'data-end');
    const stopMs = end !== undefined && end.kind === 'data-end' ? end.lastMs : sel.atMs;
    return sel.flagsKnown ? `Result, declared under red flag at ${raceClockWords(stopMs)}` : `Result, declared at ${raceClockWords(stopMs)}, when the race was stopped`;
  }
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
  const when = progress(sel);
  if (story.kind === 'data-end') {
    const lead = sel.classes[0]!.stories.find((s) => s.kind === 'lead');
    const leader = lead?.kind === 'lead' ? lead.leader : sel.classes[0]!.cars[0]!;
    const facts: ReportFact[] = [{ kind: 'data-ends', atMs: story.lastMs }, positionFact(leader, null, sel.atMs)];
    // Declared under red flag (the race not resumed, endurance-rules.md §6): the leader then has won.
    if (sel.declaredUnderRed) return { text: `${race}: ${crewHeadline(leader, seed, facts)} wins as the race is stopped in ${hourPhrase(sel.hour)}`, facts };
    return { text: `${race}: timing stops in ${hourPhrase(sel.hour)} with ${crewHeadline(leader, seed, facts)} in front`, facts };
  }
  if (story.kind === 'finish') {
    const winner = story.podium[0]!;
    const facts: ReportFact[] = [{ kind: 'chequered', atMs: story.chequeredMs }, positionFact(winner, null, sel.atMs)];
    const crewed = crewHeadline(winner, seed, facts);
    const text = pick([`${crewed} takes victory`, `victory for ${crewed}`, `${crewed} wins`], `${seed}/headline`);
    return { text: `${race}: ${capitalise(text)}`, facts };
  }
  if (story.kind === 'class-out') {
    return { text: `${race}: no ${classWords(story.class)} car left running ${when}`, facts: [] };
  }
  if (story.kind !== 'lead') return { text: `${race}: ${when}`, facts: [] };
  const leader = story.leader;
  // The car and its crew, never whoever happens to be driving (issue 11, Deliver 5).
  const facts: ReportFact[] = [positionFact(leader, null, sel.atMs)];
  const halted = sel.classes[0]!.stories.find((s) => s.kind === 'field-stopped');
  if (halted !== undefined && halted.kind === 'field-stopped') {
    facts.push({ kind: 'field-stopped', stopped: halted.stopped, entries: halted.entries, sinceMs: halted.sinceMs, atMs: sel.atMs });
    return { text: `${race}: field halted ${when}, ${crewHeadline(leader, seed, facts)} in front`, facts };
  }
  // A red flag is the story of its hour, whoever leads.
  const red = sel.classes[0]!.stories.find((s) => s.kind === 'flag' && s.period.period.flag === 'red' && s.period.startedInHour);
  if (red !== undefined && red.kind === 'flag') {
    facts.push({ kind: 'flag-period', flag: 'red', startMs: red.period.period.startMs, endMs: red.period.period.endMs, atMs: sel.atMs });
    return { text: `${race}: red flag stops the race ${when}, ${crewHeadline(leader, seed, facts)} in front`, facts };
  }
  if (story.change !== null) {
    const old = story.change.previousLeaderDriver;
    facts.push({ kind: 'lead-change', car: leader.car, from: story.change.previousLeader.car, class: story.class, lap: story.change.lap, atMs: story.change.atMs });
    const inLap = story.change.previousLeaderInLap;
    // "as #8 pits" only when the #8's stop is what put the leader ahead (LeadChangeFact.lostToStop):
    // not when the new leader's own crossing was in the pit lane (Le Mans 2024 hour 12).
    const lostToStop = story.change.lostToStop;
    if (lostToStop) facts.push(lostInStopFact(story.change, story.class));
    if (old !== null && lostToStop && inLap !== null)
      facts.push({ kind: 'pitted', car: story.change.previousLeader.car, driver: old.name, inLap, atMs: story.change.atMs });
    else if (old !== null && !story.change.previousLeaderPitting) facts.push({ kind: 'at-wheel', car: story.change.previousLeader.car, driver: old.name, atMs: story.change.atMs });
    // The car and its crew, not whoever drove then (issue 11, Deliver 5); the pitted
    // fact still holds the in-lap's driver, so the claim "#6 pits" is verified as a stop.
    const crewed = crewHeadline(leader, seed, facts);
    const oldCar = `#${story.change.previousLeader.car}`;
    facts.push(...pitLaneLeadFact(story.change));
    const text = lostToStop
      ? pick([`${crewed} into lead as ${oldCar} pits ${when}`, `${crewed} goes ahead as ${oldCar} pits ${when}`], `${seed}/headline`)
      : story.change.newLeaderInPitLane
        ? `${crewed} ahead of ${oldCar} through the stops ${when}`
        : pick([`${crewed} takes lead from ${oldCar} ${when}`, `${crewed} moves ahead of ${oldCar} ${when}`], `${seed}/headline`);
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
  if (story.second === null || !known(story.second.classGap)) return { text: `${race}: ${crewHeadline(leader, seed, facts)} leads ${when}`, facts };
  facts.push(positionFact(story.second, story.class, sel.atMs));
  const crewed = crewHeadline(leader, seed, facts);
  const rival = carWords(story.second);
  if (story.changesInHour > 0) {
    // The same leader at both ends of the hour, but not all through it (Daytona 2019 hour 22: the #31 led
    // from 21:03 to 21:54): not "holds lead". The count of changes is a checked fact.
    facts.push({ kind: 'lead-changes', class: story.class, changes: story.changesInHour, fromMs: sel.fromMs, atMs: sel.atMs });
    // Not "of" the second car: the car that led in between may be another.
    return { text: `${race}: ${crewed} back in front ${when}`, facts };
  }
  const text = pick(
    [
      `${crewed} holds lead over ${rival} ${when}`,
      `${crewed} keeps ${rival} at bay ${when}`,
      `${crewed} retains lead over ${rival} ${when}`,
      `${crewed} stays ahead of ${rival} ${when}`,
      `${crewed} continues to lead ${rival} ${when}`,
    ],
    `${seed}/headline`,
  );
  return { text: `${race}: ${text}`, facts };
}

/**
 * A headline's leading car with its crew, "#7 Toyota of Conway, Kobayashi and
 * Lopez": the car and crew, never
 * only the driver at the wheel. Surnames, full names where two drivers of the
 * race share one. Pushes the crew fact onto `facts`; a car with no crew known
 * is named alone.
 */
function crewHeadline(leader: CarPosition, seed: string, facts: ReportFact[]): string {
  const car = carWords(leader);
  if (leader.crew.length === 0) return car;
  facts.push({ kind: 'crew', car: leader.car, drivers: leader.crew.map((d) => d.name) });
  const names = leader.crew.map((d) => d.surname);
  const shared = new Set(names.filter((n, i) => names.indexOf(n) !== i));
  const shown = leader.crew.map((d) => (shared.has(d.surname) ? d.displayName : d.surname));
  return `${car} of ${listWords(shown)}`;
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
    const stop = `${raceClockWords(dataEnd.lastMs)} race time, ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} into ${hourPhrase(sel.hour)}`;
    if (sel.declaredUnderRed) {
      const how = sel.flagsKnown ? `The race was stopped under red flag at ${stop} and not resumed` : `The timing stops at ${stop}, with no chequered flag`;
      return { text: `${how}; the result is declared as it stood: ${wheelOf(leader) === null ? `the ${car} won` : `${d1} won in the ${car}`}${tail}.`, facts };
    }
    return {
      text: `The timing data stops at ${stop}, with no chequered flag in it; ${wheelOf(leader) === null ? `the ${car} was then leading` : `${d1} was then leading in the ${car}`}${tail}.`,
      facts,
    };
  }
  // "X led … after two hours" names the driver at the wheel then; the driver who took the lead is
  // named only with the change, and the margin now is his only while he still drives (WEC Spa 2020
  // hour 2: Conway took the #7 into the lead at 1:20, Kobayashi was driving after two hours).
  const tellsChange = story.change !== null && second !== null && known(second.classGap);
  const changer = tellsChange ? story.change!.newLeaderDriver : null;
  if (changer !== null) {
    facts.splice(1, facts.length - 1, { kind: 'at-wheel', car: leader.car, driver: changer.name, atMs: story.change!.atMs });
  }
  if ((changer ?? wheelOf(leader)) === null) {
    // The leader is in the pit lane (the crew may be changing drivers): the car, and no driver, leads.
    const car = m.car(leader);
    if (second === null || !known(second.classGap)) return { text: `The ${car} led the ${sel.race} ${when}.`, facts };
    facts.push(positionFact(second, top.class, at), ...gapFact(second, top.class, at));
    return { text: `The ${car} led the ${sel.race} ${when}, ${aheadText(second.classGap)} of ${m.rival(second, leader)}.`, facts };
  }
  const d1 = m.driver(changer ?? wheelOf(leader));
  const stillDriving = changer === null || changer.name === wheelOf(leader)?.name;
  const car = m.car(leader);
  if (second === null || !known(second.classGap)) return { text: `${d1} led the ${sel.race} in the ${car} ${when}.`, facts };
  facts.push(positionFact(second, top.class, at), ...gapFact(second, top.class, at), ...wheelFact(second, at));
  if (story.change !== null) {
    const c = story.change;
    facts.push({ kind: 'lead-change', car: leader.car, from: c.previousLeader.car, class: top.class, lap: c.lap, atMs: c.atMs });
    const old = c.previousLeader.car === second.car ? null : c.previousLeader;
    const d2 = m.driver(wheelOf(second));
    const rival = m.rival(second, leader);
    const how = c.lostToStop
      ? old === null
        ? ` when ${rival} pitted`
        : ` when the #${old.car} pitted`
      : c.newLeaderInPitLane
        ? PIT_LANE_CLAUSE
        : '';
    if (c.lostToStop) facts.push(lostInStopFact(c, top.class));
    facts.push(...pitLaneLeadFact(c));
    if (old !== null) facts.push({ kind: 'position', car: old.car, class: top.class, position: 1, atMs: c.atMs - 1 });
    // Name the second car unless it is the one that just pitted (named already).
    const lead = old === null ? d2 : `${rival} of ${d2}`;
    const minutes = minutesWords(c.minutesIntoHour, sel.fromMs);
    // Another driver has taken over since: the margin now is the car's, in a clause of its own.
    const text = stillDriving
      ? how === ''
        ? `${d1} put the ${car} in front ${minutes} and ${when} led ${rival} of ${d2} by ${gapText(second.classGap)}.`
        : `${d1} took the ${car} into the lead ${minutes}${how}, and ${when} was ${aheadText(second.classGap)} of ${lead}.`
      : how === ''
        ? `${d1} put the ${car} in front ${minutes}; ${when} the #${leader.car} led ${rival} of ${d2} by ${gapText(second.classGap)}.`
        : `${d1} took the ${car} into the lead ${minutes}${how}; ${when} the #${leader.car} was ${aheadText(second.classGap)} of ${lead}.`;
    return { text, facts };
  }
  const rival = m.rival(second, leader);
  const d2 = m.driver(wheelOf(second));
  const goal = pick(['victory', 'the win', 'overall honours'], `${seed}/goal`);
  const adv = advantageWords(second.classGap);
  const text = pick(
    [
      // Driver, car, gap and rival break every wording into short runs (repetition.ts).
      `${d1} kept the ${car} on course for ${goal} ${when}, holding ${adv} over ${d2} in ${rival}.`,
      `${capitalise(when)}, ${d1} had the ${car} ${aheadText(second.classGap)} of ${d2} in ${rival}.`,
      `${d1} kept the ${car} in front ${when}, ${gapText(second.classGap)} clear of ${d2} in ${rival}.`,
      `${capitalise(when)}, ${d1} led in the ${car} with ${adv} over ${d2} in ${rival}.`,
      `The ${car} of ${d1} led ${d2} in ${rival} by ${gapText(second.classGap)} ${when}.`,
      `${d1} led in the ${car} ${when}, ${gapText(second.classGap)} up on ${d2} in ${rival}.`,
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
    if (story.change.newLeaderInPitLane) return { text: `${classWords(cls.class)} - ${name} ahead through the stops`, facts: [...facts, ...pitLaneLeadFact(story.change)] };
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
  const ctx: WordsContext = { sel, cls, m, seed, isTop, first: true, lapAt };
  groups.push(claimOf(first).words(first, ctx));
  const others: Sentence[] = [];
  // The weather is the hour's setting, not a story competing for a place: it is told after the stories, whatever their number.
  const stories = rest.filter((s) => s.kind !== 'weather');
  for (const story of [...stories.slice(0, isTop ? 6 : 4), ...rest.filter((s) => s.kind === 'weather')]) others.push(...claimOf(story).words(story, { ...ctx, first: false }));
  if (others.length > 0) groups.push(others);
  return groups;
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

