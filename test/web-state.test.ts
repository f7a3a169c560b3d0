/**
 * The browser's pure code, in Node: applying live deltas, routes, what each
 * timing cell says, class order and colours, the race clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents } from '../src/engine/timeline.js';
import type { LiveDelta, LiveSnapshot, RaceInfo } from '../src/model/live.js';
import type { CarStanding, Standings } from '../src/model/standings.js';
import { classStyle, sortClasses } from '../src/model/classes.js';
import { RaceClock } from '../src/web/lib/clock.js';
import { applyDelta, carsInOrder, classesOf, fromSnapshot, fromStandings, OutOfSyncError } from '../src/web/lib/live-state.js';
import { formatRoute, parseRoute } from '../src/web/lib/route.js';
import { keptInOrder } from '../src/web/timing/order.js';
import { atParam } from '../src/web/lib/api.js';
import { bestsOf, cellGap, cellsOf, cellTime, shortDriverName } from '../src/web/timing/cells.js';
import { flagLapRanges, lapTimeRange, readCarPage, readFlags, type CarLap } from '../src/web/car/car-data.js';
import { gapChartData, lapChartData } from '../src/web/charts/chart-data.js';
import { lapChart } from '../src/analysis/history.js';
import { entry, lap, session, steadyLaps } from './helpers.js';

const race: RaceInfo = { id: 'test', name: 'Test 6 Hours', scheduledDurationMs: 6 * 3_600_000, zeroTimeOfDayMs: null };

function snapshotOf(standings: Standings, seq: number): LiveSnapshot {
  return { seq, race, raceTimeMs: standings.at.raceTimeMs, flag: standings.flag, chequeredMs: standings.chequeredMs, cars: standings.cars, messages: [] };
}

/** A delta as the live protocol defines it: changed fields per car, order when it changed. */
function deltaBetween(before: Standings, after: Standings, previousSeq: number): LiveDelta {
  const old = new Map(before.cars.map((c) => [c.number, c]));
  const cars: LiveDelta['cars'] = [];
  for (const car of after.cars) {
    const was = old.get(car.number);
    const patch: Partial<CarStanding> & { number: string } = { number: car.number };
    let changed = false;
    for (const key of Object.keys(car) as Array<keyof CarStanding>) {
      if (JSON.stringify(car[key]) !== JSON.stringify(was?.[key])) {
        (patch as Record<string, unknown>)[key] = car[key];
        changed = true;
      }
    }
    if (changed) cars.push(patch);
  }
  const order = after.cars.map((c) => c.number);
  const orderChanged = order.join() !== before.cars.map((c) => c.number).join();
  return {
    seq: previousSeq + 1,
    previousSeq,
    raceTimeMs: after.at.raceTimeMs,
    cars,
    ...(orderChanged ? { order } : {}),
    ...(after.flag !== before.flag ? { flag: after.flag } : {}),
  };
}

// Two LMP2 cars and a GT: #2 passes #1 on lap 3, the GT pits on lap 2.
const events = [
  session(),
  entry('1', 'LMP2'),
  entry('2', 'LMP2'),
  entry('50', 'LMGTE Am'),
  lap('1', 1, 100_000, { lapMs: 100_000 }),
  lap('2', 1, 101_000, { lapMs: 101_000 }),
  lap('1', 2, 200_000, { lapMs: 100_000 }),
  lap('2', 2, 199_500, { lapMs: 98_500 }),
  lap('1', 3, 305_000, { lapMs: 105_000 }),
  lap('2', 3, 297_000, { lapMs: 97_500 }),
  ...steadyLaps('50', 1, 120_000),
  lap('50', 2, 240_000, { lapMs: 120_000, inPit: true }),
];
const timeline = foldEvents(events);

describe('live state', () => {
  it('applies deltas to a snapshot and agrees with the engine at every step', () => {
    const instants = [50_000, 100_000, 150_000, 200_000, 250_000, 299_000, 310_000];
    let before = standingsAt(timeline, instants[0]!);
    const state = fromSnapshot(snapshotOf(before, 1));
    let seq = 1;
    for (const t of instants.slice(1)) {
      const after = standingsAt(timeline, t);
      applyDelta(state, deltaBetween(before, after, seq));
      seq++;
      assert.deepEqual(carsInOrder(state, null), after.cars, `at ${t}`);
      before = after;
    }
    assert.equal(state.seq, seq);
    assert.deepEqual(state.order, ['2', '1', '50']);
  });

  it('reports which cars changed and whether the order did', () => {
    const a = standingsAt(timeline, 150_000); // #1 leads after lap 1
    const b = standingsAt(timeline, 199_600); // #2 completed lap 2 first
    const state = fromSnapshot(snapshotOf(a, 7));
    const change = applyDelta(state, deltaBetween(a, b, 7));
    assert.ok(change.cars.has('1') && change.cars.has('2'));
    assert.equal(change.orderChanged, true);
    assert.deepEqual(state.order, ['2', '1', '50']);
    // #1 was passed between crossings: its gap is a growing lower bound (§7) until it crosses lap 2 at 200 s.
    const c = standingsAt(timeline, 200_100);
    applyDelta(state, deltaBetween(b, c, 8));
    const quiet = applyDelta(state, deltaBetween(c, standingsAt(timeline, 200_200), 9));
    assert.equal(quiet.orderChanged, false);
    assert.equal(quiet.cars.size, 0);
  });

  it('refuses a delta that does not follow its seq', () => {
    const a = standingsAt(timeline, 250_000);
    const state = fromSnapshot(snapshotOf(a, 7));
    const delta = deltaBetween(a, standingsAt(timeline, 299_000), 8);
    assert.throws(() => applyDelta(state, delta), OutOfSyncError);
    assert.equal(state.seq, 7, 'state untouched');
  });

  it('adds a car first seen mid-race only with a full standing', () => {
    const a = standingsAt(timeline, 250_000);
    const state = fromSnapshot(snapshotOf(a, 1));
    const newcomer: CarStanding = { ...a.cars[0]!, number: '99', position: 4, classPosition: 3 };
    applyDelta(state, { seq: 2, previousSeq: 1, raceTimeMs: 251_000, cars: [{ number: '98', laps: 1 }, newcomer] });
    assert.equal(state.cars.has('98'), false, 'a partial car would show holes');
    assert.equal(state.order[state.order.length - 1], '99');
  });

  it('keeps the feed bounded, oldest first', () => {
    const state = fromSnapshot(snapshotOf(standingsAt(timeline, 250_000), 1));
    const messages = Array.from({ length: 250 }, (_, i) => ({ kind: 'pit-in' as const, raceTimeMs: i, text: `m${i}` }));
    applyDelta(state, { seq: 2, previousSeq: 1, raceTimeMs: 260_000, cars: [], messages });
    assert.equal(state.messages.length, 200);
    assert.equal(state.messages[0]!.text, 'm50');
    assert.equal(state.messages[199]!.text, 'm249');
  });

  it('filters one class in class order, and lists classes fastest first', () => {
    const state = fromStandings(race, standingsAt(timeline, 310_000));
    assert.deepEqual(carsInOrder(state, 'LMP2').map((c) => c.number), ['2', '1']);
    assert.deepEqual(carsInOrder(state, 'LMGTE Am').map((c) => c.number), ['50']);
    assert.deepEqual(classesOf(state), ['LMP2', 'LMGTE Am']);
    assert.deepEqual(sortClasses(['Some Cup', 'LMGTE Am', 'Garage 56', 'LMGTE Pro', 'LMP2', 'Hypercar']), [
      'Hypercar',
      'LMP2',
      'LMGTE Pro',
      'LMGTE Am',
      'Garage 56',
      'Some Cup',
    ]);
  });

  it('shows only feed messages up to the instant when travelling in time', () => {
    const messages = [
      { kind: 'pit-in' as const, raceTimeMs: 100, text: 'early' },
      { kind: 'pit-in' as const, raceTimeMs: 400_000, text: 'later' },
    ];
    const state = fromStandings(race, standingsAt(timeline, 310_000), messages);
    assert.deepEqual(state.messages.map((m) => m.text), ['early']);
  });
});

describe('timing cells', () => {
  const standings = standingsAt(timeline, 310_000);
  const bests = bestsOf(standings.cars);
  const car = (n: string): CarStanding => standings.cars.find((c) => c.number === n)!;

  it('shows overall positions and gaps, or class ones in a class view', () => {
    const overall = cellsOf(car('50'), { classView: false, bests });
    const inClass = cellsOf(car('50'), { classView: true, bests });
    assert.equal(overall.pos.text, '3');
    assert.equal(inClass.pos.text, '1');
    // It completed lap 2 at 4:00.000, 40.5 s after the leader did (DESIGN.md's gap).
    assert.equal(overall.gap.text, '40.500');
    assert.equal(inClass.gap.text, 'Leader');
    assert.equal(inClass.cls.text, '3', 'the class view shows the overall place instead');
  });

  it('status pill: FIN for a classified finisher, the result code for an unclassified car (not FIN or RET)', () => {
    const status = (over: Partial<CarStanding>) => cellsOf({ ...car('1'), ...over }, { classView: false, bests }).status.text;
    assert.equal(status({ status: 'finished', classified: true, reason: null }), 'FIN');
    assert.equal(status({ status: 'finished', classified: false, reason: "covered less than 70% of the winner's distance (4 of 7 laps)" }), 'NC');
    assert.equal(status({ status: 'finished', classified: false, reason: 'disqualified: technical infringement' }), 'DSQ');
    assert.equal(status({ status: 'retired', classified: false, reason: 'retired before the finish' }), 'DNF');
    assert.equal(status({ status: 'retired', classified: null, reason: null }), 'RET');
  });

  it('colours best laps: purple overall and class, green personal', () => {
    // #2's 1:37.500 on lap 3 is the best of all; #50's only timed laps are its own bests.
    assert.equal(cellsOf(car('2'), { classView: false, bests }).last.tone, 'ob');
    assert.equal(cellsOf(car('2'), { classView: false, bests }).best.tone, 'ob');
    assert.equal(cellsOf(car('1'), { classView: false, bests }).best.tone, '', '1:40.000 is neither class nor overall best');
    assert.equal(cellsOf(car('1'), { classView: false, bests }).last.tone, '', '1:45.000 is slower than its own best');
    assert.equal(cellsOf(car('50'), { classView: false, bests }).best.tone, 'cb', 'the only GT is the class best');
  });

  it('names the driver as the entry list does, with the category as the tone, when the server has a list', () => {
    const listed = {
      lookup: (number: string, name: string) => (number === '50' && name === car('50').driver ? { displayName: 'Listed Fullname', category: 'Bronze' } : undefined),
    };
    const cells = cellsOf(car('50'), { classView: false, bests, listed });
    assert.deepEqual(cells.driver, { text: 'Listed Fullname', tone: 'cat-bronze' });
    assert.deepEqual(cellsOf(car('1'), { classView: false, bests, listed }).driver, { text: car('1').driver, tone: '' }, 'a car the list does not know keeps the data\'s name');
    assert.deepEqual(cellsOf(car('50'), { classView: false, bests }).driver, { text: car('50').driver, tone: '' }, 'no list: the data\'s name');
  });

  it('says the status at a glance', () => {
    assert.equal(car('50').status, 'in-pit');
    assert.equal(cellsOf(car('50'), { classView: false, bests }).status.text, 'PIT');
    assert.equal(cellsOf(car('1'), { classView: false, bests }).status.text, '');
  });

  it('writes times as timing screens do', () => {
    const c = cellsOf(car('1'), { classView: false, bests });
    assert.equal(c.last.text, '1:45.000');
    assert.equal(c.gap.text, '8.000');
    assert.equal(c.s1.text, '30.000');
    // An hour or more drops the milliseconds: the cell holds "12:32.473", not "1:14:12.169" (issue 15).
    const garage = cellsOf({ ...car('1'), lastLapMs: 4_452_169, lastSectorsMs: [4_112_761, 40_000, 752_473], interval: { ms: 9_300_370 } }, { classView: false, bests });
    assert.deepEqual([garage.last.text, garage.s1.text, garage.s3.text, garage.int.text], ['1:14:12', '1:08:32', '12:32.473', '2:35:00']);
    assert.equal(cellTime(3_599_999), '59:59.999');
    assert.equal(cellGap({ ms: 3_600_000, provisional: true }), '≥1:00:00');
    assert.equal(cellGap({ laps: 2 }), '2 laps');
  });

  it('shortens driver names for a phone', () => {
    assert.equal(shortDriverName('Jose Maria LOPEZ'), 'J. LOPEZ');
    assert.equal(shortDriverName('Giedo VAN DER GARDE'), 'G. VAN DER GARDE');
    assert.equal(shortDriverName('LOPEZ Jose'), 'LOPEZ');
    assert.equal(shortDriverName('Kamui Kobayashi'), 'K. Kobayashi');
    assert.equal(shortDriverName('Senna'), 'Senna');
  });
});

describe('timing rows order', () => {
  /** The table's placement (table.ts placeRows) on an array: rows not kept are moved before their successor. */
  function place(shown: string[], wanted: string[], keep: Set<string>): { order: string[]; moves: number } {
    const dom = [...shown];
    let moves = 0;
    let next: string | null = null;
    for (let i = wanted.length - 1; i >= 0; i--) {
      const number = wanted[i]!;
      if (!keep.has(number)) {
        const at = dom.indexOf(number);
        if (at >= 0) dom.splice(at, 1);
        dom.splice(next === null ? dom.length : dom.indexOf(next), 0, number);
        moves++;
      }
      next = number;
    }
    return { order: dom, moves };
  }
  /** Longest run in order, by the O(n²) textbook recurrence (an independent path). */
  function longestInOrder(shown: string[], wanted: string[]): number {
    const seq = shown.map((n) => wanted.indexOf(n));
    const best = seq.map(() => 1);
    for (let i = 0; i < seq.length; i++) for (let j = 0; j < i; j++) if (seq[j]! < seq[i]!) best[i] = Math.max(best[i]!, best[j]! + 1);
    return Math.max(0, ...best);
  }

  it('moves one row when one car drops ten places, none when nothing changed', () => {
    const cars = Array.from({ length: 20 }, (_, i) => String(i + 1));
    const dropped = [...cars.slice(0, 4), ...cars.slice(5, 15), cars[4]!, ...cars.slice(15)];
    const keep = keptInOrder(cars, dropped);
    assert.equal(keep.size, 19);
    assert.ok(!keep.has('5'));
    assert.deepEqual(place(cars, dropped, keep), { order: dropped, moves: 1 });
    assert.equal(keptInOrder(cars, cars).size, 20);
    assert.equal(keptInOrder([], []).size, 0);
  });

  it('ends in the wanted order with the fewest moves, for any shuffle', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 300; run++) {
      const n = 1 + Math.floor(random() * 62);
      const wanted = Array.from({ length: n }, (_, i) => `#${i}`);
      const shown = [...wanted];
      // A few overtakes, or a full shuffle.
      const swaps = run % 5 === 0 ? n * 3 : Math.floor(random() * 4);
      for (let k = 0; k < swaps; k++) {
        const a = Math.floor(random() * n);
        const b = Math.floor(random() * n);
        [shown[a], shown[b]] = [shown[b]!, shown[a]!];
      }
      // Cars new to the view are not in the DOM yet: they are always placed.
      const inDom = shown.filter(() => random() > 0.05);
      const keep = keptInOrder(inDom, wanted);
      const { order, moves } = place(inDom, wanted, keep);
      assert.deepEqual(order, wanted);
      assert.equal(keep.size, longestInOrder(inDom, wanted));
      assert.equal(moves, n - keep.size);
    }
  });
});

describe('class colours', () => {
  it('follows the rules notes and tolerates spelling', () => {
    assert.equal(classStyle('LMP2').colour, classStyle('lmp2').colour);
    assert.equal(classStyle('LMGTE Am').colour, classStyle('LMGTE-AM').colour);
    assert.notEqual(classStyle('LMGTE Pro').colour, classStyle('LMGTE Am').colour);
    assert.notEqual(classStyle('LMP1').colour, classStyle('LMP2').colour);
    assert.equal(classStyle('Some Cup').colour, classStyle('Some Cup').colour, 'unknown classes are stable');
  });
});

describe('routes', () => {
  it('round-trips every page with class and instant', () => {
    for (const hash of ['#/', '#/?class=LMGTE+Am', '#/car/007?at=6:00:00', '#/charts?class=LMP2&at=12:30:00', '#/?race=lemans-2019&at=0:00:01.500']) {
      assert.equal(formatRoute(parseRoute(hash)), hash);
    }
  });

  it('reads what people type', () => {
    assert.equal(parseRoute('#/?at=6h').atMs, 6 * 3_600_000);
    assert.equal(parseRoute('#/car/7').car, '7');
    assert.equal(parseRoute('#/car/007').car, '007', 'car numbers are text');
    assert.equal(parseRoute('#/?at=soon').atMs, null, 'a bad instant shows live');
    assert.equal(parseRoute('').page, 'timing');
  });

  it('asks the API for an instant it parses back to the same millisecond', () => {
    assert.equal(atParam(21_600_000), '21600s');
    assert.equal(atParam(21_600_500), '21600.5s');
  });
});

describe('race clock', () => {
  it('runs on at the observed rate, for a while, and never backwards', () => {
    const clock = new RaceClock(15_000, 10_000);
    clock.observe(0, 0);
    clock.observe(60_000, 1_000); // 60x replay
    assert.equal(clock.now(1_500), 90_000);
    assert.equal(clock.now(60_000), 60_000 + 10_000 * 60, 'stops running on after 10 s without news');
    clock.observe(100_000, 61_000);
    assert.ok(clock.now(61_000) >= 100_000);
  });

  it('stops at the chequered flag', () => {
    const clock = new RaceClock();
    clock.observe(1_000, 0);
    clock.observe(2_000, 1_000);
    assert.equal(clock.now(5_000, 2_500), 2_500);
  });
});

describe('car page and chart data', () => {
  const carLap = (n: number, crossingMs: number, lapMs: number): CarLap => ({
    lap: n,
    crossingMs,
    lapMs,
    sectorsMs: [null, null, null],
    driverNumber: 1,
    driverName: 'A',
    inPit: false,
    pitLaneMs: null,
    flag: null,
  });

  it('keeps racing laps readable: a 20-minute stop is cut off, safety car laps are not', () => {
    const laps = [200_000, 201_000, 199_000, 202_000, 290_000, 1_200_000, 200_500].map((ms, i) => carLap(i + 1, (i + 1) * 300_000, ms));
    const [lo, hi] = lapTimeRange(laps);
    assert.ok(lo < 199_000 && lo > 190_000);
    assert.ok(hi >= 290_000, 'a safety car lap (×1.45) stays on the chart');
    assert.ok(hi < 1_200_000, 'the repair lap is off the scale');
  });

  it('reads flag changes or periods, and maps them to the laps run under them', () => {
    assert.equal(readFlags({ known: false, flag: 'unknown' }), null);
    const spans = readFlags({ known: true, changes: [{ atMs: 0, flag: 'green' }, { atMs: 1_000, flag: 'safety-car' }, { atMs: 2_500, flag: 'green' }] })!;
    assert.deepEqual(spans[1], { flag: 'safety-car', startMs: 1_000, endMs: 2_500 });
    const laps = [1, 2, 3, 4].map((n) => carLap(n, n * 700, 700));
    // Laps completed at 1400 and 2100 were under the safety car: the band covers laps 2–3.
    assert.deepEqual(flagLapRanges(spans, laps), [{ flag: 'safety-car', fromLap: 1, toLap: 3 }]);
    assert.deepEqual(readFlags({ known: true, periods: [{ flag: 'fcy', startMs: 5, endMs: null }] }), [{ flag: 'fcy', startMs: 5, endMs: null }]);
  });

  it('reads a car route without analysis as empty parts, not a failure', () => {
    const page = readCarPage({ laps: [carLap(1, 100, 100)] });
    assert.equal(page.laps.length, 1);
    assert.deepEqual(page.pitStops, []);
    assert.equal(page.driveTime, null);
    assert.equal(page.checks, null);
  });

  it('builds the lap chart and the gap chart of one class from the history', () => {
    const histories = lapChart(timeline, { at: 310_000 });
    const lmp2 = lapChartData(histories, 'LMP2');
    assert.deepEqual(lmp2.cars.map((c) => c.car), ['2', '1'], 'leader first');
    assert.deepEqual(lmp2.laps, [1, 2, 3]);
    assert.deepEqual(lmp2.positions[0], [2, 1, 1], '#2: second after lap 1, then leads');
    const gaps = gapChartData(histories, 'LMP2');
    // #1 completed lap 3 at 305 s, 8 s after #2 (297 s); lap 1: #2 was 1 s behind.
    assert.deepEqual(gaps.gaps[1], [0, 0.5, 8]);
    assert.deepEqual(gaps.gaps[0], [1, 0, 0]);
  });
});

