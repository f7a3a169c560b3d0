import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LapEvent, PitOutEvent } from '../src/model/events.js';
import { formatLapTime, formatTimeOfDay, parseClockMs } from '../src/model/time.js';
import { ImportError, parseAnalysis, raceNameFromFile } from '../src/sources/alkamel/parse.js';
import { mergeEventSets, MergeConflictError } from '../src/sources/merge.js';

const HEADER_A =
  'NUMBER; DRIVER_NUMBER; LAP_NUMBER; LAP_TIME; LAP_IMPROVEMENT; CROSSING_FINISH_LINE_IN_PIT; S1; S1_IMPROVEMENT; S2; S2_IMPROVEMENT; S3; S3_IMPROVEMENT; KPH; ELAPSED; HOUR;S1_LARGE;S2_LARGE;S3_LARGE;TOP_SPEED;DRIVER_NAME;PIT_TIME;CLASS;GROUP;TEAM;MANUFACTURER;';
const HEADER_B = `${HEADER_A}FLAG_AT_FL;S1_SECONDS;S2_SECONDS;S3_SECONDS;`;
const HEADER_IMSA = HEADER_A.replace('LAP_NUMBER', 'LAPNUMBER').replace('LAP_TIME', 'LAPTIME');

interface Row {
  car?: string;
  driver?: number;
  lap: number;
  time: string;
  pit?: 'B' | '';
  s?: [string, string, string];
  elapsed: string;
  hour?: string;
  name?: string;
  pitTime?: string;
  cls?: string;
  flag?: string;
}

/** Sectors that add up to the lap time (30%, 40%, the rest), as in every real file. */
function sectorsOf(time: string): [string, string, string] {
  const ms = parseClockMs(time);
  if (!(ms > 0)) return ['30.000', '40.000', '30.000'];
  const s1 = Math.round(ms * 0.3);
  const s2 = Math.round(ms * 0.4);
  return [formatLapTime(s1), formatLapTime(s2), formatLapTime(ms - s1 - s2)];
}

/** HOUR of a crossing when the session's zero is 15:00:00 (HOUR − ELAPSED is one constant per file). */
function hourOf(elapsed: string): string {
  const ms = parseClockMs(elapsed);
  return ms > 0 ? `${formatTimeOfDay(15 * 3_600_000 + ms)}.${String(ms % 1000).padStart(3, '0')}` : '15:00:00.000';
}

function rowA(r: Row): string {
  const s = r.s ?? sectorsOf(r.time);
  return [
    r.car ?? '8', r.driver ?? 1, r.lap, r.time, 0, r.pit ?? '', s[0], 0, s[1], 0, s[2], 0, '200.1', r.elapsed,
    r.hour ?? hourOf(r.elapsed), s[0], s[1], s[2], '300.2', r.name ?? 'Sébastien BUEMI', r.pitTime ?? '', r.cls ?? 'LMP1', 'H',
    'Toyota Gazoo Racing', 'Toyota', '',
  ].join(';');
}
function rowB(r: Row): string {
  return `${rowA(r)}${r.flag ?? 'GF'};30.000;40.000;30.000;`;
}

const threeLaps: Row[] = [
  { lap: 1, time: '1:40.000', elapsed: '1:40.000', hour: '23:59:00.000' },
  { lap: 2, time: '1:41.500', elapsed: '3:21.500', hour: '00:00:41.500', pit: 'B' },
  { lap: 3, time: '2:30.250', elapsed: '5:51.750', hour: '00:03:11.750', pitTime: '55.100', driver: 2, name: 'Kazuki NAKAJIMA' },
];

function parse(lines: string[], options: { eol?: string; bom?: boolean; lenient?: boolean; file?: string } = {}) {
  const text = (options.bom ? '\uFEFF' : '') + lines.join(options.eol ?? '\r\n') + (options.eol ?? '\r\n');
  return parseAnalysis(text, { file: options.file ?? 'test.csv', lenient: options.lenient });
}

function laps(result: ReturnType<typeof parseAnalysis>): LapEvent[] {
  return result.events.filter((e): e is LapEvent => e.type === 'lap');
}

function issueOf(fn: () => unknown): ImportError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ImportError, `expected an ImportError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the import to fail');
}

describe('Al Kamel parser on made-up files', () => {
  it('reads header A with BOM and CRLF: laps, in-lap, pit time on the out-lap, driver change', () => {
    const result = parse([HEADER_A, ...threeLaps.map(rowA)], { bom: true });
    const l = laps(result);
    assert.equal(l.length, 3);
    assert.deepEqual(
      l.map((x) => [x.lap, x.crossingMs, x.lapMs, x.inPit, x.pitLaneMs, x.driverNumber]),
      [
        [1, 100_000, 100_000, false, null, 1],
        [2, 201_500, 101_500, true, null, 1],
        [3, 351_750, 150_250, false, 55_100, 2],
      ],
    );
    assert.equal(l[0]!.flag, null, 'header A has no flags: null, never green');
    assert.equal(l[2]!.driverName, 'Kazuki NAKAJIMA');
    const pitOut = result.events.find((e): e is PitOutEvent => e.type === 'pit-out');
    // The in-lap ran 1.5 s over the best lap, the out-lap 50.25 s: almost all
    // of the 55.1 s stop lies after the line (model/pit.ts).
    const beforeLine = Math.round((55_100 * 1_500) / (1_500 + 50_250));
    assert.deepEqual(pitOut && [pitOut.lap, pitOut.atMs, pitOut.pitLaneMs, pitOut.driverNumber], [3, 201_500 + 55_100 - beforeLine, 55_100, 2]);
    const session = result.events[0];
    assert.equal(session?.type, 'session');
    // HOUR − ELAPSED: 23:59:00 − 1:40 = 23:57:20, a time of day before midnight.
    assert.equal(session?.type === 'session' && session.zeroTimeOfDayMs, (23 * 3600 + 57 * 60 + 20) * 1000);
    const entry = result.events.find((e) => e.type === 'entry');
    assert.deepEqual(entry?.type === 'entry' && entry.drivers.map((d) => d.number), [1, 2]);
  });

  it('places the pit exit early when the line is after the boxes (the stop is in the in-lap)', () => {
    // Imola-like: a 100 s best lap, a 160 s in-lap holding the stop, a 104 s out-lap, 62 s in the pit lane.
    const rows = [
      rowA({ lap: 1, time: '1:40.000', elapsed: '1:40.000' }),
      rowA({ lap: 2, time: '2:40.000', elapsed: '4:20.000', pit: 'B' }),
      rowA({ lap: 3, time: '1:44.000', elapsed: '6:04.000', pitTime: '1:02.000' }),
    ];
    const pitOut = parse([HEADER_A, ...rows]).events.find((e): e is PitOutEvent => e.type === 'pit-out');
    const beforeLine = Math.round((62_000 * 60_000) / (60_000 + 4_000));
    assert.equal(pitOut?.atMs, 260_000 + 62_000 - beforeLine);
    assert.ok(pitOut!.atMs < 260_000 + 10_000, 'out on track within seconds of the line, not a whole lap later');
  });

  it('reads header B (flags) without BOM and with LF endings', () => {
    const result = parse([HEADER_B, rowB({ ...threeLaps[0]!, flag: 'SF' }), rowB({ ...threeLaps[1]!, flag: 'FCY' })], { eol: '\n' });
    assert.deepEqual(laps(result).map((l) => l.flag), ['safety-car', 'fcy']);
  });

  it('reads the IMSA LAPNUMBER/LAPTIME variant', () => {
    const result = parse([HEADER_IMSA, ...threeLaps.map(rowA)], { eol: '\n' });
    assert.equal(laps(result).length, 3);
  });

  it('keeps car numbers as text: 007 and 7 are different cars', () => {
    const result = parse([HEADER_A, rowA({ ...threeLaps[0]!, car: '007' }), rowA({ ...threeLaps[0]!, car: '7' })]);
    assert.deepEqual(laps(result).map((l) => l.car).sort(), ['007', '7']);
    assert.equal(result.cars, 2);
  });

  it('treats blank sectors and a `0` sector as missing, and tolerates a lost trailing `;`', () => {
    const row = rowA({ ...threeLaps[0]!, s: ['0', '', '30.000'] }).replace(/;$/, '');
    const [l] = laps(parse([HEADER_A, row]));
    assert.deepEqual(l!.sectorsMs, [null, null, 30_000]);
  });

  it('reads every time width, up to h:mm:ss.fff for a red-flag lap', () => {
    const rows = [
      rowA({ lap: 1, time: '59.100', elapsed: '59.100' }),
      rowA({ lap: 2, time: '1:12:03.456', elapsed: '1:13:02.556' }),
      rowA({ lap: 3, time: '3:20.000', elapsed: '1:16:22.556' }),
    ];
    assert.deepEqual(laps(parse([HEADER_A, ...rows])).map((l) => l.lapMs), [59_100, 4_323_456, 200_000]);
  });

  it('skips a repeated identical row (hourly exports overlap) but counts it', () => {
    const result = parse([HEADER_A, rowA(threeLaps[0]!), rowA(threeLaps[0]!), rowA(threeLaps[1]!)]);
    assert.equal(laps(result).length, 2);
    assert.equal(result.duplicateRows, 1);
  });

  it('names the race from the file name', () => {
    assert.equal(raceNameFromFile('x/lemans-2019-race-analysis.csv'), 'Le Mans 24 Hours 2019');
    assert.equal(raceNameFromFile('wec-2025-qatar-1812km-race-analysis.csv'), 'WEC Qatar 1812 km 2025');
    assert.equal(raceNameFromFile('imsa-2019-daytona-24h-race-timecards.csv'), 'Rolex 24 at Daytona 2019');
  });
});

describe('Al Kamel parser refuses bad input with file, line and column', () => {
  it('empty file', () => {
    const e = issueOf(() => parseAnalysis('', { file: 'empty.csv' }));
    assert.match(e.message, /^empty\.csv: the file is empty/);
  });

  it('a header but no laps', () => {
    assert.match(issueOf(() => parse([HEADER_A])).message, /header but no laps/);
  });

  it('a file that is not an Analysis export', () => {
    const e = issueOf(() => parseAnalysis('POSITION;NUMBER;TEAM;DRIVER_1;\n1;8;Toyota;Buemi;\n', { file: 'classification.csv' }));
    assert.match(e.message, /classification\.csv:1: this is not an Al Kamel Analysis export/);
    const png = issueOf(() => parseAnalysis('\x89PNG\r\n\x1a\n', { file: 'x.png' }));
    assert.match(png.message, /not an Al Kamel Analysis export/);
  });

  it('truncated line', () => {
    const e = issueOf(() => parse([HEADER_A, rowA(threeLaps[0]!), rowA(threeLaps[1]!).slice(0, 40)], { file: 'cut.csv' }));
    assert.equal(e.issues.length, 1);
    assert.equal(e.issues[0]!.line, 3);
    assert.match(e.message, /^cut\.csv:3: expected 25 fields like the header, found \d+: truncated line\?/);
  });

  it('wrong column count (too many fields)', () => {
    assert.match(issueOf(() => parse([HEADER_A, `${rowA(threeLaps[0]!)}extra;more;`])).message, /test\.csv:2: .*wrong column count/);
  });

  it('unparsable time names the column', () => {
    const e = issueOf(() => parse([HEADER_A, rowA({ ...threeLaps[0]!, time: '1:4O.000' })]));
    assert.equal(e.issues[0]!.column, 'LAP_TIME (4)');
    assert.match(e.message, /test\.csv:2: column LAP_TIME \(4\): expected a time like 1:42\.567 .* got "1:4O\.000"/);
  });

  it('zero or negative lap time', () => {
    assert.match(issueOf(() => parse([HEADER_A, rowA({ ...threeLaps[0]!, time: '0.000' })])).message, /LAP_TIME \(4\): lap time must be positive/);
    assert.match(issueOf(() => parse([HEADER_A, rowA({ ...threeLaps[0]!, time: '-1:40.000' })])).message, /LAP_TIME \(4\): lap time must be positive/);
  });

  it('a lap number duplicated with different data', () => {
    const e = issueOf(() => parse([HEADER_A, rowA(threeLaps[0]!), rowA({ ...threeLaps[0]!, time: '1:40.001' })]));
    assert.match(e.message, /test\.csv:3: column LAP_TIME \(4\): lap 1 of car #8 is on line 2 and again on line 3 with a different LAP_TIME/);
  });

  it('lap numbers going backwards', () => {
    const lap = (n: number) => rowA({ lap: n, time: '1:40.000', elapsed: formatLapTime(n * 100_000) });
    const e = issueOf(() => parse([HEADER_A, lap(1), lap(2), rowA({ lap: 5, time: '1:40.000', elapsed: '5:00.000' }), rowA({ lap: 6, time: '1:40.000', elapsed: '6:40.000' }), lap(3)]));
    assert.deepEqual(e.issues.map((i) => i.line), [4, 6]);
    assert.match(e.issues[0]!.message, /lap 5 of car #8 follows lap 2 \(line 3\): laps 3 to 4 are missing/);
    assert.match(e.message, /test\.csv:6: column LAP_NUMBER \(3\): lap numbers of car #8 go backwards: lap 3 comes after lap 6/);
  });

  it('a stray line is named alone, not every line after it', () => {
    const e = issueOf(() => parse([HEADER_A, rowA(threeLaps[0]!), rowA(threeLaps[2]!), rowA(threeLaps[1]!)]));
    assert.equal(e.issues.length, 1);
    assert.match(e.message, /test\.csv:3: a stray line: lap 3 of car #8 does not belong here, lap 2 on line 4 follows lap 1 \(line 2\)/);
  });

  it('elapsed time going backwards', () => {
    const e = issueOf(() => parse([HEADER_A, rowA(threeLaps[0]!), rowA({ ...threeLaps[1]!, elapsed: '1:00.000' })]));
    assert.match(e.message, /ELAPSED \(14\): elapsed time of car #8 goes backwards/);
  });

  it('an unknown flag or pit mark', () => {
    assert.match(issueOf(() => parse([HEADER_B, rowB({ ...threeLaps[0]!, flag: 'XX' })])).message, /FLAG_AT_FL \(26\): expected GF, SF, FCY, RF or FF/);
    assert.match(issueOf(() => parse([HEADER_A, rowA({ ...threeLaps[0]!, pit: 'X' as 'B' })])).message, /CROSSING_FINISH_LINE_IN_PIT \(6\)/);
  });

  it('reports every bad line, not only the first', () => {
    const e = issueOf(() => parse([HEADER_A, rowA({ ...threeLaps[0]!, time: 'x' }), rowA({ ...threeLaps[1]!, time: 'y' })]));
    assert.equal(e.issues.length, 2);
    assert.match(e.message, /^2 problems in the input/);
  });
});

describe('--lenient skips bad lines, reports each, drops nothing else', () => {
  it('keeps every good lap and lists the skipped ones', () => {
    const result = parse([HEADER_A, rowA(threeLaps[0]!), rowA({ ...threeLaps[1]!, time: 'garbage' }), rowA(threeLaps[2]!)], { lenient: true });
    assert.deepEqual(laps(result).map((l) => l.lap), [1, 3]);
    assert.equal(result.skipped.length, 1);
    assert.equal(result.skipped[0]!.line, 3);
    assert.equal(result.skipped[0]!.column, 'LAP_TIME (4)');
  });
  it('still refuses a file that is not an Analysis export', () => {
    assert.throws(() => parseAnalysis('hello\n', { file: 'x.txt', lenient: true }), ImportError);
  });
});

describe('merging several exports of one race', () => {
  it('dedupes by car and lap; a conflicting repeat is an error naming both inputs', () => {
    const early = parse([HEADER_A, rowA(threeLaps[0]!)], { file: 'hour1.csv' });
    const late = parse([HEADER_A, ...threeLaps.map(rowA)], { file: 'hour2.csv' });
    const merged = mergeEventSets([
      { source: 'hour1.csv', events: early.events },
      { source: 'hour2.csv', events: late.events },
    ]);
    assert.deepEqual(merged, late.events);
    const changed = parse([HEADER_A, rowA({ ...threeLaps[0]!, time: '1:39.999' })], { file: 'bad.csv' });
    assert.throws(
      () => mergeEventSets([
        { source: 'hour2.csv', events: late.events },
        { source: 'bad.csv', events: changed.events },
      ]),
      (e: unknown) => e instanceof MergeConflictError && /lap:8:1: hour2\.csv and bad\.csv disagree/.test(e.message),
    );
  });
});
