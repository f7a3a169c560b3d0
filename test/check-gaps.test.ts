/**
 * Official live-timing snapshots → timing events, and check-gaps against the
 * WEC board of the Silverstone 2019 capture (its own gap columns).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, it } from 'node:test';
import { boardCells, parseBoardCell } from '../src/analysis/board-gaps.js';
import { checkGaps, type GapCheck } from '../src/cli/check-gaps.js';
import { foldEvents } from '../src/engine/timeline.js';
import { standingsAt } from '../src/engine/standings.js';
import type { LapEvent, TimingEvent } from '../src/model/events.js';
import { badRowsWarning, describeBadRow, snapshotsToEvents, type BadBoardRow, type BoardCarRow, type BoardSnapshot } from '../src/sources/livetiming/index.js';
import { readLiveTimingCapture } from '../src/sources/livetiming/sqlite.js';
import { realData, realFile, repoRoot } from './helpers.js';

const T0 = 1_567_343_000_000;

function row(number: string, lap: number, lastLap: string, lastPassingTime: number, over: Partial<BoardCarRow> = {}): BoardCarRow {
  return { number, category: 'LMP1', team: `Team ${number}`, car: 'Car', driver: 'DRIVER A.', lap, lastLap, pitstop: 0, state: 'Run', lastPassingTime, ranking: 1, gap: '', gapPrev: '', classGap: '', classGapPrev: '', ...over };
}

function snap(at: number, cars: BoardCarRow[]): BoardSnapshot {
  return { timestamp: T0 + at, elapsedMs: at + 3_600_000, raceState: 'green', eventName: 'Test 4 Hours', cars };
}

describe('live-timing snapshots → events', () => {
  it('brackets each crossing between loop passings, narrows it with the lap times, loses no missed lap', () => {
    // #7 laps of exactly 100 s, the line at T0 + 100 s, 200 s, 300 s, 400 s; loops in between.
    const { events, crossingWindowMs } = snapshotsToEvents([
      snap(90_000, [row('7', 10, '1:40.000', T0 + 80_000)]),
      snap(150_000, [row('7', 11, '1:40.000', T0 + 130_000)]),
      snap(199_500, [row('7', 11, '1:40.000', T0 + 199_000)]),
      snap(210_000, [row('7', 12, '1:40.000', T0 + 200_000)]),
      snap(210_000, [row('7', 12, '1:40.000', T0 + 200_000)]), // repeated: adds nothing
      snap(420_000, [row('7', 14, '1:40.000', T0 + 410_000)]), // lap 13 fell between two snapshots
    ]);
    const laps = events.filter((e): e is LapEvent => e.type === 'lap');
    assert.deepEqual(laps.map((l) => l.lap), [10, 11, 12, 13, 14]);
    const zero = T0 - 3_600_000;
    // Lap 12 is pinned by its passings (199 s, 200 s]; lap 11 by lap 12 less 100 s.
    assert.ok(Math.abs(laps[2]!.crossingMs - (T0 + 200_000 - zero)) <= 500);
    assert.ok(Math.abs(laps[1]!.crossingMs - (T0 + 100_000 - zero)) <= 500);
    assert.ok(crossingWindowMs.get('7:11')! <= 1000);
    // Lap 13: only bracketed (after 200 s, before lap 14 less its 100 s), not invented to a point.
    assert.ok(laps[3]!.crossingMs > T0 + 200_000 - zero && laps[3]!.crossingMs <= T0 + 310_000 - zero);
    assert.equal(laps[4]!.lapMs, 100_000);
  });

  it('an in-lap timed short cuts the chain of lap times instead of emptying every bracket; a crossing is its run\'s late bound', () => {
    // #7 crosses the line every 100 s (lap n at T0 + n × 100 s) and passes a loop every 10 s, the line
    // among them. Snapshots every 21 s show the latest loop passed. The board times lap 6, an in-lap,
    // 5 s short (95 s) and the out-lap 5 s long, as the WEC board does at Silverstone.
    const boardLap = (n: number) => (n === 6 ? '1:35.000' : n === 7 ? '1:45.000' : '1:40.000');
    const snaps: BoardSnapshot[] = [];
    for (let at = 100_000; at <= 1_500_000; at += 21_000) {
      const passing = Math.floor(at / 10_000) * 10_000;
      const lap = Math.floor(passing / 100_000);
      snaps.push(snap(at, [row('7', lap, boardLap(lap), T0 + passing, { pitstop: lap >= 6 ? 1 : 0 })]));
    }
    const { events } = snapshotsToEvents(snaps);
    const zero = T0 - 3_600_000;
    const laps = events.filter((e): e is LapEvent => e.type === 'lap');
    assert.ok(laps.length >= 12);
    for (const l of laps) {
      const truth = T0 + l.lap * 100_000 - zero;
      // Every crossing on the true line: a snapshot caught the line as the latest loop in each run.
      assert.ok(Math.abs(l.crossingMs - truth) <= (l.lap === 6 ? 5_000 : 0), `lap ${l.lap} at ${l.crossingMs - truth} ms from the line`);
    }
  });

  it('a row the event schema refuses is reported by snapshot, car and field and left out; the good rows stand, nothing throws', () => {
    // #7 laps of 100 s throughout. Beside it: a car number that is not one (#8), a lap count of 10^9 (#9,
    // which would bracket 10^9 laps), a driver name with a tab (#10: its laps are refused, not its row),
    // and a snapshot whose timestamp is not a number.
    const good = (at: number, lap: number) => row('7', lap, '1:40.000', T0 + at - 1_000);
    const clean = [snap(90_000, [good(90_000, 1)]), snap(190_000, [good(190_000, 2)]), snap(290_000, [good(290_000, 3)]), snap(390_000, [good(390_000, 4)])];
    const dirty: BoardSnapshot[] = [
      snap(90_000, [good(90_000, 1), row('#8', 1, '1:40.000', T0 + 89_000), row('9', 1, '1:40.000', T0 + 89_000), row('10', 1, '1:40.000', T0 + 89_000, { driver: 'A.\tDRIVER' })]),
      snap(190_000, [good(190_000, 2), row('9', 1_000_000_000, '1:40.000', T0 + 189_000), row('10', 2, '1:40.000', T0 + 189_000, { driver: 'A.\tDRIVER' })]),
      { ...snap(240_000, [good(240_000, 2)]), timestamp: Number.NaN },
      snap(290_000, [good(290_000, 3), row('9', 3, '1:40.000', T0 + 289_000)]),
      snap(390_000, [good(390_000, 4)]),
    ];
    const expected = snapshotsToEvents(clean);
    assert.deepEqual(expected.bad, []);
    const result = snapshotsToEvents(dirty);
    const lapsOf = (events: readonly TimingEvent[], car: string) => events.filter((e): e is LapEvent => e.type === 'lap' && e.car === car);
    assert.deepEqual(lapsOf(result.events, '7'), lapsOf(expected.events, '7'));
    assert.deepEqual(
      result.bad.map((b) => [b.snapshot, b.car, b.field]),
      [
        ['NaN', '', 'timestamp'],
        [new Date(T0 + 90_000).toISOString(), '#8', 'number'],
        [new Date(T0 + 90_000).toISOString(), '10', 'driver'],
        [new Date(T0 + 190_000).toISOString(), '9', 'lap'],
        [new Date(T0 + 190_000).toISOString(), '10', 'driver'],
      ],
    );
    assert.equal(describeBadRow(result.bad[3]!), 'snapshot 2019-09-01T13:06:30.000Z, car "9": lap: 1000000000 is not a lap count from 0 to 100000 (row left out)');
    assert.match(describeBadRow(result.bad[2]!), /^snapshot 2019-09-01T13:04:50\.000Z, car "10": driver: control characters .* \(lap 1 left out\)$/);
    // #9's other rows stand (laps 1 and 3: lap 2 is bracketed between them); #10 has an entry and no lap.
    assert.deepEqual(lapsOf(result.events, '9').map((l) => l.lap), [1, 2, 3]);
    assert.equal(lapsOf(result.events, '10').length, 0);
    assert.ok(result.events.some((e) => e.type === 'entry' && e.car === '10'));
    assert.ok(!result.events.some((e) => e.type === 'entry' && e.car === '#8'));
    // check-gaps compares the good rows and counts the others instead of stopping.
    let told: readonly BadBoardRow[] = [];
    const check = checkGaps(dirty, 'wec', (bad) => (told = bad));
    assert.equal(check.badRows, 5);
    assert.equal(told.length, 5);
    assert.match(badRowsWarning('capture.sqlite', told), /^warning: capture\.sqlite: left out 5 board row\(s\) or lap\(s\) the event schema refuses:\n {2}snapshot NaN, car "": timestamp: /);
  });

  it('sarthe check-gaps on a capture with a bad row: a warning naming the snapshot, car and field, and the result of the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-check-gaps-'));
    const file = join(dir, 'capture.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE race_meta ("params.timestamp" INTEGER, "params.elapsed" REAL, "params.racestate" TEXT, "params.eventName" TEXT)');
    db.exec('CREATE TABLE car_entries (timestamp INTEGER, ranking INTEGER, number TEXT, category TEXT, team TEXT, car TEXT, driver TEXT, lap INTEGER, lastlap TEXT, pitstop INTEGER, state TEXT, lastPassingTime INTEGER, gap TEXT, gapPrev TEXT, classGap TEXT, classGapPrev TEXT, sector INTEGER, currentSector1 TEXT, currentSector2 TEXT, currentSector3 TEXT)');
    const meta = db.prepare('INSERT INTO race_meta VALUES (?, ?, ?, ?)');
    const entry = db.prepare('INSERT INTO car_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (let k = 1; k <= 4; k++) {
      const at = T0 + k * 100_000 + 5_000;
      meta.run(at, 3600 + k * 100 + 5, 'green', 'Test 4 Hours');
      entry.run(at, 1, '7', 'LMP1', 'Team 7', 'Car', 'DRIVER A.', k, '1:40.000', 0, 'Run', at - 1_000, '', '', '', '', 1, '', '', '');
      // The row the ZodError came from: a car number that is not one.
      if (k === 2) entry.run(at, 2, 'car 8', 'LMP1', 'Team 8', 'Car', 'DRIVER B.', k, '1:41.000', 0, 'Run', at - 2_000, '1 Lap', '1 Lap', '1 Lap', '1 Lap', 1, '', '', '');
    }
    db.close();
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), 'check-gaps', file, '--json'], (error, out, err) => done({ code: error === null ? 0 : Number((error as { code?: number }).code), stdout: out, stderr: err })),
    );
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /ZodError/);
    assert.match(stderr, new RegExp(`left out 1 board row\\(s\\) or lap\\(s\\)[^\\n]*:\\n {2}snapshot ${new Date(T0 + 205_000).toISOString().replace(/\./g, '\\.')}, car "car 8": number: `));
    const result = JSON.parse(stdout) as GapCheck;
    assert.equal(result.badRows, 1);
    assert.equal(result.snapshots, 4);
  });

  it('an in-lap whose time falls short does not chain: the stint after the stop is pinned by its own brackets', () => {
    // #7 crosses the line every 100 s (lap n at T0 + n × 100 s). Each lap, one snapshot shows it 40 s
    // before the line (still on lap n − 1) and one shows it 8 s after (lap n), except laps 3 and 8,
    // where the snapshot caught the line itself. Lap 5 is the in-lap: the board times it 7 s short
    // (93 s), as the WEC board's in-lap and out-lap fell 2-9 s short of the line under the safety car
    // at Silverstone 2019. Every bracket is 48 s wide, so the chain through lap 5 meets no
    // contradiction: chained, laps 5-10 would all sit 7 s early.
    const snaps: BoardSnapshot[] = [];
    for (let n = 1; n <= 10; n++) {
      const line = n * 100_000;
      const pit = { pitstop: n >= 5 ? 1 : 0, state: n === 5 ? 'In' : 'Run' };
      snaps.push(snap(line - 40_000, [row('7', n - 1, n - 1 === 5 ? '1:33.000' : '1:40.000', T0 + line - 40_000, { pitstop: n - 1 >= 5 ? 1 : 0 })]));
      snaps.push(snap(line + 9_000, [row('7', n, n === 5 ? '1:33.000' : '1:40.000', T0 + line + (n === 3 || n === 8 ? 0 : 8_000), pit)]));
    }
    const { events } = snapshotsToEvents(snaps);
    const zero = T0 - 3_600_000;
    const laps = events.filter((e): e is LapEvent => e.type === 'lap');
    const at = (n: number) => laps.find((l) => l.lap === n)!.crossingMs - (T0 + n * 100_000 - zero);
    for (const n of [1, 2, 3, 4, 6, 7, 8, 9, 10]) assert.equal(at(n), 0, `lap ${n} at ${at(n)} ms from the line`);
    // The in-lap's crossing comes from the run after it (lap 6 less its 100 s), not lap 4 plus 93 s.
    assert.equal(at(5), 0);
  });

  it('reads the board cells', () => {
    assert.deepEqual(parseBoardCell('2 Laps'), { kind: 'laps', laps: 2 });
    assert.deepEqual(parseBoardCell('1 Lap'), { kind: 'laps', laps: 1 });
    assert.deepEqual(parseBoardCell('1:02.500'), { kind: 'time', ms: 62_500 });
    assert.deepEqual(parseBoardCell(''), { kind: 'empty' });
    assert.equal(parseBoardCell('DNF'), null);
  });

  it('applies the WEC rules: the first car on each lap count in laps, those behind it in time to it', () => {
    const lap = (car: string, n: number, crossingMs: number): LapEvent => ({
      type: 'lap', car, lap: n, crossingMs, lapMs: 100_000, sectorsMs: [null, null, null], driverNumber: 1, driverName: '', inPit: false,
      pitLaneMs: null, flag: null, timeOfDayMs: null, kph: null, topSpeedKph: null,
    });
    const timeline = foldEvents([lap('1', 10, 1_000_000), lap('1', 11, 1_100_000), lap('2', 10, 1_095_000), lap('3', 10, 1_099_000)]);
    const cells = boardCells(standingsAt(timeline, 1_100_000));
    assert.deepEqual(cells.get('1')!.cells.gap, { kind: 'empty' });
    assert.deepEqual(cells.get('2')!.cells.gap, { kind: 'laps', laps: 1 });
    assert.deepEqual(cells.get('3')!.cells.gap, { kind: 'time', ms: 4_000 });
    assert.deepEqual(cells.get('3')!.cells.gapPrev, { kind: 'time', ms: 4_000 });
    assert.deepEqual(cells.get('2')!.cells.gapPrev, { kind: 'laps', laps: 1 });
  });
});

describe('check-gaps: Silverstone 2019 against the official WEC board', realData(), () => {
  it('lap cells agree, time cells within the figures in docs', () => {
    const result = checkGaps(readLiveTimingCapture(realFile('wec-2019-silverstone-4h-livetiming-capture.sqlite')));
    assert.equal(result.snapshots, 352);
    assert.equal(result.unreadableCells, 0);
    assert.ok(result.cells > 40_000);
    const laps = result.byKind.laps;
    const time = result.byKind.time;
    // Measured 99.2 % (15,461 of 15,580), 85.0 % within 1 s (20,858 of 24,548), median 352 ms. Before
    // runs ended at in-laps: 97.1 %, 56.3 %, 525 ms; before the crossings were chained in runs and
    // taken at the late bound: 96.9 %, 37.1 %, 1,587 ms. The target (issue 12) is 99 % of lap cells.
    assert.equal(laps.cells, 15_580);
    assert.ok(laps.agree / laps.cells >= 0.99, `lap cells ${laps.agree}/${laps.cells}`);
    assert.ok(time.within1s / time.cells >= 0.84, `time cells within 1 s ${time.within1s}/${time.cells}`);
    assert.ok(time.medianAbsErrorMs !== null && time.medianAbsErrorMs < 400, `median ${time.medianAbsErrorMs} ms`);
  });

  it('the board\'s weather becomes weather events, one per change, the snapshot without a reading skipped', () => {
    const snapshots = readLiveTimingCapture(realFile('wec-2019-silverstone-4h-livetiming-capture.sqlite'));
    const weather = snapshotsToEvents(snapshots).events.filter((e) => e.type === 'weather');
    // race_meta holds 109 distinct (air, track, humidity, pressure) readings, one of them all zeros.
    assert.ok(weather.length >= 100 && weather.length <= 120, `${weather.length} readings`);
    const first = weather[0]!;
    assert.ok(first.type === 'weather');
    assert.deepEqual([first.airTempC, first.trackTempC, first.humidityPct, first.pressureHpa, first.conditions, first.rain], [13.9, 23.6, 72, 1000, 'cloudy', null]);
    assert.ok(weather.every((w) => w.type === 'weather' && w.airTempC !== 0 && w.pressureHpa !== 0), 'no zero reading');
    for (let i = 1; i < weather.length; i++) assert.ok(weather[i]!.atMs >= weather[i - 1]!.atMs);
    // At race time 2:04:50 (the first snapshot) the board showed 13.9 °C air.
    assert.ok(Math.abs(first.atMs - (2 * 3600 + 4 * 60 + 50) * 1000) < 60_000, `first reading at ${first.atMs}`);
  });
});
