/**
 * The analysis commands as a person runs them (issue 3, "Done when"): the
 * compiled CLI on the real Le Mans 2019 file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { realData, realFile, repoRoot } from './helpers.js';

const run = promisify(execFile);
const sarthe = (...args: string[]) => run(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), ...args], { maxBuffer: 64 * 1024 * 1024 });

describe('analysis commands on Le Mans 2019', realData(), () => {
  const file = realFile('lemans-2019-race-analysis.csv');

  it('sarthe pits --car 8: a table of its 34 stops with the long one flagged', async () => {
    const { stdout } = await sarthe('pits', file, '--car', '8');
    const lines = stdout.split('\n');
    assert.match(lines[0]!, /Le Mans 24 Hours 2019/);
    assert.ok(lines.some((l) => /^\s*Stop\s+In lap\s+Race time\s+Time of day\s+Pit lane\s+Entry before line\s+Exit after line\s+Driver/.test(l)), 'header row');
    const rows = lines.filter((l) => /^\s+\d+\s+\d+\s+\d+:\d\d:\d\d/.test(l));
    assert.equal(rows.length, 34);
    const long = rows.filter((l) => l.includes('LONG'));
    assert.equal(long.length, 1);
    assert.match(long[0]!, /^\s+8\s+86\s+5:06:20\s+20:06:39\s+2:44\.852\s+8\.968\s+2:35\.884\s+Fernando Alonso → Kazuki Nakajima\s+LONG: lost 1m40s$/);
    assert.match(stdout, /usual stop 1:05\.136 \(median of #8's own stops\)/);
  });

  it('sarthe facts --hour 12 --json: the facts of hour 12', async () => {
    const { stdout } = await sarthe('facts', file, '--hour', '12', '--json');
    const facts = JSON.parse(stdout) as { hour: number; fromMs: number; toMs: number; facts: Array<{ kind: string }> };
    assert.equal(facts.hour, 12);
    assert.equal(facts.fromMs, 11 * 3_600_000);
    assert.equal(facts.toMs, 12 * 3_600_000);
    const kinds = new Set(facts.facts.map((f) => f.kind));
    for (const kind of ['flags-unknown', 'class-lead', 'lead-change', 'lead-share', 'class-standings', 'pit-stop', 'driver-change']) {
      assert.ok(kinds.has(kind), kind);
    }
  });

  it('drivers with --rules and an entry list; bad options fail with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-entry-'));
    try {
      const list = join(dir, 'entry.csv');
      writeFileSync(list, 'car,team_short,driver,category\n8,Toyota,Fernando ALONSO,Platinum\n');
      const { stdout } = await sarthe('drivers', file, '--car', '8', '--rules', join(repoRoot, 'rules', 'lemans.json'), '--entry-list', list);
      assert.match(stdout, /Rules: 24 Hours of Le Mans \(2019\)/);
      assert.match(stdout, /#8\s+LMP1\s+Fernando Alonso\s+Platinum\s+\d+h\d\dm\s+\d+%/);
      await assert.rejects(sarthe('pits', file, '--car', '999'), /no car #999 in this race/);
      await assert.rejects(sarthe('facts', file), /facts needs --hour N/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('flags on a file without them say unknown', async () => {
    const { stdout } = await sarthe('flags', file);
    assert.match(stdout, /Flags: unknown/);
    assert.doesNotMatch(stdout, /green/);
  });
});
