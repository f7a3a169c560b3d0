/**
 * A newcomer copies the README's commands from a fresh clone: every file a
 * `npx sarthe` example names must be in the repo (the bundled demo race),
 * not in ../shared or a placeholder like race.csv. One example is run to
 * show the demo answers.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './helpers.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const examples = readme.split('\n').filter((line) => /^\s*npx sarthe \w/.test(line));

describe('README examples', () => {
  it('name only files a fresh clone has', () => {
    assert.ok(examples.length >= 10, `${examples.length} examples`);
    const missing: string[] = [];
    for (const line of examples) {
      const command = line.split(/\s+#/)[0]!;
      for (const word of command.split(/\s+/)) {
        if (!/\.(csv|json|zip)$/.test(word)) continue;
        if (!existsSync(join(repoRoot, word))) missing.push(`${word} in: ${line.trim()}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('the standings example answers from the demo race', () => {
    const out = execFileSync(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), 'standings', 'demo/lemans-2019-race-analysis.csv', '--at', '6h', '--json'], { cwd: repoRoot, encoding: 'utf8' });
    const standings = JSON.parse(out) as { at: { raceTimeMs: number }; cars: Array<{ number: string }> };
    assert.equal(standings.at.raceTimeMs, 6 * 3_600_000);
    assert.ok(standings.cars.length > 50);
  });
});
