/**
 * Timing71 replay archives: a made-up archive (keyframe, diffs, a row swap,
 * messages, broken archives) and the real IMSA Detroit 2026 archive, checked
 * against the screen's own last frame and its own Gap/Int columns.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { imsaBoardCells } from '../src/analysis/board-gaps.js';
import { checkGaps } from '../src/cli/check-gaps.js';
import { loadRace } from '../src/cli/load.js';
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents } from '../src/engine/timeline.js';
import type { LapEvent } from '../src/model/events.js';
import { archiveSnapshots, readTiming71Archive, Timing71Error, timing71Events } from '../src/sources/timing71/index.js';
import { entry, lap, realData, realFile, session } from './helpers.js';

const COLS = ['Num', 'State', 'Class', 'PIC', 'Driver', 'Team', 'Car', 'Laps', 'Gap', 'Int', 'S1', 'S2', 'S3', 'Last', 'Best', 'VFT', 'Pits'];
const manifest = { name: 'Test Series', description: 'Test 100 - Race', colSpec: COLS.map((c) => [c, 'text']), startTime: 1000 };
const T = 1_780_000_000; // epoch s of the first frame

function carRow(num: string, cls: string, laps: number, last: number | '', pits = '0', state = 'RUN') {
  return [num, state, cls, 1, `DRIVER ${num}`, `Team ${num}`, 'Car', laps, '', '', ['', ''], ['', ''], ['', ''], [last, ''], ['', ''], ['', ''], pits];
}

function archive(files: Record<string, unknown>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([n, v]) => [n, strToU8(JSON.stringify(v))])));
}

/** Two cars; green at T+10 (race zero); #2 passes #1 on lap 2, which swaps the two screen lines. */
function madeUp(): Uint8Array {
  const change = (row: number, col: number, from: unknown, to: unknown, part?: number) => ['change', part === undefined ? [row, col] : [row, col, part], [from, to]];
  return archive({
    'manifest.json': manifest,
    [`0${T}.json`]: {
      cars: [carRow('1', 'GTP', 0, ''), carRow('2', 'GTP', 0, '')],
      session: { flagState: 'none', timeElapsed: 0, timeRemain: 6000 },
      messages: [[(T - 100) * 1000, 'Race Control', 'UNDER 5 MINUTES TO COMMAND', 'raceControl']],
    },
    [`0${T + 10}i.json`]: { cars: [], session: [['change', 'flagState', ['none', 'green']], ['change', 'timeElapsed', [0, 0.2]]], messages: [] },
    // Lap 1: #1 at T+80 (70 s from the start at T+10), #2 at T+81.
    [`0${T + 80}i.json`]: { cars: [change(0, 7, 0, 1), change(0, 13, '', 70, 0)], session: [], messages: [] },
    [`0${T + 81}i.json`]: { cars: [change(1, 7, 0, 1), change(1, 13, '', 71, 0)], session: [], messages: [[(T + 60) * 1000, 'Race Control', 'CAR 2 TRACK LIMITS WARNING', 'raceControl', '2']] },
    // Lap 2: #2 first at T+148 (67 s), #1 at T+150 (70 s): the lines swap.
    [`0${T + 148}i.json`]: { cars: [change(0, 0, '1', '2'), change(0, 4, 'DRIVER 1', 'DRIVER 2'), change(0, 5, 'Team 1', 'Team 2'), change(0, 7, 1, 2), change(0, 13, 70, 67, 0), change(1, 0, '2', '1'), change(1, 4, 'DRIVER 2', 'DRIVER 1'), change(1, 5, 'Team 2', 'Team 1'), change(1, 13, 71, 70, 0)], session: [], messages: [] },
    [`0${T + 150}i.json`]: { cars: [change(1, 7, 1, 2)], session: [], messages: [[(T + 149) * 1000, 'GTP', '#1 set a new personal best', 'pb', '1']] },
    // The same frame's data again in a second file adds nothing.
    [`0${T + 151}i.json`]: { cars: [], session: [], messages: [] },
  });
}

describe('Timing71 replay archive → events', () => {
  it('rebuilds the screen line by line, reads it by car number, counts each lap once', () => {
    const { events, raceControl, zeroEpochMs } = timing71Events(madeUp(), 'made-up.zip');
    const laps = events.filter((e): e is LapEvent => e.type === 'lap');
    const of = (car: string) => laps.filter((l) => l.car === car).map((l) => [l.lap, l.crossingMs, l.lapMs]);
    // Crossings bracketed by the frame before and the frame that shows the lap; lap 2 narrows by lap 1 (lap time), lap 1 is not narrowed by the start.
    const z = zeroEpochMs - T * 1000;
    assert.deepEqual(of('1').map((l) => l[0]), [1, 2]);
    assert.deepEqual(of('2').map((l) => l[0]), [1, 2]);
    const crossing2 = of('2')[1]![1]!;
    assert.ok(crossing2 > 81_000 - z && crossing2 <= 148_000 - z, `#2 lap 2 within (81 s, 148 s] of the first frame, got ${crossing2 + z}`);
    assert.equal(of('2')[1]![2], 67_000);
    const session = events.find((e) => e.type === 'session');
    assert.equal(session?.type === 'session' && session.scheduledDurationMs, 6_000_000);
    assert.equal(session?.type === 'session' && session.name, 'Test 100 - Race');
    // Race control only (not the class messages), at race time, oldest first.
    assert.deepEqual(raceControl, [
      { atMs: (T - 100) * 1000 - zeroEpochMs, text: 'UNDER 5 MINUTES TO COMMAND' },
      { atMs: (T + 60) * 1000 - zeroEpochMs, text: 'CAR 2 TRACK LIMITS WARNING' },
    ]);
    // After the swap #2 leads: Sarthe's standings at the end say so too.
    const standings = standingsAt(foldEvents(events), null);
    assert.deepEqual(standings.cars.map((c) => [c.number, c.laps]), [['2', 2], ['1', 2]]);
  });

  it('says which file and what is wrong in a broken archive', () => {
    assert.throws(() => readTiming71Archive(strToU8('not a zip'), 'x.zip'), (e: unknown) => e instanceof Timing71Error && /x\.zip: not a zip archive/.test(e.message));
    assert.throws(() => readTiming71Archive(archive({ [`0${T}.json`]: { cars: [] } }), 'x.zip'), /x\.zip: no manifest\.json/);
    const badOp = archive({ 'manifest.json': manifest, [`0${T}.json`]: { cars: [carRow('1', 'GTP', 0, '')], session: {} }, [`0${T + 1}i.json`]: { cars: [['reorder', [0, 1]]] } });
    assert.throws(() => readTiming71Archive(badOp, 'x.zip'), new RegExp(`x\\.zip: 0${T + 1}i\\.json: unknown operation`));
    const badRow = archive({ 'manifest.json': manifest, [`0${T}.json`]: { cars: [carRow('1', 'GTP', 0, '')], session: {} }, [`0${T + 1}i.json`]: { cars: [['change', [5, 7], [0, 1]]] } });
    assert.throws(() => readTiming71Archive(badRow, 'x.zip'), /change to screen line 5 of 1/);
  });
});

describe('IMSA screen rules (Gap, Int)', () => {
  it('a car a lap down by count but less than a lap behind on track shows a time; lapped on track shows laps', () => {
    // #1 laps of 100 s; #2 of 110 s; #3 a first lap of 210 s.
    const tl = foldEvents([
      session(),
      entry('1', 'GTP'),
      entry('2', 'GTP'),
      entry('3', 'GTD'),
      ...[1, 2, 3].map((n) => lap('1', n, 100_000 * n, { lapMs: 100_000 })),
      ...[1, 2].map((n) => lap('2', n, 110_000 * n, { lapMs: 110_000 })),
      lap('3', 1, 210_000, { lapMs: 210_000 }),
    ]);
    const at = 300_000;
    const cells = imsaBoardCells(standingsAt(tl, at), (car) => tl.cars.get(car));
    assert.deepEqual(cells.get('1')!.cells.gap, { kind: 'empty' });
    // #2 crossed lap 2 at 220 s, #1 had 2 laps then (its 3rd at 300 s): a time, 20 s.
    assert.deepEqual(cells.get('2')!.cells.gap, { kind: 'time', ms: 20_000 });
    // #3 crossed lap 1 at 210 s, when #1 had 1 more lap: "1 lap" to the leader.
    assert.deepEqual(cells.get('3')!.cells.gap, { kind: 'laps', laps: 1 });
    // To #2 (1 lap then): 100 s behind its crossing of lap 1, but #2 crossed again 10 s after #3 did
    // (it is about to lap #3): the latest loop both passed gives the nearer, 10 s.
    assert.deepEqual(cells.get('3')!.cells.gapPrev, { kind: 'time', ms: 10_000 });
  });
});

describe('Timing71: IMSA Detroit 2026 against its own screen', realData(), () => {
  const file = realFile('timing71/imsa-2026-detroit-race-replay.zip');
  it('imports through the race loader; the end equals the last frame (laps, order within each class); check-gaps figures', async () => {
    const zip = readFileSync(file);
    const archive = readTiming71Archive(zip, file);
    const snapshots = archiveSnapshots(archive);
    // Race control penalised #15 after the flag ("CAR 15: PENALTY - … STOP + 60
    // *POST RACE TIME PENALTY"); the loader reads it as a decision and the
    // official result applies it, as the screen's last frame does (#15 falls
    // behind #77). So the end is checked against the last frame, and the instant
    // just before the penalty against the frame before it (#15 still ahead).
    const penalty = archive.messages.find((m) => /POST RACE TIME/.test(m.text))!;
    assert.ok(penalty !== undefined, 'the archive has its post-race penalty message');
    const before = snapshots.filter((s) => s.timestamp < penalty.atMs).at(-1)!;
    const after = snapshots.at(-1)!;
    assert.ok(before.raceState === 'chk' && after.timestamp > penalty.atMs, 'one frame after the flag before the penalty, the last one after it');
    const { timeline } = await loadRace([file], {});
    assert.ok(timeline.decisions.some((d) => d.car === '15' && d.kind === 'time-added'), 'the post-race penalty is a decision on #15');
    const { zeroEpochMs } = timing71Events(zip, file);
    const byClass = (cars: Array<{ number: string; class: string }>) => {
      const out = new Map<string, string[]>();
      for (const c of cars) out.set(c.class, [...(out.get(c.class) ?? []), c.number]);
      return out;
    };
    const frames: Array<[string, number | null, typeof after]> = [
      ['before the penalty', before.timestamp - zeroEpochMs, before],
      ['the end', null, after],
    ];
    for (const [what, at, frame] of frames) {
      const ours = standingsAt(timeline, at);
      for (const row of frame.cars) assert.equal(ours.cars.find((c) => c.number === row.number)?.laps, row.lap, `${what}: #${row.number} laps`);
      assert.deepEqual(byClass(ours.cars), byClass(frame.cars.map((r) => ({ number: r.number, class: r.category }))), `${what}: order within each class`);
    }
    const inClass = (cars: Array<{ number: string }>) => cars.map((c) => c.number).filter((n) => n === '15' || n === '77');
    assert.deepEqual(inClass(standingsAt(timeline, before.timestamp - zeroEpochMs).cars), ['15', '77']);
    assert.deepEqual(inClass(standingsAt(timeline, null).cars), ['77', '15']);
    const result = checkGaps(snapshots, 'imsa');
    assert.equal(result.snapshots, 5658);
    // Measured: laps 48,475 / 48,796 (99.3%); time 149,140 / 165,667 within 1 s (90.0%), median 83 ms.
    assert.ok(result.byKind.laps.agree / result.byKind.laps.cells >= 0.99, `lap cells ${result.byKind.laps.agree}/${result.byKind.laps.cells}`);
    assert.ok(result.byKind.time.within1s / result.byKind.time.cells >= 0.88, `time cells within 1 s ${result.byKind.time.within1s}/${result.byKind.time.cells}`);
    assert.ok(result.byKind.time.medianAbsErrorMs! <= 200);
  });
});
