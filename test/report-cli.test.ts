/**
 * `sarthe report` as a person runs it (issue 4, "Done when"): the compiled
 * CLI on the real Le Mans 2019 file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { realData, realFile, repoRoot } from './helpers.js';

const run = promisify(execFile);
const sarthe = (...args: string[]) => run(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), ...args], { maxBuffer: 64 * 1024 * 1024 });

describe('sarthe report on Le Mans 2019', realData(), () => {
  const file = realFile('lemans-2019-race-analysis.csv');

  it('--hour 12: Markdown a reader recognises, --check passes', async () => {
    const { stdout, stderr } = await sarthe('report', file, '--hour', '12', '--check');
    // The car and its crew, not whoever happens to be driving; the car that pits.
    assert.match(stdout, /^# Le Mans 24 Hours 2019: #7 Toyota of Conway, Kobayashi and Lopez (into lead|goes ahead) as #8 pits at half-distance\n/);
    assert.match(stdout, /\n\*\*Mike Conway took the #7 Toyota into the lead .* 4\.5s ahead of Sébastien Buemi\.\*\*\n/);
    for (const heading of ['## LMP2 - #26 G-Drive', '## LMGTE Pro - #92 Porsche lead cut to 2.2s', '## LMGTE Am - #85 Keating', '## Positions after 12 hours', '### LMP1']) {
      assert.ok(stdout.includes(heading), heading);
    }
    assert.match(stdout, /\| 1 \| #7 \| Toyota Gazoo Racing \| Mike Conway, Kamui Kobayashi, Jose Maria Lopez \| 188 \|/);
    // The shipped decisions of Le Mans 2019 are said first (cli-decisions.test.ts), then the check.
    assert.match(stderr, /^(sarthe: race control's decisions shipped for lemans-2019 applied .*\n)?hour 12: \d+ facts checked, 0 false\n$/);
  });

  it('--format json: headline, standfirst, sections with paragraphs and their facts, tables', async () => {
    const { stdout } = await sarthe('report', file, '--hour', '6', '--format', 'json');
    const report = JSON.parse(stdout) as {
      headline: string;
      standfirst: string;
      sections: Array<{ heading: string | null; paragraphs: Array<{ text: string; facts: Array<{ kind: string }> }> }>;
      tables: Array<{ class: string; rows: Array<{ car: string; laps: number }> }>;
    };
    assert.match(report.headline, /^Le Mans 24 Hours 2019: /);
    assert.equal(report.sections.length, 4);
    assert.equal(report.sections[0]!.heading, null);
    assert.ok(report.sections.every((s) => s.paragraphs.every((p) => p.text.length > 0 && p.facts.length > 0)));
    assert.deepEqual(report.tables.map((t) => t.class), ['LMP1', 'LMP2', 'LMGTE Pro', 'LMGTE Am']);
  });

  it('--format html escapes, --all covers 24 hours, a wrong hour or format is an error', async () => {
    const { stdout } = await sarthe('report', file, '--hour', '24', '--format', 'html');
    assert.match(stdout, /^<article class="race-report">\n<h1>Le Mans 24 Hours 2019: /);
    assert.ok(stdout.includes('Dempsey - Proton') || stdout.includes('&amp;') || stdout.includes('<table>'));
    const all = await sarthe('report', file, '--all', '--check');
    assert.equal((all.stdout.match(/^# Le Mans 24 Hours 2019: /gm) ?? []).length, 24);
    assert.equal((all.stderr.match(/facts checked, 0 false/g) ?? []).length, 24);
    await assert.rejects(sarthe('report', file, '--hour', '25'), /no hour 25 in this race: its timing covers hours 1 to 24/);
    await assert.rejects(sarthe('report', file, '--hour', '3', '--format', 'pdf'), /--format must be one of md, html, json/);
    await assert.rejects(sarthe('report', file), /report needs --hour N or --all/);
  });
});
