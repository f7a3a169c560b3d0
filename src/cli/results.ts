/**
 * What the result needs from disk: the shipped classification profiles
 * (rules/classification-*.json) and race control's decisions (--decisions).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ClassificationProfileSchema,
  classificationProfileFor,
  type ClassificationProfile,
} from '../model/classification.js';
import { DecisionEventSchema, type DecisionEvent } from '../model/events.js';
import type { RaceTimeline } from '../engine/timeline.js';

const rulesDir = fileURLToPath(new URL('../../../rules/', import.meta.url));

/** Reads and validates one classification profile; the error names the file and the field. */
export function parseClassificationProfile(text: string, file: string): ClassificationProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  const result = ClassificationProfileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return result.data;
}

let shipped: ClassificationProfile[] | undefined;

/** Every rules/classification-*.json, read once. */
export function shippedClassificationProfiles(dir = rulesDir): ClassificationProfile[] {
  if (dir === rulesDir && shipped !== undefined) return shipped;
  const profiles = readdirSync(dir)
    .filter((f) => /^classification-.*\.json$/.test(f))
    .sort()
    .map((f) => parseClassificationProfile(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
  if (dir === rulesDir) shipped = profiles;
  return profiles;
}

/** Gives the timeline the shipped profile for its race (by name and year). */
export function applyClassificationProfile(timeline: RaceTimeline): ClassificationProfile {
  const profile = classificationProfileFor(shippedClassificationProfiles(), timeline.session?.name ?? '');
  timeline.classification = profile;
  return profile;
}

/**
 * Race control's decisions from a file: a JSON array of decision events
 * (src/model/events.ts DecisionEventSchema). Each one is validated; an error
 * names the file, the item and the field. The plain race-control text form
 * goes through `parseRaceControlText` (src/sources/racecontrol/) once it
 * exists: that is the hook `textDecisions` below stands for.
 */
export function parseDecisionsFile(text: string, file: string): DecisionEvent[] {
  const body = text.replace(/^\uFEFF/, '');
  if (!/^\s*\[/.test(body)) return textDecisions(body, file);
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new Error(`${file}: expected a JSON array of decision events`);
  return raw.map((item, i) => {
    const result = DecisionEventSchema.safeParse(item);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new Error(`${file}: decision ${i + 1}: ${issue.path.join('.') || '(item)'}: ${issue.message}`);
    }
    return result.data;
  });
}

/**
 * Hook for the plain-text form (race-control lines). The integrator's
 * `parseRaceControlText` in src/sources/racecontrol/ plugs in here; until
 * then a text file is refused with a clear error rather than guessed at.
 */
export let textDecisions = (_text: string, file: string): DecisionEvent[] => {
  throw new Error(`${file}: not a JSON array of decisions; the race-control text form needs parseRaceControlText (src/sources/racecontrol/)`);
};

/** Lets src/sources/racecontrol register its text parser (see textDecisions). */
export function setTextDecisionParser(parse: (text: string, file: string) => DecisionEvent[]): void {
  textDecisions = parse;
}
