/**
 * Fault tolerance (issue 5 §6), on the real server process:
 * - SIGKILL in the middle of a stream of ingest batches, restart, resend
 *   what was not acknowledged: the final state is a clean fold of all the
 *   events, and no acknowledged event is missing or doubled.
 * - A restart under connected viewers: they reconnect with Last-Event-ID and
 *   end with the same state as a fresh viewer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents } from '../src/engine/timeline.js';
import { eventKey, type TimingEvent } from '../src/model/events.js';
import { freshSnapshot, LiveViewer } from './server-helpers.js';
import { batches, demoEvents, kill, startServerProcess, type ServerProcess } from './server-process.js';

const TOKEN = 'fault-token';
const dir = mkdtempSync(join(tmpdir(), 'sarthe-fault-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The first `count` events of Le Mans 2019 in race-time order. */
async function send(server: ServerProcess, race: string, batch: TimingEvent[]) {
  const response = await fetch(`${server.base}/api/races/${race}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
    body: batch.map((e) => JSON.stringify(e)).join('\n'),
  });
  assert.equal(response.status, 200);
  const reply = (await response.json()) as { results: Array<{ index: number; status: string; seq: number }> };
  return { results: reply.results.map((r) => ({ ...r, key: eventKey(batch[r.index]!) })) };
}

async function allStored(server: ServerProcess, race: string): Promise<Array<{ seq: number; key: string }>> {
  const stored: Array<{ seq: number; key: string }> = [];
  for (;;) {
    const page = (await (await fetch(`${server.base}/api/races/${race}/events?after=${stored.at(-1)?.seq ?? 0}&limit=10000`)).json()) as {
      events: Array<{ seq: number; key: string }>;
    };
    if (page.events.length === 0) return stored;
    stored.push(...page.events.map((e) => ({ seq: e.seq, key: e.key })));
  }
}

describe('fault tolerance of the real server process', { timeout: 120_000 }, () => {
  it('SIGKILL during a stream of ingest batches loses and doubles nothing acknowledged', async () => {
    const db = join(dir, 'kill.db');
    const events = await demoEvents(6000);
    const queue = batches(events, 100);
    /** Seq each acknowledged event was stored under, by key. */
    const acknowledged = new Map<string, number>();
    let server = await startServerProcess({ db, token: TOKEN });
    let next = 0;
    let lost = 0;
    // Two kills, each while batches are in flight (several sent at once, unawaited).
    for (const killAfter of [17, 41]) {
      while (next < killAfter) {
        const reply = await send(server, 'r', queue[next]!);
        for (const r of reply.results) acknowledged.set(r.key, r.seq);
        next++;
      }
      const inFlight = [0, 1, 2].map((i) =>
        send(server, 'r', queue[next + i]!).then(
          (reply) => reply.results.forEach((r) => acknowledged.set(r.key, r.seq)),
          () => { lost++; }, // not acknowledged: resent below
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 2));
      await kill(server, 'SIGKILL');
      await Promise.all(inFlight);
      server = await startServerProcess({ db, token: TOKEN });
      // Resend everything from the first batch not wholly acknowledged.
      while (next < queue.length && queue[next]!.every((e) => acknowledged.has(eventKey(e)))) next++;
    }
    assert.ok(lost > 0, 'some batches were in flight when the process died');
    for (; next < queue.length; next++) {
      const reply = await send(server, 'r', queue[next]!);
      for (const r of reply.results) {
        const before = acknowledged.get(r.key);
        if (before !== undefined) assert.equal(r.seq, before, `${r.key} keeps the seq it was acknowledged with`);
        acknowledged.set(r.key, r.seq);
      }
    }

    const stored = await allStored(server, 'r');
    assert.deepEqual(stored.map((e) => e.seq), stored.map((_, i) => i + 1), 'seqs 1..n with no gap');
    assert.equal(new Set(stored.map((e) => e.key)).size, stored.length, 'no key stored twice');
    assert.equal(stored.length, events.length, 'every event stored');
    const bySeq = new Map(stored.map((e) => [e.key, e.seq]));
    for (const [key, seq] of acknowledged) assert.equal(bySeq.get(key), seq, `acknowledged ${key} is stored under its seq`);
    const live = await (await fetch(`${server.base}/api/races/r/standings`)).json();
    assert.deepEqual(live, JSON.parse(JSON.stringify(standingsAt(foldEvents(events), null))), 'state = clean fold of all events');
    await kill(server, 'SIGTERM');
  });

  it('viewers connected across a restart reconnect with Last-Event-ID and end as a fresh viewer', async () => {
    const db = join(dir, 'restart.db');
    const queue = batches(await demoEvents(3000), 150);
    let server = await startServerProcess({ db, token: TOKEN });
    const port = server.port;
    const viewers: LiveViewer[] = [];
    // A failed assertion must not leave viewers reconnecting and a server running: the test file would never exit.
    try {
      for (let i = 0; i < 5; i++) await send(server, 'r', queue[i]!);
      for (let n = 0; n < 5; n++) viewers.push(new LiveViewer(server.base, 'r', 100));
      for (const v of viewers) await v.waitForSeq(750);
      for (let i = 5; i < 10; i++) await send(server, 'r', queue[i]!);
      for (const v of viewers) await v.waitForSeq(1500);
      await kill(server, 'SIGKILL');
      server = await startServerProcess({ db, token: TOKEN, port });
      for (let i = 10; i < queue.length; i++) await send(server, 'r', queue[i]!);
      for (const v of viewers) await v.waitForSeq(3000, 30_000);
      const fresh = await freshSnapshot(server.base, 'r');
      for (const v of viewers) {
        assert.deepStrictEqual(v.state, fresh);
        assert.ok(v.connections >= 2);
        // The restarted server rebuilds the recent deltas, so a viewer mostly needs no new snapshot. In about 1 run
        // in 4 here one gets a second snapshot, most likely by reconnecting while the server still loads its store
        // (it listens first: docs/operations.md); a snapshot is correct, only heavier. Its deltas must then ascend to the head.
        assert.ok(v.snapshots <= 2, `${v.snapshots} snapshots`);
        if (v.snapshots === 1) {
          // Every commit of 150 events after the viewer's snapshot (750, or an earlier one if it joined before the wait returned), once, in order.
          const from = v.snapshotSeqs[0]!;
          assert.deepEqual(v.deltas, Array.from({ length: (3000 - from) / 150 }, (_, k) => from + 150 * (k + 1)));
        } else {
          assert.ok(v.deltas.every((seq, k) => k === 0 || seq > v.deltas[k - 1]!) && v.deltas.at(-1) === 3000, v.deltas.join(','));
        }
      }
    } finally {
      for (const v of viewers) v.close();
      await kill(server, 'SIGTERM');
    }
  });
});
