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
import { DecisionEventSchema, type DecisionEvent, type MessageEvent } from '../model/events.js';
import { parseRaceControlText } from '../sources/racecontrol/index.js';
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
 * (src/model/events.ts DecisionEventSchema), or race control's own lines,
 * each after its race time (`23:59:10 CAR 50 - DISQUALIFIED - …`, read by
 * src/sources/racecontrol/: a line it cannot read for certain stays a plain
 * message). Each one is validated; an error names the file, the item or line
 * and the field.
 */
export function parseDecisionsFile(text: string, file: string): Array<DecisionEvent | MessageEvent> {
  const body = text.replace(/^\uFEFF/, '');
  // JSON by its name or its first character: a .json file that is empty or
  // holds an object is an error about JSON, not a race-control text of no lines.
  if (!/\.json$/i.test(file) && !/^\s*[[{]/.test(body)) return parseRaceControlText(body, file);
  if (body.trim() === '') throw new Error(`${file}: not valid JSON: the file is empty`);
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(raw)) {
    const got = raw === null ? 'null' : typeof raw === 'object' ? 'an object' : `a ${typeof raw}`;
    throw new Error(`${file}: expected a JSON array of decision events ([{"type":"decision",…}]), got ${got}`);
  }
  return raw.map((item, i) => {
    const result = DecisionEventSchema.safeParse(item);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new Error(`${file}: decision ${i + 1}: ${issue.path.join('.') || '(item)'}: ${issue.message}`);
    }
    return result.data;
  });
}

