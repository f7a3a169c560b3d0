import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldEvents } from '../src/engine/timeline.js';
import { standingsAt } from '../src/engine/standings.js';
import type { TimingEvent } from '../src/model/events.js';
import { entry, lap, pitOut, session, steadyLaps } from './helpers.js';

function car(events: TimingEvent[], t: number, number: string) {
  const found = standingsAt(foldEvents(events), t).cars.find((c) => c.number === number);
  assert.ok(found, `car #${number} in standings`);
  return found;
}

describe('gaps as DESIGN.md defines them', () => {
  it('same lap: time between the two crossings of that lap', () => {
    const events = [session(), entry('1', 'P'), entry('2', 'P'), ...steadyLaps('1', 5, 100_000), ...steadyLaps('2', 5, 100_500)];
    const b = car(events, 600_000, '2');
    assert.equal(b.position, 2);
    assert.deepEqual(b.gap, { ms: 5 * 100_500 - 5 * 100_000 });
    assert.deepEqual(b.interval, b.gap);
    assert.equal(car(events, 600_000, '1').gap, null);
  });

  it('lapped once: the leader had completed one more lap when B crossed', () => {
    // A laps at 100 s, B at 120 s: after B's 5th lap (600 s) A has 6.
    const events = [session(), entry('1', 'P'), entry('2', 'P'), ...steadyLaps('1', 7, 100_000), ...steadyLaps('2', 5, 120_000)];
    assert.deepEqual(car(events, 650_000, '2').gap, { laps: 1 });
  });

  it('lapped several times', () => {
    const events = [session(), entry('1', 'P'), entry('2', 'P'), ...steadyLaps('1', 30, 100_000), ...steadyLaps('2', 20, 140_000)];
    // B's 20th lap at 2800 s; A had 28 laps then.
    assert.deepEqual(car(events, 2_850_000, '2').gap, { laps: 8 });
  });

  it('the car ahead has just completed one more lap but is less than a lap ahead: a time gap', () => {
    // A crosses lap 6 at 600 s; B (5 laps at 590 s) is 90 s behind on the road.
    const events = [
      session(),
      entry('1', 'P'),
      entry('2', 'P'),
      ...steadyLaps('1', 6, 100_000),
      ...steadyLaps('2', 5, 118_000),
    ];
    const b = car(events, 600_000, '2');
    assert.equal(b.laps, 5);
    assert.equal(car(events, 600_000, '1').laps, 6);
    assert.deepEqual(b.gap, { ms: 590_000 - 500_000 });
  });

  it('class gap is to the class leader, overall gap to the overall leader', () => {
    const events = [
      session(),
      entry('1', 'HYPERCAR'),
      entry('50', 'LMGT3'),
      entry('51', 'LMGT3'),
      ...steadyLaps('1', 12, 100_000),
      ...steadyLaps('50', 10, 110_000),
      ...steadyLaps('51', 10, 111_000),
    ];
    const at = 1_115_000;
    const gt50 = car(events, at, '50');
    const gt51 = car(events, at, '51');
    assert.deepEqual(gt50.gap, { laps: 1 }); // #1 had 11 laps at 1100 s
    assert.equal(gt50.classGap, null);
    assert.equal(gt50.classPosition, 1);
    assert.deepEqual(gt51.classGap, { ms: 10_000 });
    assert.deepEqual(gt51.classInterval, { ms: 10_000 });
    assert.deepEqual(gt51.interval, { ms: 10_000 });
    assert.equal(gt51.classPosition, 2);
    assert.equal(gt51.position, 3);
  });

  it('a car in the pits keeps the gap from its last crossing and shows in-pit, then out-lap', () => {
    const events: TimingEvent[] = [
      session(),
      entry('1', 'P'),
      entry('2', 'P'),
      ...steadyLaps('1', 8, 100_000),
      ...steadyLaps('2', 4, 101_000),
    ];
    events.push(lap('2', 5, 505_000, { lapMs: 101_000, inPit: true }));
    events.push(pitOut('2', 6, 565_000, 60_000));
    events.push(lap('2', 6, 700_000, { lapMs: 195_000, pitLaneMs: 60_000 }));
    const inPit = car(events, 530_000, '2');
    assert.equal(inPit.status, 'in-pit');
    assert.equal(inPit.pitStops, 1);
    assert.deepEqual(inPit.gap, { ms: 5_000 });
    assert.equal(car(events, 570_000, '2').status, 'out-lap');
    const after = car(events, 710_000, '2');
    assert.equal(after.status, 'running');
    assert.deepEqual(after.gap, { laps: 1 }); // #1 completed lap 7 at 700 s, the same instant
    assert.equal(after.stintLaps, 1);
  });

  it('a stopped car is counted in laps behind, not frozen at its last crossing', () => {
    const events = [session(), entry('1', 'P'), entry('2', 'P'), ...steadyLaps('1', 30, 100_000), ...steadyLaps('2', 3, 100_500)];
    const b = car(events, 3_000_000, '2');
    assert.equal(b.status, 'stopped');
    assert.deepEqual(b.gap, { laps: 27 });
  });

  it('passed while in the pits: not a lap down (§7) but a provisional lower bound until it crosses again, never a negative time', () => {
    // B completes lap 5 at 500 s, then sits in the pits; A completes lap 5 at 510 s and lap 6 at 610 s.
    const events: TimingEvent[] = [
      session(),
      entry('1', 'P'),
      entry('2', 'P'),
      ...steadyLaps('1', 6, 100_000, 10_000),
      ...steadyLaps('2', 4, 100_000),
      lap('2', 5, 500_000, { inPit: true }),
      pitOut('2', 6, 640_000, 140_000),
      lap('2', 6, 700_000, { lapMs: 200_000, pitLaneMs: 140_000 }),
    ];
    const inPit = car(events, 620_000, '2');
    assert.equal(inPit.position, 2);
    // A completed lap 6 at 610 s; B is at least 10 s behind, and the bound grows until B crosses.
    assert.deepEqual(inPit.gap, { ms: 10_000, provisional: true });
    assert.deepEqual(car(events, 690_000, '2').gap, { ms: 80_000, provisional: true });
    // Once B crosses again (lap 6 at 700 s), A had 6 laps then: a time gap again.
    assert.deepEqual(car(events, 700_000, '2').gap, { ms: 700_000 - 610_000 });
  });

  it('interval is to the car directly ahead', () => {
    const events = [
      session(),
      entry('1', 'P'),
      entry('2', 'P'),
      entry('3', 'P'),
      ...steadyLaps('1', 3, 100_000),
      ...steadyLaps('2', 3, 101_000),
      ...steadyLaps('3', 3, 101_500),
    ];
    const third = car(events, 400_000, '3');
    assert.deepEqual(third.gap, { ms: 4_500 });
    assert.deepEqual(third.interval, { ms: 1_500 });
  });
});

describe('classification order and status', () => {
  it('more laps first; equal laps: who completed the lap first', () => {
    const events = [
      session(),
      entry('7', 'P'),
      entry('8', 'P'),
      entry('9', 'P'),
      ...steadyLaps('7', 3, 101_000),
      ...steadyLaps('8', 3, 100_000),
      ...steadyLaps('9', 4, 100_000, -50_000),
    ];
    const order = standingsAt(foldEvents(events), 400_000).cars.map((c) => c.number);
    assert.deepEqual(order, ['9', '8', '7']);
  });

  it('keeps car numbers as text: 007 and 7 are two cars', () => {
    const events = [session(), entry('007', 'P'), entry('7', 'P'), ...steadyLaps('007', 2, 100_000), ...steadyLaps('7', 2, 100_100)];
    const cars = standingsAt(foldEvents(events), null).cars;
    assert.deepEqual(cars.map((c) => c.number), ['007', '7']);
  });

  it('finished after the chequered flag; a car that never takes it is retired', () => {
    const duration = 1_000_000;
    const events = [
      session({ scheduledDurationMs: duration }),
      entry('1', 'P'),
      entry('2', 'P'),
      entry('3', 'P'),
      ...steadyLaps('1', 11, 100_000),
      ...steadyLaps('2', 11, 105_000),
      ...steadyLaps('3', 2, 100_000),
    ];
    const s = standingsAt(foldEvents(events), null);
    assert.equal(s.chequeredMs, 1_100_000); // leader's first crossing after 1000 s
    const status = Object.fromEntries(s.cars.map((c) => [c.number, c.status]));
    assert.deepEqual(status, { '1': 'finished', '2': 'finished', '3': 'retired' });
    assert.equal(standingsAt(foldEvents(events), 1_099_000).chequeredMs, null);
  });

  it('marks personal, class and overall best sectors and laps', () => {
    const events = [
      session(),
      entry('1', 'A'),
      entry('2', 'A'),
      entry('3', 'B'),
      lap('1', 1, 100_000, { lapMs: 100_000, sectorsMs: [30_000, 40_000, 30_000] }),
      lap('1', 2, 199_000, { lapMs: 99_000, sectorsMs: [29_000, 40_500, 29_500] }),
      lap('2', 1, 101_000, { lapMs: 101_000, sectorsMs: [31_000, 39_000, 31_000] }),
      lap('2', 2, 203_000, { lapMs: 102_000, sectorsMs: [30_500, 40_000, 31_500] }),
      lap('3', 1, 104_000, { lapMs: 104_000, sectorsMs: [32_000, 41_000, 31_000] }),
    ];
    const s = standingsAt(foldEvents(events), 210_000);
    const one = s.cars.find((c) => c.number === '1')!;
    const two = s.cars.find((c) => c.number === '2')!;
    assert.deepEqual(one.lastSectorsBest, ['overall', null, 'overall']);
    assert.equal(one.lastLapBest, 'overall');
    assert.deepEqual(two.lastSectorsBest, ['personal', null, null]);
    assert.equal(two.lastLapBest, null);
    assert.deepEqual(two.bestSectorsMs, [30_500, 39_000, 31_000]);
    // Alone in class B: its times are class bests but not overall ones.
    const three = s.cars.find((c) => c.number === '3')!;
    assert.deepEqual(three.lastSectorsBest, ['class', 'class', 'class']);
    assert.equal(three.lastLapBest, 'class');
  });

  it('flag state comes from the latest crossing, unknown where the source says nothing', () => {
    const events = [
      session(),
      entry('1', 'P'),
      lap('1', 1, 100_000, { flag: 'green' }),
      lap('1', 2, 200_000, { flag: 'safety-car' }),
      lap('1', 3, 300_000, { flag: 'green' }),
    ];
    const timeline = foldEvents(events);
    assert.equal(timeline.flagAt(50_000), 'unknown');
    assert.equal(timeline.flagAt(250_000), 'safety-car');
    assert.equal(timeline.flagAt(300_000), 'green');
    assert.equal(foldEvents([session(), entry('1', 'P'), lap('1', 1, 100_000)]).flagAt(200_000), 'unknown');
  });

  it('a lap sent again with a corrected flag replaces the old flag, not adds to it', () => {
    const timeline = foldEvents([
      session(),
      entry('1', 'P'),
      lap('1', 1, 100_000, { flag: 'green' }),
      lap('1', 2, 200_000, { flag: 'safety-car' }),
      lap('1', 3, 300_000, { flag: 'green' }),
    ]);
    timeline.apply(lap('1', 2, 200_000, { flag: 'green' }));
    assert.equal(timeline.flagAt(250_000), 'green');
    assert.deepEqual(timeline.flagChanges(), [{ atMs: 100_000, flag: 'green' }]);
  });
});
