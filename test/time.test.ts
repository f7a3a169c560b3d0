import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, formatLapTime, formatRaceTime, parseClockMs, parseRaceTime } from '../src/model/time.js';
import { formatGap } from '../src/model/format.js';

describe('parseClockMs reads every Al Kamel width', () => {
  const cases: Array<[string, number]> = [
    ['35.433', 35_433],
    ['9.5', 9_500],
    ['3:28.871', 208_871],
    ['13:32.745', 812_745],
    ['1:02:03.456', 3_723_456],
    ['24:00:10.574', 86_410_574],
    ['15:03:47.901', 54_227_901],
    ['0:35.433', 35_433],
    ['1:00:00', 3_600_000],
  ];
  for (const [text, ms] of cases) it(`${text} → ${ms}`, () => assert.equal(parseClockMs(text), ms));
  for (const bad of ['', 'abc', '1:2:3:4', '3:61.000', '1.2345', ':12.5', '12:', '-3:20.000', '1:ab.000', '3.'])
    it(`rejects "${bad}"`, () => assert.ok(Number.isNaN(parseClockMs(bad))));
});

describe('parseRaceTime reads what people type', () => {
  const cases: Array<[string, number | null]> = [
    ['22h', 22 * 3_600_000],
    ['6:30', 6.5 * 3_600_000],
    ['5:59:59.5', 21_599_500],
    ['90m', 5_400_000],
    ['1h30m', 5_400_000],
    ['6', 6 * 3_600_000],
    ['end', null],
  ];
  for (const [text, ms] of cases) it(`${text} → ${ms}`, () => assert.equal(parseRaceTime(text), ms));
  it('explains what it expected', () => assert.throws(() => parseRaceTime('noon'), /22h, 6:30/));
  it('rejects minutes of 60 or more in h:mm', () => assert.throws(() => parseRaceTime('6:75')));
});

describe('formatting at the edge', () => {
  it('lap times', () => {
    assert.equal(formatLapTime(197_297), '3:17.297');
    assert.equal(formatLapTime(35_100), '35.100');
    assert.equal(formatLapTime(3_723_456), '1:02:03.456');
  });
  it('race time and durations', () => {
    assert.equal(formatRaceTime(21_600_000), '6:00:00');
    assert.equal(formatDuration(8_400), '8s');
    assert.equal(formatDuration(137_000), '2m17s');
    assert.equal(formatDuration(3_900_000), '1h05m');
  });
  it('gaps', () => {
    assert.equal(formatGap(null), '');
    assert.equal(formatGap({ laps: 1 }), '1 lap');
    assert.equal(formatGap({ laps: 3 }), '3 laps');
    assert.equal(formatGap({ ms: 64_420 }), '1:04.420');
  });
});
