/**
 * Where each stop falls against the line (issue 17): circuit profiles, the
 * placement rule, and Le Mans 2021 #52 lap 244 (Sam Bird's 10:26.856 crawl
 * back, pit entry seen live about 13 s before the line) as the CLI shows it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { boxSide, pitTimeBeforeLine, type PitLane } from '../src/model/pit.js';
import { circuitOfRace, loadCircuitProfiles } from '../src/sources/circuits.js';
import { raceNameFromFile } from '../src/sources/alkamel/parse.js';
import { LAP_FILES, realData, realFile, repoRoot } from './helpers.js';

const run = promisify(execFile);
const sarthe = (...args: string[]) => run(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), ...args], { maxBuffer: 64 * 1024 * 1024 });

const lineBeforeBoxes: PitLane = { circuit: 't', line: 'before-boxes', entryToLineMs: 9_000, lineToExitMs: null };
const amongBoxes: PitLane = { circuit: 't', line: 'among-boxes', entryToLineMs: 15_000, lineToExitMs: 30_000 };

describe('placing a stop with a circuit profile', () => {
  it('line before the boxes: the entry is the measured drive before the line, whatever the in-lap', () => {
    const placement = { pitLane: lineBeforeBoxes, side: 'after' as const };
    // A crawl back (in-lap 10 min over a 3:50 best): still 9 s, not a share of the crawl.
    assert.equal(pitTimeBeforeLine(80_000, 626_856, 300_000, 230_000, 626_856, placement), 9_000);
    // Without the profile the same stop is shared by excess: most of it lands in the in-lap.
    assert.ok(pitTimeBeforeLine(80_000, 626_856, 300_000, 230_000) > 50_000);
  });

  it('box before the line: the exit is the measured drive after it; bounded by the stop and by the laps', () => {
    const placement = { pitLane: amongBoxes, side: 'before' as const };
    assert.equal(pitTimeBeforeLine(95_000, 140_000, 120_000, 100_000, 140_000, placement), 65_000);
    // A stop shorter than the exit drive: nothing before the line.
    assert.equal(pitTimeBeforeLine(20_000, 140_000, 120_000, 100_000, 140_000, placement), 0);
    // An in-lap that can hold only 10 s (it was also an out-lap).
    assert.equal(pitTimeBeforeLine(95_000, 140_000, 120_000, 100_000, 10_000, placement), 10_000);
  });

  it("box side with the line among the boxes follows the car's own stops", () => {
    const lap = (lapMs: number, inPit = false, pitLaneMs: number | null = null) => ({ lapMs, inPit, pitLaneMs });
    const boxedBefore = [lap(100_000), lap(170_000, true), lap(120_000, false, 90_000), lap(100_000)];
    const boxedAfter = [lap(100_000), lap(106_000, true), lap(180_000, false, 90_000), lap(100_000)];
    assert.equal(boxSide(amongBoxes, boxedBefore), 'before');
    assert.equal(boxSide(amongBoxes, boxedAfter), 'after');
    assert.equal(boxSide(lineBeforeBoxes, boxedBefore), 'after');
    assert.equal(boxSide(null, boxedBefore), 'after');
  });
});

describe('circuit profiles (rules/circuits)', () => {
  it('every shipped profile validates, with a year and a source for each value', () => {
    const profiles = loadCircuitProfiles();
    assert.ok(profiles.length >= 11);
    for (const p of profiles) {
      for (const v of [p.pitLane.line, p.pitLane.entryToLine, p.pitLane.lineToExit]) {
        if (v === null) continue;
        assert.ok(v.year >= 2000 && v.source.length > 0 && v.method.length > 20, `${p.circuit}: year, source and method`);
      }
    }
  });

  it('a bad profile is an error naming the file and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-circuits-'));
    try {
      const good = JSON.parse(readFileSync(join(repoRoot, 'rules', 'circuits', 'imola.json'), 'utf8')) as { pitLane: { lineToExit: unknown } };
      good.pitLane.lineToExit = null;
      writeFileSync(join(dir, 'imola.json'), JSON.stringify(good));
      assert.throws(() => loadCircuitProfiles(dir), /imola\.json: .*needs lineToExit/);
      writeFileSync(join(dir, 'imola.json'), '{"circuit": "imola", ');
      assert.throws(() => loadCircuitProfiles(dir), /imola\.json: not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every endurance race in the shared data has a profile', () => {
    for (const file of LAP_FILES) assert.notEqual(circuitOfRace(raceNameFromFile(file)), null, file);
    assert.equal(circuitOfRace('Porsche Carrera Cup France 30min'), null);
  });

  it('the longest race name wins: Petit Le Mans runs at Road Atlanta, not at Le Mans', () => {
    // It did match "Le Mans" first: Petit Le Mans 2024 was placed with Le Mans's pit lane.
    assert.equal(circuitOfRace('IMSA 10 Hours of Petit Le Mans 2024')?.circuit, 'road-atlanta');
    assert.equal(circuitOfRace('24 Hours of Le Mans 2019')?.circuit, 'le-mans');
    assert.equal(circuitOfRace('Mobil 1 Twelve Hours of Sebring 2025')?.circuit, 'sebring');
  });
});

/** Raw lap rows of one car, read straight from the CSV (a second path, not the parser). */
function rawLaps(file: string, car: string): Array<{ lap: number; driver: string; lapMs: number; pitMs: number | null; inPit: boolean }> {
  const seconds = (t: string): number => t.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0]!.split(';').map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  return lines
    .slice(1)
    .map((l) => l.split(';'))
    .filter((c) => c[col('NUMBER')] === car)
    .map((c) => ({
      lap: Number(c[col('LAP_NUMBER')]),
      driver: c[col('DRIVER_NAME')]!,
      lapMs: Math.round(seconds(c[col('LAP_TIME')]!) * 1000),
      pitMs: c[col('PIT_TIME')] ? Math.round(seconds(c[col('PIT_TIME')]!) * 1000) : null,
      inPit: c[col('CROSSING_FINISH_LINE_IN_PIT')] === 'B',
    }));
}

describe('Le Mans 2021 #52 lap 244 (CLI pits and drivers)', realData(), () => {
  const file = realFile('lemans-2021-race-analysis.csv');

  it('sarthe pits: the pit entry of the stop after lap 244 is placed within 30 s before the line', async () => {
    const { stdout } = await sarthe('pits', file, '--car', '52', '--json');
    const stops = (JSON.parse(stdout) as { stops: Array<{ inLap: number; inMs: number; pitEntryMs: number; basis: string }> }).stops;
    const stop = stops.find((s) => s.inLap === 244)!;
    assert.ok(stop.inMs - stop.pitEntryMs > 0 && stop.inMs - stop.pitEntryMs <= 30_000, `entry ${stop.inMs - stop.pitEntryMs} ms before the line`);
    assert.equal(stop.basis, 'circuit-profile');
    const table = (await sarthe('pits', file, '--car', '52')).stdout;
    assert.match(table, /^\s+18\s+244\s+17:55:07\s+09:55:07\s+21:01\.805\s+(\d+\.\d{3})\s/m);
    const shown = Number(/^\s+18\s+244\s+\S+\s+\S+\s+\S+\s+(\d+\.\d{3})\s/m.exec(table)![1]);
    assert.ok(shown > 0 && shown <= 30, `table shows ${shown} s`);
  });

  it("sarthe drivers: Bird's crawl counts as his driving, Molina's out-lap does not take the stop", async () => {
    const { stdout } = await sarthe('drivers', file, '--car', '52', '--json');
    const drivers = (JSON.parse(stdout) as { cars: Array<{ drivers: Array<{ driver: { name: string }; driveMs: number }> }> }).cars[0]!.drivers;
    const driveOf = (name: string) => drivers.find((d) => d.driver.name === name)!.driveMs;
    const laps = rawLaps(file, '52');
    // Bounds from the raw rows alone: each in-lap loses at most 30 s to the pit lane; each out-lap loses at least PIT_TIME − 30 s.
    const bound = (name: string) => {
      let lower = 0;
      let upper = 0;
      laps.forEach((l) => {
        if (l.driver !== name) return;
        const stop = l.pitMs ?? 0;
        const inLapPart = l.inPit ? 30_000 : 0;
        lower += l.lapMs - inLapPart - stop;
        upper += l.lapMs - Math.max(0, stop - 30_000);
      });
      return { lower, upper };
    };
    assert.equal(laps.find((l) => l.lap === 244)!.lapMs, 626_856);
    for (const name of ['Sam BIRD', 'Miguel MOLINA', 'Daniel SERRA']) {
      const { lower, upper } = bound(name);
      const drive = driveOf(name);
      assert.ok(drive >= lower && drive <= upper, `${name}: ${drive} within [${lower}, ${upper}]`);
    }
  });
});
