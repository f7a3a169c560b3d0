/**
 * parseLapFast (model/events.ts), the ingest's reading of a plain lap
 * without zod, against LapEventSchema, the one schema: on generated values
 * near a valid lap (each field valid, at a bound, past it, of another type,
 * absent, or null; unknown keys), whatever it accepts the schema accepts,
 * with the same output, key order included (the store keeps the JSON); and
 * it does accept the laps a timing feed sends, or it would save nothing.
 * `npm test` runs a bounded number of cases, `npm run fuzz` many more.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LapEventSchema, MAX_KPH, MAX_LAP, MAX_NAME_LENGTH, MAX_RACE_TIME_MS, parseLapFast, TimingEventSchema } from '../src/model/events.js';
import { fuzzRuns, lap } from './helpers.js';

const intsNear = (min: number, max: number) =>
  fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max, min - 1, max + 1, -0, 0.5, min + 0.5, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2), fc.double());
const odd = fc.constantFrom<unknown>(null, undefined, '1', true, false, [], {}, [1, 2, 3]);
const ms = fc.oneof(intsNear(1, MAX_RACE_TIME_MS), odd);
const text = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.string({ unit: fc.constantFrom('a', '7', ' ', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u0080', 'é'), maxLength: 6 }),
  fc.constantFrom('x'.repeat(MAX_NAME_LENGTH), 'x'.repeat(MAX_NAME_LENGTH + 1), '', '12345678', '123456789'),
  odd,
);
const field = {
  type: fc.oneof(fc.constant('lap'), fc.constant('lap'), fc.constantFrom('Lap', 'pit-out', '', null)),
  car: text,
  lap: fc.oneof(intsNear(1, MAX_LAP), odd),
  crossingMs: ms,
  lapMs: ms,
  sectorsMs: fc.oneof(fc.array(fc.oneof(ms, fc.constant(null)), { minLength: 2, maxLength: 4 }), fc.tuple(ms, ms, ms), odd),
  driverNumber: fc.oneof(intsNear(1, 9), odd),
  driverName: text,
  inPit: fc.oneof(fc.boolean(), odd),
  pitLaneMs: ms,
  flag: fc.oneof(fc.constantFrom('green', 'safety-car', 'fcy', 'red', 'finish', 'Green', ''), odd),
  timeOfDayMs: fc.oneof(intsNear(0, MAX_RACE_TIME_MS), odd),
  kph: fc.oneof(intsNear(0, MAX_KPH), fc.double({ min: -1, max: MAX_KPH + 1 }), odd),
  topSpeedKph: fc.oneof(intsNear(0, MAX_KPH), odd),
};

/** A lap with some fields replaced by generated values (or removed), and sometimes a key the schema does not know. */
const lapish = fc
  .tuple(
    // A few fields at a time, or nearly every generated lap would have some field wrong.
    fc.subarray(Object.keys(field) as Array<keyof typeof field>, { maxLength: 3 }).chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, field[k]])))),
    fc.subarray(Object.keys(field), { maxLength: 2 }),
    fc.option(fc.constantFrom('extra', 'Lap', 'sectors', '__proto__', 'constructor'), { nil: undefined }),
  )
  .map(([over, removed, extra]) => {
    const base: Record<string, unknown> = { ...lap('7', 3, 300_000, { sectorsMs: [30_000, null, 40_000], kph: 201.5, flag: 'fcy' }), ...over };
    for (const key of removed) delete base[key];
    if (extra !== undefined) Object.defineProperty(base, extra, { value: 1, enumerable: true, writable: true, configurable: true });
    // Through JSON as the ingest gets it, or as built (undefined values, NaN) for the odd cases JSON cannot carry.
    return Math.abs(JSON.stringify(base).length % 2) === 0 ? (JSON.parse(JSON.stringify(base)) as unknown) : base;
  });

describe('parseLapFast reads a lap as LapEventSchema does', () => {
  it('whatever it accepts, the schema accepts with the same event (fields, values and key order)', () => {
    let fast = 0;
    fc.assert(
      fc.property(lapish, (raw) => {
        const got = parseLapFast(raw);
        if (got === undefined) return;
        fast++;
        const result = TimingEventSchema.safeParse(raw);
        assert.ok(result.success, `accepted what the schema refuses: ${JSON.stringify(result.error?.issues)}`);
        assert.deepEqual(got, result.data);
        assert.deepEqual(Object.keys(got), Object.keys(result.data));
        assert.equal(JSON.stringify(got), JSON.stringify(result.data));
        assert.ok(Object.is(got.kph, (result.data as typeof got).kph));
      }),
      { numRuns: fuzzRuns(5_000) },
    );
    // The generator must reach the accepting side often enough for the property to mean something.
    assert.ok(fast > 100, `only ${fast} generated values were read by the fast path`);
  });

  it('reads the laps a feed sends, defaults applied as the schema applies them', () => {
    const sent = lap('12', 40, 4_000_000, { sectorsMs: [30_000, 40_000, 30_000], driverName: 'Driver 12', timeOfDayMs: 0 });
    const parsed: unknown = JSON.parse(JSON.stringify(sent));
    assert.deepEqual(parseLapFast(parsed), LapEventSchema.parse(sent));
    // Every field, in the schema's order: the parsed object is the event, nothing is copied.
    assert.equal(parseLapFast(parsed), parsed);
    const bare = { type: 'lap', car: '007', lap: 1, crossingMs: 90_000, lapMs: 90_000, sectorsMs: [null, null, null], driverNumber: 2 };
    const read = parseLapFast(bare);
    assert.deepEqual(read, LapEventSchema.parse(bare));
    assert.deepEqual(Object.keys(read!), Object.keys(LapEventSchema.shape));
  });

  it('leaves to the schema what it must refuse', () => {
    const good = lap('7', 3, 300_000);
    for (const bad of [
      { ...good, extra: 1 },
      { ...good, lap: 0 },
      { ...good, lap: MAX_LAP + 1 },
      { ...good, crossingMs: MAX_RACE_TIME_MS + 1 },
      { ...good, lapMs: 1.5 },
      { ...good, sectorsMs: [1, 2] },
      { ...good, driverName: null },
      { ...good, driverName: 'a\tb' },
      { ...good, inPit: null },
      { ...good, flag: 'yellow' },
      { ...good, kph: MAX_KPH + 0.1 },
      { ...good, car: '' },
      { ...good, car: 'no 7' },
    ]) {
      assert.equal(parseLapFast(bad), undefined, JSON.stringify(bad));
      assert.equal(TimingEventSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
