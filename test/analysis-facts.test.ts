/**
 * Pit stops, stints, history and hour facts on made-up races small enough to
 * check by hand, and on real data: the facts of hour N use only what was
 * known at N hours (equal to the facts of a fold of just those events).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldEvents } from '../src/engine/timeline.js';
import { eventTimeMs, type LapEvent, type TimingEvent } from '../src/model/events.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { pitStops } from '../src/analysis/pits.js';
import { stints } from '../src/analysis/stints.js';
import { driveTimes } from '../src/analysis/drive-time.js';
import { lapChart, leaderChanges, lapsLed, retirements } from '../src/analysis/history.js';
import { hourFacts, hourFactsFromTimeline, factsOfKind, HOUR_FACT_FINDERS } from '../src/analysis/hour-facts.js';
import { entry, lap, pitOut, realData, realFile, session } from './helpers.js';

const H = 3_600_000;
const M = 60_000;

/** A car lapping at `lapMs`, pitting (in-lap then out-lap) where `stops` says. */
function carLaps(car: string, count: number, lapMs: number, stops: Record<number, number> = {}, driverAfter: Record<number, number> = {}): TimingEvent[] {
  const events: TimingEvent[] = [];
  let t = 0;
  let driver = 1;
  for (let n = 1; n <= count; n++) {
    const pit = stops[n - 1];
    const thisLap = lapMs + (pit ?? 0);
    if (pit !== undefined) {
      driver = driverAfter[n - 1] ?? driver;
      events.push({ ...pitOut(car, n, t + pit, pit), driverNumber: driver, driverName: `D${driver}` });
    }
    t += thisLap;
    events.push(
      lap(car, n, t, { lapMs: thisLap, inPit: stops[n] !== undefined, pitLaneMs: pit ?? null, driverNumber: driver, driverName: `D${driver}` }),
    );
  }
  return events;
}

describe('pit stops on a made-up race', () => {
  // Stops of 60 s after laps 10, 20, 30 and a 10-minute one after lap 40.
  const events = [session(), entry('1', 'P'), ...carLaps('1', 60, 100_000, { 10: 60_000, 20: 60_000, 30: 60_000, 40: 600_000 }, { 20: 2 })];
  const timeline = foldEvents(events);

  it('numbers stops, finds the usual one (median) and flags the long one with the time lost', () => {
    const stops = pitStops(timeline);
    assert.deepEqual(
      stops.map((s) => [s.number, s.inLap, s.outLap, s.pitLaneMs, s.long, s.lostMs]),
      [
        [1, 10, 11, 60_000, false, 0],
        [2, 20, 21, 60_000, false, 0],
        [3, 30, 31, 60_000, false, 0],
        [4, 40, 41, 600_000, true, 540_000],
      ],
    );
    assert.equal(stops[0]!.usualPitLaneMs, 60_000);
    assert.deepEqual(
      stops.map((s) => s.driverChange),
      [false, true, false, false],
    );
    assert.equal(stops[1]!.driverOut!.number, 2);
  });

  it('at an instant inside the long stop: in the pits, already long, nothing from after', () => {
    // Lap 40 ends at 40 × 100 s + 3 × 60 s = 4180 s; 5 minutes later it is still in.
    const at = 4_180_000 + 5 * M;
    const stops = pitStops(timeline, { at });
    const last = stops[stops.length - 1]!;
    assert.equal(last.inLap, 40);
    assert.equal(last.outLap, null);
    assert.equal(last.pitLaneMs, null);
    assert.equal(last.elapsedMs, 5 * M);
    assert.equal(last.long, true, '5 minutes against a usual 60 s');
    assert.equal(last.driverOut, null);
  });

  it('car stints end at in-laps; the driver stint of D2 spans two car stints (a double stint)', () => {
    const [car] = stints(timeline);
    assert.deepEqual(
      car!.carStints.map((s) => [s.startLap, s.endLap, s.laps]),
      [
        [1, 10, 10],
        [11, 20, 10],
        [21, 30, 10],
        [31, 40, 10],
        [41, 60, 20],
      ],
    );
    assert.deepEqual(
      car!.driverStints.map((s) => [s.driver.number, s.startLap, s.endLap, s.carStints]),
      [
        [1, 1, 20, 2],
        [2, 21, 60, 3],
      ],
    );
    // Pace leaves out lap 1, in-laps and out-laps: 8 clean laps in stint 2 (12–19).
    assert.equal(car!.carStints[1]!.pace.laps, 8);
    assert.equal(car!.carStints[1]!.pace.medianLapMs, 100_000);
    assert.equal(car!.carStints[1]!.pace.basis, 'inferred-green-laps');
    assert.equal(car!.carStints[4]!.open, true);
  });
});

describe('pace on green-flag laps', () => {
  it('laps touched by a safety car are not pace laps', () => {
    const laps: LapEvent[] = [];
    for (let n = 1; n <= 10; n++) {
      const sc = n >= 5 && n <= 6;
      laps.push(lap('1', n, n * 100_000, { lapMs: 100_000, flag: sc ? 'safety-car' : 'green' }));
    }
    const [car] = stints(foldEvents([session(), entry('1', 'P'), ...laps]));
    // Lap 1 (start), laps 5–6 (SC at their crossing) and lap 7 (began under SC) are left out.
    assert.equal(car!.carStints[0]!.pace.basis, 'green-laps');
    assert.equal(car!.carStints[0]!.pace.laps, 6);
  });
});

describe('a live timeline: analysis follows new events', () => {
  it('the memoised indexes are rebuilt when the timeline takes more laps', () => {
    const events = [session(), entry('1', 'P'), ...carLaps('1', 40, 100_000, { 10: 60_000, 20: 60_000, 30: 600_000 }, { 20: 2 })];
    const cut = events.findIndex((e) => e.type === 'lap' && e.lap === 25);
    const live = foldEvents(events.slice(0, cut));
    assert.equal(pitStops(live).length, 2);
    const before = driveTimes(live)[0]!.driveMs;
    for (const e of events.slice(cut)) live.apply(e);
    const fresh = foldEvents(events);
    assert.deepEqual(pitStops(live), pitStops(fresh));
    assert.deepEqual(driveTimes(live), driveTimes(fresh));
    assert.deepEqual(stints(live), stints(fresh));
    assert.ok(driveTimes(live)[0]!.driveMs > before);
  });
});

describe('history on a made-up race', () => {
  // #1 laps at 100 s; #2 at 95 s but stops for 5 minutes after lap 3 and then
  // never comes back after lap 8: it leads laps 1–3, then #1 leads.
  const events: TimingEvent[] = [
    session(),
    entry('1', 'P'),
    entry('2', 'P'),
    entry('3', 'GT'),
    ...carLaps('1', 30, 100_000),
    ...carLaps('2', 8, 95_000, { 3: 300_000 }),
    ...carLaps('3', 20, 150_000),
  ];
  const timeline = foldEvents(events);

  it('lap chart: position and gap after every lap', () => {
    const chart = lapChart(timeline, { cars: ['2'] })[0]!;
    assert.deepEqual(
      chart.laps.slice(0, 5).map((p) => [p.lap, p.position, p.classPosition, p.gap]),
      [
        [1, 1, 1, null],
        [2, 1, 1, null],
        [3, 1, 1, null],
        // Lap 4 is the 395 s out-lap: crossing at 680 s, #1 has 6 laps by then and the GT
        // #3 completed lap 4 at 600 s, so it is third overall, second in class.
        [4, 3, 2, { laps: 2 }],
        [5, 3, 2, { laps: 2 }],
      ],
    );
  });

  it('leader changes and laps led', () => {
    assert.deepEqual(
      leaderChanges(timeline, { className: 'P' }).map((c) => [c.lap, c.from, c.to]),
      [
        [1, null, '2'],
        [4, '2', '1'],
      ],
    );
    assert.deepEqual(lapsLed(timeline).find((l) => l.car === '2'), { car: '2', class: 'P', overall: 3, inClass: 3 });
    assert.deepEqual(lapsLed(timeline).find((l) => l.car === '3'), { car: '3', class: 'GT', overall: 0, inClass: 20 });
  });

  it('a car silent for much longer than its usual lap is stopped', () => {
    // #2's last crossing is lap 8 at 8 × 95 s + 300 s = 1060 s; stopped after 10 minutes.
    assert.deepEqual(retirements(timeline, { at: 1_060_000 + 9 * M }), []);
    const [r] = retirements(timeline, { at: 1_060_000 + 11 * M });
    assert.equal(r!.car.car, '2');
    assert.equal(r!.status, 'stopped');
    assert.equal(r!.laps, 8);
    assert.equal(r!.lastSeenMs, 1_060_000);
  });
});

describe('hour facts on a made-up race', () => {
  // Two P cars swap the lead through pit stops in hour 1, and a GT car.
  // #1: 100 s laps, 60 s stop after lap 20 with a driver change.
  // #2: 101 s laps, no stop until lap 30 (60 s).
  const events: TimingEvent[] = [
    session({ scheduledDurationMs: 2 * H }),
    entry('1', 'P', { team: 'Hadley Racing Team Europe' }),
    entry('2', 'P'),
    entry('3', 'GT'),
    ...carLaps('1', 70, 100_000, { 20: 60_000 }, { 20: 2 }),
    ...carLaps('2', 70, 101_000, { 30: 60_000 }),
    ...carLaps('3', 50, 140_000),
  ];

  it('facts come out in the named order, each kind from its finder', () => {
    const facts = hourFacts(events, 1);
    const order = HOUR_FACT_FINDERS.map(([kind]) => kind);
    let last = -1;
    for (const f of facts.facts) {
      const at = f.kind === 'flags-unknown' || f.kind === 'flag-period' ? 0 : f.kind === 'drive-time-status' ? order.indexOf('drive-time-minimum') : order.indexOf(f.kind);
      assert.ok(at >= last, `${f.kind} after ${order[last]}`);
      last = at;
    }
    assert.equal(facts.hour, 1);
    assert.equal(facts.fromMs, 0);
    assert.equal(facts.toMs, H);
    assert.equal(facts.hoursRemaining, 1);
  });

  it('lead changes, stops, driver changes and swaps of hour 1, with minutes into the hour', () => {
    const facts = hourFacts(events, 1).facts;
    // #1 pits after lap 20 (in at 2000 s): #2 crosses lap 21 at 2121 s before #1 (2160 s).
    const changes = factsOfKind(facts, 'lead-change').filter((f) => f.class === null);
    assert.deepEqual(
      changes.map((c) => [c.newLeader.car, c.previousLeader.car, c.lap, c.minutesIntoHour, c.previousLeaderPitting]),
      [
        ['2', '1', 21, 35, true],
        ['1', '2', 31, 52, true],
      ],
    );
    const stops = factsOfKind(facts, 'pit-stop');
    assert.deepEqual(
      stops.map((s) => [s.car.car, s.stop.inLap, s.minutesIntoHour, s.classPositionAtEntry]),
      [
        ['1', 20, 33, 1],
        ['2', 30, 50, 1],
      ],
    );
    const [change] = factsOfKind(facts, 'driver-change');
    assert.equal(change!.car.car, '1');
    assert.equal(change!.from.number, 1);
    assert.equal(change!.to.number, 2);
    assert.equal(change!.atMs, 2_060_000, 'at the pit exit');
    const [swaps] = factsOfKind(facts, 'position-swaps');
    assert.deepEqual(swaps!.cars.map((c) => c.car), ['1', '2']);
    assert.equal(swaps!.swaps, 2);
    assert.deepEqual(swaps!.events.map((e) => [e.ahead, e.pitCar, e.driverChange]), [
      ['2', '1', true],
      ['1', '2', false],
    ]);
    const share = factsOfKind(facts, 'lead-share').find((f) => f.class === null)!;
    assert.equal(share.car.car, '1');
    assert.equal(share.leadingSinceHour, 1);
    const standings = factsOfKind(facts, 'class-standings');
    assert.deepEqual(standings.map((s) => [s.class, s.classRank, s.cars.length, s.running]), [
      ['P', 0, 2, 2],
      ['GT', 1, 1, 1],
    ]);
    assert.equal(standings[0]!.cars[0]!.teamShort, 'Hadley Racing Team Europe', 'the full name without an entry list');
    assert.ok(standings[0]!.cars[0]!.driverAtWheel !== null);
  });

  it('rejects hour 0', () => {
    assert.throws(() => hourFacts(events, 0), RangeError);
  });
});

describe('hour facts over a 3-hour made-up race: a recovery, a retirement, the finish', () => {
  // Class P: #1 at 120 s a lap, #2 at 121 s, #3 at 100 s with stops after laps
  // 10 and 20 (60 s) and a 15-minute one after lap 25 (in at 2620 s, out at
  // 3520 s). #3 leads, drops to third, and is back in front in hour 2: it
  // completes lap 52 at 6220 s, before #1 (6240 s). GT #9 stops for good after
  // lap 40 (4000 s); GT #8 goes into its garage after lap 30 (3000 s) and stays.
  const events: TimingEvent[] = [
    session({ scheduledDurationMs: 3 * H }),
    entry('1', 'P'),
    entry('2', 'P'),
    entry('3', 'P'),
    entry('9', 'GT'),
    entry('8', 'GT'),
    ...carLaps('1', 95, 120_000),
    ...carLaps('2', 95, 121_000),
    ...carLaps('3', 110, 100_000, { 10: 60_000, 20: 60_000, 25: 900_000 }),
    ...carLaps('9', 40, 100_000),
    ...carLaps('8', 30, 100_000, { 30: 60_000 }),
  ];
  const timeline = foldEvents(events);

  it('hour 1: the long stop, #3 from first to third', () => {
    const facts = hourFactsFromTimeline(timeline, 1).facts;
    const long = factsOfKind(facts, 'pit-stop').filter((f) => f.stop.long);
    assert.deepEqual(long.map((f) => [f.car.car, f.stop.inLap, f.stop.lostMs, f.minutesIntoHour]), [['3', 25, 840_000, 43]]);
    assert.deepEqual(
      factsOfKind(facts, 'class-lead').find((f) => f.class === 'P')!.leader.car,
      '1',
    );
  });

  it('hour 2: #3 recovers to the lead, #9 stops', () => {
    const facts = hourFactsFromTimeline(timeline, 2).facts;
    const [recovery] = factsOfKind(facts, 'recovery');
    assert.ok(recovery);
    assert.equal(recovery.car.car, '3');
    assert.equal(recovery.lostMs, 840_000);
    assert.equal(recovery.lossHour, 1);
    assert.deepEqual(
      [recovery.classPositionBeforeLoss, recovery.worstClassPosition, recovery.classPositionAtStart, recovery.classPositionAtEnd],
      [1, 3, 3, 1],
    );
    const lead = factsOfKind(facts, 'class-lead').find((f) => f.class === 'P')!;
    assert.equal(lead.leader.car, '3');
    assert.equal(lead.leaderAtStart!.car, '1');
    assert.equal(lead.kept, false);
    const change = factsOfKind(facts, 'lead-change').find((f) => f.class === 'P')!;
    assert.deepEqual([change.newLeader.car, change.previousLeader.car, change.lap, change.atMs], ['3', '1', 52, 6_220_000]);
    // #8 has been silent in its garage since 3000 s: out after 10 minutes, at 3600 s
    // exactly it is not yet (the engine calls it "in-pit" all along).
    assert.deepEqual(
      factsOfKind(facts, 'retirement').map((f) => [f.car.car, f.status, f.laps, f.lastSeenMs, f.lastLapInPit]),
      [
        ['9', 'stopped', 40, 4_000_000, false],
        ['8', 'stopped', 30, 3_000_000, true],
      ],
    );
    assert.equal(factsOfKind(facts, 'class-standings').find((f) => f.class === 'GT')!.running, 0);
    assert.deepEqual(factsOfKind(hourFactsFromTimeline(timeline, 1).facts, 'retirement'), []);
    assert.deepEqual(factsOfKind(hourFactsFromTimeline(timeline, 3).facts, 'retirement'), [], 'only the hour it happened');
  });

  it('hour 3 is the last: it runs on to the flag and holds the finish', () => {
    const facts = hourFactsFromTimeline(timeline, 3);
    assert.equal(facts.final, true);
    assert.equal(facts.hoursRemaining, 0);
    const [fin] = factsOfKind(facts.facts, 'finish');
    // #3 after 3 h: lap 26 at 3620 s, then 100 s each → lap 98 at 10 820 s is the first crossing after 10 800 s.
    assert.equal(fin!.winner.car, '3');
    assert.equal(fin!.atMs, 10_820_000);
    assert.deepEqual(fin!.classWinners.map((w) => w.car), ['3', '9']);
    assert.deepEqual(retirements(timeline).map((r) => [r.car.car, r.status]), [['8', 'retired'], ['9', 'retired']]);
    assert.ok(facts.toMs > 3 * H);
  });
});

describe('hour facts use only what was known at the end of the hour', realData(), () => {
  for (const [file, hours] of [
    ['lemans-2019-race-analysis.csv', [6, 12]],
    ['lemans-2024-race-analysis.csv', [7, 12]],
  ] as const) {
    it(`${file}: hours ${hours.join(', ')}`, async () => {
      const { events } = await importAnalysisFiles([realFile(file)]);
      const timeline = foldEvents(events);
      for (const hour of hours) {
        const known = events.filter((e) => eventTimeMs(e) <= hour * H);
        assert.deepEqual(hourFactsFromTimeline(timeline, hour), hourFacts(known, hour), `hour ${hour}`);
      }
    });
  }
});
