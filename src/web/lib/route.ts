/**
 * Client-side routes, kept in the URL hash so any server that serves
 * index.html at `/` serves every page, and a link says exactly what it shows:
 *
 *   #/                          timing screen, overall, live
 *   #/?class=LMP2&at=6:00:00    one class, as it stood after 6 hours
 *   #/car/8                     car page
 *   #/charts?class=LMP2         race charts
 *   #/?race=x&embed=1           in the news site's live panel (no header)
 *
 * Pure (no DOM), unit-tested in Node.
 */
import { formatRaceTime, parseRaceTime } from '../../model/time.js';

export type Page = 'timing' | 'car' | 'charts';

export interface Route {
  page: Page;
  /** Car number on the car page (text: "007" is not "7"). */
  car: string | null;
  /** Class shown, or null for every car. */
  className: string | null;
  /** Time travel: the race time shown, or null for live. */
  atMs: number | null;
  /** Race id when the server has several; null for the first one. */
  race: string | null;
  /** Inside the news site's live panel, whose race strip is the header: the app draws none. */
  embed: boolean;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const [path = '', query = ''] = text.split('?', 2);
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter((p) => p.length > 0).map(decodeURIComponent);
  let page: Page = 'timing';
  let car: string | null = null;
  if (parts[0] === 'car' && parts[1] !== undefined && parts[1] !== '') {
    page = 'car';
    car = parts[1];
  } else if (parts[0] === 'charts') {
    page = 'charts';
  }
  let atMs: number | null = null;
  const at = params.get('at');
  if (at !== null && at !== '') {
    try {
      atMs = parseRaceTime(at);
    } catch {
      atMs = null; // a mistyped instant in a link shows live rather than nothing
    }
  }
  const className = params.get('class');
  const race = params.get('race');
  return { page, car, className: className === '' ? null : className, atMs, race: race === '' ? null : race, embed: params.has('embed') };
}

export function formatRoute(route: Route): string {
  const path = route.page === 'car' && route.car !== null ? `/car/${encodeURIComponent(route.car)}` : route.page === 'charts' ? '/charts' : '/';
  const params: string[] = [];
  if (route.race !== null) params.push(`race=${queryValue(route.race)}`);
  if (route.className !== null) params.push(`class=${queryValue(route.className)}`);
  if (route.atMs !== null) params.push(`at=${queryValue(formatRaceTime(route.atMs, route.atMs % 1000 !== 0))}`);
  if (route.embed) params.push('embed=1');
  return `#${path}${params.length > 0 ? `?${params.join('&')}` : ''}`;
}

/** Encoded for a query, but readable: `LMGTE+Am`, `6:00:00`. */
function queryValue(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+').replace(/%3A/gi, ':');
}

/** The same route with some fields changed. */
export function withRoute(route: Route, change: Partial<Route>): string {
  return formatRoute({ ...route, ...change });
}
