/**
 * The commands themselves, as an organiser runs them: `sarthe feed rmonitor
 * FILE --port 0` in one process, `sarthe serve --source rmonitor://…` in
 * another; the live standings at the end equal `sarthe standings FILE
 * --format rmonitor --json`.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { realData, realFile, repoRoot } from './helpers.js';
import { kill, startServerProcess } from './server-process.js';

const SARTHE = join(repoRoot, 'bin', 'sarthe.js');

describe('sarthe feed → sarthe serve --source (processes)', realData(), () => {
  it('a capture with a $I reset: live standings equal standings --format rmonitor', async () => {
    const file = realFile('rmonitor/mid-race-reset-retain-lap-time.txt');
    const expected = JSON.parse(execFileSync(process.execPath, [SARTHE, 'standings', file, '--format', 'rmonitor', '--json'], { encoding: 'utf8' }));
    const feed = spawn(process.execPath, [SARTHE, 'feed', 'rmonitor', file, '--port', '0', '--speed', '1000000', '--max-gap', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const feedExited = new Promise<number | null>((resolve) => feed.once('exit', resolve));
    // Everything after the spawn is in the try: a feed that never prints its
    // port (a loaded machine) must still be killed, or its pipes keep the test
    // process, and the whole suite, alive.
    let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-feed-cli-'));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('feed did not print its port within 60 s')), 60_000);
        timer.unref();
        feedExited.then((code) => reject(new Error(`feed exited (${code}) before printing its port`)), () => {});
        createInterface({ input: feed.stdout! }).once('line', (line) => {
          clearTimeout(timer);
          resolve(Number(line));
        });
      });
      server = await startServerProcess({ db: join(dir, 'db.sqlite'), args: ['--source', `rmonitor://127.0.0.1:${port}`, '--race', 'club'] });
      assert.equal(await feedExited, 0, 'the feed played the whole capture and exited');
      const race = `club-${expected.session.key}`;
      type Served = { cars: Array<{ number: string; laps: number }> };
      let live = null as Served | null;
      const until = Date.now() + 20_000;
      for (;;) {
        const response = await fetch(`${server.base}/api/races/${race}/standings`);
        if (response.status === 200) {
          live = (await response.json()) as typeof live;
          if (JSON.stringify(live!.cars.map((c) => [c.number, c.laps])) === JSON.stringify(expected.cars.map((c: { number: string; laps: number }) => [c.number, c.laps]))) break;
        }
        if (Date.now() > until) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const served = live as Served | null;
      assert.ok(served !== null, `race ${race} served`);
      assert.deepEqual(served.cars, expected.cars);
      const summary = (await (await fetch(`${server.base}/api/races/${race}`)).json()) as { feed: { source: string; state: string } };
      assert.equal(summary.feed.source, `rmonitor://127.0.0.1:${port}`);
      assert.notEqual(summary.feed.state, 'live', 'the feed ended: the server says it is reconnecting');
    } finally {
      feed.kill('SIGKILL');
      if (server !== undefined) await kill(server, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
