/**
 * The report of hour N: select (select.ts), then realise (realise.ts).
 * Pure: a timeline and an hour in, a Report out — same data, same words.
 */
import type { RaceTimeline } from '../engine/timeline.js';
import { realise } from './realise.js';
import { reportHours, selectStories, type ReportOptions } from './select.js';
import type { Report } from './types.js';

export function buildReport(timeline: RaceTimeline, hour: number, options: ReportOptions = {}): Report {
  const selection = selectStories(timeline, hour, options);
  return realise(selection, (car, crossingMs) => timeline.cars.get(car)?.laps.find((l) => l.crossingMs === crossingMs)?.lap ?? null);
}

export { reportHours };
