/**
 * The REST endpoints the app reads (served by src/server). Each helper names
 * the route it calls; JSON shapes come from src/model where one exists.
 */
import { afterFirstFrame } from './first-frame.js';
import type { FeedMessage, RaceInfo } from '../../model/live.js';
import type { Standings } from '../../model/standings.js';
import { readInferredFlag, type InferredFlag } from '../live/race-strip.js';
import { FEED_LIMIT } from './live-state.js';

export class HttpError extends Error {
  constructor(readonly status: number, readonly url: string) {
    super(`${url}: HTTP ${status}`);
  }
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal: signal ?? null, headers: { accept: 'application/json' } });
  if (!response.ok) throw new HttpError(response.status, url);
  return (await response.json()) as T;
}

export function raceUrl(race: string, rest = ''): string {
  return `/api/races/${encodeURIComponent(race)}${rest}`;
}

/** GET /api/races: every race the server knows (a bare list or `{ races }`). */
export async function fetchRaces(signal?: AbortSignal): Promise<RaceInfo[]> {
  const body = await getJson<RaceInfo[] | { races: RaceInfo[] }>('/api/races', signal);
  return Array.isArray(body) ? body : body.races;
}

/** `at` as the API reads it (src/model/time.ts parseRaceTime): seconds, to the millisecond. */
export function atParam(atMs: number): string {
  return `${(atMs / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

/** GET /api/races/:race/standings?at=…: the classification at an instant. */
export function fetchStandings(race: string, atMs: number, signal?: AbortSignal): Promise<Standings> {
  return getJson<Standings>(raceUrl(race, `/standings?at=${atParam(atMs)}`), signal);
}

/** GET /api/races/:race/messages?at=…: the feed as live viewers saw it up to an instant. */
export async function fetchMessages(race: string, atMs: number, signal?: AbortSignal): Promise<FeedMessage[]> {
  const body = await getJson<{ messages: FeedMessage[] }>(raceUrl(race, `/messages?at=${atParam(atMs)}&limit=${FEED_LIMIT}`), signal);
  return body.messages;
}

/**
 * GET /api/races/:race/flag-periods?at=…: for a feed without flags, the
 * safety car or FCY inferred from the laps to be in force at atMs (ms), or
 * null (green by the laps, or the race has flags, or the server has no
 * such route).
 */
export async function fetchInferredFlag(race: string, atMs: number, signal?: AbortSignal): Promise<InferredFlag | null> {
  if (!(await serverHas(['/api/races/{race}/flag-periods']))) return null;
  return readInferredFlag(await getJson<unknown>(raceUrl(race, `/flag-periods?at=${atParam(atMs)}`), signal));
}

export function liveUrl(race: string): string {
  return raceUrl(race, '/live');
}

let routes: Promise<Set<string>> | null = null;

/**
 * Whether the server offers these routes (OpenAPI paths, e.g.
 * "/api/races/{race}/history"), read once from /api/openapi.json: pages use
 * the server's analysis when it has it and compute it themselves otherwise,
 * without probing for 404s.
 */
export async function serverHas(paths: readonly string[]): Promise<boolean> {
  // Asked after the page's first frame: the pages that ask draw first with what they have.
  routes ??= afterFirstFrame.then(() => getJson<{ paths?: Record<string, unknown> }>('/api/openapi.json')).then(
    (doc) => new Set(Object.keys(doc.paths ?? {})),
    () => new Set<string>(),
  );
  const known = await routes;
  return paths.every((p) => known.has(p));
}
