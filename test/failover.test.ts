/**
 * Scaled out, with real processes (issue 14, item 4): an ingest process and
 * two edges (`node bin/sarthe.js serve --role …`) on one SQLite file, linked
 * by a PRIVATE nats-server with JetStream (test/nats-server.ts), so killing
 * or restarting it disturbs no one.
 *
 * - kill -9 an edge with viewers on it: they reconnect with Last-Event-ID to
 *   the other edge, get exactly the deltas they missed, and end equal to a
 *   fresh viewer;
 * - kill -9 the ingest process while a client sends batches, restart it,
 *   resend everything: no acknowledged event lost or doubled, and the edges
 *   follow the restarted process;
 * - restart NATS under a burst: the edges resume from the stream without a
 *   lost delta (their safety net under the bus is off, `--edge-catch-up 0`,
 *   and they never read a commit from the store after starting).
 *
 * Without nats-server the suite is skipped, except with CI=true (a failure).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { eventKey, type TimingEvent } from '../src/model/events.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { natsServerAvailable, PrivateNats } from './nats-server.js';
import { freshSnapshot, LiveViewer } from './server-helpers.js';
import { batches, demoEvents, kill, logLines, ready, startServerProcess, stopServerProcess, type ServerProcess } from './server-process.js';

const TOKEN = 'failover-token';

/** The first `count` events of Le Mans 2019 in race-time order. */
interface Acknowledged {
  key: string;
  seq: number;
  status: string;
}

async function send(server: ServerProcess, race: string, batch: TimingEvent[]): Promise<Acknowledged[]> {
  const response = await fetch(`${server.base}/api/races/${race}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
    body: batch.map((e) => JSON.stringify(e)).join('\n'),
  });
  assert.equal(response.status, 200);
  const reply = (await response.json()) as { results: Array<{ index: number; status: string; seq: number }> };
  return reply.results.map((r) => ({ key: eventKey(batch[r.index]!), seq: r.seq, status: r.status }));
}

/** The store's commit seqs of a race after `afterSeq` (one delta each), read from the file. */
async function commitSeqs(db: string, race: string, afterSeq: number): Promise<number[]> {
  const store = new SqliteEventStore({ file: db });
  try {
    const seqs = new Set<number>();
    for (const e of await store.readSince(race, afterSeq, 1_000_000)) seqs.add(e.commitSeq);
    return [...seqs];
  } finally {
    await store.close();
  }
}

describe('failover with real processes (ingest, edges, NATS JetStream)', { ...natsServerAvailable(), timeout: 240_000 }, () => {
  let nats: PrivateNats;
  const dir = mkdtempSync(join(tmpdir(), 'sarthe-failover-'));
  const running: ServerProcess[] = [];
  const watching: LiveViewer[] = [];
  let events: TimingEvent[] = [];
  /** A viewer closed after the suite even when an assertion failed (it reconnects forever otherwise). */
  const viewer = (base: string, race: string) => {
    const v = new LiveViewer(base, race, 50);
    watching.push(v);
    return v;
  };

  const start = async (role: 'ingest' | 'edge', db: string, args: string[] = []) => {
    const server = await startServerProcess({
      db,
      token: TOKEN,
      args: ['--role', role, '--bus', nats.url, '--synchronous', 'normal', ...(role === 'edge' ? ['--edge-catch-up', '0'] : []), ...args],
    });
    running.push(server);
    await ready(server);
    return server;
  };

  before(async () => {
    nats = await PrivateNats.start();
    events = await demoEvents(4000);
  });
  after(async () => {
    for (const v of watching) v.close();
    for (const server of running) await stopServerProcess(server);
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 an edge under viewers: they reconnect to another edge with Last-Event-ID and end equal to a fresh viewer', async () => {
    const db = join(dir, 'edge-kill.db');
    const queue = batches(events, 40);
    const ingest = await start('ingest', db);
    const edgeA = await start('edge', db);
    const edgeB = await start('edge', db);
    for (let i = 0; i < 10; i++) await send(ingest, 'r', queue[i]!);
    // An edge takes no events: the ingest process is the one writer.
    const refused = await fetch(`${edgeA.base}/api/races/r/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '[]' });
    assert.equal(refused.status, 404);
    const viewers = Array.from({ length: 6 }, () => viewer(edgeA.base, 'r'));
    for (const v of viewers) await v.waitForSeq(400);
    // The deltas a viewer records start after its snapshot (it may have taken deltas before the wait above returned).
    const firstSeen = viewers.map((v) => v.snapshotSeqs[0]!);
    for (let i = 10; i < 60; i++) {
      if (i === 30) {
        // A load balancer sends them elsewhere once this edge is gone.
        for (const v of viewers) v.moveTo(edgeB.base);
        await kill(edgeA, 'SIGKILL');
        // Back on the other edge before the burst goes on: a viewer that missed more deltas than a snapshot weighs gets a snapshot (live-push.ts).
        for (const v of viewers) while (v.connections < 2 || v.state!.seq < 30 * 40) await delay(10);
      }
      await send(ingest, 'r', queue[i]!);
    }
    const last = 60 * 40;
    for (const v of viewers) await v.waitForSeq(last, 20_000);
    const fresh = await freshSnapshot(edgeB.base, 'r');
    assert.deepStrictEqual(fresh, await freshSnapshot(ingest.base, 'r'), 'the edge holds what the ingest process holds');
    const expected = await commitSeqs(db, 'r', firstSeen[0]!);
    for (const [i, v] of viewers.entries()) {
      assert.deepStrictEqual(v.state, fresh);
      assert.ok(v.connections >= 2, 'it reconnected');
      assert.equal(v.snapshots, 1, 'the other edge had the deltas it missed: no new snapshot');
      assert.deepEqual(v.deltas, await commitSeqs(db, 'r', firstSeen[i]!), 'every commit once, in order, none missing');
      v.close();
    }
    assert.equal(expected.length, (last - firstSeen[0]!) / 40, 'one commit of 40 events each after the first snapshot');
    await stopServerProcess(edgeB);
    await stopServerProcess(ingest);
  });

  it('kill -9 the ingest process mid-burst, restart it, resend everything: nothing acknowledged lost or doubled', async () => {
    const db = join(dir, 'ingest-kill.db');
    const queue = batches(events, 50);
    let ingest = await start('ingest', db);
    const edge = await start('edge', db);
    const follower = viewer(edge.base, 'b');
    const acknowledged = new Map<string, number>();
    let next = 0;
    while (next < 25) {
      for (const r of await send(ingest, 'b', queue[next]!)) acknowledged.set(r.key, r.seq);
      next++;
    }
    // Batches in flight when it dies: some may be stored and never answered.
    let lost = 0;
    const inFlight = [0, 1, 2, 3].map((i) =>
      send(ingest, 'b', queue[next + i]!).then(
        (results) => results.forEach((r) => acknowledged.set(r.key, r.seq)),
        () => void lost++,
      ),
    );
    await delay(3);
    await kill(ingest, 'SIGKILL');
    await Promise.all(inFlight);
    assert.ok(lost > 0, 'batches were in flight when the process died');
    ingest = await start('ingest', db);
    // The client resends everything it sent, acknowledged or not.
    const statuses = new Map<string, number>();
    for (const batch of queue) {
      for (const r of await send(ingest, 'b', batch)) {
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        const before = acknowledged.get(r.key);
        if (before !== undefined) assert.equal(r.seq, before, `${r.key} keeps the seq it was acknowledged with`);
        acknowledged.set(r.key, r.seq);
      }
    }
    assert.ok((statuses.get('duplicate') ?? 0) >= 25 * 50, 'what was acknowledged comes back as duplicates');
    assert.equal(statuses.get('conflict'), undefined);

    const store = new SqliteEventStore({ file: db });
    const stored = await store.readSince('b', 0, 1_000_000);
    await store.close();
    assert.deepEqual(stored.map((e) => e.seq), stored.map((_, i) => i + 1), 'seqs 1..n with no gap');
    assert.equal(new Set(stored.map((e) => e.key)).size, stored.length, 'no key stored twice');
    assert.deepEqual(new Set(stored.map((e) => e.key)), new Set(events.map(eventKey)), 'exactly the events sent');
    const bySeq = new Map(stored.map((e) => [e.key, e.seq]));
    for (const [key, seq] of acknowledged) assert.equal(bySeq.get(key), seq);

    // The edge followed both ingest processes: its viewer ends where the store ends.
    await follower.waitForSeq(stored.length, 20_000);
    assert.deepStrictEqual(follower.state, await freshSnapshot(ingest.base, 'b'));
    await stopServerProcess(edge);
    await stopServerProcess(ingest);
  });

  it('restart NATS under a burst: edges resume from the stream, no delta lost, seqs contiguous', async () => {
    const db = join(dir, 'nats-restart.db');
    const queue = batches(events, 40);
    const ingest = await start('ingest', db);
    const edges = [await start('edge', db), await start('edge', db)];
    const logs = edges.map(logLines);
    for (let i = 0; i < 5; i++) await send(ingest, 'n', queue[i]!);
    const viewers = edges.flatMap((edge) => Array.from({ length: 3 }, () => viewer(edge.base, 'n')));
    for (const v of viewers) await v.waitForSeq(200);
    for (let i = 5; i < 60; i++) {
      if (i === 20) await nats.kill();
      // The store is the truth: ingest keeps answering while the bus is down.
      if (i === 40) await nats.run();
      await send(ingest, 'n', queue[i]!);
    }
    const last = 60 * 40;
    for (const v of viewers) await v.waitForSeq(last, 40_000);
    const fresh = await freshSnapshot(ingest.base, 'n');
    const expected = await commitSeqs(db, 'n', 200);
    assert.equal(expected.length, 55);
    for (const v of viewers) {
      assert.deepStrictEqual(v.state, fresh);
      assert.equal(v.snapshots, 1, 'never resynchronised: every delta came in order');
      assert.deepEqual(v.deltas, expected, 'contiguous: every commit once, in order');
      v.close();
    }
    for (const lines of logs) {
      assert.deepEqual(lines.filter((l) => l.includes('edge caught up from the store')), [], 'every commit came from the bus, none read from the store');
    }
    for (const edge of edges) await stopServerProcess(edge);
    await stopServerProcess(ingest);
  });
});
