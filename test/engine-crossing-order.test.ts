import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CrossingOrder, inCrossingOrder } from '../src/engine/crossing-order.js';
import { foldEvents } from '../src/engine/timeline.js';
import { standingsAt } from '../src/engine/standings.js';
import type { LapEvent, SectorEvent, TimingEvent } from '../src/model/events.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { keepCrossingOrder } from '../src/cli/load.js';
import { entry, lap, LAP_FILES, realData, realDataDir, session, steadyLaps } from './helpers.js';

const sector = (car: string, n: number, s: 1 | 2, crossingMs: number): SectorEvent => ({ type: 'sector', car, lap: n, sector: s, crossingMs });

describe('crossing order (engine/crossing-order.ts)', () => {
  it('refuses a lap completed at or before the lap below it, or at or after the lap above it, and says which', () => {
    const timeline = foldEvents([session(), entry('7', 'LMP1'), lap('7', 1, 100_000), lap('7', 2, 200_000), lap('7', 5, 500_000)]);
    const order = new CrossingOrder(timeline);
    assert.match(order.problem(lap('7', 3, 150_000))!, /^car 7 lap 3 is completed at 0:02:30\.000, not after lap 2 \(0:03:20\.000\)/);
    assert.match(order.problem(lap('7', 3, 200_000))!, /not after lap 2/, 'the same instant as the lap below');
    assert.match(order.problem(lap('7', 4, 500_000))!, /not before lap 5 \(0:08:20\.000\)/);
    assert.match(order.problem(lap('7', 9, 499_999))!, /not after lap 5/);
    // A late lap between two placed ones, a new car's first lap, and a lap sent again are not this check's to refuse.
    assert.equal(order.problem(lap('7', 3, 300_000)), null);
    assert.equal(order.problem(lap('8', 1, 1)), null);
    assert.equal(order.problem(lap('7', 2, 150_000)), null);
    assert.equal(order.problem(entry('7', 'LMP2')), null);
  });

  it('checks the laps of one batch against each other, in the order they were sent', () => {
    const order = new CrossingOrder(foldEvents([session()]));
    assert.equal(order.take(lap('7', 2, 200_000)), null);
    assert.match(order.take(lap('7', 1, 250_000))!, /lap 1 .* not before lap 2/);
    assert.equal(order.take(lap('7', 1, 100_000)), null);
    assert.match(order.take(lap('7', 3, 180_000))!, /not after lap 2 \(0:03:20\.000\)/);
    assert.match(order.take(sector('7', 2, 1, 90_000))!, /S1 line of lap 2 at 0:01:30\.000, not after lap 1/);
    assert.equal(order.take(sector('7', 3, 2, 260_000)), null);
  });

  it('refuses a sector line crossed before its lap began or after it ended', () => {
    const order = new CrossingOrder(foldEvents([session(), lap('7', 1, 100_000), lap('7', 2, 200_000)]));
    assert.match(order.problem(sector('7', 2, 1, 100_000))!, /S1 line of lap 2 at 0:01:40\.000, not after lap 1/);
    assert.match(order.problem(sector('7', 2, 2, 200_000))!, /S2 line of lap 2 .* not before lap 2 \(0:03:20\.000\)/);
    assert.match(order.problem(sector('7', 1, 1, 150_000))!, /not before lap 1 \(0:01:40\.000\)/);
    assert.equal(order.problem(sector('7', 2, 1, 130_000)), null);
    assert.equal(order.problem(sector('7', 3, 1, 230_000)), null, 'the lap in progress');
  });

  it('checks laps and sector lines against each other whatever came first, S2 after S1, and leaves a point sent again to the store', () => {
    // A sector told first, then a lap completed before it (a review found this stored): refused either way round.
    const sectorFirst = new CrossingOrder(foldEvents([session(), sector('7', 2, 1, 270_000)]));
    assert.match(sectorFirst.problem(lap('7', 1, 280_000))!, /car 7 lap 1 is completed at 0:04:40\.000, not before the S1 line of lap 2 \(0:04:30\.000\)/);
    assert.match(sectorFirst.problem(lap('7', 2, 260_000))!, /lap 2 is completed at 0:04:20\.000, not after the S1 line of lap 2 \(0:04:30\.000\)/);
    assert.match(sectorFirst.problem(sector('7', 2, 2, 265_000))!, /S2 line of lap 2 at 0:04:25\.000, not after the S1 line of lap 2/);
    assert.equal(sectorFirst.problem(lap('7', 2, 300_000)), null);
    // In one batch, in either order: the second is refused.
    const batch = new CrossingOrder(foldEvents([session()]));
    assert.equal(batch.take(sector('7', 2, 1, 270_000)), null);
    assert.match(batch.take(lap('7', 2, 260_000))!, /not after the S1 line of lap 2/);
    // A sector or lap already stored, sent again (the same or changed): the store answers duplicate or conflict.
    const stored = new CrossingOrder(foldEvents([session(), sector('7', 2, 1, 270_000), lap('7', 1, 280_000)]));
    assert.equal(stored.problem(sector('7', 2, 1, 270_000)), null);
    assert.equal(stored.problem(lap('7', 1, 280_000)), null);
  });

  it('a point sent twice in one batch or file with another time: the first stands (a file read by the CLI has no store to refuse it)', () => {
    // A review found lap 2 resent at 350 s folded over the first, after lap 3 (300 s): "1 lap" at 320 s.
    const events = [lap('7', 1, 100_000), lap('7', 2, 200_000), lap('7', 3, 300_000), lap('7', 2, 350_000), sector('7', 2, 1, 130_000), sector('7', 2, 1, 250_000), lap('7', 1, 100_000)];
    const { refused } = inCrossingOrder(events);
    assert.deepEqual(refused.map((r) => r.reason), [
      'car 7 lap 2 is completed at 0:05:50.000, sent again: it was told at 0:03:20.000 before, which stands',
      'car 7 crosses the S1 line of lap 2 at 0:04:10.000, sent again: it was told at 0:02:10.000 before, which stands',
    ]);
    assert.equal(foldEvents(inCrossingOrder(events).events).car('7').lapsAt(320_000), 3);
  });

  it('finds the neighbours of a lap far from the car\'s others without walking the lap numbers between', () => {
    const timeline = foldEvents([session(), lap('7', 1, 100_000), lap('7', 100_000, 900_000_000)]);
    const order = new CrossingOrder(timeline);
    for (let n = 50_000; n < 50_100; n++) assert.equal(order.take(lap('7', n, 100_000 + n * 1000)), null);
    assert.match(order.problem(lap('7', 99_999, 1_000))!, /not after lap 50099/);
    assert.match(order.problem(lap('7', 2, 900_000_001))!, /not before lap 50000/);
    assert.equal(timeline.car('7').lapsAround(100_000).below, 1);
    assert.deepEqual(timeline.car('7').lapsAround(33), { below: 1, belowMs: 100_000, above: 100_000, aboveMs: 900_000_000 });
    assert.deepEqual(timeline.car('7').lapsAround(1), { below: 0, belowMs: 0, above: 100_000, aboveMs: 900_000_000 });
    assert.deepEqual(timeline.car('7').lapsAround(100_000).above, null);
  });

  it('a lap completed before the one below it no longer gives its car laps it has not run (the fault, through the file path)', () => {
    // Before: at 0:02:40 car 7 had "3 laps" (lap 3 stamped 0:02:30, lap 2 at 0:03:20) and led car 8 by laps it had not run.
    const events: TimingEvent[] = [session(), entry('7', 'LMP1'), entry('8', 'LMP1'), lap('7', 1, 100_000), lap('7', 2, 200_000), lap('7', 3, 150_000), lap('7', 4, 400_000), ...steadyLaps('8', 3, 101_000)];
    const warnings: string[] = [];
    const kept = keepCrossingOrder(events, (text) => warnings.push(text));
    assert.equal(kept.length, events.length - 1);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /left out 1 crossing\(s\) out of order[^]*car 7 lap 3 is completed at 0:02:30\.000, not after lap 2/);
    const at = standingsAt(foldEvents(kept), 160_000);
    assert.deepEqual(at.cars.map((c) => [c.number, c.laps]), [['7', 1], ['8', 1]]);
    // Nothing to leave out: the same array, no warning.
    const clean = events.filter((e) => !(e.type === 'lap' && e.car === '7' && e.lap === 3));
    assert.equal(keepCrossingOrder(clean, (text) => warnings.push(text)), clean);
    assert.equal(warnings.length, 1);
  });

  it('refuses nothing in the real races, and exactly the lap moved back in one of them', realData(), async () => {
    for (const file of [...LAP_FILES, join('imsa', 'imsa-2024-petit-le-mans-10h-race-laps.csv'), join('imsa', 'imsa-2025-sebring-12h-race-laps.csv')]) {
      const { events } = await importAnalysisFiles([join(realDataDir, file)], { lenient: false });
      assert.equal(inCrossingOrder(events).refused.length, 0, file);
      if (file !== 'lemans-2019-race-analysis.csv') continue;
      // Lap 200 of the winner stamped 1 ms before its lap 199 (a clock fault): refused, and nothing else.
      const laps = events.filter((e): e is LapEvent => e.type === 'lap' && e.car === '8');
      const lap199 = laps.find((e) => e.lap === 199)!;
      const moved = events.map((e) => (e.type === 'lap' && e.car === '8' && e.lap === 200 ? { ...e, crossingMs: lap199.crossingMs - 1 } : e));
      const { refused } = inCrossingOrder(moved);
      assert.equal(refused.length, 1);
      assert.match(refused[0]!.reason, /^car 8 lap 200 is completed at .*, not after lap 199/);
    }
  });
});
