/**
 * Classification rule profiles (endurance-rules.md §6): what a car must do to
 * be classified at the finish. Declared once as a zod schema; the profiles
 * themselves are JSON files in rules/ (classification-*.json), read by the
 * CLI and tests and handed to the engine, which stays free of I/O.
 *
 * Durations are integer milliseconds.
 */
import { z } from 'zod';

const ms = z.number().int().positive();

export const FinalLapRuleSchema = z.strictObject({
  /** A final lap slower than this is not classified (Le Mans to 2016: 6 min). */
  notClassifiedOverMs: ms.nullable().default(null),
  /** Laps deducted for a slow final lap: the first band whose `overMs` the lap exceeds, slowest band first. */
  lapsDeducted: z.array(z.strictObject({ overMs: ms, laps: z.number().int().positive() })).default([]),
  /** Whether the pit lane time of a stop on the final lap counts in its time. */
  pitLaneCounts: z.boolean().default(false),
});
export type FinalLapRule = z.infer<typeof FinalLapRuleSchema>;

export const ClassificationProfileSchema = z.strictObject({
  name: z.string().min(1),
  /** Regular expression (case-insensitive) on the race name: which races the profile is for. */
  races: z.string().min(1),
  /** The first season the values apply to; the latest profile not after the race's year wins. */
  fromYear: z.number().int().min(1923).max(2100),
  sources: z.array(z.string()).default([]),
  notes: z.array(z.string()).default([]),
  /** Share of the overall winner's laps a car must cover to be classified; null for no minimum. */
  minDistanceShare: z.number().gt(0).max(1).nullable(),
  /** A car that does not cross the line after the chequered flag is not classified. */
  mustTakeFlag: z.boolean(),
  finalLap: FinalLapRuleSchema.nullable().default(null),
});
export type ClassificationProfile = z.infer<typeof ClassificationProfileSchema>;
export type ClassificationProfileInput = z.input<typeof ClassificationProfileSchema>;

/**
 * The general rule of endurance-rules.md §6 (FIA WEC "Race finish and
 * classification"): 70% of the overall winner's distance, and taking the
 * chequered flag. Used when no profile names the race.
 */
export const GENERAL_CLASSIFICATION: ClassificationProfile = {
  name: 'FIA WEC general rule (endurance-rules.md §6)',
  races: '.',
  fromYear: 2012,
  sources: ['fiawec.com/en/race-finish-and-classification/127'],
  notes: [],
  minDistanceShare: 0.7,
  mustTakeFlag: true,
  finalLap: null,
};

/** The year in a race name ("Le Mans 24 Hours 2023" → 2023), or null. */
export function yearOfRace(name: string): number | null {
  const m = /(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)/.exec(name);
  return m ? Number(m[1]) : null;
}

/**
 * The profile for a race: of those whose `races` pattern matches its name and
 * whose `fromYear` is not after its year, the latest; the general rule when
 * none matches. A race with no year in its name takes the latest matching one.
 */
export function classificationProfileFor(profiles: readonly ClassificationProfile[], raceName: string): ClassificationProfile {
  const year = yearOfRace(raceName) ?? Infinity;
  let best: ClassificationProfile | null = null;
  for (const p of profiles) {
    if (!new RegExp(p.races, 'i').test(raceName) || p.fromYear > year) continue;
    if (best === null || p.fromYear > best.fromYear) best = p;
  }
  return best ?? GENERAL_CLASSIFICATION;
}

let installed: readonly ClassificationProfile[] = [];

/**
 * The profiles a timeline picks from by its race's name when no caller set
 * one (the server installs the shipped rules/ at start, src/cli/serve.ts).
 * Configuration read once per process, like the rules files themselves.
 */
export function installClassificationProfiles(profiles: readonly ClassificationProfile[]): void {
  installed = profiles;
}

export function installedClassificationProfiles(): readonly ClassificationProfile[] {
  return installed;
}
