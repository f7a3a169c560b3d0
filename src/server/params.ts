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
  return { statusCode: 404, error: 'Not Found', message: `no race "${race}" on this server (GET /api/races lists them)` };
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
