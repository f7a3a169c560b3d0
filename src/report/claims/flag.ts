/**
 * Race control's flags in the hour: safety car, full course yellow, red flag.
 * Dated by when the period began, never "in the previous hour" (a period may
 * reach back several hours: Le Mans 2024, 6:37 to hour 9).
 */
import type { FlagPeriodFact } from '../../analysis/hour-facts.js';
import { MINUTE } from '../../model/time.js';
import type { ReportFact } from '../types.js';
import { durationWords, minutesWords, raceClockWords } from '../words.js';
import type { ClaimDefinition, StoryBase } from './common.js';

export interface FlagStory extends StoryBase {
  kind: 'flag';
  period: FlagPeriodFact;
}

export const flag: ClaimDefinition<FlagStory> = {
  find(ctx) {
    if (ctx.rank !== 0) return [];
    const out: FlagStory[] = [];
    for (const period of ctx.facts.flags) {
      if (period.period.flag === 'green' || period.period.flag === 'finish') continue;
      if (!period.startedInHour && period.inHourMs < 2 * MINUTE) continue;
      const weight = period.period.flag === 'red' ? 'red-flag' : period.period.flag === 'safety-car' ? 'safety-car' : 'fcy';
      out.push({ kind: 'flag', weight, period });
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
    return [{ text, facts }];
  },
  verify: {},
};
