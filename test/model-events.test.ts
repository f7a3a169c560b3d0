import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimingEventSchema } from '../src/model/events.js';

describe('timing event schema', () => {
  const lap = { type: 'lap', car: '7', lap: 1, crossingMs: 210_000, lapMs: 210_000, sectorsMs: [60_000, 80_000, 70_000], driverNumber: 1 };

  it('fills defaults for optional fields', () => {
    const parsed = TimingEventSchema.parse(lap);
    assert.ok(parsed.type === 'lap' && parsed.inPit === false && parsed.flag === null && parsed.pitLaneMs === null);
  });

  it('refuses an unknown field instead of silently dropping it (a typo would become a default)', () => {
    const result = TimingEventSchema.safeParse({ ...lap, pitlaneMs: 55_000 });
    assert.equal(result.success, false);
    assert.match(JSON.stringify(result.error?.issues), /pitlaneMs/);
  });

  it('keeps car numbers as text and refuses a number', () => {
    assert.equal(TimingEventSchema.safeParse({ ...lap, car: 7 }).success, false);
    assert.equal(TimingEventSchema.safeParse({ ...lap, car: '007' }).success, true);
  });
});
