/**
 * RMonitor records (specs/rmonitor.md): one line → a typed record, or an
 * error saying what is wrong. Pure: no I/O, no state.
 *
 * Fields are split quote-aware (a comma inside quotes is text), records are
 * identified by their whole first token ($C is not $COMP or $COR), unknown
 * record types are returned as `unknown` for the caller to ignore, and extra
 * trailing fields are ignored (IMSA ERM doc).
 */

export type RMonitorRecord =
  | { kind: 'F'; lapsToGo: number | null; timeToGoMs: number | null; timeOfDayMs: number | null; raceTimeMs: number | null; flag: string }
  | { kind: 'A'; regNo: string; number: string; firstName: string; lastName: string; nationality: string; classNo: number | null }
  | { kind: 'COMP'; regNo: string; number: string; classNo: number | null; firstName: string; lastName: string; nationality: string; additional: string }
  | { kind: 'B'; runNo: number; description: string }
  | { kind: 'C'; classNo: number; description: string }
  | { kind: 'E'; name: string; value: string }
  | { kind: 'G'; position: number; regNo: string; laps: number; totalMs: number | null }
  | { kind: 'H'; position: number; regNo: string; bestLap: number; bestLapMs: number | null }
  | { kind: 'I'; timeOfDay: string; date: string }
  | { kind: 'J'; regNo: string; lapMs: number | null; totalMs: number | null }
  | { kind: 'COR'; regNo: string; number: string; laps: number; correctedTotalMs: number | null }
  | { kind: 'L'; car: string; timeline: string; timelineName: string; date: string; timeOfDayMs: number | null }
  | { kind: 'unknown'; type: string };

import { MAX_LAP } from '../../model/events.js';
import { MAX_RACE_HOURS, MAX_RACE_TIME_MS } from '../../model/time.js';

export class RecordError extends Error {}

/** Splits a record into fields, honouring double quotes; quotes are removed. */
export function splitFields(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      fields.push(current.trim());
      current = '';
    } else current += c;
  }
  if (quoted) throw new RecordError('unbalanced quote (truncated line?)');
  fields.push(current.trim());
  return fields;
}

/**
 * "HH:MM:SS" or "HH:MM:SS.DDD", optional sign → ms. Empty → null. Hours
 * beyond the race-time bound (MAX_RACE_HOURS, model/time.ts: no session
 * lasts a week) and anything else throw a RecordError.
 */
export function parseRMonitorTime(text: string): number | null {
  if (text === '') return null;
  const m = /^([+-]?)(\d+):([0-5]\d):([0-5]\d)(?:\.(\d{1,3}))?$/.exec(text);
  if (m === null) throw new RecordError(`"${text}" is not a time (HH:MM:SS[.DDD])`);
  const ms = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1000 + (m[5] === undefined ? 0 : Number(m[5].padEnd(3, '0')));
  if (ms > MAX_RACE_TIME_MS) throw new RecordError(`"${text}" is beyond ${MAX_RACE_HOURS} hours`);
  return m[1] === '-' ? -ms : ms;
}

/** $F race time; before the start Orbits counts down as "00:00:-47" (47 s to go): negative ms. */
function parseRaceClock(text: string): number | null {
  const countdown = /^00:00:-(\d+)$/.exec(text);
  return countdown !== null ? -Number(countdown[1]) * 1000 : parseRMonitorTime(text);
}

/**
 * A total or best-lap time, with the feeds' "no time" placeholders as null:
 * "00:00:00.000" (Orbits) and "00:59:59.999" (2009 ALMS/IMSA), spec §4.
 */
export function parseResultTime(text: string): number | null {
  const ms = parseRMonitorTime(text);
  if (ms === null || ms <= 0 || ms === 3_599_999) return null;
  return ms;
}

function int(text: string | undefined, field: string, { empty = null as number | null, max = Number.MAX_SAFE_INTEGER } = {}): number {
  if (text === undefined) throw new RecordError(`${field} is missing`);
  if (text === '') {
    if (empty !== null) return empty;
    throw new RecordError(`${field} is empty`);
  }
  if (!/^-?\d+$/.test(text)) throw new RecordError(`${field} "${text}" is not a whole number`);
  const n = Number(text);
  if (n > max) throw new RecordError(`${field} ${text} is above ${max}`);
  return n;
}

function text(fields: string[], i: number, field: string): string {
  const v = fields[i];
  if (v === undefined) throw new RecordError(`${field} is missing`);
  return v;
}

function optionalInt(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}

/** Parses one line (without its line ending). Throws RecordError saying what is wrong. */
export function parseRecord(line: string): RMonitorRecord {
  const trimmed = line.replace(/^\uFEFF/, '').trim();
  if (!trimmed.startsWith('$')) throw new RecordError('not a record: it does not start with $');
  const f = splitFields(trimmed);
  const type = f[0]!.slice(1);
  switch (type) {
    case 'F':
      return {
        kind: 'F',
        lapsToGo: optionalInt(f[1]),
        timeToGoMs: parseRMonitorTime(text(f, 2, 'time to go')),
        timeOfDayMs: parseRMonitorTime(text(f, 3, 'time of day')),
        raceTimeMs: parseRaceClock(text(f, 4, 'race time')),
        flag: text(f, 5, 'flag status').trim(),
      };
    case 'A':
      return {
        kind: 'A',
        regNo: text(f, 1, 'registration number'),
        number: text(f, 2, 'number'),
        firstName: text(f, 4, 'first name'),
        lastName: text(f, 5, 'last name'),
        nationality: text(f, 6, 'nationality'),
        classNo: optionalInt(f[7]),
      };
    case 'COMP':
      return {
        kind: 'COMP',
        regNo: text(f, 1, 'registration number'),
        number: text(f, 2, 'number'),
        classNo: optionalInt(f[3]),
        firstName: text(f, 4, 'first name'),
        lastName: text(f, 5, 'last name'),
        nationality: f[6] ?? '',
        additional: f[7] ?? '',
      };
    case 'B':
      return { kind: 'B', runNo: int(f[1], 'run number'), description: text(f, 2, 'run description') };
    case 'C':
      return { kind: 'C', classNo: int(f[1], 'class number'), description: f[2] ?? '' };
    case 'E':
      return { kind: 'E', name: text(f, 1, 'setting name'), value: f[2] ?? '' };
    case 'G':
      return {
        kind: 'G',
        position: int(f[1], 'position'),
        regNo: text(f, 2, 'registration number'),
        // Empty until the first full lap (spec §8).
        laps: int(f[3], 'laps', { empty: 0, max: MAX_LAP }),
        totalMs: parseResultTime(text(f, 4, 'total time')),
      };
    case 'H':
      return {
        kind: 'H',
        position: int(f[1], 'position'),
        regNo: text(f, 2, 'registration number'),
        bestLap: int(f[3], 'best lap number', { empty: 0, max: MAX_LAP }),
        bestLapMs: parseResultTime(text(f, 4, 'best lap time')),
      };
    case 'I': {
      // A reset clears every car's board: a line that only looks like one
      // (a car's record garbled into "$I,H,2,…") is refused, not obeyed.
      const timeOfDay = f[1] ?? '';
      parseRMonitorTime(timeOfDay);
      return { kind: 'I', timeOfDay, date: f[2] ?? '' };
    }
    case 'J':
      return {
        kind: 'J',
        regNo: text(f, 1, 'registration number'),
        lapMs: parseResultTime(text(f, 2, 'lap time')),
        totalMs: parseResultTime(text(f, 3, 'total time')),
      };
    case 'COR':
      return {
        kind: 'COR',
        regNo: text(f, 1, 'registration number'),
        number: text(f, 2, 'number'),
        laps: int(f[3], 'laps', { empty: 0, max: MAX_LAP }),
        correctedTotalMs: parseResultTime(text(f, 4, 'corrected total time')),
      };
    case 'L':
      return {
        kind: 'L',
        car: text(f, 1, 'car'),
        timeline: text(f, 2, 'timeline number'),
        timelineName: text(f, 3, 'timeline name'),
        date: text(f, 4, 'date'),
        timeOfDayMs: parseRMonitorTime(text(f, 5, 'time')),
      };
    default:
      if (!/^[A-Z]+$/.test(type)) throw new RecordError(`"${f[0]}" is not a record type`);
      return { kind: 'unknown', type };
  }
}
