/**
 * The weather, when the race has weather readings (`weather` events: a
 * station file given with `--weather`, or the official board's): the air and
 * track temperatures at the hour mark, how far the track cooled or warmed
 * over the hour, and rain as the source states it (never guessed: a station
 * with no rain reading says nothing of rain). Said once, in the top class's
 * section, like race control's flags.
 *
 * Meanings (verify):
 * - `weather`: the latest reading at or before `asOfMs` is the one at `atMs`,
 *   at most WEATHER_STALE_MS before it, and its temperatures round to the
 *   whole °C said (its rain state is the one said, when one is said);
 * - `track-temp-change`: the readings that stood at `fromMs` and `atMs` give
 *   the whole °C said, `fromMs` no later than `atMs`;
 * - `rain-start`: the reading at `atMs` says rain and the one before it dry.
 */
import { MINUTE } from '../../model/time.js';
import type { WeatherEvent } from '../../model/events.js';
import type { RaceTimeline } from '../../engine/timeline.js';
import type { ReportFact } from '../types.js';
import { pick, raceClockWords } from '../words.js';
import type { ClaimDefinition, Meaning, StoryBase } from './common.js';

declare module '../types.js' {
  interface ClaimFacts {
    /** The weather reading at atMs, the one in force at asOfMs: temperatures in whole °C (null: not said), rain as said (null: not said). */
    weather: { kind: 'weather'; atMs: number; asOfMs: number; airTempC: number | null; trackTempC: number | null; rain: boolean | null };
    /** The track temperature went from fromC (reading at fromMs) to toC (reading at atMs), whole °C. */
    'track-temp-change': { kind: 'track-temp-change'; fromMs: number; atMs: number; fromC: number; toC: number };
    /** The reading at atMs says rain, the one before it dry. */
    'rain-start': { kind: 'rain-start'; atMs: number };
  }
}

/** A reading older than this at the hour mark is not "the weather at the hour mark" (ms). */
export const WEATHER_STALE_MS = 10 * MINUTE;
/** How far the track must cool or warm over the hour to be told (whole °C). */
export const TRACK_CHANGE_C = 4;

export interface WeatherStory extends StoryBase {
  kind: 'weather';
  /** The reading at the hour mark. */
  now: WeatherEvent;
  /** The reading that stood when the hour began, when the track changed by TRACK_CHANGE_C or more. */
  before: WeatherEvent | null;
  /** The first reading of the hour that says rain after one that said dry. */
  rainFrom: WeatherEvent | null;
}

const c = (value: number): number => Math.round(value);

/** The latest reading at or before t, fresh enough to be the weather at t. */
function readingAt(timeline: RaceTimeline, t: number): WeatherEvent | undefined {
  const w = timeline.weatherAt(t);
  return w !== undefined && t - w.atMs <= WEATHER_STALE_MS ? w : undefined;
}

export const weather: ClaimDefinition<WeatherStory, { weather: Meaning<'weather'>; 'track-temp-change': Meaning<'track-temp-change'>; 'rain-start': Meaning<'rain-start'> }> = {
  find(ctx) {
    if (ctx.rank !== 0) return [];
    const now = readingAt(ctx.timeline, ctx.atMs);
    if (now === undefined || (now.airTempC === null && now.trackTempC === null && now.rain === null)) return [];
    const start = readingAt(ctx.timeline, ctx.fromMs);
    const before =
      start !== undefined && start.trackTempC !== null && now.trackTempC !== null && Math.abs(c(now.trackTempC) - c(start.trackTempC)) >= TRACK_CHANGE_C ? start : null;
    let rainFrom: WeatherEvent | null = null;
    let previous = ctx.timeline.weatherAt(ctx.fromMs);
    for (const w of ctx.timeline.weather) {
      if (w.atMs <= ctx.fromMs || w.atMs > ctx.atMs) continue;
      if (rainFrom === null && w.rain === true && previous?.rain === false) rainFrom = w;
      previous = w;
    }
    return [{ kind: 'weather', weight: rainFrom !== null ? 'rain' : before !== null ? 'weather-change' : 'weather', now, before, rainFrom }];
  },
  words(story, { sel, seed, first }) {
    if (first) return [];
    const { now, before, rainFrom } = story;
    const said = (w: WeatherEvent, rain: boolean): ReportFact => ({
      kind: 'weather',
      atMs: w.atMs,
      asOfMs: sel.atMs,
      airTempC: w.airTempC === null ? null : c(w.airTempC),
      trackTempC: w.trackTempC === null ? null : c(w.trackTempC),
      rain: rain ? w.rain : null,
    });
    const out = [];
    if (rainFrom !== null) {
      out.push({ text: `Rain was reported from ${raceClockWords(rainFrom.atMs)} race time.`, facts: [{ kind: 'rain-start', atMs: rainFrom.atMs } satisfies ReportFact] });
    }
    if (before !== null && before.trackTempC !== null && now.trackTempC !== null) {
      const cooled = now.trackTempC < before.trackTempC;
      const from = c(before.trackTempC);
      const to = c(now.trackTempC);
      const air = now.airTempC === null ? '' : pick([`, with the air at ${c(now.airTempC)} °C`, `; air ${c(now.airTempC)} °C`], `${seed}/weather-air`);
      const text = pick(
        [`The track ${cooled ? 'cooled' : 'warmed up'} from ${from} °C to ${to} °C over the hour${air}.`, `Track temperature ${cooled ? 'fell' : 'rose'} from ${from} °C to ${to} °C in the hour${air}.`],
        `${seed}/weather-track`,
      );
      out.push({
        text,
        facts: [
          { kind: 'track-temp-change', fromMs: before.atMs, atMs: now.atMs, fromC: c(before.trackTempC), toC: c(now.trackTempC) } satisfies ReportFact,
          ...(now.airTempC === null ? [] : [said({ ...now, trackTempC: null }, false)]),
        ],
      });
      return out;
    }
    const parts: string[] = [];
    if (now.airTempC !== null) parts.push(`air ${c(now.airTempC)} °C`);
    if (now.trackTempC !== null) parts.push(`track ${c(now.trackTempC)} °C`);
    const sky = rainFrom !== null || now.rain === null ? '' : now.rain ? ', in the rain' : ', dry';
    if (parts.length > 0 || sky !== '') {
      const body = `${parts.join(', ')}${sky}`.replace(/^, /, '');
      // The hour's number breaks the phrase: twelve hours of it do not read like one template (repetition.ts).
      const text = sel.final ? `At the flag: ${body}.` : `At ${sel.hour} ${sel.hour === 1 ? 'hour' : 'hours'}: ${body}.`;
      out.push({ text, facts: [said(now, rainFrom === null)] });
    }
    return out;
  },
  readings: {
    // The digits of "-3 °C" are read as 3.
    weather: { numbers: (f) => [f.airTempC, f.trackTempC].filter((v): v is number => v !== null).map((v) => String(Math.abs(v))), cars: () => [] },
    'track-temp-change': { numbers: (f) => [String(Math.abs(f.fromC)), String(Math.abs(f.toC))], cars: () => [] },
    'rain-start': { numbers: (f, fromMs) => [raceClockWords(f.atMs), String(Math.floor((f.atMs - fromMs) / MINUTE))], cars: () => [] },
  },
  verify: {
    weather(f, raw) {
      const w = raw.timeline.weatherAt(f.asOfMs);
      if (w === undefined || w.atMs !== f.atMs) return `the reading in force at ${f.asOfMs} is ${w === undefined ? 'none' : `the one at ${w.atMs}`}, not the one at ${f.atMs}`;
      if (f.asOfMs - w.atMs > WEATHER_STALE_MS) return `the reading at ${w.atMs} is ${Math.round((f.asOfMs - w.atMs) / MINUTE)} min old at ${f.asOfMs}`;
      if (f.airTempC !== null && (w.airTempC === null || c(w.airTempC) !== f.airTempC)) return `air was ${w.airTempC} °C, not ${f.airTempC}`;
      if (f.trackTempC !== null && (w.trackTempC === null || c(w.trackTempC) !== f.trackTempC)) return `track was ${w.trackTempC} °C, not ${f.trackTempC}`;
      if (f.rain !== null && w.rain !== f.rain) return `the reading says rain ${w.rain}, not ${f.rain}`;
      return null;
    },
    'track-temp-change'(f, raw) {
      const from = raw.timeline.weather.find((w) => w.atMs === f.fromMs);
      const to = raw.timeline.weather.find((w) => w.atMs === f.atMs);
      if (from === undefined || to === undefined || f.fromMs > f.atMs) return `no readings at ${f.fromMs} and ${f.atMs}`;
      if (from.trackTempC === null || to.trackTempC === null || c(from.trackTempC) !== f.fromC || c(to.trackTempC) !== f.toC) {
        return `the track went from ${from.trackTempC} to ${to.trackTempC} °C, not ${f.fromC} to ${f.toC}`;
      }
      return null;
    },
    'rain-start'(f, raw) {
      const i = raw.timeline.weather.findIndex((w) => w.atMs === f.atMs);
      if (i <= 0) return `no reading before ${f.atMs} to start from`;
      return raw.timeline.weather[i]!.rain === true && raw.timeline.weather[i - 1]!.rain === false ? null : `the readings do not turn from dry to rain at ${f.atMs}`;
    },
  },
};
