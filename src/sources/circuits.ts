/**
 * Circuit profiles (rules/circuits/*.json): the measured pit-lane geometry
 * that places each stop against the timing line (model/pit.ts). Read once,
 * validated with CircuitProfileSchema; a bad profile is an error naming the
 * file and the field, never silently skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { CircuitProfileSchema, pitLaneOf, type CircuitProfile, type PitLane } from '../model/pit.js';

/** rules/circuits in the package (dist/src/sources → ../../../rules/circuits). */
export const CIRCUITS_DIR = fileURLToPath(new URL('../../../rules/circuits/', import.meta.url));

let cached: CircuitProfile[] | null = null;

export function loadCircuitProfiles(dir: string = CIRCUITS_DIR): CircuitProfile[] {
  if (dir === CIRCUITS_DIR && cached !== null) return cached;
  const profiles: CircuitProfile[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const path = join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
    }
    const result = CircuitProfileSchema.safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new Error(`${path}: ${issue.path.join('.') || '(profile)'}: ${issue.message}`);
    }
    if (`${result.data.circuit}.json` !== name) throw new Error(`${path}: circuit "${result.data.circuit}" does not match the file name`);
    profiles.push(result.data);
  }
  if (dir === CIRCUITS_DIR) cached = profiles;
  return profiles;
}

/**
 * The profile of the circuit a race (by its name) runs on, or null. The
 * longest race name found wins: "IMSA 10 Hours of Petit Le Mans 2024" is
 * Road Atlanta's "Petit Le Mans", not Le Mans's "Le Mans".
 */
export function circuitOfRace(raceName: string, profiles: readonly CircuitProfile[] = loadCircuitProfiles()): CircuitProfile | null {
  const name = raceName.toLowerCase();
  let best: { profile: CircuitProfile; length: number } | null = null;
  for (const profile of profiles) {
    for (const race of profile.races) {
      if (name.includes(race.toLowerCase()) && (best === null || race.length > best.length)) best = { profile, length: race.length };
    }
  }
  return best?.profile ?? null;
}

export function pitLaneOfRace(raceName: string): PitLane | null {
  const profile = circuitOfRace(raceName);
  return profile === null ? null : pitLaneOf(profile);
}
