/** Formatting of engine values at the edge, as timing screens write them. */
import type { CarStanding, Gap } from './standings.js';
import { formatLapTime } from './time.js';

/** `1:04.412`, `35.100`, `1 lap`, `3 laps`, `≥30.000` for a provisional lower bound (§7); empty for the reference car. */
export function formatGap(gap: Gap): string {
  if (gap === null) return '';
  if ('laps' in gap) return gap.laps === 1 ? '1 lap' : `${gap.laps} laps`;
  return gap.provisional ? `≥${formatLapTime(gap.ms)}` : formatLapTime(gap.ms);
}

/**
 * A result table's code for an unclassified car, as official results and the
 * Le Mans results table write them: DSQ (disqualified), DNF (retired before
 * the finish), NC (any other reason); empty while classified or undecided.
 */
export function resultCode(car: Pick<CarStanding, 'classified' | 'reason'>): '' | 'NC' | 'DNF' | 'DSQ' {
  if (car.classified !== false) return '';
  if (car.reason?.startsWith('disqualified') === true) return 'DSQ';
  if (car.reason === RETIRED_REASON) return 'DNF';
  return 'NC';
}

/** The reason the engine gives a car that had stopped for good before the flag. */
export const RETIRED_REASON = 'retired before the finish';

/**
 * The reason of an unclassified car without the word its result code
 * already says: "disqualified: technical infringement" → "technical
 * infringement", "not classified: …" → "…", RETIRED_REASON → "" (DNF says
 * it all); other reasons as given ("did not take the chequered flag").
 */
export function reasonText(reason: string | null): string {
  if (reason === null || reason === RETIRED_REASON) return '';
  for (const word of ['disqualified', 'not classified']) {
    if (reason === word) return '';
    if (reason.startsWith(`${word}: `)) return reason.slice(word.length + 2);
  }
  return reason;
}

/**
 * One status for a car, as a timing screen's or a result's status column
 * writes it: the result code and why when it is not classified ("NC:
 * covered less than 70% …", "DNF", "DSQ: …"), else the car's status
 * ("finished", "running", "in-pit" …). Never the status and the code
 * together ("retired: not classified: …").
 */
export function statusLabel(car: Pick<CarStanding, 'status' | 'classified' | 'reason'>): string {
  const code = resultCode(car);
  if (code === '') return car.status;
  const why = reasonText(car.reason);
  return why === '' ? code : `${code}: ${why}`;
}
