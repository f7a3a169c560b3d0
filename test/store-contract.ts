/**
 * One contract for every store (issue 14, item 1): the same tests and the
 * same assertions run against SQLite (store-contract-sqlite.test.ts) and
 * Postgres (store-contract-postgres.test.ts). A store passes when it hands
 * out gap-free per-race seqs, stores nothing twice on a resend, follows the
 * merge rules of revisable facts (store/index.ts AppendEvent.revisable),
 * keeps what it accepted across a reopen, shares its data with a second
 * handle (another process), and keeps the news site's content the same way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { MemoryBus } from '../src/bus/memory/index.js';
import { classificationAt } from '../src/engine/session-standings.js';
import { foldEvents } from '../src/engine/timeline.js';
import type { EntryEvent, TimingEvent } from '../src/model/events.js';
import { RaceHub } from '../src/server/races.js';
import type { ContentStore, NewArticle } from '../src/store/content.js';
import { toAppendEvent, type EventStore } from '../src/store/index.js';
import { entry, lap, session } from './helpers.js';

export interface Stores {
  events: EventStore;
  content: ContentStore;
}

/** A fresh, empty database of the store under test, and second handles on it. */
export interface StoreHarness {
  /** Empty stores no other test sees. */
  fresh(): Promise<StoreDatabase>;
}

export interface StoreDatabase extends Stores {
  /**
   * Opens new stores on the same data, as another process (or a restart)
   * would: its own connection(s), its own caches.
   */
  open(): Promise<Stores>;
}

const batch = [session(), entry('7', 'LMP1'), lap('7', 1, 200_000), lap('7', 2, 400_000)].map(toAppendEvent);

const crew3 = [
  { number: 1, name: 'Kamui KOBAYASHI' },
  { number: 2, name: 'Mike CONWAY' },
  { number: 3, name: 'José María LÓPEZ' },
];

const silent = pino({ level: 'silent' });

async function closeAll(...stores: Stores[]): Promise<void> {
  for (const s of stores) {
    await s.events.close();
    await s.content.close();
  }
}

/** Runs `test` on fresh stores and closes them (and any second handle it opened) after. */
function withStores(harness: StoreHarness, test: (db: StoreDatabase, opened: (s: Stores) => Stores) => Promise<void>): () => Promise<void> {
  return async () => {
    const db = await harness.fresh();
    const others: Stores[] = [];
    try {
      await test(db, (s) => (others.push(s), s));
    } finally {
      await closeAll(...others, db);
    }
  };
}

/** The current fact under each key, as a restart folds it. */
async function current(store: EventStore, race: string) {
  const timeline = foldEvents((await store.readSince(race, 0)).map((e) => e.event));
  return { session: timeline.session!, entry: (car: string) => timeline.cars.get(car)!.entry };
}

function article(over: Partial<NewArticle> = {}): NewArticle {
  return { slug: 'first', kind: 'article', status: 'draft', headline: 'First', standfirst: 'S', bodyMd: 'B', byline: 'Ann', tags: [], race: null, hour: null, ...over };
}

export function storeContract(name: string, harness: StoreHarness): void {
  describe(`${name} event store (contract)`, () => {
    it('hands out contiguous per-race seqs and groups a batch under one commit', withStores(harness, async ({ events: store }) => {
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
      assert.deepEqual(events.map((e) => e.event), [...batch.map((x) => x.event), lap('7', 3, 600_000)], 'events come back as they were sent');
      assert.deepEqual((await store.readSince('a', 3, 1)).map((e) => e.seq), [4]);
      assert.deepEqual((await store.races()).map((r) => [r.id, r.lastSeq]), [['a', 5], ['b', 2]]);
      assert.equal(await store.race('nope'), null);
      assert.equal((await store.race('a'))!.lastSeq, 5);
      assert.ok(a.committedAtMs <= b.committedAtMs && b.committedAtMs <= Date.now());
    }));

    it('re-sending a batch changes nothing: every event is a duplicate of its stored seq', withStores(harness, async ({ events: store }) => {
      await store.append('r', batch);
      const again = await store.append('r', batch);
      assert.deepEqual(again.results.map((r) => [r.status, r.seq]), [['duplicate', 1], ['duplicate', 2], ['duplicate', 3], ['duplicate', 4]]);
      assert.equal(again.commitSeq, null);
      assert.equal((await store.readSince('r', 0)).length, 4);
      assert.equal((await store.race('r'))!.lastSeq, 4);
    }));

    it('an append that stores nothing creates no race', withStores(harness, async ({ events: store }) => {
      await store.append('r', [toAppendEvent(lap('7', 1, 1))]);
      // The second lap conflicts with the first inside the batch: atomic, so nothing is stored.
      const outcome = await store.append('other', [toAppendEvent(lap('7', 1, 1)), toAppendEvent(lap('7', 1, 2))], { atomic: true });
      assert.deepEqual(outcome.results, [{ status: 'rolled-back', seq: null }, { status: 'conflict', seq: 1 }]);
      assert.equal(outcome.commitSeq, null);
      assert.equal((await store.append('third', [])).commitSeq, null);
      assert.equal(await store.race('other'), null);
      assert.deepEqual((await store.readSince('other', 0)), []);
      assert.deepEqual((await store.races()).map((r) => r.id), ['r']);
      assert.equal((await store.append('other', [toAppendEvent(lap('7', 1, 1))])).commitSeq, 1, 'its first stored event is seq 1');
    }));

    it('a lap told differently under the same key is a conflict; an entry correction is a new version', withStores(harness, async ({ events: store }) => {
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
    }));

    it('atomic: one conflict stores nothing of the batch', withStores(harness, async ({ events: store }) => {
      await store.append('r', batch);
      const outcome = await store.append('r', [toAppendEvent(lap('7', 3, 600_000)), toAppendEvent(lap('7', 1, 1))], { atomic: true });
      assert.deepEqual(outcome.results, [{ status: 'rolled-back', seq: null }, { status: 'conflict', seq: 3 }]);
      assert.equal(outcome.commitSeq, null);
      assert.equal((await store.readSince('r', 0)).length, 4);
      assert.equal((await store.append('r', [toAppendEvent(lap('7', 3, 600_000))])).commitSeq, 5, 'the rolled-back seq is handed out again: no gap');
    }));

    it('a race id is data, never SQL: quotes and backslashes are stored as they are', withStores(harness, async ({ events: store }) => {
      const odd = "o'brien\\'; DROP TABLE events; --";
      assert.equal((await store.append(odd, batch)).commitSeq, 4);
      assert.equal((await store.append(odd, batch)).commitSeq, null);
      assert.deepEqual((await store.races()).map((r) => [r.id, r.lastSeq]), [[odd, 4]]);
      assert.equal((await store.readSince(odd, 0)).length, 4);
    }));

    it('the same key twice in one batch is stored once', withStores(harness, async ({ events: store }) => {
      const outcome = await store.append('r', [toAppendEvent(lap('7', 1, 1000)), toAppendEvent(lap('7', 1, 1000))]);
      assert.deepEqual(outcome.results, [{ status: 'accepted', seq: 1 }, { status: 'duplicate', seq: 1 }]);
    }));

    it('keeps what it accepted across a close and reopen', withStores(harness, async (db, opened) => {
      await db.events.append('lemans', batch);
      await db.events.close();
      const second = opened(await db.open());
      const events = await second.events.readSince('lemans', 0);
      assert.deepEqual(events.map((e) => e.event), batch.map((b) => b.event));
      assert.equal((await second.events.append('lemans', batch)).commitSeq, null, 'still duplicates after reopening');
    }));

    it('two writers on one database each see what the other stored (caches are checked against the race seq)', withStores(harness, async (db, opened) => {
      const a = db.events;
      const b = opened(await db.open()).events;
      await a.append('r', batch.slice(0, 2));
      assert.deepEqual((await b.append('r', batch)).results.map((r) => r.status), ['duplicate', 'duplicate', 'accepted', 'accepted']);
      assert.deepEqual((await a.append('r', batch)).results.map((r) => [r.status, r.seq]), [['duplicate', 1], ['duplicate', 2], ['duplicate', 3], ['duplicate', 4]]);
      assert.equal((await a.append('r', [toAppendEvent(lap('7', 3, 600_000))])).commitSeq, 5);
    }));

    it('concurrent appends to one race from two writers: every seq handed out once, no gap, every event once', withStores(harness, async (db, opened) => {
      const b = opened(await db.open()).events;
      const laps = (car: string) => Array.from({ length: 40 }, (_, i) => toAppendEvent(lap(car, i + 1, (i + 1) * 100_000)));
      const sends = [];
      for (let i = 0; i < 40; i += 5) {
        sends.push(db.events.append('r', laps('7').slice(i, i + 5)), b.append('r', laps('8').slice(i, i + 5)));
        // Half of car 8's laps are sent twice, by the other writer: stored once.
        if (i % 10 === 0) sends.push(db.events.append('r', laps('8').slice(i, i + 5)));
      }
      await Promise.all(sends);
      const stored = await db.events.readSince('r', 0);
      assert.deepEqual(stored.map((e) => e.seq), Array.from({ length: 80 }, (_, i) => i + 1));
      assert.equal(new Set(stored.map((e) => e.key)).size, 80);
      assert.equal((await b.race('r'))!.lastSeq, 80);
    }));
  });

  describe(`${name} merge rules for session and entry facts (contract)`, () => {
    it('an import that knows less (no length, no zero, one driver) removes nothing', withStores(harness, async ({ events: store }) => {
      const full = session({ name: 'Le Mans 24 Hours 2019', zeroTimeOfDayMs: 54_019_030, scheduledDurationMs: 24 * 3_600_000 });
      await store.append('r', [full, entry('7', 'LMP1', { team: 'Toyota Gazoo Racing', drivers: crew3 })].map(toAppendEvent));
      const imported = await store.append('r', [
        session({ name: 'Le Mans 24 Hours 2019', zeroTimeOfDayMs: null, scheduledDurationMs: null }),
        entry('7', 'LMP1', { team: '', manufacturer: 'Toyota', drivers: [crew3[0]!] }),
      ].map(toAppendEvent));
      assert.deepEqual(imported.results.map((r) => r.status), ['duplicate', 'accepted'], 'the session adds nothing; the entry adds its manufacturer');
      const state = await current(store, 'r');
      assert.equal(state.session.scheduledDurationMs, 24 * 3_600_000);
      assert.equal(state.session.zeroTimeOfDayMs, 54_019_030);
      assert.deepEqual(state.entry('7').drivers, crew3, 'the crew keeps its 3 drivers');
      assert.equal(state.entry('7').team, 'Toyota Gazoo Racing');
      assert.equal(state.entry('7').manufacturer, 'Toyota');
    }));

    it('a later correction wins; re-sending an older entry does not bring its old team name back', withStores(harness, async ({ events: store }) => {
      const v1 = entry('7', 'LMP1', { team: 'Old Name Racing', drivers: [crew3[0]!] });
      const v2 = entry('7', 'LMP1', { team: 'New Name Racing', drivers: [crew3[1]!] });
      const v3 = entry('7', 'LMP1', { team: 'Newest Name Racing', drivers: [crew3[2]!] });
      await store.append('r', [toAppendEvent(v1)]);
      const second = await store.append('r', [toAppendEvent(v2)]);
      assert.equal(second.results[0]!.status, 'accepted');
      assert.equal((second.results[0]!.event as EntryEvent).team, 'New Name Racing');
      await store.append('r', [toAppendEvent(v3)]);
      for (const resend of [v1, v2, v3]) {
        const again = await store.append('r', [toAppendEvent(resend)]);
        assert.equal(again.results[0]!.status, 'duplicate', `resending "${resend.team}" changes nothing`);
        assert.equal(again.commitSeq, null);
      }
      const state = await current(store, 'r');
      assert.equal(state.entry('7').team, 'Newest Name Racing');
      assert.deepEqual(state.entry('7').drivers, crew3, 'crews are a union');
      assert.equal((await store.readSince('r', 0)).length, 3);
    }));

    it('a live feed that changes a class back is heard (restate), and a restart folds the same', withStores(harness, async (db, opened) => {
      // RMonitor road-america-2025-full-day-session-changes.txt and alms-2009-sebring-test-session-4.txt #40 do this.
      const hub = new RaceHub(db.events, new MemoryBus(), silent);
      const told = [entry('7', 'GP1', { team: 'David Robertson' }), entry('7', 'GTO', { team: 'Andrea Robertson' }), entry('7', 'GP1', { team: 'David Robertson' })];
      for (const e of told) await hub.ingest('live', [e], { restate: true });
      const live = hub.get('live')!.timeline.cars.get('7')!.entry;
      assert.deepEqual([live.class, live.team], ['GP1', 'David Robertson']);
      assert.deepEqual(live, foldEvents(told).cars.get('7')!.entry, 'the live state is the fold of what the feed said');
      // The same three statements as a resend (no restate): the older fact brings nothing back.
      for (const e of told) await hub.ingest('import', [e]);
      assert.equal(hub.get('import')!.timeline.cars.get('7')!.entry.class, 'GTO');
      await db.events.close();
      const restarted = new RaceHub(opened(await db.open()).events, new MemoryBus(), silent);
      await restarted.loadAll();
      assert.deepEqual(restarted.get('live')!.timeline.cars.get('7')!.entry, live);
    }));

    it('a resend of an older fact is a no-op after a restart too', withStores(harness, async (db, opened) => {
      await db.events.append('r', [toAppendEvent(session({ name: 'Spa 6 Hours' }))]);
      await db.events.append('r', [toAppendEvent(session({ name: 'WEC 6 Hours of Spa 2019' }))]);
      await db.events.close();
      const second = opened(await db.open()).events;
      const again = await second.append('r', [toAppendEvent(session({ name: 'Spa 6 Hours' }))]);
      assert.equal(again.results[0]!.status, 'duplicate');
      assert.equal((await current(second, 'r')).session.name, 'WEC 6 Hours of Spa 2019');
    }));

    it('the same key twice in one batch merges in order', withStores(harness, async ({ events: store }) => {
      const outcome = await store.append('r', [
        toAppendEvent(entry('7', 'LMP1', { drivers: [crew3[0]!] })),
        toAppendEvent(entry('7', 'LMP1', { drivers: [crew3[1]!] })),
        toAppendEvent(entry('7', 'LMP1', { drivers: [crew3[0]!] })),
      ]);
      assert.deepEqual(outcome.results.map((r) => r.status), ['accepted', 'accepted', 'duplicate']);
      const stored = new Map((await store.readSince('r', 0)).map((e) => [e.key, e.event]));
      assert.deepEqual(stored.get('entry:7'), entry('7', 'LMP1', { drivers: crew3.slice(0, 2) }));
      const again = await store.append('r', [toAppendEvent(entry('7', 'LMP1', { drivers: [crew3[1]!] }))]);
      assert.equal(again.results[0]!.status, 'duplicate', 'a fact told inside a batch is known as told afterwards');
    }));

    it('inside one batch too, re-telling the first version of a fact does not bring its old team name back', withStores(harness, async ({ events: store }) => {
      // The two stores once differed here (SQLite did not count a fact first told in the batch as told, and took the old name back).
      const outcome = await store.append('r', [
        toAppendEvent(entry('7', 'LMP1', { team: 'Old Name Racing' })),
        toAppendEvent(entry('7', 'LMP1', { team: 'New Name Racing' })),
        toAppendEvent(entry('7', 'LMP1', { team: 'Old Name Racing' })),
      ]);
      assert.deepEqual(outcome.results.map((r) => r.status), ['accepted', 'accepted', 'duplicate']);
      assert.deepEqual(outcome.results.map((r) => r.seq), [1, 2, 2]);
      assert.equal((await current(store, 'r')).entry('7').team, 'New Name Racing');
    }));

    it('laps never change: a different lap under a stored key stays a conflict', withStores(harness, async ({ events: store }) => {
      await store.append('r', [toAppendEvent(lap('7', 1, 200_000))]);
      const outcome = await store.append('r', [toAppendEvent(lap('7', 1, 200_000, { driverName: 'Somebody ELSE' }))]);
      assert.equal(outcome.results[0]!.status, 'conflict');
    }));

    it('sector crossings (issue 10): stored once under car, lap and sector, never changed, and a restart shows the same gaps at timing points', withStores(harness, async (db, opened) => {
      const sectors: TimingEvent[] = [
        { type: 'sector', car: '7', lap: 3, sector: 1, crossingMs: 430_000 },
        { type: 'sector', car: '8', lap: 3, sector: 1, crossingMs: 437_500 },
      ];
      const race = [...batch.map((b) => b.event), entry('8', 'LMP1'), lap('8', 1, 201_000), lap('8', 2, 402_000), ...sectors];
      const hub = new RaceHub(db.events, new MemoryBus(), silent);
      await hub.ingest('r', race);
      const stored = await db.events.readSince('r', 0);
      assert.deepEqual(stored.slice(-2).map((e) => [e.key, e.event]), sectors.map((e) => [`sector:${e.type === 'sector' ? `${e.car}:${e.lap}:${e.sector}` : ''}`, e]));
      const again = await db.events.append('r', [toAppendEvent(sectors[0]!), toAppendEvent({ ...sectors[1]!, crossingMs: 437_000 } as TimingEvent)]);
      assert.deepEqual(again.results.map((r) => r.status), ['duplicate', 'conflict']);
      // At 440 s #8 is measured at S1 of lap 3: 437.5 − 430 s, not the 2 s of the line.
      const gapOf8 = (timeline: Parameters<typeof classificationAt>[0]) =>
        classificationAt(timeline, 440_000, { gaps: 'timing-points' }).cars.find((c) => c.number === '8')!.gap;
      assert.deepEqual(gapOf8(hub.get('r')!.timeline), { ms: 7_500 });
      const restarted = new RaceHub(opened(await db.open()).events, new MemoryBus(), silent);
      await restarted.loadAll();
      assert.deepEqual(gapOf8(restarted.get('r')!.timeline), { ms: 7_500 });
    }));

    it('the live hub applies what the store kept, and a restart loads the same', withStores(harness, async (db, opened) => {
      const hub = new RaceHub(db.events, new MemoryBus(), silent);
      await hub.ingest('r', [session({ scheduledDurationMs: 24 * 3_600_000 }), entry('7', 'LMP1', { team: 'Toyota Gazoo Racing', drivers: crew3 })]);
      await hub.ingest('r', [session({ scheduledDurationMs: null }), entry('7', 'LMP1', { team: '', drivers: [crew3[0]!] })]);
      const live = hub.get('r')!.timeline;
      assert.equal(live.session!.scheduledDurationMs, 24 * 3_600_000);
      assert.deepEqual(live.cars.get('7')!.entry.drivers, crew3);
      const restarted = new RaceHub(opened(await db.open()).events, new MemoryBus(), silent);
      await restarted.loadAll();
      assert.deepEqual(restarted.get('r')!.timeline.cars.get('7')!.entry, live.cars.get('7')!.entry);
      assert.deepEqual(restarted.get('r')!.timeline.session, live.session);
    }));

    it('a renamed test session stays a test session in the store, the live hub and after a restart (ranked by best lap)', withStores(harness, async (db, opened) => {
      // RMonitor renames a session mid-feed ("Test Session 4" → "Test Session 5", alms-2009-sebring-test-session-4-lites.txt).
      const hub = new RaceHub(db.events, new MemoryBus(), silent);
      const events: TimingEvent[] = [
        session({ name: 'Test Session 4', scheduledDurationMs: null, sessionType: 'test' }),
        entry('1', 'P'),
        entry('2', 'P'),
        entry('3', 'P'),
        lap('1', 1, 100_000, { lapMs: 100_000 }),
        lap('1', 2, 190_000, { lapMs: 90_000 }),
        lap('2', 1, 85_000, { lapMs: 85_000 }),
      ];
      await hub.ingest('t', events);
      await hub.ingest('t', [session({ name: 'Test Session 5', scheduledDurationMs: null, sessionType: 'test' })]);
      const live = hub.get('t')!.timeline;
      assert.equal(live.session!.sessionType, 'test');
      assert.equal(live.session!.name, 'Test Session 5');
      const standings = classificationAt(live, null);
      // Best lap first: #2 (85 s, 1 lap) ahead of #1 (90 s, 2 laps); #3 has no timed lap, so no gap.
      assert.deepEqual(standings.cars.map((c) => [c.number, c.gap]), [['2', null], ['1', { ms: 5_000 }], ['3', null]]);
      const restarted = new RaceHub(opened(await db.open()).events, new MemoryBus(), silent);
      await restarted.loadAll();
      assert.deepEqual(restarted.get('t')!.timeline.session, live.session);
    }));
  });

  describe(`${name} content store (contract)`, () => {
    it('emails compare case-insensitively and are taken once; slugs are taken once; tags are normalised; all kept across reopening', withStores(harness, async (db, opened) => {
      const content = db.content;
      const user = await content.createUser({ email: ' Ann@Example.test ', name: ' Ann ', role: 'editor', passwordHash: 'scrypt$x' });
      assert.deepEqual([user.email, user.name, user.role, user.subscriber], ['Ann@Example.test', 'Ann', 'editor', false]);
      assert.equal((await content.userByEmail('ann@example.TEST'))?.id, user.id, 'emails compare case-insensitively');
      assert.equal(await content.userByEmail('bob@example.test'), null);
      await assert.rejects(content.createUser({ email: 'ANN@example.test', name: 'Other', role: 'reader', passwordHash: 'x' }), 'an email is taken once, whatever its case');
      const first = await content.createArticle(article({ tags: ['Le Mans', 'LMP2', 'le mans', '!!'] }), 1000);
      assert.deepEqual(first?.tags, ['le-mans', 'lmp2']);
      assert.equal(await content.createArticle(article({ headline: 'Other' }), 2000), null, 'a slug is taken once');
      await content.close();
      await db.events.close();
      const reopened = opened(await db.open()).content;
      assert.equal((await reopened.articleBySlug('first'))?.headline, 'First');
      assert.equal((await reopened.articles({ tag: 'Le Mans' })).length, 1, 'a tag query is normalised too');
      assert.equal((await reopened.userByEmail('ANN@EXAMPLE.TEST'))?.name, 'Ann');
    }));

    it('users: listed by id, changed field by field', withStores(harness, async ({ content }) => {
      const a = await content.createUser({ email: 'a@example.test', name: 'A', role: 'reader', passwordHash: 'h1' });
      const b = await content.createUser({ email: 'b@example.test', name: 'B', role: 'admin', passwordHash: 'h2' });
      assert.deepEqual((await content.users()).map((u) => u.id), [a.id, b.id]);
      const changed = await content.updateUser(a.id, { subscriber: true, name: ' Alice ' });
      assert.deepEqual([changed?.subscriber, changed?.name, changed?.role, changed?.passwordHash], [true, 'Alice', 'reader', 'h1']);
      assert.equal((await content.updateUser(a.id, { role: 'editor', passwordHash: 'h3', subscriber: false }))?.role, 'editor');
      assert.equal((await content.userById(a.id))?.passwordHash, 'h3');
      assert.equal((await content.userById(a.id))?.subscriber, false);
      assert.equal(await content.updateUser(9999, { name: 'x' }), null);
      assert.equal(await content.userById(9999), null);
    }));

    it('sessions: a live session finds its user, an expired or deleted one does not; new sessions sweep expired ones', withStores(harness, async ({ content }) => {
      const u = await content.createUser({ email: 's@example.test', name: 'S', role: 'reader', passwordHash: 'h' });
      await content.createSession({ idHash: 'one', userId: u.id, createdAtMs: 1000, expiresAtMs: 5000 });
      await content.createSession({ idHash: 'two', userId: u.id, createdAtMs: 1000, expiresAtMs: 9000 });
      assert.equal((await content.sessionUser('one', 4999))?.id, u.id);
      assert.equal(await content.sessionUser('one', 5000), null, 'expired at its expiry time');
      assert.equal(await content.sessionUser('nope', 1000), null);
      await content.deleteSession('two');
      assert.equal(await content.sessionUser('two', 2000), null);
      await content.createSession({ idHash: 'three', userId: u.id, createdAtMs: 6000, expiresAtMs: 9000 });
      assert.equal(await content.sessionUser('one', 4000), null, 'swept when a session was created after it expired');
      await content.deleteUserSessions(u.id);
      assert.equal(await content.sessionUser('three', 7000), null);
    }));

    it('publishing keeps the first publication time; a correction keeps the address and is dated', withStores(harness, async ({ content }) => {
      const a = (await content.createArticle(article({ slug: 'x', kind: 'report', headline: 'H', byline: 'Desk', race: 'r', hour: 3 }), 1000))!;
      assert.equal(a.publishedAtMs, null);
      assert.deepEqual([a.createdAtMs, a.updatedAtMs, a.correctedAtMs], [1000, 1000, null]);
      const draftEdit = await content.updateArticle(a.id, { standfirst: 'S2' }, 1500);
      assert.equal(draftEdit?.correctedAtMs, null, 'editing a draft is no correction');
      assert.equal((await content.setStatus(a.id, 'published', 2000))?.publishedAtMs, 2000);
      const corrected = await content.updateArticle(a.id, { headline: 'H corrected', bodyMd: 'B2', tags: ['Hourly reports'] }, 3000);
      assert.deepEqual([corrected?.slug, corrected?.correctedAtMs, corrected?.updatedAtMs, corrected?.standfirst, corrected?.tags], ['x', 3000, 3000, 'S2', ['hourly-reports']]);
      await content.setStatus(a.id, 'draft', 4000);
      assert.equal((await content.setStatus(a.id, 'published', 5000))?.publishedAtMs, 2000);
      assert.equal((await content.reportOf('r', 3))?.headline, 'H corrected');
      assert.equal(await content.reportOf('r', 4), null);
      assert.equal(await content.createArticle(article({ slug: 'y', kind: 'report', race: 'r', hour: 3 }), 6000), null, 'one report per race hour');
      assert.equal(await content.updateArticle(9999, { headline: 'x' }, 1), null);
    }));

    it('articles: filtered by status, kind, race and tag, newest first (published, else updated), limited', withStores(harness, async ({ content }) => {
      const old = (await content.createArticle(article({ slug: 'old', status: 'published', tags: ['GT'] }), 1000))!;
      const draft = (await content.createArticle(article({ slug: 'draft', race: 'lemans' }), 3000))!;
      const report = (await content.createArticle(article({ slug: 'report', kind: 'report', status: 'published', race: 'lemans', hour: 1, tags: ['gt'] }), 2000))!;
      const ids = (list: { id: number }[]) => list.map((a) => a.id);
      assert.deepEqual(ids(await content.articles({})), [draft.id, report.id, old.id]);
      assert.deepEqual(ids(await content.articles({ status: 'published' })), [report.id, old.id]);
      assert.deepEqual(ids(await content.articles({ kind: 'report' })), [report.id]);
      assert.deepEqual(ids(await content.articles({ race: 'lemans' })), [draft.id, report.id]);
      assert.deepEqual(ids(await content.articles({ tag: 'GT' })), [report.id, old.id]);
      assert.deepEqual(ids(await content.articles({ limit: 1 })), [draft.id]);
      assert.deepEqual(ids(await content.articles({ status: 'published', race: 'lemans', tag: 'gt', kind: 'report' })), [report.id]);
      assert.equal((await content.articleById(old.id))?.slug, 'old');
      assert.equal(await content.articleBySlug('nope'), null);
    }));

    it('ingest tokens: used while not revoked, last use noted at most once a minute', withStores(harness, async ({ content }) => {
      const admin = await content.createUser({ email: 'root@example.test', name: 'Root', role: 'admin', passwordHash: 'h' });
      const token = await content.createApiToken({ name: ' timing feed ', tokenHash: 'hash-1', createdBy: admin.id }, 1000);
      assert.deepEqual([token.name, token.createdBy, token.createdAtMs, token.lastUsedAtMs, token.revokedAtMs], ['timing feed', admin.id, 1000, null, null]);
      assert.equal((await content.useApiToken('hash-1', 2000))?.lastUsedAtMs, 2000);
      assert.equal((await content.useApiToken('hash-1', 30_000))?.lastUsedAtMs, 2000, 'not written again within a minute');
      assert.equal((await content.useApiToken('hash-1', 70_000))?.lastUsedAtMs, 70_000);
      assert.equal(await content.useApiToken('other', 2000), null);
      const second = await content.createApiToken({ name: 'b', tokenHash: 'hash-2', createdBy: null }, 1000);
      assert.deepEqual((await content.apiTokens()).map((t) => t.id), [token.id, second.id]);
      assert.equal((await content.revokeApiToken(token.id, 80_000))?.revokedAtMs, 80_000);
      assert.equal((await content.revokeApiToken(token.id, 90_000))?.revokedAtMs, 80_000, 'revoked once');
      assert.equal(await content.useApiToken('hash-1', 100_000), null);
      assert.equal(await content.revokeApiToken(9999, 1), null);
    }));
  });
}
