import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { toAppendEvent } from '../src/store/index.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { entry, lap, session } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sarthe-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const batch = [session(), entry('7', 'LMP1'), lap('7', 1, 200_000), lap('7', 2, 400_000)].map(toAppendEvent);

describe('SQLite event store', () => {
  it('hands out contiguous per-race seqs and groups a batch under one commit', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    const a = await store.append('a', batch);
    assert.deepEqual(a.results.map((r) => [r.status, r.seq]), [['accepted', 1], ['accepted', 2], ['accepted', 3], ['accepted', 4]]);
    assert.equal(a.commitSeq, 4);
    const b = await store.append('b', batch.slice(0, 2));
    assert.equal(b.commitSeq, 2, 'another race counts from 1');
    const more = await store.append('a', [toAppendEvent(lap('7', 3, 600_000))]);
    assert.equal(more.commitSeq, 5);
    const events = await store.readSince('a', 0);
    assert.deepEqual(events.map((e) => [e.seq, e.commitSeq, e.key]), [
      [1, 4, 'session'], [2, 4, 'entry:7'], [3, 4, 'lap:7:1'], [4, 4, 'lap:7:2'], [5, 5, 'lap:7:3'],
    ]);
    assert.deepEqual((await store.readSince('a', 3, 1)).map((e) => e.seq), [4]);
    assert.deepEqual((await store.races()).map((r) => [r.id, r.lastSeq]), [['a', 5], ['b', 2]]);
    assert.equal(await store.race('nope'), null);
  });

  it('re-sending a batch changes nothing: every event is a duplicate of its stored seq', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    await store.append('r', batch);
    const again = await store.append('r', batch);
    assert.deepEqual(again.results.map((r) => [r.status, r.seq]), [['duplicate', 1], ['duplicate', 2], ['duplicate', 3], ['duplicate', 4]]);
    assert.equal(again.commitSeq, null);
    assert.equal((await store.readSince('r', 0)).length, 4);
    assert.equal((await store.race('r'))!.lastSeq, 4);
  });

  it('a lap told differently under the same key is a conflict; an entry correction is a new version', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    await store.append('r', batch);
    const outcome = await store.append('r', [
      toAppendEvent(lap('7', 1, 200_000, { lapMs: 99_999 })),
      toAppendEvent(entry('7', 'LMP1', { team: 'Toyota Gazoo Racing' })),
    ]);
    assert.deepEqual(outcome.results.map((r) => ({ status: r.status, seq: r.seq })), [{ status: 'conflict', seq: 3 }, { status: 'accepted', seq: 5 }]);
    const stored = await store.readSince('r', 0);
    const lap1 = stored.find((e) => e.key === 'lap:7:1')!.event;
    assert.equal(lap1.type === 'lap' ? lap1.lapMs : NaN, 100_000, 'the stored lap is unchanged');
    assert.equal(stored.length, 5);
  });

  it('atomic: one conflict stores nothing of the batch', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    await store.append('r', batch);
    const outcome = await store.append('r', [toAppendEvent(lap('7', 3, 600_000)), toAppendEvent(lap('7', 1, 1))], { atomic: true });
    assert.deepEqual(outcome.results, [{ status: 'rolled-back', seq: null }, { status: 'conflict', seq: 3 }]);
    assert.equal(outcome.commitSeq, null);
    assert.equal((await store.readSince('r', 0)).length, 4);
  });

  it('the same key twice in one batch is stored once', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    const outcome = await store.append('r', [toAppendEvent(lap('7', 1, 1000)), toAppendEvent(lap('7', 1, 1000))]);
    assert.deepEqual(outcome.results, [{ status: 'accepted', seq: 1 }, { status: 'duplicate', seq: 1 }]);
  });

  it('keeps what it accepted across a close and reopen of the file (WAL, synchronous FULL)', async () => {
    const file = join(dir, 'reopen.db');
    const first = new SqliteEventStore({ file });
    await first.append('lemans', batch);
    await first.close();
    const second = new SqliteEventStore({ file });
    const events = await second.readSince('lemans', 0);
    assert.deepEqual(events.map((e) => e.event), batch.map((b) => b.event));
    assert.equal((await second.append('lemans', batch)).commitSeq, null, 'still duplicates after reopening');
    await second.close();
  });
});

describe('SQLite event store: two writers on one file', () => {
  it('each sees what the other stored (its cache of known keys is checked against the race seq)', async () => {
    const file = join(dir, 'two-writers.db');
    const a = new SqliteEventStore({ file });
    const b = new SqliteEventStore({ file });
    await a.append('r', batch.slice(0, 2));
    assert.deepEqual((await b.append('r', batch)).results.map((r) => r.status), ['duplicate', 'duplicate', 'accepted', 'accepted']);
    assert.deepEqual((await a.append('r', batch)).results.map((r) => [r.status, r.seq]), [['duplicate', 1], ['duplicate', 2], ['duplicate', 3], ['duplicate', 4]]);
    assert.equal((await a.append('r', [toAppendEvent(lap('7', 3, 600_000))])).commitSeq, 5);
    await a.close();
    await b.close();
  });
});

describe('stored event bodies', () => {
  it('are the canonical JSON of the event, whatever order its fields were built in', async () => {
    const { canonicalJson } = await import('../src/model/events.js');
    const { eventBody } = await import('../src/store/index.js');
    const crew = entry('7', 'LMP1', { drivers: [{ name: 'Kamui KOBAYASHI', number: 2 }, { number: 1, name: 'Mike CONWAY' }] });
    const reordered = Object.fromEntries(Object.entries(lap('7', 1, 1000)).reverse()) as ReturnType<typeof lap>;
    for (const event of [session(), crew, lap('7', 1, 1000), reordered]) assert.equal(eventBody(event), canonicalJson(event));
    assert.equal(eventBody(reordered), eventBody(lap('7', 1, 1000)));
  });
});
