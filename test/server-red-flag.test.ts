/**
 * A red-flag result on the live path (issue 10, Deliver 3): a replayed file
 * whose timing stops before the scheduled length with no flag to say why
 * (WEC Spa 2019) gets its result declared on the server as the CLI declares
 * it from the file: the replay sends race control's `result-declared` with
 * the last crossing. Checked against `sarthe standings --json` (the CLI
 * folds the file as a whole race, timeline.complete: the other path), then
 * again after a restart (the decision is stored like any event). The
 * hourly desk files hour 6 as the final result.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import type { Standings } from '../src/model/standings.js';
import { realData, realFile, repoRoot } from './helpers.js';
import { startServerProcess, stopServerProcess } from './server-process.js';

const run = promisify(execFile);
const SPA = realFile('wec-2019-spa-6h-race-analysis.csv');
const RACE = 'wec-2019-spa-6h';

/** What must agree: the result, and each car's place, laps, result and gaps. */
function resultOf(s: Standings) {
  return {
    result: s.result === undefined ? null : { declared: s.result.declared, atMs: s.result.atMs },
    cars: s.cars.map((c) => [c.number, c.position, c.classPosition, c.laps, c.classified, c.reason, c.gap, c.interval]),
  };
}

describe('a red-flag result on the live server', { ...realData(), timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sarthe-red-flag-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('Spa 2019 replayed to its end is declared as the CLI declares it, and stays so after a restart', async () => {
    const cli = JSON.parse((await run(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), 'standings', SPA, '--json'], { maxBuffer: 64 << 20 })).stdout) as Standings;
    assert.equal(cli.result?.declared, 'red-flag');
    const db = join(dir, 'spa.db');
    const server = await startServerProcess({ db, site: true, args: ['--replay', SPA, '--from', '5h30m', '--speed', '3000'] });
    let live: Standings | null = null;
    try {
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        live = (await (await fetch(`${server.base}/api/races/${RACE}/standings`)).json()) as Standings;
        if (live.result !== undefined) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(live?.result !== undefined, 'the live server declared a result');
      assert.deepEqual(resultOf(live), resultOf(cli));
      const messages = (await (await fetch(`${server.base}/api/races/${RACE}/messages`)).json()) as { messages: Array<{ text: string }> };
      assert.ok(messages.messages.some((m) => /will not be resumed; the result is declared/.test(m.text)), 'the feed tells the declaration');
      // The hourly desk files the hour the race stopped in as the final result (it waited for an hour that never ends).
      let page = '';
      for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
        const response = await fetch(`${server.base}/news/${RACE}-after-6-hours`);
        page = response.ok ? await response.text() : '';
        if (page !== '') break;
      }
      assert.match(page, /#8 Toyota[^<]* wins as the race is stopped in the 6th hour/);
      assert.match(page, /Result declared under red flag/);
      assert.match(page, /final-result/);
    } finally {
      await stopServerProcess(server);
    }
    const again = await startServerProcess({ db });
    try {
      const restarted = (await (await fetch(`${again.base}/api/races/${RACE}/standings`)).json()) as Standings;
      assert.deepEqual(resultOf(restarted), resultOf(cli));
    } finally {
      await stopServerProcess(again);
    }
  });
});
