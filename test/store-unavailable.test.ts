/**
 * A store that does not answer, at the HTTP edge and in the live hub, without
 * a real outage (store-postgres-outage.test.ts has the real one): a store
 * that commits a batch and then loses the answer (COMMIT sent, connection
 * cut) throws StoreUnavailableError. Ingest answers 503 problem+json with
 * Retry-After; the sender's resend is 'duplicate'; and the live race still
 * gets the events it never heard back about, before the next commit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreUnavailableError, type AppendEvent, type AppendOptions, type AppendOutcome, type EventStore } from '../src/store/index.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { entry, lap, session } from './helpers.js';
import { post, testServer } from './server-helpers.js';

/** SQLite underneath; while `loseAnswers`, each append commits and then throws as if the connection broke. */
class LosingStore implements EventStore {
  loseAnswers = false;
  down = false;
  readonly inner = new SqliteEventStore({ file: ':memory:' });
  async append(race: string, events: readonly AppendEvent[], options?: AppendOptions): Promise<AppendOutcome> {
    if (this.down) throw new StoreUnavailableError('the test store does not answer (append)');
    const outcome = await this.inner.append(race, events, options);
    if (this.loseAnswers) throw new StoreUnavailableError('the test store lost the answer after COMMIT');
    return outcome;
  }
  readSince = this.inner.readSince.bind(this.inner);
  races = async () => {
    if (this.down) throw new StoreUnavailableError('the test store does not answer (races)');
    return this.inner.races();
  };
  race = this.inner.race.bind(this.inner);
  close = this.inner.close.bind(this.inner);
}

describe('ingest when the store does not answer', () => {
  it('answers 503 problem+json with Retry-After; /api/ready is not ready; nothing is applied that was not stored', async () => {
    const store = new LosingStore();
    const app = await testServer({ store });
    try {
      assert.equal((await post(app, 'r', [session(), entry('7', 'LMP1')])).statusCode, 200);
      store.down = true;
      const refused = await post(app, 'r', [lap('7', 1, 100_000)]);
      assert.equal(refused.statusCode, 503);
      assert.equal(refused.headers['retry-after'], '2');
      assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
      assert.match(refused.json().detail, /the event store does not answer: try again shortly \(a resend stores nothing twice\)/);
      const ready = await app.inject({ method: 'GET', url: '/api/ready' });
      assert.equal(ready.statusCode, 503);
      assert.match(ready.json().detail, /store: the test store does not answer/);
      assert.equal(app.sarthe.hub.get('r')!.seq, 2, 'the live race holds what was stored, no more');
      store.down = false;
      assert.equal((await app.inject({ method: 'GET', url: '/api/ready' })).statusCode, 200);
    } finally {
      await app.close();
    }
  });

  it('a batch committed but not acknowledged reaches the live race when the resend finds it stored', async () => {
    const store = new LosingStore();
    const app = await testServer({ store });
    try {
      assert.equal((await post(app, 'r', [session(), entry('7', 'LMP1')])).statusCode, 200);
      store.loseAnswers = true;
      const laps = [lap('7', 1, 100_000), lap('7', 2, 200_000)];
      assert.equal((await post(app, 'r', laps)).statusCode, 503);
      assert.equal(app.sarthe.hub.get('r')!.seq, 2, 'not applied: the hub did not hear back');
      store.loseAnswers = false;
      const resend = await post(app, 'r', laps);
      assert.equal(resend.statusCode, 200);
      assert.deepEqual(resend.json().results.map((r: { status: string; seq: number }) => [r.status, r.seq]), [['duplicate', 3], ['duplicate', 4]]);
      const live = app.sarthe.hub.get('r')!;
      assert.equal(live.seq, 4, 'the live race caught up with the store');
      assert.equal(live.timeline.cars.get('7')!.laps.length, 2);
      // The same when the lost commit is found by the next new batch instead of a resend.
      store.loseAnswers = true;
      assert.equal((await post(app, 'r', [lap('7', 3, 300_000)])).statusCode, 503);
      store.loseAnswers = false;
      const next = await post(app, 'r', [lap('7', 4, 400_000)]);
      assert.equal(next.json().results[0].seq, 6);
      assert.equal(app.sarthe.hub.get('r')!.seq, 6);
      assert.equal(app.sarthe.hub.get('r')!.timeline.cars.get('7')!.laps.length, 4);
    } finally {
      await app.close();
    }
  });
});
