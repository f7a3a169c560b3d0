/**
 * The report checker: every fact a report carries is recomputed from the
 * timing data at its instant — the engine's standingsAt, the cars' laps and
 * the analysis primitives (pit stops) — never by re-reading the hour facts the
 * report was written from. Then every number written in a sentence must be
 * one its facts give (a gap in the text renders from the fact's gap).
 */
import type { CarStanding, Gap, Standings } from '../model/standings.js';
import { HOUR, MINUTE } from '../model/time.js';
import { compareCarNumbers, standingsAt } from '../engine/standings.js';
import type { CarTimeline, RaceTimeline } from '../engine/timeline.js';
import { pitStops, type PitStop } from '../analysis/pits.js';
import type { EntryList } from '../analysis/entry-list.js';
import { nameKey } from '../analysis/roster.js';
import { checkDriveTimes, type RegulationProfile } from '../analysis/rules.js';
import type { Report, ReportFact } from './types.js';
import { teamWords, gapWords, lapsWords, numberWord, ordinal, placeWords, raceClockWords, timeGapWords } from './words.js';

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

/** The first car to complete each lap, recomputed from the cars' own laps. */
interface LapLeaders {
  car: string[];
  atMs: number[];
  /** Highest lap completed by anyone at the instant. */
  laps: number;
}

/** What the report was built with: the entry list (categories) and the rules (minimums). */
export interface CheckOptions {
  entryList?: EntryList;
  rules?: RegulationProfile;
}

class Verifier {
  private readonly standings = new Map<number, Standings>();
  private readonly leaders = new Map<string, LapLeaders>();
  private readonly stops = new Map<string, PitStop[]>();

  constructor(
    readonly timeline: RaceTimeline,
    readonly options: CheckOptions = {},
  ) {}

  at(t: number): Standings {
    let s = this.standings.get(t);
    if (s === undefined) this.standings.set(t, (s = standingsAt(this.timeline, t)));
    return s;
  }

  car(number: string, t: number): CarStanding | undefined {
    return this.at(t).cars.find((c) => c.number === number);
  }

  lapLeaders(cls: string | null, t: number): LapLeaders {
    const key = `${cls ?? ''}\u0000${t}`;
    let found = this.leaders.get(key);
    if (found !== undefined) return found;
    const car: string[] = [];
    const atMs: number[] = [];
    let laps = 0;
    for (const c of this.timeline.cars.values()) {
      if (cls !== null && c.entry.class !== cls) continue;
      const n = c.indexAt(t);
      for (let i = 0; i < n; i++) {
        const lap = c.laps[i]!;
        const best = atMs[lap.lap];
        if (best === undefined || lap.crossingMs < best || (lap.crossingMs === best && compareCarNumbers(c.number, car[lap.lap]!) < 0)) {
          atMs[lap.lap] = lap.crossingMs;
          car[lap.lap] = c.number;
        }
        if (lap.lap > laps) laps = lap.lap;
      }
    }
    found = { car, atMs, laps };
    this.leaders.set(key, found);
    return found;
  }

  pitStopsAt(car: string, t: number): PitStop[] {
    const key = `${car}\u0000${t}`;
    let found = this.stops.get(key);
    if (found === undefined) this.stops.set(key, (found = pitStops(this.timeline, { at: t, cars: [car] })));
    return found;
  }

  /** Null when the fact holds, else what is wrong. */
  verify(f: ReportFact): string | null {
    const tl = this.timeline;
    const carOf = (n: string): CarTimeline | undefined => tl.cars.get(n);
    switch (f.kind) {
      case 'position': {
        const c = this.car(f.car, f.atMs);
        if (c === undefined) return `no car #${f.car}`;
        if (f.class !== null && c.class !== f.class) return `#${f.car} is in ${c.class}, not ${f.class}`;
        const actual = f.class === null ? c.position : c.classPosition;
        return actual === f.position ? null : `#${f.car} was P${actual}, not P${f.position}`;
      }
      case 'laps': {
        const c = this.car(f.car, f.atMs);
        return c?.laps === f.laps ? null : `#${f.car} had ${c?.laps} laps, not ${f.laps}`;
      }
      case 'gap':
      case 'interval': {
        const c = this.car(f.car, f.atMs);
        if (c === undefined) return `no car #${f.car}`;
        const actual = f.kind === 'gap' ? (f.class === null ? c.gap : c.classGap) : f.class === null ? c.interval : c.classInterval;
        return sameGap(actual, f.gap) ? null : `#${f.car} ${f.kind} was ${JSON.stringify(actual)}`;
      }
      case 'at-wheel': {
        const c = this.car(f.car, f.atMs);
        return c?.driver === f.driver ? null : `#${f.car} had ${c?.driver} at the wheel`;
      }
      case 'pitted': {
        const car = carOf(f.car);
        const lap = car?.laps.find((l) => l.lap === f.inLap);
        if (lap === undefined) return `#${f.car} has no lap ${f.inLap}`;
        if (!lap.inPit) return `#${f.car} lap ${f.inLap} did not end in the pit lane`;
        if (lap.driverName !== f.driver) return `${lap.driverName} drove the in-lap of #${f.car}, not ${f.driver}`;
        // The stop spans the in-lap, the pit lane and the out-lap: from the in-lap's start to the out-lap's end.
        const outLapEnd = car!.laps.find((l) => l.lap === f.inLap + 1)?.crossingMs ?? Infinity;
        return f.atMs >= lap.crossingMs - lap.lapMs && f.atMs <= outLapEnd ? null : `#${f.car} was not making the stop after lap ${f.inLap} at ${f.atMs}`;
      }
      case 'crew': {
        const car = carOf(f.car);
        if (car === undefined) return `no car #${f.car}`;
        const known = new Set([...car.entry.drivers.map((d) => d.name), ...car.laps.map((l) => l.driverName)]);
        const unknown = f.drivers.filter((d) => !known.has(d));
        return unknown.length === 0 ? null : `not in the crew of #${f.car}: ${unknown.join(', ')}`;
      }
      case 'led-since': {
        const leaders = this.lapLeaders(f.class, f.atMs);
        if (leaders.atMs[f.sinceLap] !== f.sinceMs) return `lap ${f.sinceLap} was first completed at ${leaders.atMs[f.sinceLap]}`;
        if (f.sinceLap > 1 && leaders.car[f.sinceLap - 1] === f.car) return `#${f.car} already led lap ${f.sinceLap - 1}`;
        for (let lap = f.sinceLap; lap <= leaders.laps; lap++) {
          if (leaders.car[lap] !== f.car) return `#${leaders.car[lap]} led lap ${lap}`;
        }
        return null;
      }
      case 'laps-led': {
        const leaders = this.lapLeaders(f.class, f.atMs);
        let led = 0;
        for (let lap = 1; lap <= leaders.laps; lap++) if (leaders.car[lap] === f.car) led++;
        if (leaders.laps !== f.leaderLaps) return `the leader had completed ${leaders.laps} laps`;
        return led === f.lapsLed ? null : `#${f.car} led ${led} laps`;
      }
      case 'lead-change': {
        const leaders = this.lapLeaders(f.class, f.atMs);
        if (leaders.car[f.lap] !== f.car) return `#${leaders.car[f.lap]} led lap ${f.lap}`;
        if (leaders.car[f.lap - 1] !== f.from) return `#${leaders.car[f.lap - 1]} led lap ${f.lap - 1}`;
        return leaders.atMs[f.lap] === f.atMs ? null : `lap ${f.lap} was first completed at ${leaders.atMs[f.lap]}`;
      }
      case 'pit-stop':
      case 'long-stop': {
        const car = carOf(f.car);
        const inLap = car?.laps.find((l) => l.lap === f.inLap);
        if (car === undefined || inLap === undefined) return `no lap ${f.inLap} of #${f.car}`;
        if (!inLap.inPit || inLap.crossingMs !== f.inMs) return `lap ${f.inLap} of #${f.car} is not an in-lap at ${f.inMs}`;
        // The pit lane time as known at the fact's instant: the car may still be in the pits.
        const outLap = car.laps.find((l) => l.lap === f.inLap + 1 && l.crossingMs <= f.atMs);
        const pitOut = car.pitOuts.find((p) => p.lap === f.inLap + 1 && p.atMs <= f.atMs);
        const pitLaneMs = outLap?.pitLaneMs ?? pitOut?.pitLaneMs ?? null;
        if (pitLaneMs !== f.pitLaneMs) return `the stop took ${pitLaneMs} ms in the pit lane`;
        if (f.kind === 'pit-stop') return null;
        const stop = this.pitStopsAt(f.car, f.atMs).find((s) => s.inLap === f.inLap);
        if (stop === undefined || !stop.long) return `stop on lap ${f.inLap} is not a long one`;
        if (stop.usualPitLaneMs !== f.usualMs) return `usual stop was ${stop.usualPitLaneMs} ms`;
        return f.lostMs === f.pitLaneMs - f.usualMs ? null : 'time lost is not pit lane time minus the usual';
      }
      case 'driver-change': {
        const car = carOf(f.car);
        const lap = car?.laps.find((l) => l.lap === f.lap);
        const before = car?.laps.find((l) => l.lap === f.lap - 1);
        if (lap === undefined || before === undefined) return `no laps ${f.lap - 1}–${f.lap} of #${f.car}`;
        if (lap.driverName !== f.to || before.driverName !== f.from) return `lap ${f.lap - 1}: ${before.driverName}, lap ${f.lap}: ${lap.driverName}`;
        return before.crossingMs === f.atMs ? null : `lap ${f.lap - 1} was completed at ${before.crossingMs}`;
      }
      case 'flag-period': {
        const changes = tl.flagChanges();
        const i = changes.findIndex((c) => c.atMs === f.startMs);
        if (i < 0 || changes[i]!.flag !== f.flag) return `no ${f.flag} flag shown from ${f.startMs}`;
        const next = changes[i + 1];
        const end = next !== undefined && next.atMs <= f.atMs ? next.atMs : null;
        return end === f.endMs ? null : `the period ended at ${end}`;
      }
      case 'status': {
        const c = this.car(f.car, f.atMs);
        return c?.status === f.status ? null : `#${f.car} was ${c?.status}`;
      }
      case 'last-seen': {
        const car = carOf(f.car);
        if (car === undefined) return `no car #${f.car}`;
        const n = car.indexAt(f.atMs);
        const seen = Math.max(n > 0 ? car.laps[n - 1]!.crossingMs : 0, car.pitOutAt(f.atMs)?.atMs ?? 0);
        return seen === f.lastSeenMs ? null : `#${f.car} was last seen at ${seen}`;
      }
      case 'swaps': {
        const swaps = countSwaps(tl, f.cars[0], f.cars[1], f.fromMs, f.toMs);
        return swaps === f.swaps ? null : `the two swapped places ${swaps} times`;
      }
      case 'swap-place': {
        // The engine's class order at each swap, not the finder's lap-chart replay.
        for (const t of swapInstants(tl, f.cars[0], f.cars[1], f.fromMs, f.toMs)) {
          const held = this.at(t).cars.filter((c) => c.class === f.class && (c.number === f.cars[0] || c.number === f.cars[1])).map((c) => c.classPosition);
          const [lo, hi] = held.sort((x, y) => x - y);
          if (lo !== f.place || hi !== f.place + 1) return `at ${t} they held P${lo} and P${hi}, not P${f.place} and P${f.place + 1}`;
        }
        return null;
      }
      case 'chequered':
        return tl.chequeredMs() === f.atMs ? null : `the chequered flag fell at ${tl.chequeredMs()}`;
      case 'class-running': {
        const cars = this.at(f.atMs).cars.filter((c) => c.class === f.class);
        const running = cars.filter((c) => c.status !== 'stopped' && c.status !== 'retired').length;
        return running === f.running && cars.length === f.entries ? null : `${running} of ${cars.length} running`;
      }
      case 'drive-minimum': {
        const { rules, entryList } = this.options;
        if (rules === undefined) return 'no rules given to check a drive-time minimum against';
        const listed = entryList?.cars.find((c) => c.number === f.car)?.drivers.find((d) => d.name === f.driver || nameKey(d.name) === nameKey(f.driver));
        if (listed?.category !== f.category) return `the entry list gives ${f.driver} as ${listed?.category ?? 'no category'}`;
        const check = checkDriveTimes(tl, { profile: rules, entryList, at: f.atMs, cars: [f.car] }).find((c) => c.driver.name === f.driver);
        if (check === undefined || check.minimumReached === null) return `${f.driver} had not reached the minimum by then`;
        if (check.minimumMs !== f.minimumMs) return `the minimum is ${check.minimumMs} ms`;
        return check.minimumReached.lap === f.lap && check.minimumReached.crossingMs === f.atMs ? null : `reached on lap ${check.minimumReached.lap}`;
      }
      case 'field-stopped': {
        const stopped = this.at(f.atMs).cars.filter((c) => (c.status === 'stopped' || c.status === 'retired') && c.laps > 0);
        const since = Math.max(0, ...stopped.map((c) => Math.max(c.lastCrossingMs, tl.cars.get(c.number)!.pitOutAt(f.atMs)?.atMs ?? 0)));
        if (stopped.length !== f.stopped || this.at(f.atMs).cars.length !== f.entries) return `${stopped.length} of ${this.at(f.atMs).cars.length} cars were stopped`;
        return since === f.sinceMs ? null : `the last of them was seen at ${since}`;
      }
      case 'data-ends': {
        const chequered = tl.chequeredMs();
        if (chequered !== null && chequered <= f.atMs) return 'the chequered flag had fallen';
        return tl.lastEventMs === f.atMs ? null : `the data ends at ${tl.lastEventMs}`;
      }
    }
  }
}

/**
 * How many times two cars traded places in (fromMs, toMs]: a change of who
 * is ahead (more laps; equal laps, crossed first) at a crossing of either,
 * made by the car going ahead completing a lap the other was still on.
 */
export function countSwaps(timeline: RaceTimeline, a: string, b: string, fromMs: number, toMs: number): number {
  return swapInstants(timeline, a, b, fromMs, toMs).length;
}

/** The instants in (fromMs, toMs] at which two cars swapped places on the same lap, from their own laps. */
export function swapInstants(timeline: RaceTimeline, a: string, b: string, fromMs: number, toMs: number): number[] {
  const ca = timeline.cars.get(a);
  const cb = timeline.cars.get(b);
  if (ca === undefined || cb === undefined) return [];
  const state = (c: CarTimeline, t: number) => {
    const n = c.indexAt(t);
    return { laps: n === 0 ? 0 : c.laps[n - 1]!.lap, last: n === 0 ? 0 : c.crossings[n - 1]! };
  };
  const sa = state(ca, fromMs);
  const sb = state(cb, fromMs);
  const aAhead = () => sa.laps > sb.laps || (sa.laps === sb.laps && (sa.last < sb.last || (sa.last === sb.last && compareCarNumbers(a, b) < 0)));
  const events: Array<{ t: number; car: 'a' | 'b'; lap: number }> = [];
  for (const [c, key] of [[ca, 'a'], [cb, 'b']] as const) {
    for (let i = c.indexAt(fromMs); i < c.indexAt(toMs); i++) events.push({ t: c.laps[i]!.crossingMs, car: key, lap: c.laps[i]!.lap });
  }
  events.sort((x, y) => x.t - y.t || compareCarNumbers(x.car === 'a' ? a : b, y.car === 'a' ? a : b));
  let ahead = aAhead();
  const swaps: number[] = [];
  for (const e of events) {
    const s = e.car === 'a' ? sa : sb;
    s.laps = e.lap;
    s.last = e.t;
    const now = aAhead();
    if (now !== ahead) {
      const [winner, loser] = now ? [sa, sb] : [sb, sa];
      // Before both have a lap the order is only the grid's (unknown here): no swap.
      if (winner.laps === loser.laps + 1 && loser.laps > 0) swaps.push(e.t);
      ahead = now;
    }
  }
  return swaps;
}

// ——— Numbers in the text ———

const LAP_WORDS = 'one|two|three|four|five|six|seven|eight|nine|\\d+';
const PLACE_RE = /\b(second|third|fourth|fifth|sixth|seventh|eighth|ninth)\b/gi;

function carsOf(f: ReportFact): string[] {
  switch (f.kind) {
    case 'lead-change':
      return [f.car, f.from];
    case 'swaps':
      return f.cars;
    case 'swap-place':
      return f.cars;
    case 'flag-period':
    case 'chequered':
    case 'class-running':
    case 'data-ends':
    case 'field-stopped':
      return [];
    default:
      return [f.car];
  }
}

/** Every way a fact may be written in a sentence. */
function renderings(f: ReportFact, fromMs: number): string[] {
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
      return [String(f.lap), minutesOf(f.atMs)];
    case 'pit-stop':
      return [String(f.inLap), minutesOf(f.inMs), ...(f.pitLaneMs === null ? [] : [timeGapWords(f.pitLaneMs)])];
    case 'long-stop':
      return [String(f.inLap), minutesOf(f.inMs), timeGapWords(f.pitLaneMs), timeGapWords(f.lostMs), timeGapWords(f.usualMs), ordinal(Math.max(1, Math.ceil(f.inMs / HOUR)))];
    case 'driver-change':
      return [String(f.lap), minutesOf(f.atMs)];
    case 'flag-period': {
      const out = [minutesOf(f.startMs), raceClockWords(f.startMs)];
      if (f.endMs !== null) {
        const m = Math.max(1, Math.round((f.endMs - f.startMs) / MINUTE));
        out.push(String(m), String(Math.floor(m / 60)), String(m % 60));
      }
      return out;
    }
    case 'last-seen':
      return [raceClockWords(f.lastSeenMs)];
    case 'swaps':
      return [String(f.swaps)];
    case 'drive-minimum': {
      const m = Math.max(1, Math.round(f.minimumMs / MINUTE));
      return [String(f.lap), minutesOf(f.atMs), String(m), String(Math.floor(m / 60)), String(m % 60)];
    }
    case 'class-running':
      return [String(f.running), String(f.entries)];
    case 'data-ends':
      return [minutesOf(f.atMs), raceClockWords(f.atMs)];
    case 'field-stopped':
      return [String(f.stopped), String(f.entries), raceClockWords(f.sinceMs)];
    default:
      return [];
  }
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
    if (/\d/.test(name)) rest = rest.split(name).join(' ');
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

export function checkReport(timeline: RaceTimeline, report: Report, options: CheckOptions = {}): CheckResult {
  const verifier = new Verifier(timeline, options);
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
      const wrong = verifier.verify(f);
      if (wrong !== null) problems.push({ where, fact: f, message: wrong });
    }
    for (const token of unsupportedNumbers(text, facts, { fromMs: report.fromMs, always, carNames: teamWordsOf(timeline) })) {
      problems.push({ where, fact: null, message: `"${token}" in the text is not given by its facts: "${text}"` });
    }
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
        const wrong = verifier.verify(f);
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
