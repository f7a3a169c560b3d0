/**
 * Merge rules for session and entry facts (issue 13, item 4): a later
 * correction wins, a resend is a no-op (even of an older fact), and an import
 * adds to what is stored and never removes from it. Checked on the store, on
 * a restart (the stored facts fold to the same state) and on the hub that
 * applies what the store kept.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EntryEventSchema, reviseFact, SessionEventSchema, type EntryEvent, type SessionEvent, type TimingEvent } from '../src/model/events.js';
import { classificationAt } from '../src/engine/session-standings.js';
import { foldEvents } from '../src/engine/timeline.js';
import { mergeEventSets } from '../src/sources/merge.js';
import { toAppendEvent } from '../src/store/index.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { entry, lap, session } from './helpers.js';
import { MemoryBus } from '../src/bus/memory/index.js';
import { RaceHub } from '../src/server/races.js';
import pino from 'pino';

const dir = mkdtempSync(join(tmpdir(), 'sarthe-merge-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const crew3 = [
  { number: 1, name: 'Kamui KOBAYASHI' },
  { number: 2, name: 'Mike CONWAY' },
  { number: 3, name: 'José María LÓPEZ' },
];

async function stored(store: SqliteEventStore, race: string): Promise<Map<string, TimingEvent>> {
  return new Map((await store.readSince(race, 0)).map((e) => [e.key, e.event]));
}

/** The current fact under each key, as a restart folds it. */
async function current(store: SqliteEventStore, race: string) {
  const timeline = foldEvents((await store.readSince(race, 0)).map((e) => e.event));
  return { session: timeline.session!, entry: (car: string) => timeline.cars.get(car)!.entry };
}

describe('merge rules for session and entry facts', () => {
  it('an import that knows less (no length, no zero, one driver) removes nothing', async () => {
    const store = new SqliteEventStore({ file: join(dir, 'import.db') });
    const full = session({ name: 'Le Mans 24 Hours 2019', zeroTimeOfDayMs: 54_019_030, scheduledDurationMs: 24 * 3_600_000 });
    await store.append('r', [full, entry('7', 'LMP1', { team: 'Toyota Gazoo Racing', drivers: crew3 })].map(toAppendEvent));
    // What a CSV import of a file holding one stint says about the same race.
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
    await store.close();
  });

  it('a later correction wins; re-sending an older entry does not bring its old team name back', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
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
    await store.close();
  });

  it('a live feed that changes a class back is heard (restate), and a restart folds the same', async () => {
    // RMonitor road-america-2025-full-day-session-changes.txt and alms-2009-sebring-test-session-4.txt #40 do this.
    const file = join(dir, 'restate.db');
    const store = new SqliteEventStore({ file });
    const hub = new RaceHub(store, new MemoryBus(), pino({ level: 'silent' }));
    const told = [entry('7', 'GP1', { team: 'David Robertson' }), entry('7', 'GTO', { team: 'Andrea Robertson' }), entry('7', 'GP1', { team: 'David Robertson' })];
    for (const e of told) await hub.ingest('live', [e], { restate: true });
    const live = hub.get('live')!.timeline.cars.get('7')!.entry;
    assert.deepEqual([live.class, live.team], ['GP1', 'David Robertson']);
    assert.deepEqual(live, foldEvents(told).cars.get('7')!.entry, 'the live state is the fold of what the feed said');
    // The same three statements as a resend (no restate): the older fact brings nothing back.
    for (const e of told) await hub.ingest('import', [e]);
    assert.equal(hub.get('import')!.timeline.cars.get('7')!.entry.class, 'GTO');
    await store.close();
    const reopened = new SqliteEventStore({ file });
    const restarted = new RaceHub(reopened, new MemoryBus(), pino({ level: 'silent' }));
    await restarted.loadAll();
    assert.deepEqual(restarted.get('live')!.timeline.cars.get('7')!.entry, live);
    await reopened.close();
  });

  it('a resend of an older fact is a no-op after a restart too', async () => {
    const file = join(dir, 'restart.db');
    const first = new SqliteEventStore({ file });
    await first.append('r', [toAppendEvent(session({ name: 'Spa 6 Hours' }))]);
    await first.append('r', [toAppendEvent(session({ name: 'WEC 6 Hours of Spa 2019' }))]);
    await first.close();
    const second = new SqliteEventStore({ file });
    const again = await second.append('r', [toAppendEvent(session({ name: 'Spa 6 Hours' }))]);
    assert.equal(again.results[0]!.status, 'duplicate');
    assert.equal((await current(second, 'r')).session.name, 'WEC 6 Hours of Spa 2019');
    await second.close();
  });

  it('the same key twice in one batch merges in order', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    const outcome = await store.append('r', [
      toAppendEvent(entry('7', 'LMP1', { drivers: [crew3[0]!] })),
      toAppendEvent(entry('7', 'LMP1', { drivers: [crew3[1]!] })),
      toAppendEvent(entry('7', 'LMP1', { drivers: [crew3[0]!] })),
    ]);
    assert.deepEqual(outcome.results.map((r) => r.status), ['accepted', 'accepted', 'duplicate']);
    assert.deepEqual((await stored(store, 'r')).get('entry:7'), entry('7', 'LMP1', { drivers: crew3.slice(0, 2) }));
    await store.close();
  });

  it('laps never change: a different lap under a stored key stays a conflict', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    await store.append('r', [toAppendEvent(lap('7', 1, 200_000))]);
    const outcome = await store.append('r', [toAppendEvent(lap('7', 1, 200_000, { driverName: 'Somebody ELSE' }))]);
    assert.equal(outcome.results[0]!.status, 'conflict');
    await store.close();
  });

  it('the live hub applies what the store kept, and a restart loads the same', async () => {
    const file = join(dir, 'hub.db');
    const store = new SqliteEventStore({ file });
    const hub = new RaceHub(store, new MemoryBus(), pino({ level: 'silent' }));
    await hub.ingest('r', [session({ scheduledDurationMs: 24 * 3_600_000 }), entry('7', 'LMP1', { team: 'Toyota Gazoo Racing', drivers: crew3 })]);
    await hub.ingest('r', [session({ scheduledDurationMs: null }), entry('7', 'LMP1', { team: '', drivers: [crew3[0]!] })]);
    const live = hub.get('r')!.timeline;
    assert.equal(live.session!.scheduledDurationMs, 24 * 3_600_000);
    assert.deepEqual(live.cars.get('7')!.entry.drivers, crew3);
    await store.close();
    const reopened = new SqliteEventStore({ file });
    const restarted = new RaceHub(reopened, new MemoryBus(), pino({ level: 'silent' }));
    await restarted.loadAll();
    assert.deepEqual(restarted.get('r')!.timeline.cars.get('7')!.entry, live.cars.get('7')!.entry);
    assert.deepEqual(restarted.get('r')!.timeline.session, live.session);
    await reopened.close();
  });

  it('reviseFact: stated fields win, empty ones keep, and merging is idempotent', () => {
    const held: SessionEvent = session({ zeroTimeOfDayMs: 1000, scheduledDurationMs: 6 * 3_600_000 });
    const told: SessionEvent = session({ name: 'Renamed', zeroTimeOfDayMs: null, scheduledDurationMs: 8 * 3_600_000 });
    const merged = reviseFact(held, told);
    assert.deepEqual(merged, { type: 'session', name: 'Renamed', zeroTimeOfDayMs: 1000, scheduledDurationMs: 8 * 3_600_000 });
    assert.deepEqual(reviseFact(merged, told), merged);
    assert.deepEqual(reviseFact(merged, merged), merged);
  });

  it('reviseFact keeps every field of the schema: a correction that leaves one empty keeps it, one that states it wins', () => {
    // Every field stated, checked against the schema so that a field added there must be added here.
    const full: SessionEvent = session({
      name: 'Test Session 4',
      zeroTimeOfDayMs: 1000,
      scheduledDurationMs: 3_600_000,
      sessionType: 'test',
      pitLane: { circuit: 'sebring', line: 'before-boxes', entryToLineMs: 12_000, lineToExitMs: 17_300 },
    });
    assert.deepEqual(Object.keys(full).sort(), Object.keys(SessionEventSchema.shape).sort());
    const fullEntry: EntryEvent = entry('7', 'LMP1', { group: 'H', team: 'Toyota Gazoo Racing', manufacturer: 'Toyota', drivers: crew3 });
    assert.deepEqual(Object.keys(fullEntry).sort(), Object.keys(EntryEventSchema.shape).sort());
    const bare: SessionEvent = { type: 'session', name: 'Test Session 4', zeroTimeOfDayMs: null, scheduledDurationMs: null };
    assert.deepEqual(reviseFact(full, bare), full);
    assert.deepEqual(reviseFact(bare, full), full);
    assert.deepEqual(reviseFact(full, { ...bare, name: 'Test Session 5', sessionType: 'practice' }), { ...full, name: 'Test Session 5', sessionType: 'practice' });
    const bareEntry: EntryEvent = { type: 'entry', car: '7', class: '', group: '', team: '', manufacturer: '', drivers: [] };
    assert.deepEqual(reviseFact(fullEntry, bareEntry), fullEntry);
    assert.deepEqual(reviseFact(bareEntry, fullEntry), fullEntry);
  });

  it('a renamed test session stays a test session in the store, the live hub and after a restart (ranked by best lap)', async () => {
    // RMonitor renames a session mid-feed ("Test Session 4" → "Test Session 5", alms-2009-sebring-test-session-4-lites.txt).
    const file = join(dir, 'session-type.db');
    const store = new SqliteEventStore({ file });
    const hub = new RaceHub(store, new MemoryBus(), pino({ level: 'silent' }));
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
    assert.deepEqual(hub.get('t')!.liveStandings()!.cars, standings.cars);
    await store.close();
    const reopened = new SqliteEventStore({ file });
    const restarted = new RaceHub(reopened, new MemoryBus(), pino({ level: 'silent' }));
    await restarted.loadAll();
    assert.deepEqual(restarted.get('t')!.timeline.session, live.session);
    await reopened.close();
  });

  it('merging several exports follows the same rules as the store', () => {
    const early = [session({ scheduledDurationMs: 24 * 3_600_000 }), entry('7', 'LMP1', { drivers: crew3.slice(0, 2) })];
    const late = [session({ scheduledDurationMs: null }), entry('7', 'LMP1', { team: '', drivers: [crew3[2]!] })];
    const merged = mergeEventSets([{ source: 'a', events: early }, { source: 'b', events: late }]);
    const s = merged.find((e): e is SessionEvent => e.type === 'session')!;
    const e = merged.find((x): x is EntryEvent => x.type === 'entry')!;
    assert.equal(s.scheduledDurationMs, 24 * 3_600_000);
    assert.equal(e.team, 'Team 7');
    assert.deepEqual(e.drivers, crew3);
  });
});

describe('session corrections keep the optional facts', () => {
  it('a correction without sessionType or pitLane keeps the held ones; a stated one wins', async () => {
    const { reviseFact } = await import('../src/model/events.js');
    const held = { type: 'session' as const, name: 'Race', zeroTimeOfDayMs: null, scheduledDurationMs: 3_600_000, sessionType: 'practice' as const, pitLane: { circuit: 'le-mans', entryToLineMs: 8968, line: 'before-boxes' as const, lineToExitMs: null } };
    const correction = { type: 'session' as const, name: 'Race 2', zeroTimeOfDayMs: 1000, scheduledDurationMs: null };
    const merged = reviseFact(held as never, correction as never) as Record<string, unknown>;
    assert.equal(merged.sessionType, 'practice');
    assert.deepEqual(merged.pitLane, held.pitLane);
    assert.equal(merged.name, 'Race 2');
    const plain = reviseFact(correction as never, { ...correction, name: 'X' } as never) as Record<string, unknown>;
    assert.ok(!('pitLane' in plain) && !('sessionType' in plain));
  });
});
