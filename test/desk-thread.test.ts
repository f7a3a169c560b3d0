/**
 * The hourly desk drafting in the event store's thread (server/site/desk-thread.ts)
 * gives the report the server's own timeline gives at the same seq: the
 * thread builds its timeline from the store, commit after commit, and the
 * server from what it applied as it ingested.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resultStatus } from '../src/engine/finish.js';
import { standingsAt } from '../src/engine/standings.js';
import { HOUR } from '../src/model/time.js';
import pino from 'pino';
import { MemoryBus } from '../src/bus/memory/index.js';
import { RaceHub } from '../src/server/races.js';
import type { RemoteDraft, RemoteDraftCall } from '../src/server/site/desk-thread.js';
import { draftWithFallback } from '../src/server/site/drafter.js';
import { DESK_THREAD } from '../src/server/site/index.js';
import { WorkerSqliteEventStore } from '../src/store/sqlite/worker.js';
import { batches, demoEvents } from './server-process.js';

const silent = pino({ level: 'silent' });

const dir = mkdtempSync(join(tmpdir(), 'sarthe-desk-thread-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('drafting in the store thread', () => {
  it('gives, hour after hour of Le Mans 2019 ingested in batches, the draft and result status of the server timeline at the same seq', async () => {
    const store = await WorkerSqliteEventStore.open({ file: join(dir, 'lemans.db') }, [DESK_THREAD]);
    assert.deepEqual(store.extensionMethods, ['draftReport']);
    const hub = new RaceHub(store, new MemoryBus(), silent);
    const local = draftWithFallback((error) => assert.fail(`the generator failed here: ${String(error)}`));
    let compared = 0;
    let hour = 1;
    for (const batch of batches(await demoEvents(30_000), 2000)) {
      await hub.ingest('lemans', batch);
      const race = hub.get('lemans')!;
      while (race.raceTimeMs > hour * HOUR) {
        const call: RemoteDraftCall = { race: 'lemans', seq: race.seq, info: race.race, hour, entryList: null, status: true, settleMs: 15 * 60_000 };
        const remote = (await store.callExtension('draftReport', [call])) as RemoteDraft;
        assert.equal(remote.generatorError, null);
        assert.deepEqual(remote.draft, local(race.timeline, race.race, hour), `hour ${hour} at seq ${race.seq}`);
        const standings = standingsAt(race.timeline, race.raceTimeMs);
        assert.deepEqual(remote.status, { status: resultStatus(standings, 15 * 60_000), declaredUnderRed: standings.result?.declared === 'red-flag' });
        compared++;
        hour++;
      }
    }
    assert.ok(compared >= 5, `${compared} hours compared`);
    await assert.rejects(store.callExtension('nope', []), /has no method nope/);
    await store.close();
  });

  it('a store opened without the extension offers no drafting', async () => {
    const store = await WorkerSqliteEventStore.open({ file: join(dir, 'plain.db') });
    assert.deepEqual(store.extensionMethods, []);
    await assert.rejects(store.callExtension('draftReport', []), /has no method draftReport/);
    await store.close();
  });
});
