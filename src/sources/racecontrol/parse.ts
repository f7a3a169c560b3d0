/**
 * Race-control text → decisions.
 *
 * Race control writes its decisions as one line of capitals, in a few house
 * styles (examples from ../shared/data/real/racecontrol/):
 *
 *   WEC   CAR 33 - DRIVE THROUGH - INCIDENT AT T2 AT 1606
 *         CARS 60 - 20 - 21 - DRIVE THROUGH - VSC PROCEDURES
 *         CAR 51 - 5 SECONDS ADDED TO THE NEXT PIT STOP - INCIDENT AT T6
 *         DRIVE THROUGH PENALTY CAR 81 - YELLOW FLAG INFRINGEMENT
 *         CAR 91 - 1 MINUTE STOP AND GO PENALTY - CAUSING A COLLISION AT T4
 *   IMSA  CAR 18, 912, 57: PENALTY - SHORT CUT - TURN 7 - LAP TIME INVALIDATED - LAP 551
 *         CAR 15: PENALTY - RUNNING THE RED LIGHT AT PIT EXIT - STOP + 60 *POST RACE TIME PENALTY
 *         CAR 912: PENALTY - IMPROPER FINAL WAVE-BY PROCEDURE - STOP + 3:36
 *
 * The parser reads a line only when it is sure: a decision needs a car number
 * in a "CAR"/"CARS" clause and one decision phrase. A line that is pending or
 * undone ("UNDER INVESTIGATION", "STAND BY", "SUSPENDED", "RESCINDED") or
 * that it cannot read is never guessed: it returns null, and the caller keeps
 * the line as a plain message.
 */
import type { DecisionKind } from '../../model/events.js';

/** One decision read from a line: a line naming three cars gives three. */
export interface ParsedDecision {
  kind: DecisionKind;
  /** As written: "007" stays "007". */
  car: string;
  /** Stop-and-go hold, time added to the race or to the next stop (ms); null otherwise. */
  penaltyMs: number | null;
  /** Laps deducted; null otherwise. */
  laps: number | null;
  /** The lap whose time was deleted; null otherwise. */
  lap: number | null;
  /** What the car did, in race control's words ("INCIDENT AT T2 AT 1606"); empty when not given. */
  reason: string;
}

/** Words that make a line something other than a decision taken now. */
const NOT_A_DECISION =
  /\b(UNDER INVESTIGATION|INVESTIGATION|UNDER REVIEW|STAND ?BY|IS SUSPENDED|SUSPENDED (?:BY|FOR|UNTIL)|BEEN SUSPENDED|RESCINDED|CANCELL?ED|WITHDRAWN|REVOKED|OVERTURNED|NOTED|SUMMONED|TO BE HEARD|PENDING|AFTER THE RACE|APPEAL)\b/;

const DURATION = String.raw`(\d+(?:[.,]\d+)?)\s*(SECONDS?|SECS?|S|MINUTES?|MINS?)\b`;

interface Phrase {
  kind: DecisionKind;
  pattern: RegExp;
  /** Reads the numbers the phrase carries. */
  read?: (m: RegExpExecArray) => Partial<Pick<ParsedDecision, 'penaltyMs' | 'laps' | 'lap'>> | null;
}

function durationMs(value: string, unit: string): number {
  const n = Number(value.replace(',', '.'));
  return Math.round(n * (unit.startsWith('M') ? 60_000 : 1000));
}

/** IMSA's hold after STOP +: seconds ("60", "120 SEC") or minutes:seconds ("2:40"). */
function holdMs(text: string): number | null {
  const clock = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (clock !== null) return (Number(clock[1]) * 60 + Number(clock[2])) * 1000;
  const seconds = /^(\d{1,4})$/.exec(text);
  return seconds === null ? null : Number(seconds[1]) * 1000;
}

/**
 * Decision phrases, most decisive first: a line is read as the first phrase
 * it contains (a DSQ line that mentions a drive-through is a DSQ). Order
 * matters between neighbours too: "ADDED TO THE NEXT PIT STOP" before
 * "STOP AND GO", "POST RACE TIME" before IMSA's "STOP + N".
 */
const PHRASES: readonly Phrase[] = [
  { kind: 'disqualified', pattern: /\b(DISQUALIFIED|DISQUALIFICATION|DSQ|EXCLUDED FROM THE (?:RACE|RESULTS?|EVENT|COMPETITION|CLASSIFICATION))\b/ },
  { kind: 'not-classified', pattern: /\bNOT CLASSIFIED\b/ },
  {
    kind: 'laps-deducted',
    pattern: /\b(?:(\d{1,3})\s*LAPS?\s*(?:DEDUCTED|REMOVED|PENALTY)|DEDUCT(?:ION OF|ED)?\s*(\d{1,3})\s*LAPS?)\b/,
    read: (m) => ({ laps: Number(m[1] ?? m[2]) }),
  },
  {
    kind: 'time-added',
    pattern: new RegExp(
      String.raw`\b${DURATION}\s*(?:TIME\s*)?(?:PENALTY\s*)?ADDED TO (?:THE |HIS |ITS )?(?:RACE|TOTAL|FINAL)\s*(?:RACE\s*)?(?:TIME|RESULT|CLASSIFICATION)`,
    ),
    read: (m) => ({ penaltyMs: durationMs(m[1]!, m[2]!) }),
  },
  {
    kind: 'time-added',
    pattern: /\bSTOP\s*\+\s*(\d{1,2}:\d{2}|\d{1,4})\s*(?:SEC(?:OND)?S?\b)?\s*\*?\s*POST[ -]?RACE\b/,
    read: (m) => {
      const ms = holdMs(m[1]!);
      return ms === null ? null : { penaltyMs: ms };
    },
  },
  {
    kind: 'stop-time-added',
    pattern: new RegExp(String.raw`\b${DURATION}\s*(?:TIME\s*)?(?:PENALTY\s*)?ADDED (?:TO|AT) (?:THE |HIS |ITS )?NEXT PIT ?STOP\b`),
    read: (m) => ({ penaltyMs: durationMs(m[1]!, m[2]!) }),
  },
  {
    kind: 'stop-and-go',
    pattern: new RegExp(String.raw`\b(?:${DURATION}\s*)?STOP\s*(?:AND|&|\+|/)\s*GO\b`),
    read: (m) => ({ penaltyMs: m[1] === undefined ? null : durationMs(m[1], m[2]!) }),
  },
  {
    kind: 'stop-and-go',
    pattern: /\bSTOP\s*\+\s*(\d{1,2}:\d{2}|\d{1,4})(?![\d:])\s*(?:SEC(?:OND)?S?\b)?/,
    read: (m) => {
      const ms = holdMs(m[1]!);
      return ms === null ? null : { penaltyMs: ms };
    },
  },
  { kind: 'drive-through', pattern: /\bDRIVE[ -]?THR(?:OUGHT?|U)\b/ },
  {
    kind: 'lap-time-deleted',
    pattern: /\bLAP TIMES? (?:INVALIDATED|DELETED|CANCELLED)\b(?:\s*-\s*LAP\s*(\d{1,5}))?/,
    read: (m) => ({ lap: m[1] === undefined ? null : Number(m[1]) }),
  },
  { kind: 'mechanical-black-flag', pattern: /\b(MECHANICAL BLACK(?: FLAG)?\.?|BLACK (?:AND|&|\/) ORANGE(?: FLAG)?)(?=\s|$|-)/ },
  { kind: 'reprimand', pattern: /\bREPRIMAND\b/ },
  { kind: 'warning', pattern: /\b(WARNING(?: FLAG)?|BLACK (?:AND|&|\/) WHITE(?: FLAG)?)\b/ },
  { kind: 'no-further-action', pattern: /\b(NO FURTHER ACTION|NFA)\b/ },
];

/**
 * The cars a line is about: the first "CAR"/"CARS" clause, a list of numbers
 * separated by "-", ",", "&", "/" or "AND", each maybe followed by a
 * driver's surname ("CARS 85 MARTIN - 54 FLOHR"). Numbers later in the line
 * ("INCIDENT WITH CAR 6") are the reason, not the subject.
 */
const CAR_CLAUSE =
  /(?:^|[^A-Z])CARS?\s*#?(\d{1,4}[A-Z]?)\b((?:\s*(?:[A-Z][A-Z'.]+\s*)?(?:-|,|&|\/|\bAND\b)\s*#?\d{1,4}[A-Z]?\b(?!\s*(?:SEC|SECONDS?|S|MIN|MINS|MINUTES?|LAPS?)\b))*)/;

/** Words that may follow a car number but are no surname. */
const NOT_A_SURNAME = /^(PENALTY|DRIVE|STOP|WARNING|REPRIMAND|NO|NFA|UNSAFE|DISQUALIFIED|EXCLUDED|NOT|MECHANICAL|LAP|IN|STOPPED)$/;

function carsOf(line: string): { cars: string[]; start: number; end: number } | null {
  const m = CAR_CLAUSE.exec(line);
  if (m === null) return null;
  const cars = [m[1]!, ...[...m[2]!.matchAll(/#?(\d{1,4}[A-Z]?)\b/g)].map((c) => c[1]!)];
  const start = line.indexOf('CAR', m.index);
  let end = m.index + m[0].length;
  // "CAR 32 FARFUS - WARNING FLAG": the driver's surname belongs to the subject, not the reason.
  const surname = /^\s+([A-Z][A-Z'.-]+)(?=\s*(?:-|:|$))/.exec(line.slice(end));
  if (surname !== null && !NOT_A_SURNAME.test(surname[1]!)) end += surname[0].length;
  return { cars: [...new Set(cars)], start, end };
}

/** Filler that race control writes around a decision and that says nothing of why. */
const FILLER = /^(PENALTY|TIME PENALTY|CORRECTION|CONFIRMED|POST RACE TIME(?: PENALTY)?|POST-RACE TIME(?: PENALTY)?)$/;

/** What is left of the line once the cars and the decision phrase are cut out, in race control's words. */
function reasonOf(line: string, cut: Array<[number, number]>): string {
  let rest = '';
  let at = 0;
  for (const [from, to] of [...cut].sort((a, b) => a[0] - b[0])) {
    if (from > at) rest += line.slice(at, from);
    rest += ' - ';
    at = Math.max(at, to);
  }
  rest += line.slice(at);
  return rest
    .replace(/\(\+\d+\)/g, ' ')
    .split(/\s+-\s+|\s+-$|^-\s+|:\s+|\*/)
    .map((s) => s.replace(/^[\s,:-]+|[\s,:-]+$/g, '').trim())
    .filter((s) => s !== '' && !FILLER.test(s))
    .join(' - ');
}

/**
 * Reads one race-control line. Returns one decision per car named, or null
 * when the line is not a decision Sarthe can read for certain (then the
 * caller keeps it as a plain message). Pure; never throws.
 */
export function parseRaceControlMessage(text: string): ParsedDecision[] | null {
  const line = text
    .normalize('NFKC')
    .toUpperCase()
    .replace(/\s+/g, ' ')
    .trim()
    // The stewards' "no further investigation" closes a case like "no further action".
    .replace(/\bNO FURTHER INVESTIGATION\b/g, 'NO FURTHER ACTION');
  if (line === '' || NOT_A_DECISION.test(line)) return null;
  const subject = carsOf(line);
  if (subject === null) return null;
  for (const phrase of PHRASES) {
    const m = phrase.pattern.exec(line);
    if (m === null) continue;
    const numbers = phrase.read?.(m);
    if (numbers === null) return null;
    const cut: Array<[number, number]> = [
      [subject.start, subject.end],
      [m.index, m.index + m[0].length],
    ];
    // A deleted lap time with a warning or reprimand after it is one decision: the deletion.
    const reason = reasonOf(line, cut)
      .split(' - ')
      .filter((s) => !/^(WARNING|REPRIMAND|WARNING FLAG)$/.test(s))
      .join(' - ');
    return subject.cars.map((car) => ({
      kind: phrase.kind,
      car,
      penaltyMs: numbers?.penaltyMs ?? null,
      laps: numbers?.laps ?? null,
      lap: numbers?.lap ?? null,
      reason,
    }));
  }
  return null;
}
