/**
 * A penalty race control announced during the hour, from its decision events
 * (DESIGN.md "Decision"; endurance-rules.md §5): "The #7 Toyota was given a
 * drive-through penalty at 5:23 race time, for an unsafe release." Only the
 * kinds that cost a car something (drive-through, stop-and-go, time added to
 * its race or its next stop, laps deducted, disqualification); warnings and
 * notes are not news. The reason is given in race control's words, lower
 * case, only when it is plain words (no car number, digit or name of the
 * race's drivers and teams, which no fact would back).
 *
 * Meaning (verify `decision`): race control announced exactly this decision
 * (kind, car, time, amount) — read from the timeline's decision events, not
 * from what the finder kept.
 */
import type { DecisionEvent, DecisionKind } from '../../model/events.js';
import type { ReportFact } from '../types.js';
import { durationWords, lapsWords, pick, raceClockWords } from '../words.js';
import type { CarPosition } from '../../analysis/hour-facts.js';
import type { ClaimDefinition, FindContext, Meaning, StoryBase } from './common.js';
import { redFlagResultMs } from '../../engine/finish.js';

export interface PenaltyStory extends StoryBase {
  kind: 'penalty';
  decision: DecisionEvent;
  car: CarPosition;
  /** The reason as plain words, or null when it cannot be said (plainReason). */
  reason: string | null;
  /**
   * Announced after the finish (the chequered flag, or a result declared under
   * red flag): told as "after the race", not at its instant, which for a
   * post-race decision is often not in the data (decisions/ sets it a minute
   * after the last crossing and says so).
   */
  afterRace: boolean;
}

/** Decision kinds that are penalties, as the sentence names them. */
const PENALTIES: Partial<Record<DecisionKind, (d: DecisionEvent) => string>> = {
  'drive-through': () => 'a drive-through penalty',
  'stop-and-go': (d) => (d.penaltyMs === null ? 'a stop-and-go penalty' : `a stop-and-go penalty of ${durationOrSeconds(d.penaltyMs)}`),
  'time-added': (d) => (d.penaltyMs === null ? 'time added to its race time' : `${durationOrSeconds(d.penaltyMs)} added to its race time`),
  'stop-time-added': (d) => (d.penaltyMs === null ? 'time added to its next stop' : `${durationOrSeconds(d.penaltyMs)} added to its next stop`),
  'laps-deducted': (d) => (d.laps === null ? 'laps deducted' : `${lapsWords(d.laps)} deducted`),
};

/** "30 seconds", "a minute", "5 minutes": a penalty's length. */
function durationOrSeconds(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)} seconds` : durationWords(ms);
}

/**
 * A reason in plain words, lower case ("YELLOW FLAG INFRINGEMENT" → "yellow
 * flag infringement"): none with a digit, a car number or brackets, a capitalised word
 * after the first in mixed case, or any word of the race's drivers' and
 * teams' names (`names`, lower case) — a name no fact would back.
 */
export function plainReason(reason: string, names: ReadonlySet<string>): string | null {
  // Race control's parts run " - "-separated; the first is the offence ("… AT PIT EXIT - TIME" is a cut line's tail).
  let r = reason.split(' - ')[0]!.trim();
  if (r === '' || /[\d#()]/.test(r) || r.length > 80) return null;
  if (r !== r.toUpperCase() && /\s\p{Lu}/u.test(r)) return null;
  r = r.toLowerCase();
  if (r.split(/[^\p{L}'-]+/u).some((w) => w.length > 2 && names.has(w))) return null;
  return r;
}

const nameWordsCache = new WeakMap<object, Set<string>>();

/** Lower-cased words of every driver's and team's name in the race. */
function raceNameWords(timeline: FindContext['timeline']): Set<string> {
  let found = nameWordsCache.get(timeline);
  if (found === undefined) {
    found = new Set();
    for (const c of timeline.cars.values()) {
      const texts = [c.entry.team, c.entry.manufacturer, ...c.entry.drivers.map((d) => d.name), ...c.laps.map((l) => l.driverName)];
      for (const t of texts) for (const w of t.toLowerCase().split(/[^\p{L}'-]+/u)) if (w.length > 2) found.add(w);
    }
    nameWordsCache.set(timeline, found);
  }
  return found;
}

export const penalty: ClaimDefinition<PenaltyStory, { decision: Meaning<'decision'> }> = {
  find(ctx) {
    const out: PenaltyStory[] = [];
    const endMs = ctx.timeline.chequeredMs() ?? redFlagResultMs(ctx.timeline);
    for (const d of ctx.timeline.decisions) {
      if (d.atMs <= ctx.fromMs || d.atMs > ctx.atMs || d.car === null) continue;
      if (PENALTIES[d.kind] === undefined && d.kind !== 'disqualified') continue;
      const car = ctx.cars.find((c) => c.car === d.car);
      if (car !== undefined) out.push({ kind: 'penalty', weight: 'retirement', decision: d, car, reason: plainReason(d.reason, raceNameWords(ctx.timeline)), afterRace: endMs !== null && d.atMs > endMs });
    }
    return out;
  },
  words(story, { sel, m, seed, first }) {
    if (first) return [];
    const d = story.decision;
    const facts: ReportFact[] = [{ kind: 'decision', car: d.car!, decision: d.kind, penaltyMs: d.penaltyMs, laps: d.laps, atMs: d.atMs }];
    const when = story.afterRace ? 'after the race' : `at ${raceClockWords(d.atMs)} race time`;
    const why = story.reason;
    const car = m.car(story.car);
    if (d.kind === 'disqualified') {
      return [{ text: `Race control disqualified the ${car} ${when}${why === null ? '' : `, for ${why}`}.`, facts }];
    }
    // Announced after the finish, a drive-through or stop-and-go cannot be served: its time is added to the car's race time.
    const converted = story.afterRace && (d.kind === 'drive-through' || d.kind === 'stop-and-go') && d.penaltyMs !== null;
    const what = converted ? `a ${d.kind === 'drive-through' ? 'drive-through' : 'stop-and-go'} penalty converted to ${durationOrSeconds(d.penaltyMs!)} added to its race time` : PENALTIES[d.kind]!(d);
    const text = pick(
      [`The ${car} was given ${what} ${when}${why === null ? '' : `, for ${why}`}.`, `Race control handed the ${car} ${what} ${when}${why === null ? '' : ` (${why})`}.`],
      `${seed}/${d.id}/penalty`,
    );
    return [{ text, facts }];
  },
  verify: {
    decision(f, raw) {
      const found = raw.timeline.decisions.find((d) => d.car === f.car && d.kind === f.decision && d.atMs === f.atMs);
      if (found === undefined) return `race control announced no ${f.decision} for #${f.car} at ${f.atMs}`;
      if (found.penaltyMs !== f.penaltyMs || found.laps !== f.laps) return `the ${f.decision} for #${f.car} was ${found.penaltyMs ?? found.laps}, not ${f.penaltyMs ?? f.laps}`;
      return null;
    },
  },
};
