/** Path and query parameters shared by the routes (zod: validated and documented at once), and the checks that need the race. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { formatRaceTime, parseRaceTime } from '../model/time.js';
import { RACE_ID_PATTERN } from '../store/index.js';
import type { LiveRace } from './live-race.js';
import type { ProblemFieldError } from './problem.js';
import type { RaceHub } from './races.js';

export const raceId = z
  .string()
  .regex(RACE_ID_PATTERN, 'a race id is 1–64 lowercase letters, digits, "-" or "_", starting with a letter or digit')
  .describe('race id, e.g. lemans-2019');

export const raceParams = z.object({ race: raceId });

/** The 404 body of every route under /api/races/:race for a race the server does not follow. */
export function raceNotFound(race: string) {
  return apiError(404, `no race "${race}" on this server (GET /api/races lists them)`);
}

/** `at`: race time as people write it (22h, 6:30, 5:59:59.5, 90m) or "end"/"live"; null = the live instant. */
export const atQuery = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined) return null;
    try {
      return parseRaceTime(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  })
  .describe('race time: 22h, 6:30 (h:mm), 5:59:59.5, 90m, or end (default: the live instant); beyond the race (its timing or scheduled length, whichever ends later): 400');

/**
 * `car`: one car or several, repeated (`car=8&car=7`) or comma-separated
 * (`car=8,7`, as the CLI's --car), numbers as text ("007" is not "7").
 */
export const carsQuery = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    const cars = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
    if (cars.length === 0) {
      // `car=` is a filter with nothing in it, not "every car": say so rather than answer for the whole field.
      ctx.addIssue({ code: 'custom', message: 'expected at least one car number, e.g. car=8 or car=8,7' });
      return z.NEVER;
    }
    // A car named twice is one car: its rows come once (car=8,8 doubled every lap).
    return [...new Set(cars)];
  })
  .pipe(z.array(z.string().max(8)).max(200).optional())
  .describe('only these cars: repeat (car=8&car=7) or separate with commas (car=8,7); numbers as text, 007 is not 7; a car named twice counts once');

export const classQuery = z
  .string({ error: (issue) => (Array.isArray(issue.input) ? 'one class only: give class once (several classes: one request each)' : 'expected a class name, e.g. LMP2') })
  .min(1, 'expected a class name, e.g. LMP2')
  .max(40)
  .optional().describe('only this class, e.g. LMP2 or "LMGTE Am" (case and spaces ignored)');

/**
 * A whole-number query parameter, `min`..`max`: digits only, given once.
 * Its errors name what was expected and what came (`fromLap=abc` said
 * "expected number, received NaN", `fromLap=3&fromLap=4` the same).
 */
export function wholeNumberQuery(what: string, min: number, max: number) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((value, ctx) => {
      if (Array.isArray(value)) {
        ctx.addIssue({ code: 'custom', message: `given ${value.length} times (${value.map((v) => JSON.stringify(v)).join(', ')}): give it once` });
        return z.NEVER;
      }
      const text = value.trim();
      const n = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected ${what}: a whole number from ${min} to ${max} (got ${JSON.stringify(value)})` });
        return z.NEVER;
      }
      return n;
    });
}

/** Routes without parameters still refuse unknown ones (a typo is not silently ignored). */
export const noQuery = z.strictObject({});

/** `format`: csv for a header row and one RFC 4180 record per item (Accept: text/csv does the same). */
export const formatQuery = z
  .enum(['json', 'csv'], { error: (issue) => `expected json or csv, once (got ${JSON.stringify(issue.input)})` })
  .optional().describe('json (default) or csv; Accept: text/csv also gives CSV');

/** An /api error as Fastify's default shape; the problem+json hook (problem.ts) turns it into RFC 9457 problem details. */
export function apiError(statusCode: number, message: string, extra: Record<string, unknown> = {}) {
  const error = statusCode === 404 ? 'Not Found' : statusCode === 400 ? 'Bad Request' : statusCode === 409 ? 'Conflict' : 'Error';
  return { statusCode, error, message, ...extra };
}

/** The race-time parameters of the read routes (`at`, and the laps' `from`/`to`), each checked against the race's length. */
const INSTANT_PARAMS = ['at', 'from', 'to'] as const;
/** Ranges whose start may not come after their end: [first, last]. */
const RANGE_PARAMS = [
  ['fromLap', 'toLap'],
  ['from', 'to'],
] as const;

/**
 * The end of a race as the CLI counts it (src/cli/analysis-options.ts
 * checkAt): its last timing or its scheduled length, whichever is later.
 */
export function raceEndMs(race: LiveRace): number {
  return Math.max(race.timeline.lastEventMs, race.timeline.session?.scheduledDurationMs ?? 0);
}

/**
 * Refuses, with a 400 naming the parameters, what a read route would
 * otherwise answer silently wrong (issue 16): an instant beyond the race
 * (`?at=30h` on a 24-hour race was clamped to its end) and a range whose
 * start comes after its end (`fromLap=9&toLap=3` gave an empty 200). An
 * instant within the race but after the live one is still clamped to it
 * (LiveRace.instantAt: the future is not known yet). One preHandler for
 * every route, so a route added later gets the same rule; a race the
 * server does not have is left to the route's 404.
 */
export function registerQueryChecks(app: FastifyInstance, hub: RaceHub): void {
  app.addHook('preHandler', async (request, reply) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !request.url.startsWith('/api/races/')) return;
    const query = request.query as Record<string, unknown> | undefined;
    if (query === undefined || query === null) return;
    const errors: ProblemFieldError[] = [];
    for (const [first, last] of RANGE_PARAMS) {
      const a = query[first];
      const b = query[last];
      if (typeof a === 'number' && typeof b === 'number' && a > b) {
        const message = `${first} (${a}) is after ${last} (${b}): the range is empty`;
        errors.push({ in: 'querystring', field: first, pointer: `/${first}`, message }, { in: 'querystring', field: last, pointer: `/${last}`, message });
      }
    }
    const race = hub.get((request.params as { race?: string } | undefined)?.race ?? '');
    if (race !== undefined) {
      const endMs = raceEndMs(race);
      for (const name of INSTANT_PARAMS) {
        const at = query[name];
        if (typeof at !== 'number' || at <= endMs) continue;
        const scheduled = race.timeline.session?.scheduledDurationMs ?? null;
        const length = scheduled === null ? 'no scheduled length is known' : `its scheduled length is ${formatRaceTime(scheduled)}`;
        errors.push({
          in: 'querystring',
          field: name,
          pointer: `/${name}`,
          message: `${formatRaceTime(at)} is beyond race "${race.id}": its timing ends at ${formatRaceTime(endMs)} (${length})`,
        });
      }
    }
    if (errors.length === 0) return;
    const detail = [...new Set(errors.map((e) => e.message))].join('; ');
    return reply.code(400).send(apiError(400, `query parameter${errors.length > 1 ? 's' : ''} ${[...new Set(errors.map((e) => `"${e.field}"`))].join(', ')}: ${detail}`, { errors }));
  });
}
