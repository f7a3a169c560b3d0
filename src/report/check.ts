/**
 * The report checker, in two parts, neither reading what the writer read.
 *
 * 1. Every fact a sentence states is tested against its meaning, from the raw
 *    laps and events (claims/raw.ts and each kind's file, gathered in
 *    claims/index.ts MEANINGS) — not the hour facts, not the standings.
 * 2. The text is read back: every number, ordinal, place word, lap count, car
 *    number, driver and team it names must be one its verified facts give;
 *    otherwise the report fails with the sentence and the token.
 *
 * The positions tables are the timing screen's own values and are checked
 * against the engine's standings at the report's instant.
 */
import type { CarStanding, Gap, Standings } from '../model/standings.js';
import { HOUR, MINUTE } from '../model/time.js';
import { standingsAt } from '../engine/standings.js';
import type { RaceTimeline } from '../engine/timeline.js';
import type { EntryList } from '../analysis/entry-list.js';
import type { RegulationProfile } from '../analysis/rules.js';
import { driverName } from '../model/names.js';
import { rosterOf } from '../analysis/roster.js';
import type { Report, ReportFact } from './types.js';
import { durationWords, gapWords, lapsWords, makeWords, numberWord, ordinal, placeWords, raceClockWords, teamWords, timeGapWords } from './words.js';
import { FACT_READINGS, MEANINGS } from './claims/index.js';
import type { FactReading, Meaning } from './claims/common.js';
import { RawRace } from './claims/raw.js';
import { swapInstants } from './claims/battle.js';

export interface CheckProblem {
  /** "headline", "standfirst", "section 2 heading", "section 2 paragraph 1", "table LMP2 row 3". */
  where: string;
  fact: ReportFact | null;
  message: string;
}

export interface CheckResult {
  /** Facts recomputed (each table row counts as its three facts). */
  checked: number;
  problems: CheckProblem[];
}

export function formatProblem(p: CheckProblem): string {
  return `${p.where}: ${p.message}${p.fact === null ? '' : ` — ${JSON.stringify(p.fact)}`}`;
}

function sameGap(a: Gap, b: Gap): boolean {
  if (a === null || b === null) return a === b;
  if ('laps' in a) return 'laps' in b && a.laps === b.laps;
  return 'ms' in b && a.ms === b.ms;
}

/** What the report was built with: the entry list (categories) and the rules (minimums). */
export interface CheckOptions {
  entryList?: EntryList;
  rules?: RegulationProfile;
}

/** The table rows against the engine's standings at the report's instant (what a timing screen shows). */
class TableVerifier {
  private readonly standings = new Map<number, Standings>();

  constructor(readonly timeline: RaceTimeline) {}

  private at(t: number): Standings {
    let s = this.standings.get(t);
    if (s === undefined) this.standings.set(t, (s = standingsAt(this.timeline, t)));
    return s;
  }

  private car(number: string, t: number): CarStanding | undefined {
    return this.at(t).cars.find((c) => c.number === number);
  }

  verify(f: Extract<ReportFact, { kind: 'position' | 'laps' | 'gap' | 'status' }>): string | null {
    const c = this.car(f.car, f.atMs);
    if (c === undefined) return `no car #${f.car}`;
    switch (f.kind) {
      case 'position': {
        const actual = f.class === null ? c.position : c.classPosition;
        return actual === f.position ? null : `#${f.car} was P${actual}, not P${f.position}`;
      }
      case 'laps':
        return c.laps === f.laps ? null : `#${f.car} had ${c.laps} laps, not ${f.laps}`;
      case 'gap': {
        const actual = f.class === null ? c.gap : c.classGap;
        return sameGap(actual, f.gap) ? null : `#${f.car} gap was ${JSON.stringify(actual)}`;
      }
      case 'status':
        return c.status === f.status ? null : `#${f.car} was ${c.status}`;
    }
  }
}

/** A fact against its meaning (claims/index.ts MEANINGS): null when it holds. */
export function verifyFact(f: ReportFact, raw: RawRace): string | null {
  return (MEANINGS[f.kind] as Meaning<typeof f.kind>)(f as never, raw);
}

/** How many times two cars traded places in (fromMs, toMs], from their own laps (claims/battle.ts). */
export function countSwaps(timeline: RaceTimeline, a: string, b: string, fromMs: number, toMs: number): number {
  return swapInstants(new RawRace(timeline), a, b, fromMs, toMs).length;
}

// ——— Numbers in the text ———

const LAP_WORDS = 'one|two|three|four|five|six|seven|eight|nine|\\d+';
const PLACE_RE = /\b(second|third|fourth|fifth|sixth|seventh|eighth|ninth)\b/gi;

function carsOf(f: ReportFact): string[] {
  const reading = FACT_READINGS[f.kind] as FactReading<typeof f.kind> | undefined;
  if (reading !== undefined) return reading.cars(f as never);
  switch (f.kind) {
    case 'lead-change':
    case 'lead-lost-in-stop':
      return [f.car, f.from];
    case 'swaps':
      return f.cars;
    case 'swap-place':
      return f.cars;
    case 'lead-changes':
    case 'flag-period':
    case 'chequered':
    case 'class-running':
    case 'data-ends':
    case 'field-stopped':
      return [];
    default:
      // A claim's own fact kinds are read by its readings (above); the rest name one car.
      return 'car' in f && typeof f.car === 'string' ? [f.car] : [];
  }
}

/** Every way a fact may be written in a sentence. */
function renderings(f: ReportFact, fromMs: number): string[] {
  const reading = FACT_READINGS[f.kind] as FactReading<typeof f.kind> | undefined;
  if (reading !== undefined) return reading.numbers(f as never, fromMs);
  const minutesOf = (t: number) => String(Math.floor((t - fromMs) / MINUTE));
  const gapR = (g: Gap): string[] => {
    if (g === null) return [];
    if ('laps' in g) return [lapsWords(g.laps), `${numberWord(g.laps)}-lap`, String(g.laps)];
    return [gapWords(g)];
  };
  switch (f.kind) {
    case 'position':
      return [String(f.position), ordinal(f.position), placeWords(f.position)];
    case 'swap-place':
      return [String(f.place), ordinal(f.place), placeWords(f.place)];
    case 'laps':
      return [String(f.laps), `${f.laps} laps`, ordinal(f.laps)];
    case 'gap':
    case 'interval':
      return gapR(f.gap);
    case 'laps-led':
      return [String(f.lapsLed), String(f.leaderLaps), `${f.leaderLaps} laps`];
    case 'led-since':
      return [String(f.sinceLap), ordinal(Math.max(1, Math.ceil(f.sinceMs / HOUR)))];
    case 'lead-change':
    case 'lead-lost-in-stop':
      return [String(f.lap), minutesOf(f.atMs), raceClockWords(f.atMs)];
    case 'pit-stop':
      return [String(f.inLap), minutesOf(f.inMs), raceClockWords(f.inMs), ...(f.pitLaneMs === null ? [] : [timeGapWords(f.pitLaneMs)])];
    case 'long-stop':
      return [String(f.inLap), minutesOf(f.inMs), raceClockWords(f.inMs), timeGapWords(f.pitLaneMs), timeGapWords(f.lostMs), timeGapWords(f.usualMs), ordinal(Math.max(1, Math.ceil(f.inMs / HOUR)))];
    case 'driver-change':
      return [String(f.lap), minutesOf(f.atMs), raceClockWords(f.atMs)];
    case 'flag-period': {
      const out = [minutesOf(f.startMs), raceClockWords(f.startMs)];
      if (f.endMs !== null) {
        // The numbers of the duration as words.ts writes it ("1 hour 32 minutes").
        out.push(...(durationWords(f.endMs - f.startMs).match(/\d+/g) ?? []));
      }
      return out;
    }
    case 'last-seen':
      return [raceClockWords(f.lastSeenMs)];
    case 'swaps':
      return [String(f.swaps)];
    case 'lead-changes':
      return [String(f.changes)];
    case 'drive-minimum': {
      return [String(f.lap), minutesOf(f.atMs), raceClockWords(f.atMs), ...(durationWords(f.minimumMs).match(/\d+/g) ?? [])];
    }
    case 'class-running':
      return [String(f.running), String(f.entries)];
    case 'decision': {
      const amount = f.penaltyMs === null ? [] : [...(durationWords(f.penaltyMs).match(/\d+/g) ?? []), String(Math.round(f.penaltyMs / 1000))];
      return [raceClockWords(f.atMs), minutesOf(f.atMs), ...amount, ...(f.laps === null ? [] : [String(f.laps), lapsWords(f.laps)])];
    }
    case 'data-ends':
      return [minutesOf(f.atMs), raceClockWords(f.atMs)];
    case 'field-stopped':
      return [String(f.stopped), String(f.entries), raceClockWords(f.sinceMs)];
    default:
      return [];
  }
}

const wholeNames = new Map<string, RegExp>();
function wholeName(name: string): RegExp {
  let re = wholeNames.get(name);
  if (re === undefined) wholeNames.set(name, (re = new RegExp(`(?<![\\p{L}\\p{N}:.])${escapeRe(name)}(?![\\p{L}\\p{N}]|[:.]\\d)`, 'gu')));
  return re;
}

/** Numbers a sentence states that none of its facts give. */
export function unsupportedNumbers(text: string, facts: readonly ReportFact[], context: { fromMs: number; always: readonly string[]; carNames: ReadonlyMap<string, string> }): string[] {
  const allowed = new Set(context.always);
  const cars = new Set<string>();
  for (const f of facts) {
    for (const r of renderings(f, context.fromMs)) allowed.add(r.toLowerCase());
    for (const c of carsOf(f)) cars.add(c);
  }
  const problems: string[] = [];
  let rest = text;
  // Car numbers must be cars the facts are about; their team and make words may hold digits.
  rest = rest.replace(/#([0-9A-Za-z]+)/g, (_m, car: string) => {
    if (!cars.has(car)) problems.push(`#${car}`);
    return ' ';
  });
  for (const name of context.carNames.values()) {
    // Whole words only: a team "Team 3" must not take the 3 out of "35.0s" or "0:35".
    if (/\d/.test(name)) rest = rest.replace(wholeName(name), ' ');
  }
  const take = (re: RegExp) => {
    rest = rest.replace(re, (token: string) => {
      if (!allowed.has(token.toLowerCase())) problems.push(token);
      return ' ';
    });
  };
  take(/\b\d+:\d{2}\b/g);
  take(/\b\d+m\d{2}s\b/g);
  take(/\b\d+\.\ds\b/g);
  rest = rest.replace(new RegExp(`\\b(?:${LAP_WORDS})(?:-lap\\b| laps?\\b)`, 'gi'), (token: string) => {
    const t = token.toLowerCase();
    const lapsOnly = t.replace(/ laps?$/, '');
    if (!allowed.has(t) && !allowed.has(lapsOnly) && !allowed.has(`${lapsOnly} laps`)) problems.push(token);
    return ' ';
  });
  take(/\b\d+(?:st|nd|rd|th)\b/g);
  take(PLACE_RE);
  take(/\b\d+\b/g);
  return problems;
}

/** A name the text may carry, and the cars or drivers it can stand for. */
interface NameToken {
  text: string;
  /** Cars (for a team or make) or driver keys (for a driver's name). */
  owners: Set<string>;
}

/** What the read-back knows of the race's names: teams and makes by car, drivers by raw name. */
interface RaceNames {
  /** Teams, makes ("#7" owns them) and drivers (their raw names own them), longest first: "Heart of Racing" is taken before "Heart". */
  tokens: NameToken[];
  /** All of them in one pattern, longest first, each a whole word. */
  pattern: RegExp;
  owners: Map<string, Set<string>>;
  /** Every way a driver (by raw name) is written, short surnames too ("Ye"). */
  spellings: Map<string, string[]>;
  /** The tokens by their first three characters, longest first: the name a clause opens with. */
  byHead: Map<string, NameToken[]>;
}

const namesCache = new WeakMap<RaceTimeline, RaceNames>();

function raceNames(timeline: RaceTimeline, entryList: EntryList | undefined): RaceNames {
  let found = entryList === undefined ? namesCache.get(timeline) : undefined;
  if (found !== undefined) return found;
  const roster = rosterOf(timeline, entryList);
  // One list for teams, makes and drivers: "Nielsen" is a team (Nielsen Racing) and a driver (Nicklas Nielsen).
  const tokens = new Map<string, Set<string>>();
  const teams = tokens;
  const drivers = tokens;
  const spelled = new Map<string, Set<string>>();
  const spell = (raw: string, text: string) => {
    if (!/\p{L}/u.test(text)) return;
    let forms = spelled.get(raw);
    if (forms === undefined) spelled.set(raw, (forms = new Set()));
    forms.add(text.trim());
  };
  const add = (into: Map<string, Set<string>>, text: string, owner: string) => {
    const t = text.trim();
    // A name is a word of three letters or more; "#7" and "BMW" alike.
    if (t.length < 3 || !/\p{L}/u.test(t)) return;
    let owners = into.get(t);
    if (owners === undefined) into.set(t, (owners = new Set()));
    owners.add(owner);
  };
  for (const c of timeline.cars.values()) {
    add(teams, c.entry.team, `#${c.number}`);
    add(teams, teamWords(c.entry.team), `#${c.number}`);
    add(teams, makeWords(c.entry.manufacturer), `#${c.number}`);
    const raws = new Set([...c.entry.drivers.map((d) => d.name), ...c.laps.map((l) => l.driverName)]);
    for (const d of roster.crew(c.number)) {
      add(drivers, d.displayName, d.name);
      add(drivers, d.surname, d.name);
      spell(d.name, d.displayName);
      spell(d.name, d.surname);
    }
    for (const raw of raws) {
      const n = driverName(raw);
      add(drivers, n.full, raw);
      add(drivers, n.surname, raw);
      spell(raw, n.full);
      spell(raw, n.surname);
    }
  }
  const sorted = (m: Map<string, Set<string>>) => [...m].map(([text, owners]) => ({ text, owners })).sort((x, y) => y.text.length - x.text.length);
  const list = sorted(tokens);
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${list.map((t) => escapeRe(t.text)).join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  // Plain strings, not one more pattern each: a regex per driver costs more to compile than the search.
  const spellings = new Map<string, string[]>([...spelled].map(([raw, forms]) => [raw, [...forms]]));
  const byHead = new Map<string, NameToken[]>();
  for (const t of list) {
    const head = t.text.slice(0, 3);
    byHead.set(head, [...(byHead.get(head) ?? []), t]);
  }
  found = { tokens: list, pattern, owners: tokens, spellings, byHead };
  if (entryList === undefined) namesCache.set(timeline, found);
  return found;
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Raw driver names a set of facts is about. */
function driversOf(f: ReportFact): string[] {
  switch (f.kind) {
    case 'at-wheel':
    case 'pitted':
    case 'drive-minimum':
      return [f.driver];
    case 'crew':
      return f.drivers;
    case 'driver-change':
      return [f.from, f.to];
    default:
      return [];
  }
}

/**
 * The read-back: every driver, team or make the text names must be one its
 * facts are about (a car's team and make name that car), and every number
 * one its facts give (unsupportedNumbers). Returns the tokens that are not.
 */
export function unsupportedTokens(
  text: string,
  facts: readonly ReportFact[],
  context: { fromMs: number; always: readonly string[]; names: RaceNames; carNames: ReadonlyMap<string, string> },
): string[] {
  const allowed = new Set([...facts.flatMap(carsOf).map((c) => `#${c}`), ...facts.flatMap(driversOf)]);
  const problems: string[] = [];
  let rest = text;
  rest = rest.replace(context.names.pattern, (m: string) => {
    const owners = context.names.owners.get(m);
    if (owners === undefined || ![...owners].some((o) => allowed.has(o))) problems.push(m);
    return ' ';
  });
  return [...problems, ...unsupportedNumbers(rest, facts, context)];
}

/**
 * Words that tie a change to a car's stop: "as #8 pits", "when the #8 made
 * its stop", "when the sister #8 car pitted", "when the #7 spent 3m29s in the
 * pit lane". The car number is group 1. A car name runs to the verb without
 * a sentence's end, a clause's end or another car.
 */
const STOP_CAUSE = /\b(?:as|when) (?:the )?(?:sister )?#([0-9A-Za-z]+)\b(?:[^.;,#]|\.(?!\s)){0,80}?\b(?:pits|pitted|made (?:its|a) stop|spent\b(?:[^;#]){0,40}?\bin the pit lane)\b/g;

/**
 * A car's record in the lead — laps led, leading since — is the car's, shared
 * by its crew: "has led", "has headed", "has been the LMP1 leader", "71 of the
 * 133 laps".
 */
const CAR_RECORD = /\b(?:has (?:led|headed|been (?:the\b.{0,40}?\bleader|in front))|\d+ of the \d+ laps)\b/;

/**
 * How many times the lead changed: "the lead swapped three times", "changed
 * hands twice", "the hour saw four lead changes". Not a battle's count
 * between two named cars ("the LMP2 lead changed hands twice between the
 * #81 and the #18": their swaps, claims/battle.ts).
 */
const LEAD_COUNT = /\blead (?:swapped|changed hands) (once|twice|\w+ times)\b(?! between)|\bsaw (\w+) lead changes\b/g;

/** "twice" → 2, "three times" → 3, "12 times" → 12; NaN for anything else. */
function countOf(words: string): number {
  if (words === 'once') return 1;
  if (words === 'twice') return 2;
  const n = words.replace(/ times$/, '');
  const spelled = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'].indexOf(n);
  return spelled >= 0 ? spelled : /^\d+$/.test(n) ? Number(n) : Number.NaN;
}

const WORD_PART = /[\p{L}\p{N}]/u;

/** `word` in `text`, not inside a longer number or word ("4.0s" is not in "14.0s", "#8" not in "#83"). */
function hasWord(text: string, word: string): boolean {
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
    const before = text[i - 1];
    const after = text[i + word.length];
    if ((before === undefined || !(WORD_PART.test(before) || before === '.')) && (after === undefined || !WORD_PART.test(after))) return true;
  }
  return false;
}

/** The driver (raw name) is named in the text, in any of his spellings. */
function spelledIn(names: RaceNames, driver: string, text: string): boolean {
  return (names.spellings.get(driver) ?? []).some((form) => hasWord(text, form));
}

/** A driver as a clause's subject with one of these verbs states the car's standing at the report's instant: "X led LMP2 in the #31". */
const INSTANT_VERB = /^(?:led|leads|had the|kept the|was driving|is driving|was then leading)\b/;

/**
 * The read-back of what the words tie together, beyond single tokens:
 *
 * - A lead change told as caused by a car's stop ("as #8 pits") needs a
 *   lead-lost-in-stop fact for that car, whose meaning (claims/raw.ts) checks
 *   that the car was stopping and the new leader crossed on track — not
 *   merely that both facts hold apart (Le Mans 2024 hour 12: the #6 took the
 *   lead with a crossing in the pit lane while the #8 was on its out-lap).
 * - A car's record in the lead is its crew's: a clause stating it names the
 *   whole crew or no driver (Spa 2019 hour 6: "With Alonso at the wheel, the
 *   #8 has headed LMP1 … 71 of the 133 laps"; he drove 33 of them). A driver
 *   at the wheel now is said in a clause of its own.
 * - A driver who is a clause's subject and states the car's standing at the
 *   report's instant (a margin then, or "X led …") was at the wheel then
 *   (WEC Spa 2020 hour 2: "Conway took the #7 into the lead at 1:20 …, and
 *   after two hours was 1m01s ahead"; Kobayashi was driving after two hours).
 */
export function tiedWordsProblems(text: string, facts: readonly ReportFact[], raw: RawRace, names: RaceNames, atMs: number): string[] {
  const problems: string[] = [];
  const clauses = text.split(/(?<=[.!?])\s+(?=[A-Z#])|;\s*/);
  // Margins the text gives at the report's instant, as written.
  const marginsNow = facts.flatMap((f) => ((f.kind === 'gap' || f.kind === 'interval') && f.atMs === atMs && f.gap !== null ? [gapWords(f.gap)] : []));
  for (const clause of clauses) {
    const subject = names.byHead.get(clause.slice(0, 3))?.find((t) => clause.startsWith(t.text) && !WORD_PART.test(clause[t.text.length] ?? ' '))?.text;
    if (subject === undefined) continue;
    const drivers = [...(names.owners.get(subject) ?? [])].filter((o) => !o.startsWith('#'));
    if (drivers.length === 0) continue;
    const rest = clause.slice(subject.length).trimStart();
    const margin = marginsNow.find((g) => hasWord(clause, g));
    if (margin === undefined && !INSTANT_VERB.test(rest)) continue;
    // A whole crew as the subject ("Buemi, Nakajima and Alonso won …") speaks for the car.
    const crews = [...raw.cars.values()].filter((c) => c.drivers.some((d) => drivers.includes(d)));
    if (crews.some((c) => c.drivers.length > 1 && c.drivers.every((d) => spelledIn(names, d, clause)))) continue;
    const driving = [...raw.cars.values()].filter((c) => drivers.includes(raw.driverAt(c, atMs)));
    if (driving.length === 0) {
      problems.push(`"${subject}" is the subject of what the car ${margin === undefined ? 'was doing' : `led by (${margin})`} at the report's instant, but was not at the wheel then: "${clause}"`);
    }
  }
  const lostInStop = new Set(facts.flatMap((f) => (f.kind === 'lead-lost-in-stop' ? [f.from] : [])));
  for (const m of text.matchAll(STOP_CAUSE)) {
    if (!lostInStop.has(m[1]!)) problems.push(`"${m[0]}" ties a change to the #${m[1]}'s stop, but no fact says its stop lost it the lead: "${text}"`);
  }
  const counted = new Set(facts.flatMap((f) => (f.kind === 'lead-changes' ? [f.changes] : [])));
  for (const m of text.matchAll(LEAD_COUNT)) {
    const n = countOf(m[1] ?? m[2]!);
    if (!counted.has(n)) problems.push(`"${m[0]}" counts ${n} lead changes, but no fact gives that count: "${text}"`);
  }
  const recordCars = new Set(facts.flatMap((f) => (f.kind === 'laps-led' || f.kind === 'led-since' ? [f.car] : [])));
  if (recordCars.size === 0) return problems;
  for (const clause of clauses) {
    if (!CAR_RECORD.test(clause)) continue;
    for (const car of recordCars) {
      if (!hasWord(clause, `#${car}`)) continue;
      const crew = raw.cars.get(car)?.drivers ?? [];
      const inCrew = crew.filter((d) => spelledIn(names, d, clause));
      if (inCrew.length > 0 && inCrew.length < crew.length) {
        problems.push(`"${clause}" gives the #${car}'s record in the lead to ${inCrew.map((d) => driverName(d).surname).join(', ')}, not to its crew of ${crew.length}`);
      }
    }
  }
  return problems;
}

export function checkReport(timeline: RaceTimeline, report: Report, options: CheckOptions = {}): CheckResult {
  const raw = RawRace.of(timeline, options.entryList);
  const tables = new TableVerifier(timeline);
  const names = raceNames(timeline, options.entryList);
  const problems: CheckProblem[] = [];
  let checked = 0;
  const always = [
    ...(report.race.match(/\d+/g) ?? []),
    String(report.hour),
    ordinal(report.hour),
    // minutesWords' fixed spans
    '10',
    '15',
  ];
  const check = (where: string, text: string, facts: readonly ReportFact[]) => {
    for (const f of facts) {
      checked++;
      const wrong = verifyFact(f, raw);
      if (wrong !== null) problems.push({ where, fact: f, message: `${wrong}, in "${text}"` });
    }
    for (const token of unsupportedTokens(text, facts, { fromMs: report.fromMs, always, names, carNames: teamWordsOf(timeline) })) {
      problems.push({ where, fact: null, message: `"${token}" in the text is not given by its facts: "${text}"` });
    }
    for (const message of tiedWordsProblems(text, facts, raw, names, report.atMs)) problems.push({ where, fact: null, message });
  };
  check('headline', report.headline, report.headlineFacts);
  check('standfirst', report.standfirst, report.standfirstFacts);
  report.sections.forEach((s, i) => {
    if (s.heading !== null) check(`section ${i + 1} heading`, s.heading, s.headingFacts);
    s.paragraphs.forEach((p, j) => check(`section ${i + 1} paragraph ${j + 1}`, p.text, p.facts));
  });
  for (const table of report.tables) {
    table.rows.forEach((row, i) => {
      const where = `table ${table.class} row ${i + 1}`;
      for (const f of [
        { kind: 'position', car: row.car, class: table.class, position: row.position, atMs: report.atMs },
        { kind: 'laps', car: row.car, laps: row.laps, atMs: report.atMs },
        { kind: 'gap', car: row.car, class: table.class, gap: row.gap, atMs: report.atMs },
        { kind: 'status', car: row.car, status: row.status, atMs: report.atMs },
      ] satisfies ReportFact[]) {
        checked++;
        const wrong = tables.verify(f);
        if (wrong !== null) problems.push({ where, fact: f, message: wrong });
      }
    });
  }
  return { checked, problems };
}

const teamCache = new WeakMap<RaceTimeline, Map<string, string>>();

/** Team and make words as a report writes them, so digits in a team's name are not taken for numbers. */
function teamWordsOf(timeline: RaceTimeline): Map<string, string> {
  let found = teamCache.get(timeline);
  if (found === undefined) {
    found = new Map();
    for (const c of timeline.cars.values()) {
      found.set(c.number, c.entry.team);
      found.set(`${c.number}/short`, teamWords(c.entry.team));
    }
    teamCache.set(timeline, found);
  }
  return found;
}
