/**
 * The repetition budget of one race's reports (issue 11, Deliver 5): 24
 * reports in a row must not read like one template.
 *
 * Measure: every run of 4 consecutive ordinary words within a sentence of a
 * clause of a report's running text (headline after the race name,
 * standfirst, section headings, paragraphs; not the positions tables; a
 * clause ends at a sentence's punctuation, a comma or a dash), counted across all the
 * race's reports. Names, numbers and car numbers are not ordinary words:
 * they break a phrase, so "the #8 Toyota of Kazuki Nakajima" holds no phrase
 * and "is recovering after losing" is one. Names are every word of the
 * race's drivers, teams, makes and classes as the tables give them, and the
 * race's name; race control's flag names ("safety car", "full course yellow") count as
 * names; numbers are any word with a digit, a spelled number ("one" to
 * "twelve", "once", "twice") or a spelled ordinal ("first" to "tenth"),
 * since "two laps" and "third place" differ only in the number. Words are compared lower-cased,
 * without the punctuation around them.
 *
 * Budget: no phrase appears more than REPETITION_BUDGET times.
 */
import type { Report } from './types.js';

/** The most times one 4-word phrase may appear across one race's reports. */
export const REPETITION_BUDGET = 5;
export const PHRASE_WORDS = 4;

export interface PhraseCount {
  phrase: string;
  count: number;
}

export interface Repetition {
  reports: number;
  /** Distinct 4-word phrases and all their occurrences. */
  phrases: number;
  occurrences: number;
  /** The most repeated phrase (ties: the first in alphabetical order); null when no phrase was found. */
  worst: PhraseCount | null;
  /** Every phrase over REPETITION_BUDGET, most repeated first. */
  overBudget: PhraseCount[];
}

const NUMBER_WORDS = new Set([
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'once', 'twice',
  'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth',
]);

const BREAK = '\u0000';

/**
 * Race control's flag names, terms a report cannot vary ("the safety car"):
 * like a class's name they are not phrasing, so they break a phrase.
 */
const FLAG_TERMS = /\b(?:safety car|full course yellow|red flag|chequered flag)\b/gi;

/** Lower-cased words of a name ("Jota Sport" → jota, sport; "Jean-Éric Vergne" → jean-éric, jean, éric, vergne). */
function nameWords(name: string, into: Set<string>): void {
  for (const w of name.split(/[\s/,()]+/)) {
    const word = bare(w);
    if (word.length === 0) continue;
    into.add(word);
    for (const part of word.split(/[-']/)) if (part.length > 0) into.add(part);
  }
}

function bare(word: string): string {
  return word.toLowerCase().replace(/^[^\p{L}\p{N}#]+|[^\p{L}\p{N}]+$/gu, '');
}

/** The race's names: drivers, teams, makes and classes as its reports' tables give them, and its name. */
function raceNames(reports: readonly Report[]): Set<string> {
  const names = new Set<string>();
  for (const r of reports) {
    nameWords(r.race, names);
    for (const t of r.tables) {
      nameWords(t.class, names);
      for (const row of t.rows) {
        nameWords(row.team, names);
        nameWords(row.make, names);
        for (const d of row.drivers) nameWords(d, names);
      }
    }
  }
  return names;
}

/** The running text of a report, one string per sentence or heading. */
export function reportSentences(report: Report): string[] {
  const headline = report.headline.startsWith(`${report.race}:`) ? report.headline.slice(report.race.length + 1) : report.headline;
  const texts = [headline, report.standfirst];
  for (const s of report.sections) {
    if (s.heading !== null) texts.push(s.heading);
    for (const p of s.paragraphs) texts.push(p.text);
  }
  // A full stop inside a number ("8.4s") is no sentence end.
  return texts.flatMap((t) => t.split(/(?<=[.!?:;,])\s+|\s+[-–—]\s+/));
}

/** The `size`-word phrases (default 4) of one sentence (`names`: lower-cased name words). */
export function sentencePhrases(sentence: string, names: ReadonlySet<string>, size = PHRASE_WORDS): string[] {
  const words = sentence
    .replace(FLAG_TERMS, ' # ')
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => {
      if (/\d/.test(w) || w.startsWith('#')) return BREAK;
      const word = bare(w);
      if (word.length === 0) return BREAK;
      if (NUMBER_WORDS.has(word) || names.has(word)) return BREAK;
      // "Toyota's", "one-lap": a name or number with a tail is still one.
      const parts = word.split(/[-'’/]/);
      if (parts.some((p) => NUMBER_WORDS.has(p) || names.has(p))) return BREAK;
      return word;
    });
  const phrases: string[] = [];
  for (let i = 0; i + size <= words.length; i++) {
    const run = words.slice(i, i + size);
    if (!run.includes(BREAK)) phrases.push(run.join(' '));
  }
  return phrases;
}

/**
 * Counts every 4-word phrase across one race's reports (see the module's
 * comment for what a phrase is). `reports`: all the reports of one race,
 * any order; `size`: words per phrase (4 for the budget; 3 shows the
 * stock phrasing left between names). Returns the worst phrase and every
 * phrase over REPETITION_BUDGET.
 */
export function phraseRepetition(reports: readonly Report[], size = PHRASE_WORDS): Repetition {
  const names = raceNames(reports);
  const counts = new Map<string, number>();
  let occurrences = 0;
  for (const r of reports) {
    for (const s of reportSentences(r)) {
      for (const p of sentencePhrases(s, names, size)) {
        counts.set(p, (counts.get(p) ?? 0) + 1);
        occurrences++;
      }
    }
  }
  const sorted = [...counts].map(([phrase, count]) => ({ phrase, count })).sort((a, b) => b.count - a.count || (a.phrase < b.phrase ? -1 : 1));
  return {
    reports: reports.length,
    phrases: counts.size,
    occurrences,
    worst: sorted[0] ?? null,
    overBudget: sorted.filter((p) => p.count > REPETITION_BUDGET),
  };
}
