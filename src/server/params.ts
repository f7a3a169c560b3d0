/** Path and query parameters shared by the routes (zod: validated and documented at once). */
import { z } from 'zod';
import { parseRaceTime } from '../model/time.js';
import { RACE_ID_PATTERN } from '../store/index.js';

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
  .describe('race time: 22h, 6:30 (h:mm), 5:59:59.5, 90m, or end (default: the live instant)');

/**
 * `car`: one car or several, repeated (`car=8&car=7`) or comma-separated
 * (`car=8,7`, as the CLI's --car), numbers as text ("007" is not "7").
 */
export const carsQuery = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => {
    if (value === undefined) return undefined;
    const cars = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
    return cars.length === 0 ? undefined : cars;
  })
  .pipe(z.array(z.string().max(8)).max(200).optional())
  .describe('only these cars: repeat (car=8&car=7) or separate with commas (car=8,7); numbers as text, 007 is not 7');

export const classQuery = z.string().min(1).max(40).optional().describe('only this class, e.g. LMP2 or "LMGTE Am" (case and spaces ignored)');

/** Routes without parameters still refuse unknown ones (a typo is not silently ignored). */
export const noQuery = z.strictObject({});

/** `format`: csv for a header row and one RFC 4180 record per item (Accept: text/csv does the same). */
export const formatQuery = z.enum(['json', 'csv']).optional().describe('json (default) or csv; Accept: text/csv also gives CSV');

/** An /api error as Fastify's default shape; the problem+json hook (problem.ts) turns it into RFC 9457 problem details. */
export function apiError(statusCode: number, message: string, extra: Record<string, unknown> = {}) {
  const error = statusCode === 404 ? 'Not Found' : statusCode === 400 ? 'Bad Request' : statusCode === 409 ? 'Conflict' : 'Error';
  return { statusCode, error, message, ...extra };
}
