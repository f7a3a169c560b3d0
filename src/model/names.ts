/**
 * Driver names as timing screens write them, made readable. One rule for the
 * whole project (analysis rosters, reports, pages): WEC writes "First LAST"
 * (the shouted words are the surname, "Giedo VAN DER GARDE"); IMSA writes
 * "First Last" (the last word, with any particles before it).
 */

const PARTICLES = new Set(['van', 'der', 'den', 'de', 'da', 'di', 'du', 'von', 'le', 'la', 'dos', 'das', 'del', 'della', 'ten', 'ter']);

function isShouted(word: string): boolean {
  return /\p{L}.*\p{L}/u.test(word) && word === word.toUpperCase() && word !== word.toLowerCase();
}

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

export function driverName(raw: string): DriverName {
  const words = raw.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return { raw, full: raw.trim(), surname: raw.trim() };
  let surnameStart = words.length;
  while (surnameStart > 0 && isShouted(words[surnameStart - 1]!)) surnameStart--;
  const allShouted = surnameStart === 0;
  if (surnameStart === words.length || allShouted) {
    // Mixed case (IMSA) or all capitals: the last word plus particles before it.
    surnameStart = words.length - 1;
    while (surnameStart > 1 && PARTICLES.has(words[surnameStart - 1]!.toLowerCase())) surnameStart--;
  }
  const tidy = words.map((w, i) => {
    // Only the shouted surname (or an all-capitals name) is tamed; initials
    // written as a first name ("AJ Allmendinger", "PJ HYETT") stay as they are.
    const shoutedSurname = i >= surnameStart && isShouted(w);
    const shoutedName = allShouted && !(i < surnameStart && w.length <= 2 && !PARTICLES.has(w.toLowerCase()));
    return shoutedSurname || shoutedName ? tidyWord(w, i === 0) : w;
  });
  return { raw, full: tidy.join(' '), surname: tidy.slice(surnameStart).join(' ') };
}
