/**
 * Drive-time regulations as a profile (JSON), and each driver's status
 * against them at any instant.
 *
 * Profile (durations as "6h", "1h45m", "40m" or integer milliseconds):
 *
 *   { "name": "24 Hours of Le Mans", "year": 2019,
 *     "rules": { "minDrive": "6h", "maxDrive": "14h",
 *                "window": { "length": "6h", "maxDrive": "4h" },
 *                "minDriveByCategory": { "Bronze": "…" } },
 *     "classes": { "LMGTE Am": { …overrides… } } }
 *
 * Class rules override the general ones field by field; class names match
 * loosely ("LMGTE Am" = "lmgteam"). The Bronze minimum is
 * `minDriveByCategory.Bronze`; it needs an entry list to know who is Bronze.
 *
 * Status at `at` (drive time as in drive-time.ts: pit lane excluded):
 * - over-max: above the total maximum, or above the window maximum in some
 *   window ending by `at` (checked "at any point in the race").
 * - done: the applicable minimum is reached.
 * - missed: the race is over (chequered flag fallen by `at`) and it is not.
 * - at-risk: the minimum cannot be reached in the race time left, counting
 *   the time co-drivers still need for their own minimums, and the total
 *   maximum; nothing can be reached by a car that is stopped at `at`.
 * - on-track: otherwise.
 */
import { z } from 'zod';
import { parseRaceTime } from '../model/time.js';
import { classKey, standingsAt } from '../engine/standings.js';
import type { RaceTimeline } from '../engine/timeline.js';
import { DriverCategorySchema, type DriverCategory } from './entry-list.js';
import { carDriveTime, instantReaching, maxDriveInWindow, type CarDriveTime } from './drive-time.js';
import type { CarTimeline } from '../engine/timeline.js';
import type { AnalysisOptions } from './options.js';
import { instant, raceIndex } from './race-index.js';
import { rosterOf, type CarRef, type DriverRef } from './roster.js';

const DurationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value;
  } else {
    try {
      const ms = parseRaceTime(value);
      if (ms !== null) return ms;
    } catch {
      // reported below
    }
  }
  ctx.addIssue({ code: 'custom', message: `expected a duration like "6h", "1h45m", "40m" or whole milliseconds, got ${JSON.stringify(value)}` });
  return z.NEVER;
});

export const RuleSetSchema = z.object({
  minDrive: DurationSchema.optional(),
  maxDrive: DurationSchema.optional(),
  window: z.object({ length: DurationSchema, maxDrive: DurationSchema }).optional(),
  minDriveByCategory: z.record(z.string(), DurationSchema).optional(),
});
export type RuleSet = z.infer<typeof RuleSetSchema>;

export const RegulationProfileSchema = z.object({
  name: z.string().min(1),
  /** The season the values apply to. */
  year: z.number().int().min(1923).max(2100),
  series: z.string().optional(),
  sources: z.array(z.string()).default([]),
  notes: z.array(z.string()).default([]),
  rules: RuleSetSchema.default({}),
  classes: z.record(z.string(), RuleSetSchema).default({}),
});
export type RegulationProfile = z.infer<typeof RegulationProfileSchema>;
export type RegulationProfileInput = z.input<typeof RegulationProfileSchema>;

export class RegulationError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'RegulationError';
  }
}

export function parseRegulationProfile(source: string | unknown, file = 'rules'): RegulationProfile {
  let raw: unknown = source;
  if (typeof source === 'string') {
    try {
      raw = JSON.parse(source.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new RegulationError(file, `not valid JSON: ${(error as Error).message}`);
    }
  }
  const result = RegulationProfileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new RegulationError(file, `${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  for (const [category] of Object.entries({ ...result.data.rules.minDriveByCategory })) {
    if (!DriverCategorySchema.safeParse(category).success) throw new RegulationError(file, `unknown driver category "${category}"`);
  }
  return result.data;
}

/** The rules of one class: general rules with the class's overrides on top. */
export function rulesForClass(profile: RegulationProfile, className: string): RuleSet {
  const key = classKey(className);
  const override = Object.entries(profile.classes).find(([name]) => classKey(name) === key)?.[1] ?? {};
  return {
    ...profile.rules,
    ...override,
    minDriveByCategory: { ...profile.rules.minDriveByCategory, ...override.minDriveByCategory },
  };
}

export function minimumFor(rules: RuleSet, category: DriverCategory | null): { ms: number; basis: 'category' | 'general' } | null {
  if (category !== null) {
    const byCategory = Object.entries(rules.minDriveByCategory ?? {}).find(
      ([name]) => DriverCategorySchema.safeParse(name).data === category,
    );
    if (byCategory) return { ms: byCategory[1], basis: 'category' };
  }
  return rules.minDrive === undefined ? null : { ms: rules.minDrive, basis: 'general' };
}

export type DriveStatus = 'done' | 'on-track' | 'at-risk' | 'over-max' | 'missed';

export interface DriverRuleCheck {
  driver: DriverRef;
  car: CarRef;
  driveMs: number;
  minimumMs: number | null;
  minimumBasis: 'category' | 'general' | null;
  /** Still to drive to reach the minimum (0 once reached). */
  toMinimumMs: number;
  /** When the minimum was reached: lap and the instant within it (pit lane excluded). */
  minimumReached: { lap: number; atMs: number; crossingMs: number } | null;
  maxMs: number | null;
  window: { lengthMs: number; maxMs: number; worstMs: number; worstEndMs: number } | null;
  overMax: 'total' | 'window' | null;
  /** Race time left at `at`; null when the scheduled length is unknown. */
  raceLeftMs: number | null;
  /** The most this driver can still drive (see the status rules); null when unknown. */
  availableMs: number | null;
  status: DriveStatus;
}

export interface RuleCheckOptions extends AnalysisOptions {
  profile: RegulationProfile;
}

export function checkDriveTimes(timeline: RaceTimeline, options: RuleCheckOptions): DriverRuleCheck[] {
  const at = instant(timeline, options.at);
  const roster = rosterOf(timeline, options.entryList);
  const index = raceIndex(timeline);
  const standings = standingsAt(timeline, at);
  const stoppedCars = new Set(
    standings.cars.filter((c) => c.status === 'stopped' || c.status === 'retired' || c.status === 'finished').map((c) => c.number),
  );
  const chequered = timeline.chequeredMs();
  const raceOver = chequered !== null && at >= chequered;
  const scheduled = timeline.session?.scheduledDurationMs ?? null;
  const raceLeftMs = raceOver ? 0 : scheduled === null ? null : Math.max(0, scheduled - at);
  const wanted = options.cars === undefined ? null : new Set(options.cars);
  const checks: DriverRuleCheck[] = [];
  for (const car of timeline.cars.values()) {
    if (wanted !== null && !wanted.has(car.number)) continue;
    const rules = rulesForClass(options.profile, car.entry.class);
    const drive = carDriveTime(car, at, roster, index, chequered);
    checks.push(...checkCar(drive, rules, at, raceOver, raceLeftMs, stoppedCars.has(car.number), roster.crew(car.number), car));
  }
  return checks;
}

/** Every known crew member, including one who has not driven yet. */
function crewOf(drive: CarDriveTime, crew: DriverRef[]): Array<{ driver: DriverRef; d: CarDriveTime['drivers'][number] | undefined }> {
  const seen = new Set(drive.drivers.map((d) => d.driver.number));
  return [
    ...drive.drivers.map((d) => ({ driver: d.driver, d })),
    ...crew.filter((c) => !seen.has(c.number)).map((driver) => ({ driver, d: undefined })),
  ];
}

export function checkCar(
  drive: CarDriveTime,
  rules: RuleSet,
  at: number,
  raceOver: boolean,
  raceLeftMs: number | null,
  carStopped: boolean,
  crew: DriverRef[] = [],
  car?: CarTimeline,
): DriverRuleCheck[] {
  const members = crewOf(drive, crew);
  const outstanding = members.map(({ driver, d }) => {
    const min = minimumFor(rules, driver.category);
    return min === null ? 0 : Math.max(0, min.ms - (d?.driveMs ?? 0));
  });
  const totalOutstanding = outstanding.reduce((a, b) => a + b, 0);
  return members.map(({ driver, d }, k) => {
    const driveMs = d?.driveMs ?? 0;
    const min = minimumFor(rules, driver.category);
    const window =
      rules.window === undefined
        ? null
        : (() => {
            const worst = maxDriveInWindow(d?.intervals ?? [], rules.window.length, at);
            return { lengthMs: rules.window.length, maxMs: rules.window.maxDrive, worstMs: worst.driveMs, worstEndMs: worst.windowEndMs };
          })();
    const overMax =
      rules.maxDrive !== undefined && driveMs > rules.maxDrive ? 'total' : window !== null && window.worstMs > window.maxMs ? 'window' : null;
    const toMinimumMs = min === null ? 0 : Math.max(0, min.ms - driveMs);
    let availableMs: number | null = null;
    if (raceLeftMs !== null) {
      availableMs = carStopped ? 0 : Math.max(0, raceLeftMs - (totalOutstanding - outstanding[k]!));
      if (rules.maxDrive !== undefined) availableMs = Math.min(availableMs, Math.max(0, rules.maxDrive - driveMs));
    }
    let status: DriveStatus;
    if (overMax !== null) status = 'over-max';
    else if (toMinimumMs === 0) status = 'done';
    else if (raceOver) status = 'missed';
    else if (availableMs !== null && availableMs < toMinimumMs) status = 'at-risk';
    else status = 'on-track';
    return {
      driver,
      car: drive.car,
      driveMs,
      minimumMs: min?.ms ?? null,
      minimumBasis: min?.basis ?? null,
      toMinimumMs,
      minimumReached: min === null || d === undefined ? null : minimumReachedAt(d, min.ms, car),
      maxMs: rules.maxDrive ?? null,
      window,
      overMax,
      raceLeftMs,
      availableMs,
      status,
    };
  });
}

/**
 * When the running total reached `minimumMs`: the instant (pit lane time
 * excluded, so it can fall inside a lap) and the lap it fell in, with that
 * lap's crossing — the moment the timing data showed it.
 */
export function minimumReachedAt(
  d: CarDriveTime['drivers'][number],
  minimumMs: number,
  car?: CarTimeline,
): { lap: number; atMs: number; crossingMs: number } | null {
  const atMs = instantReaching(d.intervals, minimumMs);
  if (atMs === null) return null;
  // Driving stops at a crossing at the latest, so the lap is the first crossing at or after it.
  const i = car === undefined ? -1 : car.crossings.findIndex((c) => c >= atMs);
  const lap = i >= 0 ? car!.laps[i]! : undefined;
  return { lap: lap?.lap ?? 0, atMs, crossingMs: lap?.crossingMs ?? atMs };
}
