/**
 * Merge rules for session and entry facts (issue 13, item 4): a later
 * correction wins, a resend is a no-op (even of an older fact), and an import
 * adds to what is stored and never removes from it. Here: the pure rule
 * (reviseFact) and the merge of exports. On the stores, on a restart and on
 * the hub that applies what the store kept: store-contract.ts, run against
 * every store.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntryEventSchema, reviseFact, SessionEventSchema, type EntryEvent, type SessionEvent } from '../src/model/events.js';
import { mergeEventSets } from '../src/sources/merge.js';
import { entry, session } from './helpers.js';

const crew3 = [
  { number: 1, name: 'Kamui KOBAYASHI' },
  { number: 2, name: 'Mike CONWAY' },
  { number: 3, name: 'José María LÓPEZ' },
];

describe('merge rules for session and entry facts', () => {
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
