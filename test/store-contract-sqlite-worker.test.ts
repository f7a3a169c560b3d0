/**
 * The store contract (store-contract.ts) on the SQLite store run on a worker
 * thread (store/sqlite/worker.ts, what `sarthe serve` opens), one file per
 * test; and what only a thread can do wrong: errors crossing it, calls after
 * close, and a file that cannot be opened.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { StoreUnavailableError, toAppendEvent } from '../src/store/index.js';
import { SqliteContentStore } from '../src/store/sqlite/content.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { WorkerSqliteEventStore } from '../src/store/sqlite/worker.js';
import { lap } from './helpers.js';
import { storeContract, type Stores } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'sarthe-contract-worker-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

async function open(file: string): Promise<Stores> {
  return { events: await WorkerSqliteEventStore.open({ file }), content: new SqliteContentStore({ file }) };
}

storeContract('SQLite on a worker thread', {
  async fresh() {
    const file = join(dir, `store-${++files}.db`);
    return { ...(await open(file)), open: async () => open(file) };
  },
});

describe('the SQLite store on a worker thread', () => {
  it('stores what the same store on this thread reads back, in the same seqs', async () => {
    const file = join(dir, 'same.db');
    const store = await WorkerSqliteEventStore.open({ file });
    const events = Array.from({ length: 250 }, (_, i) => toAppendEvent(lap(String(1 + (i % 5)), 1 + Math.floor(i / 5), 100_000 * (1 + i), { lapMs: 100_000 })));
    const outcome = await store.append('r', events);
    assert.equal(outcome.commitSeq, 250);
    assert.deepEqual(outcome.results.map((r) => r.status), Array(250).fill('accepted'));
    const here = new SqliteEventStore({ file });
    assert.deepEqual(await store.readSince('r', 0), await here.readSince('r', 0));
    assert.deepEqual(await store.races(), await here.races());
    await here.close();
    await store.close();
  });

  it('a store error comes back as an Error with its message, and the store keeps working', async () => {
    const store = await WorkerSqliteEventStore.open({ file: join(dir, 'error.db') });
    // A lap with no key fields is refused by the store itself (eventBody reads the type's fields).
    await assert.rejects(store.append('r', [{ key: 'k', event: { type: 'nope' } as never, revisable: false }]), (error: Error) => error instanceof Error && error.message.length > 0);
    assert.equal((await store.append('r', [toAppendEvent(lap('1', 1, 100_000))])).commitSeq, 1);
    await store.close();
  });

  it('refuses calls after close, naming the file', async () => {
    const file = join(dir, 'closed.db');
    const store = await WorkerSqliteEventStore.open({ file });
    await store.close();
    await store.close();
    await assert.rejects(store.races(), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is closed`));
  });

  it('a thread that dies fails its calls as unavailable (503), is started again, and keeps what was stored', async () => {
    // The store's thread is unref'd while no call waits on it (as in a server, whose sockets keep the
    // process alive): this test's own timer keeps the loop running while the thread is terminated.
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      const store = await WorkerSqliteEventStore.open({ file: join(dir, 'dies.db') });
      assert.equal((await store.append('r', [toAppendEvent(lap('1', 1, 100_000))])).commitSeq, 1);
      const thread = (store as unknown as { worker: Worker }).worker;
      const pending = store.readSince('r', 0);
      await thread.terminate();
      // The thread runs beside this one: it may have answered the read before it was stopped (CI saw
      // that once, 2026-12-02). Either way the call settles; if it had not been answered, as unavailable.
      const settled = await pending.then(
        () => null,
        (e: Error) => e,
      );
      if (settled !== null) assert.ok(settled instanceof StoreUnavailableError && /exited/.test(settled.message), String(settled));
      await assert.rejects(store.races(), (e: Error) => e instanceof StoreUnavailableError);
      const until = Date.now() + 10_000;
      while (store.restartCount === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      assert.equal(store.restartCount, 1, 'started again within 10 s');
      assert.equal((await store.readSince('r', 0)).length, 1);
      assert.equal((await store.append('r', [toAppendEvent(lap('1', 2, 200_000))])).commitSeq, 2);
      await store.close();
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('close ends the thread even when it died first', async () => {
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      const store = await WorkerSqliteEventStore.open({ file: join(dir, 'dies-then-close.db') });
      await (store as unknown as { worker: Worker }).worker.terminate();
      await store.close();
      await assert.rejects(store.races(), /is closed/);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('a file that is not a database fails open with SQLite\'s error', async () => {
    const file = join(dir, 'not-a-db.db');
    writeFileSync(file, 'this is not a database, it is text that is long enough to fill a header page '.repeat(100));
    await assert.rejects(WorkerSqliteEventStore.open({ file }), (error: Error & { code?: string }) => error.code === 'SQLITE_NOTADB');
  });
});
