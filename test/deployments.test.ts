/**
 * Two deployments on one NATS server, with real processes (reviewer's item 1
 * on issue 14): `alpha` and `beta` each run an ingest process and an edge on
 * their own SQLite file, with `--deployment alpha` / `SARTHE_DEPLOYMENT=beta`,
 * and both follow a race named `r`. A third, stray ingest process says it is
 * `alpha` but writes another file (a misconfiguration): it shares a race `x`
 * and its own race `r`, one commit ahead of alpha's.
 *
 * - beta's deltas never reach alpha's viewers, nor alpha's beta's: each
 *   viewer's deltas are exactly its own store's commits, its state its own
 *   ingest process's;
 * - alpha's edge refuses the stray's races (not served: 404; not created;
 *   alpha's `r` untouched) and logs each once, however many messages came.
 *
 * Without nats-server the suite is skipped, except with CI=true (a failure).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { TimingEvent } from '../src/model/events.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { natsServerAvailable, PrivateNats } from './nats-server.js';
import { freshSnapshot, LiveViewer } from './server-helpers.js';
import { batches, demoEvents, logLines, ready, startServerProcess, stopServerProcess, type ServerProcess } from './server-process.js';

const TOKEN = 'deployments-token';

async function send(server: ServerProcess, race: string, batch: TimingEvent[]): Promise<void> {
  const response = await fetch(`${server.base}/api/races/${race}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
    body: batch.map((e) => JSON.stringify(e)).join('\n'),
  });
  assert.equal(response.status, 200, await response.text());
}

/** The store's commit seqs of a race (one delta each), read from the file. */
async function commitSeqs(db: string, race: string): Promise<number[]> {
  const store = new SqliteEventStore({ file: db });
  try {
    return [...new Set((await store.readSince(race, 0, 1_000_000)).map((e) => e.commitSeq))];
  } finally {
    await store.close();
  }
}

describe('two deployments on one NATS server (real processes)', { ...natsServerAvailable(), timeout: 180_000 }, () => {
  let nats: PrivateNats;
  const dir = mkdtempSync(join(tmpdir(), 'sarthe-deployments-'));
  const running: ServerProcess[] = [];
  const viewers: LiveViewer[] = [];
  let events: TimingEvent[] = [];

  /** A process of `deployment` on `db`: by flag for alpha, by SARTHE_DEPLOYMENT for beta (both ways are tested). */
  const start = async (role: 'ingest' | 'edge', deployment: string, db: string) => {
    const byFlag = deployment === 'alpha';
    const server = await startServerProcess({
      db,
      token: TOKEN,
      args: ['--role', role, '--bus', nats.url, '--synchronous', 'normal', ...(byFlag ? ['--deployment', deployment] : []), ...(role === 'edge' ? ['--edge-catch-up', '1000'] : [])],
      env: byFlag ? {} : { SARTHE_DEPLOYMENT: deployment },
    });
    running.push(server);
    await ready(server);
    return server;
  };

  before(async () => {
    nats = await PrivateNats.start();
    events = await demoEvents(600);
  });
  after(async () => {
    for (const v of viewers) v.close();
    for (const server of running) await stopServerProcess(server);
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deltas of one never reach viewers of the other; an edge ignores a bus race its store does not hold, and logs it once', async () => {
    const alphaDb = join(dir, 'alpha.db');
    const betaDb = join(dir, 'beta.db');
    const strayDb = join(dir, 'stray.db');
    const alphaIngest = await start('ingest', 'alpha', alphaDb);
    const alphaEdge = await start('edge', 'alpha', alphaDb);
    const betaIngest = await start('ingest', 'beta', betaDb);
    const betaEdge = await start('edge', 'beta', betaDb);
    const alphaLog = logLines(alphaEdge);
    const betaLog = logLines(betaEdge);

    // The same race id in both, with different commits: alpha in batches of 40, beta of 30.
    const alphaBatches = batches(events.slice(0, 480), 40);
    const betaBatches = batches(events.slice(0, 450), 30);
    await send(alphaIngest, 'r', alphaBatches[0]!);
    await send(betaIngest, 'r', betaBatches[0]!);
    const alphaViewer = new LiveViewer(alphaEdge.base, 'r');
    const betaViewer = new LiveViewer(betaEdge.base, 'r');
    viewers.push(alphaViewer, betaViewer);
    await alphaViewer.waitForSeq(40, 20_000);
    await betaViewer.waitForSeq(30, 20_000);
    for (let i = 1; i < 15; i++) {
      if (i < 10) await send(alphaIngest, 'r', alphaBatches[i]!);
      await send(betaIngest, 'r', betaBatches[i]!);
    }
    await alphaViewer.waitForSeq(400, 20_000);

    // The stray alpha ingest on another file: its own 'r' (one commit ahead of alpha's, on top of seq 400) and a race 'x'.
    const stray = await start('ingest', 'alpha', strayDb);
    for (const batch of batches(events.slice(0, 440), 40)) await send(stray, 'r', batch);
    for (const batch of batches(events.slice(0, 120), 40)) await send(stray, 'x', batch);
    const refusals = () => alphaLog.filter((l) => l.includes('not in this store'));
    for (const until = Date.now() + 20_000; refusals().length < 2 && Date.now() < until; ) await delay(50);
    for (let i = 10; i < alphaBatches.length; i++) await send(alphaIngest, 'r', alphaBatches[i]!);
    await alphaViewer.waitForSeq(480, 20_000);
    await betaViewer.waitForSeq(450, 20_000);
    await delay(1500);

    // Each viewer: exactly its own store's commits, and its own ingest process's state.
    assert.deepEqual(alphaViewer.deltas, (await commitSeqs(alphaDb, 'r')).slice(1), 'alpha: every alpha commit once, nothing else');
    assert.deepEqual(betaViewer.deltas, (await commitSeqs(betaDb, 'r')).slice(1), 'beta: every beta commit once, nothing else');
    assert.equal(alphaViewer.snapshots, 1, 'never resynchronised');
    assert.equal(betaViewer.snapshots, 1);
    assert.deepStrictEqual(alphaViewer.state, await freshSnapshot(alphaIngest.base, 'r'));
    assert.deepStrictEqual(betaViewer.state, await freshSnapshot(betaIngest.base, 'r'));
    assert.deepStrictEqual(await freshSnapshot(alphaEdge.base, 'r'), await freshSnapshot(alphaIngest.base, 'r'));

    // The stray's race x: neither served nor listed by alpha's edge; beta's edge never heard of it.
    for (const edge of [alphaEdge, betaEdge]) {
      assert.equal((await fetch(`${edge.base}/api/races/x`)).status, 404, edge.base);
      const { races } = (await (await fetch(`${edge.base}/api/races`)).json()) as { races: Array<{ id: string }> };
      assert.deepEqual(races.map((r) => r.id), ['r'], edge.base);
    }
    // Logged once each (x: not in the store; r: another store's epoch), though 3 and 11 messages came.
    const logged = refusals().map((l) => JSON.parse(l) as { race: string; why: string });
    assert.deepEqual(logged.map((l) => l.race).sort(), ['r', 'x']);
    assert.match(logged.find((l) => l.race === 'r')!.why, /has epoch/);
    assert.match(logged.find((l) => l.race === 'x')!.why, /holds no race/);
    assert.deepEqual(betaLog.filter((l) => l.includes('not in this store')), [], 'beta never saw alpha\'s subjects');
  });
});
