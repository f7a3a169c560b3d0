/** Small builders for made-up races, and the location of the real data. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntryEvent, LapEvent, PitOutEvent, SessionEvent, TimingEvent } from '../src/model/events.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root, whether running from test/ (tsx) or dist/test/ (compiled). */
export const repoRoot = existsSync(join(here, '..', 'package.json')) ? resolve(here, '..') : resolve(here, '..', '..');

export const realDataDir = process.env.SARTHE_REAL_DATA ?? resolve(repoRoot, '..', 'shared', 'data', 'real');

/**
 * Options for tests over ../shared/data/real: run when the data is there; in
 * CI (CI=true) missing data is a failure, never a silent skip.
 */
export function realData(): { skip?: string } {
  if (existsSync(realDataDir)) return {};
  if (process.env.CI === 'true') throw new Error(`CI=true but the real data is missing at ${realDataDir}`);
  return { skip: `real data not found at ${realDataDir}` };
}

/** ../shared/cases/results/: small made-up races with hand-worked answers (cases/README.md). */
export const resultCasesDir = resolve(repoRoot, '..', 'shared', 'cases', 'results');

/** Like realData(), for the shared cases: a failure, not a skip, when CI=true and they are missing. */
export function resultCases(): { skip?: string } {
  if (existsSync(resultCasesDir)) return {};
  if (process.env.CI === 'true') throw new Error(`CI=true but the shared cases are missing at ${resultCasesDir}`);
  return { skip: `shared cases not found at ${resultCasesDir}` };
}

export function realFile(name: string): string {
  return join(realDataDir, name);
}

export const LAP_FILES = [
  'imsa-2019-daytona-24h-race-timecards.csv',
  'lemans-2019-race-analysis.csv',
  'lemans-2021-race-analysis.csv',
  'lemans-2023-race-analysis.csv',
  'lemans-2024-race-analysis.csv',
  'lemans-2025-race-analysis.csv',
  'lemans-2026-race-analysis.csv',
  'wec-2019-spa-6h-race-analysis.csv',
  'wec-2020-spa-6h-race-analysis.csv',
  'wec-2024-bahrain-8h-race-analysis.csv',
  'wec-2024-fuji-6h-race-analysis.csv',
  'wec-2025-cota-6h-race-analysis.csv',
  'wec-2025-fuji-6h-race-analysis.csv',
  'wec-2025-imola-6h-race-analysis.csv',
  'wec-2025-qatar-1812km-race-analysis.csv',
  'wec-2025-sao-paulo-6h-race-analysis.csv',
  'wec-2025-spa-6h-race-analysis.csv',
  'wec-2026-imola-6h-race-analysis.csv',
  'wec-2026-sao-paulo-6h-race-analysis.csv',
  'wec-2026-spa-6h-race-analysis.csv',
] as const;

export function session(over: Partial<SessionEvent> = {}): SessionEvent {
  return { type: 'session', name: 'Test 6 Hours', zeroTimeOfDayMs: null, scheduledDurationMs: 6 * 3_600_000, ...over };
}

export function entry(car: string, cls: string, over: Partial<EntryEvent> = {}): EntryEvent {
  return { type: 'entry', car, class: cls, group: '', team: `Team ${car}`, manufacturer: 'Make', drivers: [], ...over };
}

export function lap(car: string, n: number, crossingMs: number, over: Partial<LapEvent> = {}): LapEvent {
  return {
    type: 'lap',
    car,
    lap: n,
    crossingMs,
    lapMs: 100_000,
    sectorsMs: [30_000, 40_000, 30_000],
    driverNumber: 1,
    driverName: `Driver ${car}`,
    inPit: false,
    pitLaneMs: null,
    flag: null,
    timeOfDayMs: null,
    kph: null,
    topSpeedKph: null,
    ...over,
  };
}

export function pitOut(car: string, n: number, atMs: number, pitLaneMs: number): PitOutEvent {
  return { type: 'pit-out', car, lap: n, atMs, pitLaneMs, driverNumber: null, driverName: '' };
}

/** Laps of one car at a steady pace, lap i crossing at start + i × lapMs. */
export function steadyLaps(car: string, count: number, lapMs: number, startMs = 0): LapEvent[] {
  return Array.from({ length: count }, (_, i) => lap(car, i + 1, startMs + (i + 1) * lapMs, { lapMs }));
}


/** The issue-13 hardening cases, copied from ../shared/cases/hardening (test/fixtures/hardening/README.md). */
export const casesDir = join(repoRoot, 'test', 'fixtures');

/**
 * Cases per property of the fuzz suite: `bounded` in `npm test`, or
 * FUZZ_RUNS (set by `npm run fuzz` for the long run).
 */
export function fuzzRuns(bounded: number): number {
  const runs = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(runs) && runs > 0 ? runs : bounded;
}
