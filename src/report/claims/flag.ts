/**
 * Race control's flags in the hour: safety car, full course yellow, red flag.
 * Dated by when the period began, never "in the previous hour" (a period may
 * reach back several hours: Le Mans 2024, 6:37 to hour 9). With the cause
 * when race control's messages state one next to the period's start
 * (causeOf): "for debris on track at turn 3", "after the #77 stopped at turn 5".
 *
 * Meaning (verify `neutralisation-cause`): race control published exactly
 * that message at `atMs`, within CAUSE_WINDOW of the period's start, and no
 * other cause message nearer to it.
 */
import type { FlagPeriodFact } from '../../analysis/hour-facts.js';
import { MINUTE } from '../../model/time.js';
import type { ReportFact } from '../types.js';
import { durationWords, minutesWords, raceClockWords } from '../words.js';
import type { ClaimDefinition, Meaning, StoryBase } from './common.js';
import type { MessageEvent } from '../../model/events.js';

declare module '../types.js' {
  interface ClaimFacts {
    /** Race control's message `text` at atMs states the cause of the period that began at startMs (a car and a turn it names). */
    'neutralisation-cause': { kind: 'neutralisation-cause'; atMs: number; text: string; startMs: number; car: string | null; turn: number };
  }
}

export interface FlagStory extends StoryBase {
  kind: 'flag';
  period: FlagPeriodFact;
  cause: Cause | null;
}

/** A neutralisation's cause as race control's message states it. */
export interface Cause {
  message: MessageEvent;
  /** The words after "for" / "after": "debris on track at turn 3". */
  words: string;
  /** The car it names, as written; null when none. */
  car: string | null;
  /** The turn it names. */
  turn: number;
}

/** How far from a period's start a message may be to state its cause (ms): race control names it within a minute. */
export const CAUSE_WINDOW_MS = { before: 30_000, after: 90_000 };

/** Where, in race control's words: "TURN 3" / "T3" → "turn 3". */
const PLACE = String.raw`(?:TURN|T)\s*(\d{1,2})`;
const CAUSES: Array<{ re: RegExp; words: (m: RegExpExecArray) => string; car: (m: RegExpExecArray) => string | null; turn: (m: RegExpExecArray) => number }> = [
  { re: new RegExp(String.raw`^DEBRIS(?: ON TRACK)?,?(?: AT)?\s*${PLACE}\s*$`), words: (m) => `for debris on track at turn ${Number(m[1])}`, car: () => null, turn: (m) => Number(m[1]) },
  {
    re: new RegExp(String.raw`^CAR (\w{1,8}) (?:STOPPED|STOPPED ON COURSE|STOPPED ON TRACK),?(?: AT)?\s*${PLACE}\s*$`),
    words: (m) => `after the #${m[1]} stopped at turn ${Number(m[2])}`,
    car: (m) => m[1]!,
    turn: (m) => Number(m[2]),
  },
  { re: new RegExp(String.raw`^(?:IMPACT|ACCIDENT|CRASH) AT ${PLACE}\s*$`), words: (m) => `after an accident at turn ${Number(m[1])}`, car: () => null, turn: (m) => Number(m[1]) },
];

/**
 * The cause race control gave for a period starting at `startMs`: the
 * nearest message in CAUSE_WINDOW_MS that reads as one of CAUSES (each a
 * whole message, so nothing is guessed from part of a line); null when none.
 */
export function causeOf(messages: readonly MessageEvent[], startMs: number): Cause | null {
  let best: Cause | null = null;
  for (const message of messages) {
    if (message.atMs < startMs - CAUSE_WINDOW_MS.before || message.atMs > startMs + CAUSE_WINDOW_MS.after) continue;
    const text = message.text.trim().toUpperCase();
    for (const cause of CAUSES) {
      const m = cause.re.exec(text);
      if (m === null) continue;
      if (best === null || Math.abs(message.atMs - startMs) < Math.abs(best.message.atMs - startMs)) best = { message, words: cause.words(m), car: cause.car(m), turn: cause.turn(m) };
      break;
    }
  }
  return best;
}

export const flag: ClaimDefinition<FlagStory, { 'neutralisation-cause': Meaning<'neutralisation-cause'> }> = {
  find(ctx) {
    if (ctx.rank !== 0) return [];
    const out: FlagStory[] = [];
    for (const period of ctx.facts.flags) {
      if (period.period.flag === 'green' || period.period.flag === 'finish') continue;
      if (!period.startedInHour && period.inHourMs < 2 * MINUTE) continue;
      const weight = period.period.flag === 'red' ? 'red-flag' : period.period.flag === 'safety-car' ? 'safety-car' : 'fcy';
      out.push({ kind: 'flag', weight, period, cause: causeOf(ctx.timeline.messages, period.period.startMs) });
    }
    return out;
  },
  words(story, { sel, first }) {
    if (first) return [];
    const at = sel.atMs;
    const p = story.period.period;
    const facts: ReportFact[] = [{ kind: 'flag-period', flag: p.flag, startMs: p.startMs, endMs: p.endMs, atMs: at }];
    const name = p.flag === 'safety-car' ? 'safety car' : p.flag === 'fcy' ? 'full course yellow' : 'red flag';
    const started = story.period.startedInHour ? minutesWords(Math.floor((p.startMs - sel.fromMs) / MINUTE), sel.fromMs) : null;
    const ended = p.endMs !== null && p.endMs <= at;
    let text: string;
    const cause = story.cause;
    if (cause !== null && started !== null) {
      facts.push({ kind: 'neutralisation-cause', atMs: cause.message.atMs, text: cause.message.text, startMs: p.startMs, car: cause.car, turn: cause.turn });
    }
    if (p.flag === 'red') {
      text = `The race was stopped under the red flag${started === null ? '' : ` ${started}`}${ended ? `, for ${durationWords(p.endMs! - p.startMs)}` : ''}.`;
    } else if (started !== null && ended) {
      text = `A ${name} period began ${started}, lasting ${durationWords(p.endMs! - p.startMs)}.`;
    } else if (started !== null) {
      text = `The ${name} came out ${started} and was still deployed when the hour ended.`;
    } else if (ended) {
      text = `The ${name} period that began at ${raceClockWords(p.startMs)} race time ended after ${durationWords(p.endMs! - p.startMs)} in all.`;
    } else {
      text = `The ${name} was out for the whole hour.`;
    }
    if (cause !== null && started !== null) text = `${text.slice(0, -1)}, ${cause.words}.`;
    return [{ text, facts }];
  },
  readings: {
    'neutralisation-cause': { numbers: (f) => [String(f.turn)], cars: (f) => (f.car === null ? [] : [f.car]) },
  },
  verify: {
    'neutralisation-cause'(f, raw) {
      const message = raw.timeline.messages.find((m) => m.atMs === f.atMs && m.text === f.text);
      if (message === undefined) return `race control published no "${f.text}" at ${f.atMs}`;
      if (f.atMs < f.startMs - CAUSE_WINDOW_MS.before || f.atMs > f.startMs + CAUSE_WINDOW_MS.after) return `"${f.text}" is ${Math.round((f.atMs - f.startMs) / 1000)} s from the period's start`;
      const text = message.text.toUpperCase();
      if (!new RegExp(String.raw`\b(?:TURN|T)\s*0*${f.turn}\b`).test(text)) return `"${f.text}" names no turn ${f.turn}`;
      if (f.car !== null && !new RegExp(String.raw`\bCAR ${f.car}\b`).test(text)) return `"${f.text}" names no car ${f.car}`;
      return null;
    },
  },
};
