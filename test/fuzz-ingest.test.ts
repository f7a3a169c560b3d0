/**
 * Fuzz: the ingest schema (model/events.ts), the one gate every source goes
 * through, and the store's merge rules behind it. Properties:
 * - any JSON value: safeParse never throws; it accepts or names a field;
 * - an accepted event is within the limits (race time ≤ MAX_RACE_TIME_MS,
 *   names ≤ 120 characters with no control character) and survives a JSON
 *   round trip and a second parse unchanged;
 * - the store: a batch sent twice changes nothing; a session or entry
 *   correction merged twice is merged once (reviseFact is idempotent).
 * `npm test` runs a bounded number of cases, `npm run fuzz` many more.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { eventBody, toAppendEvent } from '../src/store/index.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import {
  MAX_NAME_LENGTH,
  MAX_RACE_TIME_MS,
  reviseFact,
  TimingEventSchema,
  type EntryEvent,
  type SessionEvent,
  type TimingEvent,
} from '../src/model/events.js';
import { fuzzRuns } from './helpers.js';

const edgeNumbers = fc.oneof(
  fc.integer({ min: -10, max: MAX_RACE_TIME_MS + 10 }),
  fc.constantFrom(0, 1, MAX_RACE_TIME_MS, MAX_RACE_TIME_MS + 1, 3.6e14, 1e23, Number.MAX_SAFE_INTEGER, -0, 0.5),
  fc.double(),
);
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\t', '\u0000', '<', '['), maxLength: 8 }), fc.constant('x'.repeat(MAX_NAME_LENGTH + 1)));
const carNo = fc.oneof(fc.constantFrom('7', '007', '8'), fc.string({ maxLength: 10 }));

/** Event-shaped values: mostly near-valid, so the checks past the type are reached. */
const eventish = fc.oneof(
  fc.record({ type: fc.constant('session'), name: text, zeroTimeOfDayMs: fc.option(edgeNumbers), scheduledDurationMs: fc.option(edgeNumbers) }, { requiredKeys: ['type', 'name'] }),
  fc.record(
    {
      type: fc.constant('entry'), car: carNo, class: text, group: text, team: text, manufacturer: text,
      drivers: fc.array(fc.record({ number: fc.integer({ min: 0, max: 10 }), name: text }), { maxLength: 4 }),
    },
    { requiredKeys: ['type', 'car', 'class'] },
  ),
  fc.record(
    {
      type: fc.constant('lap'), car: carNo, lap: fc.integer({ min: -1, max: 100_001 }), crossingMs: edgeNumbers, lapMs: edgeNumbers,
      sectorsMs: fc.tuple(fc.option(edgeNumbers), fc.option(edgeNumbers), fc.option(edgeNumbers)), driverNumber: fc.integer({ min: 0, max: 10 }),
      driverName: text, inPit: fc.boolean(), pitLaneMs: fc.option(edgeNumbers), kph: fc.option(edgeNumbers),
      flag: fc.option(fc.constantFrom('green', 'fcy', 'bogus')),
    },
    { requiredKeys: ['type', 'car', 'lap', 'crossingMs', 'lapMs', 'sectorsMs', 'driverNumber'] },
  ),
  fc.record({ type: fc.constant('pit-out'), car: carNo, lap: fc.integer({ min: 0, max: 10 }), atMs: edgeNumbers, pitLaneMs: edgeNumbers }),
  fc.record({ type: fc.constant('sector'), car: carNo, lap: fc.integer({ min: 0, max: 10 }), sector: fc.integer({ min: 0, max: 3 }), crossingMs: edgeNumbers }),
  fc.record({ type: fc.constantFrom('decision'), id: fc.string({ maxLength: 10 }), atMs: edgeNumbers, kind: fc.constantFrom('note', 'time-added', 'bogus'), reason: text }),
  fc.record(
    { type: fc.constant('weather'), atMs: edgeNumbers, airTempC: fc.option(edgeNumbers), trackTempC: fc.option(edgeNumbers), humidityPct: fc.option(edgeNumbers), rain: fc.option(fc.boolean()), conditions: text },
    { requiredKeys: ['type', 'atMs'] },
  ),
  fc.jsonValue(),
);

/** Every number in an accepted event that is a time is within the race-time bound. */
function timesOf(event: TimingEvent): number[] {
  switch (event.type) {
    case 'session':
      return [event.zeroTimeOfDayMs, event.scheduledDurationMs].filter((v): v is number => v !== null);
    case 'lap':
      return [event.crossingMs, event.lapMs, ...event.sectorsMs, event.pitLaneMs, event.timeOfDayMs].filter((v): v is number => v !== null);
    case 'pit-out':
      return [event.atMs, event.pitLaneMs];
    case 'sector':
      return [event.crossingMs];
    case 'decision':
      return [event.atMs, event.penaltyMs ?? 0];
    case 'message':
      return [event.atMs];
    case 'board':
      return [event.atMs, event.crossingMs, event.bestLapMs ?? 0];
    case 'weather':
      return [event.atMs];
    case 'entry':
      return [];
  }
}

function namesOf(event: TimingEvent): string[] {
  switch (event.type) {
    case 'entry':
      return [event.team, event.class, ...event.drivers.map((d) => d.name)];
    case 'lap':
    case 'pit-out':
      return [event.driverName];
    case 'weather':
      return [event.conditions];
    default:
      return [];
  }
}

describe('fuzz: ingest schema', () => {
  it('any value: accepted within the limits and stable, or refused naming a field; never a throw', () => {
    fc.assert(
      fc.property(eventish, (raw) => {
        const result = TimingEventSchema.safeParse(raw);
        if (!result.success) {
          assert.ok(result.error.issues.length > 0 && result.error.issues.every((i) => typeof i.message === 'string'));
          return;
        }
        const event = result.data;
        for (const ms of timesOf(event)) assert.ok(Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_RACE_TIME_MS, `time ${ms}`);
        for (const name of namesOf(event)) {
          assert.ok(name.length <= MAX_NAME_LENGTH);
          assert.ok(!/[\u0000-\u001f\u007f]/.test(name), 'no control character');
        }
        const again = TimingEventSchema.parse(JSON.parse(JSON.stringify(event)));
        assert.equal(eventBody(again), eventBody(event));
      }),
      { numRuns: fuzzRuns(3000) },
    );
  });

  it('reviseFact is idempotent and keeps every driver it was told', () => {
    const driver = fc.record({ number: fc.integer({ min: 1, max: 9 }), name: fc.constantFrom('A', 'B', 'C') });
    const entryArb = fc.record({
      type: fc.constant('entry' as const), car: fc.constant('7'), class: fc.constantFrom('', 'LMP2'), group: fc.constantFrom('', 'P/A'),
      team: fc.constantFrom('', 'Old', 'New'), manufacturer: fc.constantFrom('', 'Make'), drivers: fc.array(driver, { maxLength: 3 }),
    });
    const sessionArb = fc.record({
      type: fc.constant('session' as const), name: fc.constantFrom('A', 'B'),
      zeroTimeOfDayMs: fc.option(fc.nat({ max: 86_399_999 })), scheduledDurationMs: fc.option(fc.integer({ min: 1, max: MAX_RACE_TIME_MS })),
    });
    fc.assert(
      fc.property(entryArb, entryArb, sessionArb, sessionArb, (a, b, s, t) => {
        const ab: EntryEvent = reviseFact(a, b);
        assert.deepEqual(reviseFact(ab, b), ab);
        assert.deepEqual(reviseFact(ab, ab), ab);
        for (const d of a.drivers) assert.ok(ab.drivers.some((x) => x.number === d.number));
        if (a.team !== '') assert.notEqual(ab.team, '', 'a team is never removed');
        const st: SessionEvent = reviseFact(s, t);
        assert.deepEqual(reviseFact(st, t), st);
        if (s.scheduledDurationMs !== null) assert.notEqual(st.scheduledDurationMs, null, 'a length is never removed');
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('the store: valid batches sent twice change nothing the second time', async () => {
    const validEvents = fc.array(eventish, { maxLength: 12 }).map((raws) =>
      raws.map((r) => TimingEventSchema.safeParse(r)).filter((r) => r.success).map((r) => r.data!),
    );
    await fc.assert(
      fc.asyncProperty(validEvents, async (events) => {
        const store = new SqliteEventStore({ file: ':memory:' });
        try {
          await store.append('r', events.map(toAppendEvent));
          const stored = await store.readSince('r', 0);
          const again = await store.append('r', events.map(toAppendEvent));
          assert.ok(again.results.every((r) => r.status === 'duplicate' || r.status === 'conflict'), JSON.stringify(again.results));
          assert.equal(again.commitSeq, null);
          assert.deepEqual(await store.readSince('r', 0), stored);
        } finally {
          await store.close();
        }
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});
