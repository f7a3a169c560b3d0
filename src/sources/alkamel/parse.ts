/**
 * Al Kamel Systems "Analysis" / "Time Cards" CSV → timing events.
 *
 * Knows every quirk listed in shared/data/real/SOURCES.md: two header
 * generations (25 or 29 named columns), the IMSA LAPNUMBER/LAPTIME names,
 * BOM or none, CRLF or LF, the trailing `;`, times from `ss.fff` to
 * `hh:mm:ss.fff`, a time of day that wraps past midnight, blank cells,
 * `0` for a missing sector, car numbers with leading zeros, `B` in-laps with
 * PIT_TIME on the following out-lap, FLAG_AT_FL when present.
 *
 * Knows nothing of classification: it only translates rows into events.
 */
import type { z } from 'zod';
import type { Driver, EntryEvent, Flag, LapEvent, PitOutEvent, SessionEvent, TimingEvent } from '../../model/events.js';
import { compareEvents, EntryEventSchema, LapEventSchema, MAX_KPH, MAX_LAP, MAX_RACE_TIME_MS } from '../../model/events.js';
import { boxSide, pitTimeBeforeLine, type PitLane } from '../../model/pit.js';
import { pitLaneOfRace } from '../circuits.js';
import { formatLapTime, formatTimeOfDay, HOUR, parseClockMs, parseClockRange } from '../../model/time.js';

/** One problem in an input file, located precisely enough to open it and look. */
export interface ImportIssue {
  file: string;
  /** 1-based line number in the file (the header is line 1); 0 for the whole file. */
  line: number;
  /** Column name and 1-based index, when the problem is in one cell. */
  column?: string;
  message: string;
}

export function formatIssue(issue: ImportIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}` : issue.file;
  return issue.column ? `${where}: column ${issue.column}: ${issue.message}` : `${where}: ${issue.message}`;
}

export class ImportError extends Error {
  constructor(readonly issues: ImportIssue[]) {
    const shown = issues.slice(0, 10).map(formatIssue);
    const more = issues.length > shown.length ? `\n… and ${issues.length - shown.length} more` : '';
    super(
      issues.length === 1
        ? shown[0]!
        : `${issues.length} problems in the input:\n${shown.join('\n')}${more}`,
    );
    this.name = 'ImportError';
  }
}

export interface ParseOptions {
  /** Name used in error messages and to guess the race name and length. */
  file: string;
  /** Skip bad lines (each one reported in `skipped`) instead of failing. */
  lenient?: boolean;
  /**
   * false: skip the file's own consistency checks (ELAPSED sums, sectors,
   * HOUR − ELAPSED, lap gaps, stray lines). Only for bench/hardening.ts, whose
   * same-run baseline it is; every import checks.
   */
  consistencyChecks?: boolean;
}

export interface ParsedAnalysis {
  file: string;
  events: TimingEvent[];
  /** Lines skipped in lenient mode, with why. Empty in strict mode. */
  skipped: ImportIssue[];
  /**
   * Lines kept in lenient mode although they break the file's own consistency
   * (ELAPSED = running sum of LAP_TIME, S1+S2+S3 = LAP_TIME, HOUR − ELAPSED
   * constant, no lap missing), with why. Empty in strict mode, where each is an error.
   */
  warnings: ImportIssue[];
  /** Data rows read (lines after the header that are not blank). */
  rows: number;
  /** Rows that repeated a lap already read with identical data. */
  duplicateRows: number;
  cars: number;
}

const FLAGS: Record<string, Flag> = { GF: 'green', SF: 'safety-car', FCY: 'fcy', RF: 'red', FF: 'finish' };

interface Columns {
  number: number;
  driverNumber: number;
  lapNumber: number;
  lapTime: number;
  inPit: number;
  s1: number;
  s2: number;
  s3: number;
  kph: number;
  elapsed: number;
  hour: number;
  topSpeed: number;
  driverName: number;
  pitTime: number;
  class: number;
  group: number;
  team: number;
  manufacturer: number;
  flag: number;
  s1Large: number;
  s2Large: number;
  s3Large: number;
}

const REQUIRED: Array<[keyof Columns, string[]]> = [
  ['number', ['NUMBER']],
  ['driverNumber', ['DRIVER_NUMBER']],
  ['lapNumber', ['LAP_NUMBER', 'LAPNUMBER']],
  ['lapTime', ['LAP_TIME', 'LAPTIME']],
  ['inPit', ['CROSSING_FINISH_LINE_IN_PIT']],
  ['s1', ['S1']],
  ['s2', ['S2']],
  ['s3', ['S3']],
  ['elapsed', ['ELAPSED']],
  ['hour', ['HOUR']],
  ['driverName', ['DRIVER_NAME']],
  ['pitTime', ['PIT_TIME']],
  ['class', ['CLASS']],
  ['team', ['TEAM']],
  ['manufacturer', ['MANUFACTURER']],
];
const OPTIONAL: Array<[keyof Columns, string[]]> = [
  ['kph', ['KPH']],
  ['topSpeed', ['TOP_SPEED']],
  ['group', ['GROUP']],
  ['flag', ['FLAG_AT_FL']],
  ['s1Large', ['S1_LARGE']],
  ['s2Large', ['S2_LARGE']],
  ['s3Large', ['S3_LARGE']],
];

function readHeader(names: string[], file: string): Columns {
  const index = new Map<string, number>();
  names.forEach((name, i) => index.set(name.trim().toUpperCase(), i));
  const columns = {} as Columns;
  const missing: string[] = [];
  for (const [key, aliases] of REQUIRED) {
    const at = aliases.map((a) => index.get(a)).find((i) => i !== undefined);
    if (at === undefined) missing.push(aliases.join(' or '));
    else columns[key] = at;
  }
  if (missing.length > 0) {
    const hint =
      missing.length >= 5
        ? 'this is not an Al Kamel Analysis export (expected a header like "NUMBER; DRIVER_NUMBER; LAP_NUMBER; LAP_TIME; …")'
        : `the header lacks ${missing.join(', ')}`;
    throw new ImportError([{ file, line: 1, message: hint }]);
  }
  for (const [key, aliases] of OPTIONAL) {
    columns[key] = aliases.map((a) => index.get(a)).find((i) => i !== undefined) ?? -1;
  }
  return columns;
}

/** Thrown inside a row; the caller adds file and line. */
class CellError extends Error {
  constructor(
    readonly column: string,
    message: string,
  ) {
    super(message);
  }
}

interface CarSoFar {
  /** Kept laps by lap number (a hole where none was kept). */
  laps: Array<LapEvent | undefined>;
  /** Line each kept lap was read from, by lap number. */
  lines: number[];
  /** The last lap kept: the next row must follow it. */
  last: LapRow | undefined;
  /** A row that jumps from `last`, waiting for the next row to say whether it is a stray. */
  suspect: LapRow | undefined;
  /** The last line of this car refused for a bad cell: a lap missing after it is no news. */
  refusedLine: number;
  entry: EntryEvent;
  drivers: Map<number, string>;
}

/**
 * One data line seen through the offsets of its cells in the file's text, so
 * cells are parsed in place and only the few text ones are ever cut out.
 * Hand-written on purpose: splitting every line into strings cost more than
 * the rest of the import (bench/README.md, "importFoldMs").
 */
class LineCells {
  text = '';
  count = 0;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  private readonly separatorCode: number;

  /**
   * `separator`: the file's (`;` in Al Kamel Analysis exports, `,` in IMSA's laps files).
   * `width`: the header's; a line with more cells is refused by its count, the first `width` are kept.
   */
  constructor(
    private readonly label: (i: number) => string,
    separator: string,
    private readonly width: number,
  ) {
    this.starts = new Int32Array(width + 1);
    this.ends = new Int32Array(width + 1);
    this.separatorCode = separator.charCodeAt(0);
  }

  /** Locates the cells of text[start, end); returns how many there are. */
  read(text: string, start: number, end: number): number {
    this.text = text;
    // One pass over the line's char codes: cells are short (a few characters),
    // so a call to indexOf per cell costs more than the scan itself.
    const sep = this.separatorCode;
    const width = this.width;
    const starts = this.starts;
    const ends = this.ends;
    let n = 0;
    let from = start;
    for (let k = start; k < end; k++) {
      if (text.charCodeAt(k) !== sep) continue;
      if (n <= width) {
        starts[n] = from;
        ends[n] = k;
      }
      n++;
      from = k + 1;
    }
    if (n <= width) {
      starts[n] = from;
      ends[n] = end;
    }
    n++;
    this.count = n;
    return n;
  }

  /** The cell with surrounding spaces removed. */
  str(i: number): string {
    let s = this.starts[i]!;
    let e = this.ends[i]!;
    const t = this.text;
    while (s < e && t.charCodeAt(s) === 32) s++;
    while (e > s && t.charCodeAt(e - 1) === 32) e--;
    return t.slice(s, e);
  }

  isBlank(i: number): boolean {
    const t = this.text;
    for (let k = this.starts[i]!; k < this.ends[i]!; k++) if (t.charCodeAt(k) !== 32) return false;
    return true;
  }

  int(i: number, min: number, max: number, what: string): number {
    const t = this.text;
    let value = 0;
    let digits = 0;
    for (let k = this.starts[i]!; k < this.ends[i]!; k++) {
      const c = t.charCodeAt(k);
      if (c >= 48 && c <= 57) {
        value = value * 10 + (c - 48);
        digits++;
      } else if (c !== 32) {
        value = NaN;
        break;
      }
    }
    if (digits === 0 || !(value >= min && value <= max)) {
      throw new CellError(this.label(i), `expected ${what}, got "${this.str(i)}"`);
    }
    return value;
  }

  /** True when cell `i` ends with the text of cell `j` (spaces aside): "0:37.900" ends with "37.900". */
  endsWith(i: number, j: number): boolean {
    const t = this.text;
    let ie = this.ends[i]!;
    let je = this.ends[j]!;
    const is = this.starts[i]!;
    let js = this.starts[j]!;
    while (ie > is && t.charCodeAt(ie - 1) === 32) ie--;
    while (je > js && t.charCodeAt(je - 1) === 32) je--;
    while (js < je && t.charCodeAt(js) === 32) js++;
    const n = je - js;
    if (n === 0 || ie - is < n) return false;
    for (let k = 1; k <= n; k++) if (t.charCodeAt(ie - k) !== t.charCodeAt(je - k)) return false;
    return true;
  }

  /** True when the cell holds exactly `value` (spaces aside), without cutting it out. */
  equals(i: number, value: string): boolean {
    let s = this.starts[i]!;
    let e = this.ends[i]!;
    const t = this.text;
    while (s < e && t.charCodeAt(s) === 32) s++;
    while (e > s && t.charCodeAt(e - 1) === 32) e--;
    const n = value.length;
    if (e - s !== n) return false;
    for (let k = 0; k < n; k++) if (t.charCodeAt(s + k) !== value.charCodeAt(k)) return false;
    return true;
  }

  /** A time cell; null when blank (an error when required). */
  time(i: number, required: boolean): number | null {
    let s = this.starts[i]!;
    let e = this.ends[i]!;
    const t = this.text;
    while (s < e && t.charCodeAt(s) === 32) s++;
    while (e > s && t.charCodeAt(e - 1) === 32) e--;
    if (s === e) {
      if (required) throw new CellError(this.label(i), 'expected a time, the cell is blank');
      return null;
    }
    const value = parseClockRange(t, s, e);
    if (Number.isNaN(value)) {
      const text = t.slice(s, e);
      if (text.startsWith('-') && !Number.isNaN(parseClockMs(text.slice(1)))) {
        throw new CellError(this.label(i), `${headerOf(this.label(i))} must be positive, got "${text}"`);
      }
      throw new CellError(this.label(i), `expected a time like 1:42.567 or 1:02:03.456, got "${text}"`);
    }
    return value;
  }

  /** A blank sector, or `0` as some files write a missing one, is "no value". */
  sector(i: number): number | null {
    const value = this.time(i, false);
    return value === 0 ? null : value;
  }

  /** A plain non-negative decimal like `232.4`; null when blank. */
  number(i: number): number | null {
    if (i < 0) return null;
    const t = this.text;
    let whole = 0;
    let fraction = 0;
    let scale = 1;
    let digits = 0;
    let dot = false;
    for (let k = this.starts[i]!; k < this.ends[i]!; k++) {
      const c = t.charCodeAt(k);
      if (c >= 48 && c <= 57) {
        digits++;
        if (dot) {
          scale /= 10;
          fraction += (c - 48) * scale;
        } else whole = whole * 10 + (c - 48);
      } else if (c === 46 && !dot) dot = true;
      else if (c !== 32) throw new CellError(this.label(i), `expected a number, got "${this.str(i)}"`);
    }
    if (digits === 0) {
      if (dot) throw new CellError(this.label(i), `expected a number, got "${this.str(i)}"`);
      return null;
    }
    // Rounded to the digits written, so 232.4 stays 232.4 and not 232.39999.
    return dot ? Math.round((whole + fraction) * 1e6) / 1e6 : whole;
  }
}

/**
 * Rows of one file agree with each other to within this (SOURCES.md: ELAPSED is
 * the running sum of LAP_TIME "to within 0.01 s"; the 20 real races agree exactly).
 */
export const CONSISTENCY_TOLERANCE_MS = 10;
const DAY_MS = 24 * HOUR;

/** A lap read from one line, with where it was read. */
interface LapRow {
  event: LapEvent;
  line: number;
  /** Where the ELAPSED cell lies in the file's text: cut out (spaces aside) only for a message, by elapsedTextOf. */
  elapsedStart: number;
  elapsedEnd: number;
}

/** Reading a file: what the loop knows so far, and what went wrong. */
interface ReadState {
  file: string;
  /** The file's text, which LapRow offsets point into. */
  text: string;
  columnLabel: (i: number) => string;
  col: Columns;
  problems: ImportIssue[];
  warnings: ImportIssue[];
  /** HOUR − ELAPSED (mod 24 h) of each kept lap that has a HOUR, and its line. */
  zeros: number[];
  zeroLines: number[];
  finishCrossingMs: number;
  /** [S1, S2, S3] and [S1_LARGE, S2_LARGE, S3_LARGE] column indices (−1: absent), read once from `col`. */
  sectorColumns: readonly number[];
  largeSectorColumns: readonly number[];
}

export function parseAnalysis(text: string, options: ParseOptions): ParsedAnalysis {
  const file = options.file;
  const lenient = options.lenient ?? false;
  const checks = options.consistencyChecks ?? true;
  if (!/[^\s\uFEFF]/.test(text)) {
    throw new ImportError([{ file, line: 0, message: 'the file is empty (expected an Al Kamel Analysis CSV)' }]);
  }
  const bodyStart = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const firstBreak = text.indexOf('\n', bodyStart);
  const headerLine = stripCr(text.slice(bodyStart, firstBreak === -1 ? text.length : firstBreak));
  const separator = separatorOf(headerLine);
  if (separator === null) {
    throw new ImportError([
      { file, line: 1, message: 'this is not an Al Kamel Analysis export (no `;`- or `,`-separated header found)' },
    ]);
  }
  const headerNames = headerLine.split(separator);
  const width = headerNames.length;
  // Every data line ends with ';' like the header; tolerate one that lost it.
  const widthWithoutTrailing = headerNames[width - 1]!.trim() === '' ? width - 1 : width;
  const col = readHeader(headerNames, file);
  const columnLabel = (i: number) => `${headerNames[i]!.trim()} (${i + 1})`;
  const cells = new LineCells(columnLabel, separator, width);

  const state: ReadState = { file, text, columnLabel, col, problems: [], warnings: [], zeros: [], zeroLines: [], finishCrossingMs: Infinity,
    sectorColumns: [col.s1, col.s2, col.s3],
    largeSectorColumns: [col.s1Large, col.s2Large, col.s3Large],
  };
  const { problems } = state;
  const cars = new Map<string, CarSoFar>();
  let rows = 0;
  let duplicateRows = 0;

  let lastCar: CarSoFar | undefined;
  let lineNo = 1;
  let next = firstBreak === -1 ? text.length : firstBreak + 1;
  while (next < text.length) {
    const lineStart = next;
    const nl = text.indexOf('\n', lineStart);
    let lineEnd = nl === -1 ? text.length : nl;
    next = lineEnd + 1;
    lineNo++;
    if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    if (lineEnd === lineStart) continue;
    const first = text.charCodeAt(lineStart);
    if ((first === 32 || first === 9) && text.slice(lineStart, lineEnd).trim() === '') continue;
    rows++;
    let rowCar: CarSoFar | undefined;
    try {
      const count = cells.read(text, lineStart, lineEnd);
      if (count !== width && count !== widthWithoutTrailing) {
        throw new CellError(
          '',
          count < widthWithoutTrailing
            ? `expected ${widthWithoutTrailing} fields like the header, found ${count}: truncated line?`
            : `expected ${widthWithoutTrailing} fields like the header, found ${count}: wrong column count`,
        );
      }
      // Rows come grouped by car: reuse the number string already held.
      const number = lastCar !== undefined && cells.equals(col.number, lastCar.entry.car) ? lastCar.entry.car : cells.str(col.number);
      let car = number === lastCar?.entry.car ? lastCar : cars.get(number);
      rowCar = car;
      if (car === undefined && !/^[0-9A-Za-z]{1,8}$/.test(number)) {
        throw new CellError(columnLabel(col.number), `expected a car number, got "${number}"`);
      }
      const lap = cells.int(col.lapNumber, 1, MAX_LAP, 'a lap number');
      const driverNumber = cells.int(col.driverNumber, 1, 9, 'a driver number 1–9');
      const lapMs = cells.time(col.lapTime, true);
      if (lapMs === null || lapMs <= 0) {
        throw new CellError(columnLabel(col.lapTime), `lap time must be positive, got "${cells.str(col.lapTime)}"`);
      }
      const crossingMs = cells.time(col.elapsed, true);
      if (crossingMs === null || crossingMs <= 0) {
        throw new CellError(columnLabel(col.elapsed), `elapsed time must be positive, got "${cells.str(col.elapsed)}"`);
      }
      const timeOfDayMs = cells.time(col.hour, false);
      const pitLaneMs = cells.time(col.pitTime, false);
      if (pitLaneMs !== null && pitLaneMs <= 0) {
        throw new CellError(columnLabel(col.pitTime), `pit time must be positive, got "${cells.str(col.pitTime)}"`);
      }
      let inPit = false;
      if (!cells.isBlank(col.inPit)) {
        const pitMark = cells.str(col.inPit);
        if (pitMark !== 'B') throw new CellError(columnLabel(col.inPit), `expected "B" or blank, got "${pitMark}"`);
        inPit = true;
      }
      let flag: Flag | null = null;
      if (col.flag >= 0 && !cells.isBlank(col.flag)) {
        const code = cells.str(col.flag);
        const known = FLAGS[code];
        if (known === undefined) {
          throw new CellError(columnLabel(col.flag), `expected GF, SF, FCY, RF or FF, got "${code}"`);
        }
        flag = known;
      }
      const knownName = car?.drivers.get(driverNumber);
      const driverName = driverNameOf(knownName, cells, col.driverName);
      const event: LapEvent = {
        type: 'lap',
        car: number,
        lap,
        crossingMs,
        lapMs,
        sectorsMs: [cells.sector(col.s1), cells.sector(col.s2), cells.sector(col.s3)],
        driverNumber,
        driverName,
        inPit,
        pitLaneMs,
        flag,
        timeOfDayMs,
        kph: cells.number(col.kph),
        topSpeedKph: cells.number(col.topSpeed),
      };
      // The ingest API's schema and limits, checked by hand on the hot path;
      // zod itself runs on a new name or a value past a limit, for its words.
      if (driverName !== knownName || !lapWithinLimits(event)) {
        const checked = LapEventSchema.safeParse(event);
        if (!checked.success) throw schemaError(checked.error.issues, LAP_COLUMNS, col, columnLabel);
      }
      if (checks) checkSectors(event, cells, col, columnLabel, state, lineNo);

      if (car === undefined) {
        const entry: EntryEvent = {
          type: 'entry',
          car: number,
          class: cells.str(col.class),
          group: col.group >= 0 ? cells.str(col.group) : '',
          team: cells.str(col.team),
          manufacturer: cells.str(col.manufacturer),
          drivers: [],
        };
        if (entry.class === '') throw new CellError(columnLabel(col.class), 'the class is blank');
        const checked = EntryEventSchema.safeParse(entry);
        if (!checked.success) throw schemaError(checked.error.issues, ENTRY_COLUMNS, col, columnLabel);
        car = { laps: [], lines: [], last: undefined, suspect: undefined, refusedLine: 0, drivers: new Map(), entry };
        cars.set(number, car);
      }
      lastCar = car;
      const seen = car.laps[lap];
      if (seen !== undefined) {
        const differs = lapDifferences(seen, event);
        if (differs.length === 0) {
          duplicateRows++;
          continue;
        }
        throw new CellError(
          columnLabel(col[differs[0]!]),
          `lap ${lap} of car #${number} is on line ${car.lines[lap]} and again on line ${lineNo} with a different ` +
            `${differs.map((k) => columnLabel(col[k]).replace(/ \(\d+\)$/, '')).join(', ')}: keep one of the two lines`,
        );
      }
      const row: LapRow = { event, line: lineNo, elapsedStart: cells.starts[col.elapsed]!, elapsedEnd: cells.ends[col.elapsed]! };
      if (checks) placeRow(car, row, state);
      else keepRow(car, row, state);
    } catch (error) {
      if (!(error instanceof CellError)) throw error;
      if (rowCar !== undefined) rowCar.refusedLine = lineNo;
      const issue: ImportIssue = { file, line: lineNo, message: error.message };
      if (error.column !== '') issue.column = error.column;
      problems.push(issue);
    }
  }

  if (rows === 0) {
    throw new ImportError([{ file, line: 0, message: 'the file has a header but no laps' }]);
  }
  for (const car of cars.values()) {
    if (car.suspect !== undefined) settleSuspect(car, state);
  }
  const zeroTimeOfDayMs = checks ? checkZero(state) : state.zeros.length > 0 ? Math.round(state.zeros[0]!) : null;
  problems.sort((a, b) => a.line - b.line);
  state.warnings.sort((a, b) => a.line - b.line);
  if ((problems.length > 0 || state.warnings.length > 0) && !lenient) {
    throw new ImportError([...problems, ...state.warnings].sort((a, b) => a.line - b.line));
  }

  const session = sessionEvent(file, zeroTimeOfDayMs, state.finishCrossingMs, cars);
  const events: TimingEvent[] = [session];
  for (const car of cars.values()) {
    car.entry.drivers = [...car.drivers.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([n, name]): Driver => ({ number: n, name }));
    events.push(car.entry);
    pushLapsAndPitOuts(car, events, session.pitLane ?? null);
  }
  events.sort(compareEvents);
  return { file, events, skipped: problems, warnings: state.warnings, rows, duplicateRows, cars: cars.size };
}

/** LapEvent fields as the CSV columns they come from, for error messages. */
const LAP_COLUMNS: Record<string, keyof Columns> = {
  car: 'number',
  lap: 'lapNumber',
  crossingMs: 'elapsed',
  lapMs: 'lapTime',
  'sectorsMs.0': 's1',
  'sectorsMs.1': 's2',
  'sectorsMs.2': 's3',
  driverNumber: 'driverNumber',
  driverName: 'driverName',
  pitLaneMs: 'pitTime',
  timeOfDayMs: 'hour',
  kph: 'kph',
  topSpeedKph: 'topSpeed',
};
const ENTRY_COLUMNS: Record<string, keyof Columns> = {
  car: 'number',
  class: 'class',
  group: 'group',
  team: 'team',
  manufacturer: 'manufacturer',
};

/** The schema's first complaint, in its own words, at the column the field came from. */
function schemaError(issues: z.core.$ZodIssue[], columns: Record<string, keyof Columns>, col: Columns, label: (i: number) => string): CellError {
  const issue = issues[0]!;
  const field = issue.path.map(String).join('.');
  const at = columns[field];
  return new CellError(at === undefined || col[at] < 0 ? '' : label(col[at]), `${field}: ${issue.message}`);
}

/** True when every number of the lap is within the schema's limits (the common case, checked without zod). */
function lapWithinLimits(e: LapEvent): boolean {
  const [s1, s2, s3] = e.sectorsMs;
  return (
    e.crossingMs <= MAX_RACE_TIME_MS &&
    e.lapMs <= MAX_RACE_TIME_MS &&
    (s1 === null || s1 <= MAX_RACE_TIME_MS) &&
    (s2 === null || s2 <= MAX_RACE_TIME_MS) &&
    (s3 === null || s3 <= MAX_RACE_TIME_MS) &&
    (e.pitLaneMs === null || e.pitLaneMs <= MAX_RACE_TIME_MS) &&
    (e.timeOfDayMs === null || e.timeOfDayMs <= MAX_RACE_TIME_MS) &&
    (e.kph === null || e.kph <= MAX_KPH) &&
    (e.topSpeedKph === null || e.topSpeedKph <= MAX_KPH)
  );
}

/**
 * S1 + S2 + S3 = LAP_TIME, and each S*_LARGE (when the file has it) repeats
 * its sector: a row that breaks either has a wrong or swapped cell. A warning
 * that keeps the row under --lenient (its lap time still agrees with ELAPSED).
 */
function checkSectors(e: LapEvent, cells: LineCells, col: Columns, label: (i: number) => string, state: ReadState, line: number): void {
  const [s1, s2, s3] = e.sectorsMs;
  if (s1 !== null && s2 !== null && s3 !== null && Math.abs(s1 + s2 + s3 - e.lapMs) > CONSISTENCY_TOLERANCE_MS) {
    state.warnings.push({
      file: state.file,
      line,
      column: label(col.lapTime),
      message: `S1 + S2 + S3 = ${formatLapTime(s1 + s2 + s3)} but LAP_TIME is ${formatLapTime(e.lapMs)}: a wrong or swapped cell`,
    });
    return;
  }
  const large = state.largeSectorColumns;
  const small = state.sectorColumns;
  for (let s = 0; s < 3; s++) {
    const at = large[s]!;
    const sector = e.sectorsMs[s]!;
    // The text check settles nearly every row without parsing the cell again.
    if (at < 0 || sector === null || cells.endsWith(at, small[s]!) || cells.isBlank(at)) continue;
    const repeated = cells.sector(at);
    if (repeated !== null && Math.abs(repeated - sector) > CONSISTENCY_TOLERANCE_MS) {
      state.warnings.push({
        file: state.file,
        line,
        column: label(at),
        message: `S${s + 1}_LARGE ${formatLapTime(repeated)} does not repeat S${s + 1} ${formatLapTime(sector)}: a wrong or swapped cell`,
      });
      return;
    }
  }
}

/** Laps in a row: `next` is lap `prev.lap + 1` and its ELAPSED is prev's plus its LAP_TIME (lap 1: its LAP_TIME). */
function follows(prev: LapEvent | undefined, next: LapEvent): boolean {
  const lap = prev?.lap ?? 0;
  const crossing = prev?.crossingMs ?? 0;
  return next.lap === lap + 1 && Math.abs(next.crossingMs - crossing - next.lapMs) <= CONSISTENCY_TOLERANCE_MS;
}

/**
 * Places a row after the car's last kept lap. A row that follows it is kept.
 * A row that goes backwards is refused at once. A row that jumps (a lap
 * missing, ELAPSED ≠ previous ELAPSED + LAP_TIME) waits for the car's next
 * row to say which it is: if that one follows the last kept lap, the jumping
 * line is a stray (a copied line) and is named and dropped alone; otherwise
 * the jump is in the data, named, and (under --lenient) kept, so the lines
 * after it are not blamed for it.
 */
function placeRow(car: CarSoFar, row: LapRow, state: ReadState): void {
  const suspect = car.suspect;
  if (suspect !== undefined) {
    if (follows(car.last?.event, row.event)) {
      car.suspect = undefined;
      const before = car.last === undefined ? 'the start' : `lap ${car.last.event.lap} (line ${car.last.line})`;
      state.problems.push({
        file: state.file,
        line: suspect.line,
        message:
          `a stray line: lap ${suspect.event.lap} of car #${car.entry.car} does not belong here, ` +
          `lap ${row.event.lap} on line ${row.line} follows ${before}: a copied or misplaced line?`,
      });
    } else {
      settleSuspect(car, state);
    }
  }
  const last = car.last?.event;
  if (follows(last, row.event)) {
    keepRow(car, row, state);
    return;
  }
  if (last !== undefined && row.event.lap < last.lap) {
    throw new CellError(
      state.columnLabel(state.col.lapNumber),
      `lap numbers of car #${car.entry.car} go backwards: lap ${row.event.lap} comes after lap ${last.lap}`,
    );
  }
  if (last !== undefined && row.event.crossingMs <= last.crossingMs) {
    throw new CellError(
      state.columnLabel(state.col.elapsed),
      `elapsed time of car #${car.entry.car} goes backwards: lap ${row.event.lap} at ${elapsedTextOf(row, state)} is not after lap ${last.lap}`,
    );
  }
  car.suspect = row;
}

/** The suspect row is a jump in the data: name it, and keep it (lenient) so the next rows follow from it. */
function settleSuspect(car: CarSoFar, state: ReadState): void {
  const row = car.suspect!;
  car.suspect = undefined;
  const last = car.last;
  const e = row.event;
  const lap = last?.event.lap ?? 0;
  const issue: ImportIssue =
    e.lap !== lap + 1
      ? {
          file: state.file,
          line: row.line,
          column: state.columnLabel(state.col.lapNumber),
          message:
            `lap ${e.lap} of car #${e.car} follows ${last === undefined ? 'the start' : `lap ${lap} (line ${last.line})`}: ` +
            `${e.lap === lap + 2 ? `lap ${lap + 1} is` : `laps ${lap + 1} to ${e.lap - 1} are`} missing` +
            (car.refusedLine > (last?.line ?? 0) && car.refusedLine < row.line ? ` (line ${car.refusedLine} was refused above)` : ''),
        }
      : {
          file: state.file,
          line: row.line,
          column: state.columnLabel(state.col.elapsed),
          message:
            `ELAPSED ${elapsedTextOf(row, state)} of car #${e.car} is not ${last === undefined ? 'its first LAP_TIME' : `lap ${lap}'s ELAPSED (line ${last.line}) plus this LAP_TIME`}, ` +
            `${formatLapTime((last?.event.crossingMs ?? 0) + e.lapMs)}: a wrong or swapped cell, or a lap missing`,
        };
  state.warnings.push(issue);
  keepRow(car, row, state);
}

/** The row's ELAPSED cell as written, spaces aside (as LineCells.str cuts it). */
function elapsedTextOf(row: LapRow, state: ReadState): string {
  const t = state.text;
  let s = row.elapsedStart;
  let e = row.elapsedEnd;
  while (s < e && t.charCodeAt(s) === 32) s++;
  while (e > s && t.charCodeAt(e - 1) === 32) e--;
  return t.slice(s, e);
}

function keepRow(car: CarSoFar, row: LapRow, state: ReadState): void {
  const e = row.event;
  car.laps[e.lap] = e;
  car.lines[e.lap] = row.line;
  car.last = row;
  if (e.driverName !== '' && !car.drivers.has(e.driverNumber)) car.drivers.set(e.driverNumber, e.driverName);
  if (e.timeOfDayMs !== null) {
    // Times are whole ms, so a difference already in [0, 24 h) is its own residue: skip the float modulo then.
    const zero = e.timeOfDayMs - e.crossingMs;
    state.zeros.push(zero >= 0 && zero < DAY_MS ? zero : ((zero % DAY_MS) + DAY_MS) % DAY_MS);
    state.zeroLines.push(row.line);
  }
  if (e.flag === 'finish' && e.crossingMs < state.finishCrossingMs) state.finishCrossingMs = e.crossingMs;
}

/**
 * HOUR − ELAPSED is one constant per file, the session's zero (SOURCES.md).
 * The constant is the one most lines agree on (Boyer–Moore majority), so one
 * wrong line is named rather than every line after it; null without HOUR.
 */
function checkZero(state: ReadState): number | null {
  const { zeros, zeroLines } = state;
  if (zeros.length === 0) return null;
  let candidate = zeros[0]!;
  let votes = 0;
  for (const z of zeros) {
    if (votes === 0) candidate = z;
    votes += z === candidate ? 1 : -1;
  }
  const off = (z: number) => {
    const d = Math.abs(z - candidate);
    return Math.min(d, DAY_MS - d) > CONSISTENCY_TOLERANCE_MS;
  };
  for (let i = 0; i < zeros.length; i++) {
    if (!off(zeros[i]!)) continue;
    state.warnings.push({
      file: state.file,
      line: zeroLines[i]!,
      column: state.columnLabel(state.col.hour),
      message: `HOUR − ELAPSED is ${formatTimeOfDay(zeros[i]!)} here but ${formatTimeOfDay(candidate)} on the other lines: a wrong HOUR or ELAPSED`,
    });
  }
  return Math.round(candidate);
}

/** The columns in which two reads of one car-lap differ (empty when the rows are the same lap). */
function lapDifferences(a: LapEvent, b: LapEvent): Array<keyof Columns> {
  const out: Array<keyof Columns> = [];
  if (a.crossingMs !== b.crossingMs) out.push('elapsed');
  if (a.lapMs !== b.lapMs) out.push('lapTime');
  if (a.sectorsMs[0] !== b.sectorsMs[0]) out.push('s1');
  if (a.sectorsMs[1] !== b.sectorsMs[1]) out.push('s2');
  if (a.sectorsMs[2] !== b.sectorsMs[2]) out.push('s3');
  if (a.driverNumber !== b.driverNumber) out.push('driverNumber');
  if (a.driverName !== b.driverName) out.push('driverName');
  if (a.inPit !== b.inPit) out.push('inPit');
  if (a.pitLaneMs !== b.pitLaneMs) out.push('pitTime');
  if (a.flag !== b.flag) out.push('flag');
  if (a.timeOfDayMs !== b.timeOfDayMs) out.push('hour');
  if (a.kph !== b.kph) out.push('kph');
  if (a.topSpeedKph !== b.topSpeedKph) out.push('topSpeed');
  return out;
}

/** A crew has three names: reuse the string already held for this driver. */
function driverNameOf(known: string | undefined, cells: LineCells, column: number): string {
  return known !== undefined && cells.equals(column, known) ? known : cells.str(column);
}

function pushLapsAndPitOuts(car: CarSoFar, events: TimingEvent[], pitLane: PitLane | null): void {
  // By lap number: the array's order.
  const laps: LapEvent[] = [];
  for (const lap of car.laps) if (lap !== undefined) laps.push(lap);
  const placement = { pitLane, side: boxSide(pitLane, laps) };
  let bestLapMs = Infinity;
  let previous: LapEvent | undefined;
  for (const lap of laps) {
    bestLapMs = Math.min(bestLapMs, lap.lapMs);
    if (lap.pitLaneMs !== null) {
      // Al Kamel has no pit-exit row. After an in-lap, the part of the stop
      // that lies after the line puts the exit that far past the in-lap's
      // crossing (model/pit.ts, from the circuit's profile when there is one); a pit lane start or a hold with no in-lap
      // before it lies wholly in this lap.
      const start = previous?.crossingMs ?? 0;
      const afterLine = previous?.inPit
        ? lap.pitLaneMs - pitTimeBeforeLine(lap.pitLaneMs, previous.lapMs, lap.lapMs, bestLapMs, previous.lapMs, placement)
        : lap.pitLaneMs;
      const atMs = Math.min(start + afterLine, lap.crossingMs - 1);
      if (atMs > 0) {
        const pitOut: PitOutEvent = {
          type: 'pit-out',
          car: lap.car,
          lap: lap.lap,
          atMs,
          pitLaneMs: lap.pitLaneMs,
          driverNumber: lap.driverNumber,
          driverName: lap.driverName,
        };
        events.push(pitOut);
      }
    }
    events.push(lap);
    previous = lap;
  }
}

function sessionEvent(
  file: string,
  zeroTimeOfDayMs: number | null,
  finishCrossingMs: number,
  cars: Map<string, CarSoFar>,
): SessionEvent {
  const name = raceNameFromFile(file);
  const pitLane = pitLaneOfRace(name);
  return {
    type: 'session',
    // The schema's limits on a session name: no control characters, 200 at most.
    name: name.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200),
    zeroTimeOfDayMs: zeroTimeOfDayMs === null ? null : Math.round(zeroTimeOfDayMs),
    scheduledDurationMs: inferScheduledDuration(file, finishCrossingMs, cars),
    ...(pitLane === null ? {} : { pitLane }),
  };
}

/**
 * The scheduled length, from the best evidence there is: the chequered flag
 * (FF) in the data, else an "Nh" in the file name, else a leader who finished
 * within 20 minutes after a whole hour. Null when nothing says.
 */
function inferScheduledDuration(file: string, finishCrossingMs: number, cars: Map<string, CarSoFar>): number | null {
  if (Number.isFinite(finishCrossingMs)) {
    return Math.max(1, Math.floor(finishCrossingMs / HOUR)) * HOUR;
  }
  const named = /(?:^|[^0-9])(\d{1,2})h(?:[^a-z]|$)/i.exec(baseName(file));
  if (named) return Number(named[1]) * HOUR;
  let leaderLaps = 0;
  let leaderMs = 0;
  for (const car of cars.values()) {
    const last = car.last?.event;
    if (last === undefined) continue;
    if (last.lap > leaderLaps || (last.lap === leaderLaps && last.crossingMs < leaderMs)) {
      leaderLaps = last.lap;
      leaderMs = last.crossingMs;
    }
  }
  const hours = Math.floor(leaderMs / HOUR);
  return hours >= 1 && leaderMs - hours * HOUR <= 20 * 60_000 ? hours * HOUR : null;
}

/**
 * The field separator, read from the header: Al Kamel Analysis exports use
 * `;`, IMSA's laps files (shared/data/real/SOURCES.md, imsa/) use `,` and
 * quote nothing. The header names the columns, so whichever of the two cuts
 * it into more cells is the one; null when neither cuts it at all.
 */
export function separatorOf(headerLine: string): ';' | ',' | null {
  const semis = headerLine.split(';').length - 1;
  const commas = headerLine.split(',').length - 1;
  if (semis === 0 && commas === 0) return null;
  return semis >= commas ? ';' : ',';
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

const VENUES: Record<string, string> = {
  lemans: 'Le Mans',
  spa: 'Spa',
  fuji: 'Fuji',
  bahrain: 'Bahrain',
  qatar: 'Qatar',
  imola: 'Imola',
  'sao-paulo': 'São Paulo',
  cota: 'COTA',
  daytona: 'Daytona',
  silverstone: 'Silverstone',
  monza: 'Monza',
  sebring: 'Sebring',
  portimao: 'Portimão',
};

/**
 * A readable race name from the file name when the caller gives none:
 * "lemans-2019-race-analysis.csv" → "Le Mans 24 Hours 2019".
 */
export function raceNameFromFile(file: string): string {
  const base = baseName(file).replace(/\.[a-z]+$/i, '').replace(/[-_ ]*(race[-_ ]*)?(analysis|time[-_ ]?cards|laps)$/i, '');
  if (/^lemans-(\d{4})$/i.test(base)) return `Le Mans 24 Hours ${base.slice(-4)}`;
  const m = /^(wec|imsa|elms)-(\d{4})-(.+?)-(\d+)(h|km)$/i.exec(base);
  if (m) {
    const series = m[1]!.toUpperCase();
    const venue = VENUES[m[3]!.toLowerCase()] ?? titleCase(m[3]!);
    if (series === 'IMSA' && venue === 'Daytona' && m[4] === '24') return `Rolex 24 at Daytona ${m[2]}`;
    const length = m[5]!.toLowerCase() === 'h' ? `${m[4]} Hours of ${venue}` : `${venue} ${m[4]} km`;
    return `${series} ${length} ${m[2]}`;
  }
  return titleCase(base) || 'Race';
}

function titleCase(text: string): string {
  return text
    .split(/[-_ ]+/)
    .filter((w) => w !== '')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

function stripCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}


/** "LAP_TIME (4)" → "lap time", for messages. */
function headerOf(label: string): string {
  return label.replace(/ \(\d+\)$/, '').replace(/_/g, ' ').toLowerCase().replace('laptime', 'lap time');
}



