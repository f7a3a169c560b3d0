/**
 * A neutralisation inferred from the lap and sector times, in a file that
 * carries no flags (analysis/neutralisations.ts; issue 17 Deliver 2): said
 * with less certainty than race control's flag ("lap times point to a safety
 * car from about 20:23 race time"), and always marked as inferred. Only
 * periods that begin in the hour, field-wide ones (safety car, full course
 * yellow); a slow zone slows one sector and is not told.
 *
 * Meaning (verify `inferred-neutralisation`), from the raw laps and not from
 * the inference: the file has no flags, and the sectors run wholly inside
 * the period (each placed from its lap's crossing and S1/S2) ran at a median
 * of SLOW_FIELD_RATIO × each car's best in that sector or slower: the field
 * really slowed.
 */
import { raceIndex } from '../../analysis/race-index.js';
import { MINUTE } from '../../model/time.js';
import type { InferredNeutralisation } from '../../analysis/neutralisations.js';
import type { ReportFact } from '../types.js';
import { durationWords, minutesWords, pick, raceClockWords } from '../words.js';
import { medianOf } from './raw.js';
import type { ClaimDefinition, Meaning, StoryBase } from './common.js';

declare module '../types.js' {
  interface ClaimFacts {
    /** The field slowed from startMs (to endMs; null: still at atMs) as under a safety car or full course yellow, inferred in a file without flags. */
    'inferred-neutralisation': { kind: 'inferred-neutralisation'; neutralisation: 'safety-car' | 'fcy'; startMs: number; endMs: number | null; atMs: number };
  }
}

/** A period that ends this close to the report's instant (ms) is told as still on: the laps that would show its end are not in yet. */
export const END_MARGIN_MS = 5 * MINUTE;

/** How slow the field's laps must run, against each car's best, for "the field slowed" to hold. */
export const SLOW_FIELD_RATIO = 1.25;

export interface InferredFlagStory extends StoryBase {
  kind: 'inferred-flag';
  period: InferredNeutralisation;
}

export const inferredFlag: ClaimDefinition<InferredFlagStory, { 'inferred-neutralisation': Meaning<'inferred-neutralisation'> }> = {
  find(ctx) {
    if (ctx.rank !== 0 || ctx.timeline.hasFlags) return [];
    return raceIndex(ctx.timeline)
      .inferred(ctx.atMs)
      // Begun in the hour, or begun before and still on when it began (its end is told).
      .filter((p) => (p.kind === 'safety-car' || p.kind === 'fcy') && p.startMs <= ctx.atMs && p.endMs > ctx.fromMs)
      .map((period) => ({ kind: 'inferred-flag' as const, weight: 'fcy' as const, period }));
  },
  words(story, { sel, first }) {
    if (first) return [];
    const p = story.period;
    const neutralisation = p.kind === 'safety-car' ? 'safety-car' : 'fcy';
    // The inference sees an end only from the laps after it: one within END_MARGIN_MS of the report's instant may be the data's edge, not the period's.
    // Near it, neither its length nor "still on" is said; the fact keeps the inferred end, so the check reads the slow part only.
    const ended = p.endMs < sel.atMs - END_MARGIN_MS;
    const nearEdge = !ended && p.endMs < sel.atMs;
    const facts: ReportFact[] = [{ kind: 'inferred-neutralisation', neutralisation, startMs: p.startMs, endMs: ended || nearEdge ? p.endMs : null, atMs: sel.atMs }];
    const name = neutralisation === 'safety-car' ? 'a safety car' : 'a full course yellow';
    if (p.startMs <= sel.fromMs) {
      const began = raceClockWords(p.startMs);
      const text = ended
        ? `The slowdown that began at ${began} race time ended after about ${durationWords(p.endMs - p.startMs)} in all (inferred).`
        : nearEdge
          ? `The slowdown that began at ${began} race time lasted into the hour's last minutes (inferred).`
          : `The slowdown that began at ${began} race time went on through the hour (inferred).`;
      return [{ text, facts }];
    }
    const when = minutesWords(Math.floor((p.startMs - sel.fromMs) / MINUTE), sel.fromMs);
    const how = ended ? `, for about ${durationWords(p.endMs - p.startMs)}` : nearEdge ? '' : ', still on at the hour mark';
    // Several wordings: a race without flags may hold a dozen such periods (repetition.ts).
    const text = pick(
      [
        `Lap times point to ${name} ${when}${how} (inferred).`,
        `Sector times suggest ${name} ${when}${how} (inferred, not flagged in the data).`,
        `By the timing, the field slowed ${when} as under ${name}${how} (inferred).`,
        `Judging by the timing, ${name} came out ${when}${how} (inferred).`,
      ],
      `${sel.race}/${p.startMs}/inferred-flag`,
    );
    return [{ text, facts }];
  },
  readings: {
    'inferred-neutralisation': {
      numbers: (f, fromMs) => [raceClockWords(f.startMs), String(Math.floor((f.startMs - fromMs) / MINUTE)), ...(f.endMs === null ? [] : (durationWords(f.endMs - f.startMs).match(/\d+/g) ?? []))],
      cars: () => [],
    },
  },
  verify: {
    'inferred-neutralisation'(f, raw) {
      if (raw.timeline.hasFlags) return 'the file carries race control\'s flags: a period is told from them, not inferred';
      const to = f.endMs ?? f.atMs;
      const ratios: number[] = [];
      for (const car of raw.cars.values()) {
        const best = [Infinity, Infinity, Infinity];
        for (const l of car.laps) {
          if (l.crossingMs > f.atMs || l.inPit) continue;
          for (let k = 0; k < 3; k++) best[k] = Math.min(best[k]!, l.sectorsMs[k] ?? Infinity);
        }
        for (const l of car.laps) {
          if (l.crossingMs < f.startMs || l.crossingMs - l.lapMs > to || l.inPit) continue;
          let from = l.crossingMs - l.lapMs;
          for (let k = 0; k < 3; k++) {
            const sector = l.sectorsMs[k];
            if (sector === null || sector === undefined) break;
            const end = from + sector;
            if (from >= f.startMs && end <= to && Number.isFinite(best[k]!)) ratios.push(sector / best[k]!);
            from = end;
          }
        }
      }
      if (ratios.length < 3) return `too few sectors run between ${f.startMs} and ${to} to show a slowdown`;
      const median = medianOf(ratios)!;
      return median >= SLOW_FIELD_RATIO ? null : `the field's sectors between ${f.startMs} and ${to} ran at ${median.toFixed(2)}× their best: no slowdown`;
    },
  },
};
