/**
 * Wording rules of a race report (shared/specs/report-style.md): gaps, hours,
 * numbers, driver names and car references, and reproducible variation.
 * Pure functions; no facts are looked up here, only words.
 */
import type { Gap } from '../model/standings.js';

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** One to nine spelled out, 10 and above in digits. */
export function numberWord(n: number): string {
  return Number.isInteger(n) && n >= 0 && n < 10 ? NUMBER_WORDS[n]! : String(n);
}

export function capitalise(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 23rd. */
export function ordinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

/** "the 22nd hour": the hour that ended at 22:00 race time. */
export function hourPhrase(hour: number): string {
  return `the ${ordinal(hour)} hour`;
}

/** "with two hours remaining", "with one hour remaining". */
export function remainingPhrase(hoursLeft: number): string {
  return `with ${numberWord(hoursLeft)} ${hoursLeft === 1 ? 'hour' : 'hours'} remaining`;
}

/**
 * A time gap as a report writes it: under a minute with tenths ("8.4s"), a
 * minute or more in minutes and whole seconds ("2m17s"). Rounded to the
 * nearest, as a reader of the timing table (17.988) expects "18.0s", never cut
 * ("17.9s"); a gap that rounds to a minute is written as one ("1m00s").
 */
export function timeGapWords(ms: number): string {
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${Math.floor(tenths / 10)}.${tenths % 10}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** A race-time instant to the minute, as a report writes it: "6:37" (hours:minutes, minutes cut: 6:37:59 is still 6:37). */
export function raceClockWords(ms: number): string {
  const total = Math.floor(ms / 60_000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** "one lap", "three laps", "12 laps". */
export function lapsWords(laps: number): string {
  return `${numberWord(laps)} ${laps === 1 ? 'lap' : 'laps'}`;
}

/** A gap in report words; empty for the reference car. */
export function gapWords(gap: Gap): string {
  if (gap === null) return '';
  return 'laps' in gap ? lapsWords(gap.laps) : timeGapWords(gap.ms);
}

/** "a 41.2s advantage", "a one-lap advantage", "a three-lap advantage". */
export function advantageWords(gap: Gap): string {
  if (gap === null) return '';
  if ('laps' in gap) return `a ${numberWord(gap.laps)}-lap advantage`;
  const words = timeGapWords(gap.ms);
  return `${/^(8|11|18)/.test(words) ? 'an' : 'a'} ${words} advantage`;
}

export { driverName, type DriverName } from '../model/names.js';
import { driverName } from '../model/names.js';

/**
 * Full name on first mention, surname after. One tracker per report, so the
 * standfirst and each section read naturally in order.
 */
export class NameTracker {
  private readonly mentioned = new Set<string>();

  /**
   * `sharedSurnames`: surnames (lower case) that more than one driver of the
   * race carries (Jan and Kevin Magnussen): those drivers are always named in
   * full, since the surname alone would not say which one.
   */
  constructor(private readonly sharedSurnames: ReadonlySet<string> = new Set()) {}

  name(raw: string, override?: { full: string; surname: string }): string {
    const parsed = override ?? driverName(raw);
    if (this.sharedSurnames.has(parsed.surname.toLowerCase())) return parsed.full;
    if (this.mentioned.has(raw)) return parsed.surname;
    this.mentioned.add(raw);
    return parsed.full;
  }

  /** A crew in reading order: "A, B and C". */
  names(raws: string[]): string {
    return listWords(raws.map((r) => this.name(r)));
  }
}

/** "A", "A and B", "A, B and C". */
export function listWords(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Reproducible variation: the same seed always picks the same wording, and
 * different hours of a race pick differently. FNV-1a over the seed text.
 */
export function pick<T>(options: readonly T[], seed: string): T {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return options[hash % options.length]!;
}

/**
 * A class name as running text writes it: "Hypercar" for the timing's
 * "HYPERCAR", "GTD Pro" for "GTD PRO"; names with digits and short acronyms
 * stay as they are (LMP2, LMGT3, LMGTE Am, GTP, GTD).
 */
export function classWords(cls: string): string {
  return cls
    .trim()
    .split(/\s+/)
    .map((w) => (/^(PRO|AM)$/.test(w) || (w.length >= 5 && /^[A-Z]+$/.test(w) && !/^(LM|GT)/.test(w)) ? w[0] + w.slice(1).toLowerCase() : w))
    .join(' ');
}

/** "Oreca" for "ORECA"; short all-capital names ("BMW") and names with digits stay. */
export function makeWords(manufacturer: string): string {
  return manufacturer
    .trim()
    .split(/\s+/)
    .map((w) => (w.length > 3 && /^[A-Z]+$/.test(w) ? w[0] + w.slice(1).toLowerCase() : w))
    .join(' ');
}

const TEAM_NOISE = /^(Racing|Team|Motorsports|Motorsport|Competition)$/i;
const LINKING_WORD = /^(of|the|and|&|de|du|des|la|le|di|da|del|von|van|by|for)$/i;

/**
 * "G-Drive" for "G-Drive Racing", "WRT" for "Team WRT": how a report names a
 * team. Trailing noise words go one by one, never leaving a name cut after a
 * linking word ("Heart of Racing Team" is "Heart of Racing", not "Heart of").
 */
export function teamWords(team: string): string {
  const words = team.trim().replace(/^Team\s+/i, '').split(/\s+/).filter((w) => w !== '');
  const isName = (w: string) => !TEAM_NOISE.test(w) && !LINKING_WORD.test(w);
  while (words.length > 1 && TEAM_NOISE.test(words[words.length - 1]!) && !LINKING_WORD.test(words[words.length - 2]!) && words.slice(0, -1).some(isName))
    words.pop();
  return words.length === 0 ? team.trim() : words.join(' ');
}

/** What a report needs to name a car. */
export interface CarName {
  car: string;
  team: string;
  manufacturer: string;
}

/**
 * "#7 Toyota" when the team carries the make's name (Toyota Gazoo Racing),
 * else "#31 DragonSpeed Oreca" (number, team, make).
 */
export function carWords(car: CarName): string {
  const make = makeWords(car.manufacturer);
  const team = teamWords(car.team);
  if (make === '') return team === '' ? `#${car.car}` : `#${car.car} ${team}`;
  if (team === '' || team.toLowerCase().includes(make.toLowerCase()) || car.team.toLowerCase().includes(make.toLowerCase())) {
    return `#${car.car} ${make}`;
  }
  return `#${car.car} ${team} ${make}`;
}

/** Same team (the rule for "the sister #8 car"). */
export function sameTeam(a: CarName, b: CarName): boolean {
  return a.team.trim() !== '' && a.team.trim().toLowerCase() === b.team.trim().toLowerCase();
}

/**
 * A rival named against a reference car: "the sister #8 car" only when both
 * run for the same team, else "the #8 Toyota".
 */
export function rivalWords(rival: CarName, of: CarName): string {
  return sameTeam(rival, of) ? `the sister #${rival.car} car` : `the ${carWords(rival)}`;
}

/**
 * When in the hour something happened, from minutes since the hour began:
 * "inside the first 10 minutes", "around the half-hour", "in the closing 10
 * minutes", and one minute in three exactly: given the hour's start (race
 * ms), the race clock "at 5:23 race time", else "23 minutes in". The wording turns with the minute so that
 * a race's reports do not repeat one phrase (repetition.ts): reproducible,
 * the same minute always gives the same words.
 */
export function minutesWords(minutesIntoHour: number, hourStartMs?: number): string {
  const m = Math.max(0, Math.floor(minutesIntoHour));
  const turn = m % 3;
  // Outside the named spans, and one minute in three inside them, told exactly.
  const exact = hourStartMs === undefined ? `${m} minutes in` : `at ${raceClockWords(hourStartMs + m * 60_000)} race time`;
  if (m >= 60) return 'after the hour had run out';
  if (turn === 2) return exact;
  if (m < 10) return turn === 0 ? 'inside the first 10 minutes' : "in the hour's first 10 minutes";
  if (m < 15) return turn === 0 ? 'inside the first 15 minutes' : "in the hour's first 15 minutes";
  if (m >= 28 && m < 33) return turn === 0 ? 'around the half-hour' : 'at mid-hour';
  if (m >= 50) return turn === 0 ? 'in the closing 10 minutes' : "in the hour's last 10 minutes";
  return exact;
}

/** "after six hours", "at half-distance", "with two hours to go", for headlines and standfirsts. */
export function progressWords(hour: number, hoursRemaining: number | null, scheduledHours: number | null): string {
  if (scheduledHours !== null && scheduledHours >= 4 && scheduledHours % 2 === 0 && hour * 2 === scheduledHours) return 'at half-distance';
  if (hoursRemaining !== null && hoursRemaining >= 1 && hoursRemaining <= 3) {
    return `with ${numberWord(hoursRemaining)} ${hoursRemaining === 1 ? 'hour' : 'hours'} to go`;
  }
  if (hour === 1) return 'after the opening hour';
  return `after ${numberWord(hour)} hours`;
}

/** "first", "second" … "ninth", then "10th": class places as prose. */
export function placeWords(position: number): string {
  const words = ['', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'];
  return position >= 1 && position <= 9 ? words[position]! : ordinal(position);
}

/** "an 8m21s stop", "an 11.2s gap", "a 2m05s stop": the article a number's sound needs. */
export function articleFor(words: string): 'a' | 'an' {
  return /^(8|11|18|80|800|one-eight)/.test(words) || /^8\d\d?s/.test(words) ? 'an' : 'a';
}

/** Surnames (lower case) carried by more than one driver among `drivers` (see NameTracker). */
export function sharedSurnames(drivers: Iterable<{ name: string; surname: string }>): Set<string> {
  const byName = new Map<string, string>();
  for (const d of drivers) byName.set(d.name, d.surname.toLowerCase());
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const surname of byName.values()) {
    if (seen.has(surname)) shared.add(surname);
    seen.add(surname);
  }
  return shared;
}

/** "a minute", "12 minutes", "1 hour 32 minutes", "4 hours": a duration to the nearest minute (at least one). */
export function durationWords(ms: number): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  if (m === 1) return 'a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  const hours = `${h} ${h === 1 ? 'hour' : 'hours'}`;
  return rest === 0 ? hours : `${hours} ${rest} ${rest === 1 ? 'minute' : 'minutes'}`;
}

/** "once", "twice", "three times", "12 times". */
export function timesWords(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${numberWord(n)} times`;
}
