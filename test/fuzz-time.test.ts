/**
 * Fuzz: the time parsers (model/time.ts). Never a throw from parseClockMs,
 * never a hang; every clock text it accepts reads back exactly; every race
 * time a person may type is within the bound or refused with a message.
 * `npm test` runs a bounded number of cases, `npm run fuzz` many more.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatLapTime, formatRaceTime, MAX_RACE_TIME_MS, parseClockMs, parseClockRange, parseRaceTime } from '../src/model/time.js';
import { fuzzRuns } from './helpers.js';

const clockChars = fc.string({ unit: fc.constantFrom(...'0123456789:.-+ eE'.split('')), maxLength: 24 });

describe('fuzz: time parsers', () => {
  it('parseClockMs: any text gives NaN or a non-negative whole number of ms, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(clockChars, fc.string({ maxLength: 30 })), (text) => {
        const ms = parseClockMs(text);
        assert.ok(Number.isNaN(ms) || (ms >= 0 && (Number.isInteger(ms) || !Number.isFinite(ms) || ms > Number.MAX_SAFE_INTEGER)), `${JSON.stringify(text)} → ${ms}`);
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('round trip: formatLapTime and formatRaceTime read back to the same ms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_RACE_TIME_MS }), (ms) => {
        assert.equal(parseClockMs(formatLapTime(ms)), ms);
        assert.equal(parseClockMs(formatRaceTime(ms, true)), ms);
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('parseClockRange over a slice equals parseClockMs of the slice', () => {
    fc.assert(
      fc.property(clockChars, clockChars, clockChars, (before, cell, after) => {
        const text = before + cell + after;
        const got = parseClockRange(text, before.length, before.length + cell.length);
        const want = parseClockMs(cell);
        assert.ok(Object.is(got, want), `${JSON.stringify(cell)}: ${got} vs ${want}`);
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('parseRaceTime: null, a time within the bound, or an Error with a message', () => {
    const typed = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.string({ unit: fc.constantFrom(...'0123456789:.hms end'.split('')), maxLength: 16 }),
      fc.tuple(fc.nat({ max: 10 ** 9 }), fc.constantFrom('h', 'm', 's', '')).map(([n, u]) => `${n}${u}`),
    );
    fc.assert(
      fc.property(typed, (text) => {
        let ms: number | null;
        try {
          ms = parseRaceTime(text);
        } catch (error) {
          assert.ok(error instanceof Error && error.message.length > 0);
          return;
        }
        assert.ok(ms === null || (Number.isInteger(ms) && ms >= 0 && ms <= MAX_RACE_TIME_MS), `${JSON.stringify(text)} → ${ms}`);
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});
