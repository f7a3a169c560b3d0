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
import type { Driver, EntryEvent, Flag, LapEvent, PitOutEvent, SessionEvent, TimingEvent } from '../../model/events.js';
import { compareEvents } from '../../model/events.js';
import { boxSide, pitTimeBeforeLine, type PitLane } from '../../model/pit.js';
import { pitLaneOfRace } from '../circuits.js';
import { HOUR, parseClockMs, parseClockRange } from '../../model/time.js';

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
}

export interface ParsedAnalysis {
  file: string;
  events: TimingEvent[];
  /** Lines skipped in lenient mode, with why. Empty in strict mode. */
  skipped: ImportIssue[];
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
  laps: Map<number, LapEvent>;
  lastLap: number;
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
  readonly starts = new Int32Array(64);
  readonly ends = new Int32Array(64);

  constructor(private readonly label: (i: number) => string) {}

  /** Locates the cells of text[start, end); returns how many there are. */
  read(text: string, start: number, end: number): number {
    this.text = text;
    let n = 0;
    let from = start;
    for (;;) {
      const semi = text.indexOf(';', from);
      const stop = semi === -1 || semi > end ? end : semi;
      if (n < 64) {
        this.starts[n] = from;
        this.ends[n] = stop;
      }
      n++;
      if (stop === end) break;
      from = stop + 1;
    }
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

  /** True when the cell holds exactly `value` (spaces aside), without cutting it out. */
  equals(i: number, value: string): boolean {
    let s = this.starts[i]!;
    let e = this.ends[i]!;
    const t = this.text;
    while (s < e && t.charCodeAt(s) === 32) s++;
    while (e > s && t.charCodeAt(e - 1) === 32) e--;
    return e - s === value.length && t.startsWith(value, s);
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

export function parseAnalysis(text: string, options: ParseOptions): ParsedAnalysis {
  const file = options.file;
  const lenient = options.lenient ?? false;
  if (!/[^\s\uFEFF]/.test(text)) {
    throw new ImportError([{ file, line: 0, message: 'the file is empty (expected an Al Kamel Analysis CSV)' }]);
  }
  const bodyStart = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const firstBreak = text.indexOf('\n', bodyStart);
  const headerLine = stripCr(text.slice(bodyStart, firstBreak === -1 ? text.length : firstBreak));
  if (!headerLine.includes(';')) {
    throw new ImportError([
      { file, line: 1, message: 'this is not an Al Kamel Analysis export (no `;`-separated header found)' },
    ]);
  }
  const headerNames = headerLine.split(';');
  const width = headerNames.length;
  // Every data line ends with ';' like the header; tolerate one that lost it.
  const widthWithoutTrailing = headerNames[width - 1]!.trim() === '' ? width - 1 : width;
  const col = readHeader(headerNames, file);
  const columnLabel = (i: number) => `${headerNames[i]!.trim()} (${i + 1})`;
  const cells = new LineCells(columnLabel);

  const problems: ImportIssue[] = [];
  const cars = new Map<string, CarSoFar>();
  let rows = 0;
  let duplicateRows = 0;
  let zeroTimeOfDayMs: number | null = null;
  let finishCrossingMs = Infinity;

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
      if (car === undefined && !/^[0-9A-Za-z]{1,8}$/.test(number)) {
        throw new CellError(columnLabel(col.number), `expected a car number, got "${number}"`);
      }
      const lap = cells.int(col.lapNumber, 1, 100_000, 'a lap number');
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
      const event: LapEvent = {
        type: 'lap',
        car: number,
        lap,
        crossingMs,
        lapMs,
        sectorsMs: [cells.sector(col.s1), cells.sector(col.s2), cells.sector(col.s3)],
        driverNumber,
        driverName: driverNameOf(car, driverNumber, cells, col.driverName),
        inPit,
        pitLaneMs,
        flag,
        timeOfDayMs,
        kph: cells.number(col.kph),
        topSpeedKph: cells.number(col.topSpeed),
      };

      if (car === undefined) {
        car = {
          laps: new Map(),
          lastLap: 0,
          drivers: new Map(),
          entry: {
            type: 'entry',
            car: number,
            class: cells.str(col.class),
            group: col.group >= 0 ? cells.str(col.group) : '',
            team: cells.str(col.team),
            manufacturer: cells.str(col.manufacturer),
            drivers: [],
          },
        };
        if (car.entry.class === '') throw new CellError(columnLabel(col.class), 'the class is blank');
      }
      const seen = car.laps.get(lap);
      if (seen !== undefined) {
        if (sameLap(seen, event)) {
          duplicateRows++;
          continue;
        }
        throw new CellError(
          columnLabel(col.lapNumber),
          `lap ${lap} of car #${number} appears again with different data`,
        );
      }
      if (lap < car.lastLap) {
        throw new CellError(
          columnLabel(col.lapNumber),
          `lap numbers of car #${number} go backwards: lap ${lap} comes after lap ${car.lastLap}`,
        );
      }
      const previous = car.laps.get(car.lastLap);
      if (previous !== undefined && crossingMs <= previous.crossingMs) {
        throw new CellError(
          columnLabel(col.elapsed),
          `elapsed time of car #${number} goes backwards: lap ${lap} at ${cells.str(col.elapsed)} is not after lap ${car.lastLap}`,
        );
      }
      if (!cars.has(number)) cars.set(number, car);
      lastCar = car;
      car.laps.set(lap, event);
      car.lastLap = lap;
      if (event.driverName !== '' && !car.drivers.has(driverNumber)) car.drivers.set(driverNumber, event.driverName);
      if (zeroTimeOfDayMs === null && timeOfDayMs !== null) {
        zeroTimeOfDayMs = (((timeOfDayMs - crossingMs) % (24 * HOUR)) + 24 * HOUR) % (24 * HOUR);
      }
      if (flag === 'finish' && crossingMs < finishCrossingMs) finishCrossingMs = crossingMs;
    } catch (error) {
      if (!(error instanceof CellError)) throw error;
      const issue: ImportIssue = { file, line: lineNo, message: error.message };
      if (error.column !== '') issue.column = error.column;
      problems.push(issue);
    }
  }

  if (rows === 0) {
    throw new ImportError([{ file, line: 0, message: 'the file has a header but no laps' }]);
  }
  if (problems.length > 0 && !lenient) throw new ImportError(problems);

  const session = sessionEvent(file, zeroTimeOfDayMs, finishCrossingMs, cars);
  const events: TimingEvent[] = [session];
  for (const car of cars.values()) {
    car.entry.drivers = [...car.drivers.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([n, name]): Driver => ({ number: n, name }));
    events.push(car.entry);
    pushLapsAndPitOuts(car, events, session.pitLane ?? null);
  }
  events.sort(compareEvents);
  return { file, events, skipped: problems, rows, duplicateRows, cars: cars.size };
}

/** A crew has three names: reuse the string already held for this driver. */
function driverNameOf(car: CarSoFar | undefined, driverNumber: number, cells: LineCells, column: number): string {
  const known = car?.drivers.get(driverNumber);
  return known !== undefined && cells.equals(column, known) ? known : cells.str(column);
}

function pushLapsAndPitOuts(car: CarSoFar, events: TimingEvent[], pitLane: PitLane | null): void {
  const laps = [...car.laps.values()].sort((a, b) => a.lap - b.lap);
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

function sameLap(a: LapEvent, b: LapEvent): boolean {
  return (
    a.crossingMs === b.crossingMs &&
    a.lapMs === b.lapMs &&
    a.driverNumber === b.driverNumber &&
    a.inPit === b.inPit &&
    a.pitLaneMs === b.pitLaneMs &&
    a.flag === b.flag &&
    a.sectorsMs[0] === b.sectorsMs[0] &&
    a.sectorsMs[1] === b.sectorsMs[1] &&
    a.sectorsMs[2] === b.sectorsMs[2]
  );
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
    name,
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
    const last = car.laps.get(car.lastLap);
    if (last === undefined) continue;
    if (car.lastLap > leaderLaps || (car.lastLap === leaderLaps && last.crossingMs < leaderMs)) {
      leaderLaps = car.lastLap;
      leaderMs = last.crossingMs;
    }
  }
  const hours = Math.floor(leaderMs / HOUR);
  return hours >= 1 && leaderMs - hours * HOUR <= 20 * 60_000 ? hours * HOUR : null;
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
  const base = baseName(file).replace(/\.[a-z]+$/i, '').replace(/[-_ ]*(race[-_ ]*)?(analysis|time[-_ ]?cards)$/i, '');
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



