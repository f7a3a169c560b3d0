/**
 * An edge's races follow an ingest process's through a shared bus (here the
 * in-process one, so the logic is tested without NATS; the real processes
 * are in failover.test.ts): same seqs, same deltas, same snapshots; a
 * message lost or announced without events is read from the store; what the
 * edge already holds is skipped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { BusMessage } from '../src/bus/index.js';
import { MemoryBus } from '../src/bus/memory/index.js';
import type { TimingEvent } from '../src/model/events.js';
import { RaceHub } from '../src/server/races.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { entry, lap, session } from './helpers.js';

const log = pino({ level: 'silent' });
const start: TimingEvent[] = [session(), entry('1', 'A'), entry('2', 'A'), entry('3', 'B')];
const lapBatch = (n: number): TimingEvent[] => ['1', '2', '3'].map((car, i) => lap(car, n, n * 100_000 + i * (n % 2 === 0 ? 900 : -900) + 5_000));

/** An ingest hub and an edge hub on one store, the ingest sharing on `shared`, the edge's viewers' deltas recorded. */
async function pair(deliver: (message: BusMessage, edge: RaceHub) => void | Promise<void>) {
  const store = new SqliteEventStore({ file: ':memory:' });
  const shared = new MemoryBus();
  const ingest = new RaceHub(store, new MemoryBus(), log);
  ingest.shared = shared;
  const ingestDeltas: BusMessage[] = [];
  const edgeBus = new MemoryBus();
  const edge = new RaceHub(store, edgeBus, log);
  const edgeDeltas: BusMessage[] = [];
  const pending: Promise<unknown>[] = [];
  await shared.follow((m) => void pending.push(Promise.resolve(deliver(m, edge))));
  const watch = () => {
    ingest.bus.subscribe('r', (m) => ingestDeltas.push(m));
    edgeBus.subscribe('r', (m) => edgeDeltas.push(m));
  };
  return { store, ingest, edge, ingestDeltas, edgeDeltas, watch, settle: async () => void (await Promise.all(pending)) };
}

describe('edge following the shared bus', () => {
  it('applies each commit from the message: the same seqs, deltas and snapshot as the ingest process', async () => {
    const p = await pair((m, edge) => edge.follow(m));
    p.watch();
    await p.ingest.ingest('r', start);
    for (let n = 1; n <= 12; n++) await p.ingest.ingest('r', lapBatch(n));
    await p.settle();
    assert.equal(p.edge.get('r')!.seq, 40);
    assert.equal(p.edge.get('r')!.epoch, p.ingest.get('r')!.epoch);
    assert.deepEqual(p.edgeDeltas.map((m) => [m.previousSeq, m.seq, m.data]), p.ingestDeltas.map((m) => [m.previousSeq, m.seq, m.data]));
    assert.equal(p.edge.get('r')!.snapshotData(), p.ingest.get('r')!.snapshotData());
    assert.equal(p.edge.filledFromStore, 0, 'every commit came with its events');
  });

  it('a lost message is read from the store when the next one shows the gap; a message it has is skipped', async () => {
    let n = 0;
    const p = await pair(async (m, edge) => {
      n++;
      if (n === 4 || n === 5) return; // lost on the way
      await edge.follow(m);
      if (n === 7) await edge.follow(m); // delivered twice
    });
    p.watch();
    await p.ingest.ingest('r', start);
    for (let lapN = 1; lapN <= 8; lapN++) await p.ingest.ingest('r', lapBatch(lapN));
    await p.settle();
    // At least the two lost ones (more when the store was ahead of the queue when it read).
    assert.ok(p.edge.filledFromStore >= 2, `filled ${p.edge.filledFromStore}`);
    assert.deepEqual(p.edgeDeltas.map((m) => m.seq), p.ingestDeltas.map((m) => m.seq));
    assert.deepEqual(p.edgeDeltas.map((m) => m.data), p.ingestDeltas.map((m) => m.data));
    assert.equal(p.edge.get('r')!.snapshotData(), p.ingest.get('r')!.snapshotData());
  });

  it('an edge that starts late loads the store, then applies only what follows; a head without events is read from the store', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    const shared = new MemoryBus();
    const ingest = new RaceHub(store, new MemoryBus(), log);
    ingest.shared = shared;
    await ingest.ingest('r', start);
    for (let n = 1; n <= 5; n++) await ingest.ingest('r', lapBatch(n));
    // Stored, never shared (an ingest process killed between the two).
    ingest.shared = null;
    await ingest.ingest('r', lapBatch(6));
    ingest.shared = shared;

    const edge = new RaceHub(store, new MemoryBus(), log);
    const pending: Promise<void>[] = [];
    await shared.follow((m) => void pending.push(edge.follow(m)));
    let loaded!: () => void;
    const ready = new Promise<void>((resolve) => (loaded = resolve));
    edge.holdFollowing(ready);
    // Shared while the edge loads: held until loaded, then skipped (the load has it) or applied.
    await ingest.ingest('r', lapBatch(7));
    await edge.loadAll();
    loaded();
    await ingest.ingest('r', lapBatch(8));
    await Promise.all(pending);
    assert.equal(edge.get('r')!.seq, ingest.get('r')!.seq);
    assert.equal(edge.filledFromStore, 0);
    // The restarted ingest announces its head: an edge behind reads the rest from the store.
    const behind = new RaceHub(store, new MemoryBus(), log);
    await behind.follow({ race: 'r', seq: 4, previousSeq: 0, data: '{}', epoch: ingest.get('r')!.epoch, events: start });
    assert.equal(behind.get('r')!.seq, 4);
    assert.equal(behind.filledFromStore, 0);
    const head = await new Promise<BusMessage>((resolve) => {
      void shared.follow(resolve);
      ingest.announceHeads();
    });
    assert.equal(head.events, undefined);
    await behind.follow(head);
    assert.equal(behind.get('r')!.seq, ingest.get('r')!.seq);
    assert.equal(behind.get('r')!.snapshotData(), ingest.get('r')!.snapshotData());
    assert.ok(behind.filledFromStore > 0);
  });

  it('the store safety net brings new races and missed commits without any message', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    const ingest = new RaceHub(store, new MemoryBus(), log);
    await ingest.ingest('r', start);
    await ingest.ingest('q', start);
    await ingest.ingest('r', lapBatch(1));
    const edge = new RaceHub(store, new MemoryBus(), log);
    assert.equal(await edge.catchUpFromStore(), 3);
    assert.deepEqual(edge.list().map((r) => [r.id, r.seq, r.epoch]).sort(), ingest.list().map((r) => [r.id, r.seq, r.epoch]).sort());
    assert.equal(await edge.catchUpFromStore(), 0);
  });

  it('refuses a race its own store does not hold, or holds under another epoch, whatever the bus brings; logs it once', async () => {
    const lines: Array<{ race?: string; why?: string; msg?: string }> = [];
    const recording = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const ours = new SqliteEventStore({ file: ':memory:' });
    const theirs = new SqliteEventStore({ file: ':memory:' });
    const ourIngest = new RaceHub(ours, new MemoryBus(), log);
    const theirIngest = new RaceHub(theirs, new MemoryBus(), log);
    // One bus, two stores: an ingest process of another deployment (or given the wrong store) shares on our bus.
    const shared = new MemoryBus();
    ourIngest.shared = shared;
    theirIngest.shared = shared;
    await ourIngest.ingest('r', start);
    const edgeBus = new MemoryBus();
    const edge = new RaceHub(ours, edgeBus, recording);
    await edge.loadAll();
    const seen: BusMessage[] = [];
    edgeBus.subscribe('r', (m) => seen.push(m));
    edgeBus.subscribe('x', (m) => seen.push(m));
    const pending: Promise<void>[] = [];
    await shared.follow((m) => void pending.push(edge.follow(m)));
    // Theirs: a race 'x' our store has never held, and their own race 'r' (same id, their epoch) ahead of ours.
    // An epoch is the race id and its store's creation instant (ms): created in the same millisecond, two
    // stores' races would share it (CI saw that once). Wait a few ms so they differ, as any two real ones do.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await theirIngest.ingest('x', start);
    await theirIngest.ingest('r', start);
    for (let n = 1; n <= 3; n++) {
      await theirIngest.ingest('x', lapBatch(n));
      await theirIngest.ingest('r', lapBatch(n));
    }
    await ourIngest.ingest('r', lapBatch(1));
    await Promise.all(pending);
    assert.equal(edge.get('x'), undefined, 'not created, not served');
    assert.deepEqual(edge.list().map((r) => r.id), ['r']);
    assert.equal(edge.get('r')!.seq, 7, 'ours: the start and one lap batch, nothing of theirs');
    assert.equal(edge.get('r')!.snapshotData(), ourIngest.get('r')!.snapshotData());
    assert.deepEqual(seen.map((m) => [m.race, m.seq]), [['r', 7]], 'its viewers got our one delta only');
    const refusals = lines.filter((l) => /not in this store/.test(l.msg ?? ''));
    assert.deepEqual(refusals.map((l) => l.race).sort(), ['r', 'x'], 'each refused race logged once, not once per message');
    assert.match(refusals.find((l) => l.race === 'r')!.why!, /has epoch/);
    // The safety net under the bus reads only our store: still nothing of theirs.
    assert.equal(await edge.catchUpFromStore(), 0);
    assert.equal(edge.get('x'), undefined);
  });

  it('a feed status reaches the edge without moving its seq', async () => {
    const p = await pair((m, edge) => edge.follow(m));
    await p.ingest.ingest('r', start);
    p.ingest.setFeedStatus('r', { state: 'stalled', sinceMs: 1_700_000_000_000, source: 'rmonitor://x:1', detail: 'no data for 5 s', text: 'feed stalled' });
    await p.settle();
    assert.deepEqual(p.edge.get('r')!.feedStatus, p.ingest.get('r')!.feedStatus);
    assert.equal(p.edge.get('r')!.seq, 4);
  });

  it('a restart loads commits larger than a store query page by page and ends where the live hub is: seq, snapshot, deltas and feed', async () => {
    // The load reads 250 events a query (races.ts LOAD_PAGE); these commits span 1 to 4 queries, and two arrive out of order.
    const store = new SqliteEventStore({ file: ':memory:' });
    const live = new RaceHub(store, new MemoryBus(), log);
    const cars = ['1', '2', '3'];
    const laps = (from: number, to: number) => {
      const out: TimingEvent[] = [];
      for (let n = from; n <= to; n++) for (const [i, car] of cars.entries()) out.push(lap(car, n, n * 100_000 + i * 700, { inPit: n % 40 === 0, flag: n > 150 ? 'safety-car' : 'green' }));
      return out;
    };
    await live.ingest('r', start);
    await live.ingest('r', laps(1, 300)); // 900 events: four queries
    await live.ingest('r', laps(400, 500).reverse()); // 303, reversed
    await live.ingest('r', laps(301, 399)); // 297, before the laps already held
    await live.ingest('r', laps(501, 501));
    const restarted = new RaceHub(store, new MemoryBus(), log);
    await restarted.loadAll();
    const a = live.get('r')!;
    const b = restarted.get('r')!;
    assert.equal(b.seq, a.seq);
    assert.equal(b.events, a.events);
    assert.equal(b.snapshotData(), a.snapshotData());
    assert.deepEqual(b.deltasAfter(0)?.map((d) => d.data), a.deltasAfter(0)?.map((d) => d.data));
    assert.deepEqual(b.feedUpTo(Infinity, 1000), a.feedUpTo(Infinity, 1000));
    // Counted by hand: a 6-hour race (session()), laps of 100 s, so the flag falls on lap 217 (6:01:40) and each
    // car finishes there, its in-laps those of laps 40, 80, … 200; lap 501's arrival last changes none of it.
    assert.deepEqual(b.liveStandings()!.cars.map((c) => [c.number, c.laps, c.pitStops, c.status]), cars.map((car) => [car, 217, 5, 'finished']));
  });
});
