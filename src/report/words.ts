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
 * minute or more in minutes and whole seconds ("2m17s").
 */
export function timeGapWords(ms: number): string {
  if (ms < 60_000) {
    const tenths = Math.floor(ms / 100);
    return `${Math.floor(tenths / 10)}.${tenths % 10}s`;
  }
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
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

const PARTICLES = new Set(['van', 'der', 'den', 'de', 'da', 'di', 'du', 'von', 'le', 'la', 'dos', 'das', 'del', 'della', 'ten', 'ter']);

function tidyWord(word: string, isFirst: boolean): string {
  const lower = word.toLowerCase();
  if (!isFirst && PARTICLES.has(lower)) return lower;
  // Hyphens and apostrophes start a new capital: Jean-Eric, O'Connell.
  let out = lower.replace(/(^|[-'’])(\p{L})/gu, (_m, sep: string, letter: string) => sep + letter.toUpperCase());
  if (/^Mc\p{L}/u.test(out)) out = `Mc${out[2]!.toUpperCase()}${out.slice(3)}`;
  return out;
}

export interface DriverName {
  /** As the timing wrote it, e.g. "Sébastien BUEMI". */
  raw: string;
  /** For a first mention: "Sébastien Buemi". */
  full: string;
  /** For later mentions: "Buemi", "van der Garde". */
  surname: string;
}

/**
 * Reads a timing-screen name. WEC writes "First LAST" (the capitalised words
 * are the surname, "Giedo VAN DER GARDE"); IMSA writes "First Last" (the last
 * word, with any particles before it, is the surname).
 */
export function driverName(raw: string): DriverName {
  const words = raw.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return { raw, full: raw.trim(), surname: raw.trim() };
  const isUpper = (w: string) => /\p{L}/u.test(w) && w === w.toUpperCase() && w !== w.toLowerCase();
  let surnameStart = words.length;
  while (surnameStart > 0 && isUpper(words[surnameStart - 1]!)) surnameStart--;
  if (surnameStart === words.length || surnameStart === 0) {
    // Mixed case (IMSA) or all capitals: last word plus particles before it.
    surnameStart = words.length - 1;
    while (surnameStart > 1 && PARTICLES.has(words[surnameStart - 1]!.toLowerCase())) surnameStart--;
  }
  const tidy = words.map((w, i) => (isUpper(w) ? tidyWord(w, i === 0) : w));
  const surname = tidy.slice(surnameStart).join(' ');
  return { raw, full: tidy.join(' '), surname };
}

/**
 * Full name on first mention, surname after. One tracker per report, so the
 * standfirst and each section read naturally in order.
 */
export class NameTracker {
  private readonly mentioned = new Set<string>();

  name(raw: string, override?: { full: string; surname: string }): string {
    const parsed = override ?? driverName(raw);
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
