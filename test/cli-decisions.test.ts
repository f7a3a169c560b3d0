/**
 * The CLI folds the decisions shipped for a race by default, as `serve` does
 * when it replays the same file, so `sarthe standings` and the timing screen
 * agree on who was disqualified. `--decisions none` leaves them out; a race
 * with no shipped decisions gets no note. The expected results come from the
 * hand-compiled Le Mans results table, not from decisions/.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { realData, realFile, repoRoot } from './helpers.js';

const run = promisify(execFile);
const sarthe = (...args: string[]) => run(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), ...args], { maxBuffer: 64 * 1024 * 1024 });
const demo = join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv');

/** Car number → result code (NC, DSQ) of Le Mans 2019 in the results table. */
function tableCodes(): Map<string, string> {
  const rows = readFileSync(realFile('lemans-results-1923-onwards-gdsotirov.csv'), 'utf8').split(/\r?\n/).map((l) => l.split(';'));
  return new Map(rows.filter((c) => c[0] === '2019' && (c[1] === 'NC' || c[1] === 'DSQ')).map((c) => [c[3]!, c[1]!]));
}

/** Car number → the Pos column of `sarthe standings`' table. */
function posColumn(stdout: string): Map<string, string> {
  const rows = stdout.split('\n').flatMap((l) => {
    const m = /^\s*(\S+)\s.*?\s#(\w+)\s/.exec(l);
    return m === null ? [] : [[m[2]!, m[1]!] as const];
  });
  return new Map(rows);
}

describe('the CLI folds the shipped decisions, as serve does', realData(), () => {
  it('sarthe standings on the demo: NC and DSQ as the results table says, with a note on stderr', async () => {
    const table = tableCodes();
    assert.deepEqual([...table].sort(), [['43', 'NC'], ['68', 'DSQ'], ['85', 'DSQ']]);
    const { stdout, stderr } = await sarthe('standings', demo);
    const pos = posColumn(stdout);
    for (const [car, code] of table) assert.equal(pos.get(car), code, `#${car}`);
    assert.match(stderr, /race control's decisions shipped for lemans-2019 applied \(decisions\/lemans-2019-decisions\.json; --decisions none leaves them out\)/);
  });

  it('--decisions none: the timing alone, #68 and #85 classified and no note', async () => {
    const { stdout, stderr } = await sarthe('standings', demo, '--decisions', 'none', '--json');
    assert.doesNotMatch(stderr, /decisions shipped/);
    const cars = (JSON.parse(stdout) as { cars: Array<{ number: string; classified: boolean }> }).cars;
    assert.equal(cars.find((c) => c.number === '68')!.classified, true);
    assert.equal(cars.find((c) => c.number === '85')!.classified, true);
  });

  it('sarthe report --hour 24 and sarthe pits take them too; a race with none shipped gets no note', async () => {
    const [withShipped, without] = await Promise.all([sarthe('report', demo, '--hour', '24'), sarthe('report', demo, '--hour', '24', '--decisions', 'none')]);
    assert.notEqual(withShipped.stdout, without.stdout);
    assert.match(withShipped.stdout, /disqualif/i);
    const pits = await sarthe('pits', demo, '--car', '68');
    assert.match(pits.stderr, /decisions shipped for lemans-2019 applied/);
    const spa = await sarthe('standings', realFile('wec-2019-spa-6h-race-analysis.csv'));
    assert.equal(spa.stderr, '');
  });

  it('a decision for a car not in the race is named on stderr, not silently dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-decisions-'));
    try {
      const file = join(dir, 'rc.txt');
      writeFileSync(file, '2:00:00 CAR 999 - DISQUALIFIED - TEST\n2:10:00 CAR 8 - DRIVE THROUGH - UNSAFE RELEASE\n');
      const { stdout, stderr } = await sarthe('standings', realFile('wec-2019-spa-6h-race-analysis.csv'), '--decisions', file);
      assert.equal(stderr, `warning: --decisions ${file}: no car #999 in this race: their decisions change nothing\n`);
      assert.match(stdout, /declared under red flag/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
