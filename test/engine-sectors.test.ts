import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadRace } from '../src/cli/load.js';
import { standingsAt, type StandingsOptions } from '../src/engine/standings.js';
import { foldEvents, type RaceTimeline } from '../src/engine/timeline.js';
import { compareEvents, eventKey, eventTimeMs, SectorEventSchema, TimingEventSchema, type LapEvent, type TimingEvent } from '../src/model/events.js';
import { sectorCrossingsMs } from '../src/model/sectors.js';
import type { Gap } from '../src/model/standings.js';
import { withSectorEvents } from '../src/sources/replay/index.js';
import { entry, fuzzRuns, lap, realData, realFile, resultCases, resultCasesDir, session } from './helpers.js';

const points: StandingsOptions = { gaps: 'timing-points' };
const MIN = 60_000;

function gapOf(timeline: RaceTimeline, t: number, car: string, options: StandingsOptions = points): Gap {
  const found = standingsAt(timeline, t, options).cars.find((c) => c.number === car);
  assert.ok(found, `car #${car} in standings`);
  return found.gap;
}

/** Laps of 100 s whose sectors are 30 / 40 / 30 s, crossing lap i at start + i × 100 s. */
function laps(car: string, count: number, startMs: number, over: (n: number) => Partial<LapEvent> = () => ({})): LapEvent[] {
  return Array.from({ length: count }, (_, i) => lap(car, i + 1, startMs + (i + 1) * 100_000, { lapMs: 100_000, sectorsMs: [30_000, 40_000, 30_000], ...over(i + 1) }));
}

describe('sector events', () => {
  it('are validated by zod, keyed by car, lap and sector, and sorted at their crossing before a lap at the same instant', () => {
    const sector = { type: 'sector', car: '007', lap: 3, sector: 2, crossingMs: 250_000 } as const;
    assert.deepEqual(TimingEventSchema.parse(sector), sector);
    assert.equal(eventKey(sector), 'sector:007:3:2');
    assert.equal(eventTimeMs(sector), 250_000);
    assert.equal(SectorEventSchema.safeParse({ ...sector, sector: 3 }).success, false, 'the third sector ends at the line: a lap event');
    assert.equal(SectorEventSchema.safeParse({ ...sector, crossingMs: 0 }).success, false);
    assert.equal(SectorEventSchema.safeParse({ ...sector, extra: 1 }).success, false);
    const atLine = lap('007', 2, 250_000);
    assert.ok(compareEvents(sector, atLine) < 0);
    assert.ok(compareEvents({ ...sector, sector: 1 }, sector) < 0);
  });

  it('S1 and S2 crossings follow from the lap before and the sector times; a missing or impossible sector gives none', () => {
    const l = lap('1', 2, 200_000, { lapMs: 100_000, sectorsMs: [30_000, 40_000, 30_000] });
    assert.deepEqual(sectorCrossingsMs(l, 100_500), [130_500, 170_500]);
    assert.deepEqual(sectorCrossingsMs(l, null), [130_000, 170_000], 'no lap before: from crossing − lap time');
    assert.deepEqual(sectorCrossingsMs({ ...l, sectorsMs: [null, 40_000, 30_000] }, 100_000), [null, null]);
    assert.deepEqual(sectorCrossingsMs({ ...l, sectorsMs: [30_000, null, 30_000] }, 100_000), [130_000, null]);
    assert.deepEqual(sectorCrossingsMs({ ...l, sectorsMs: [30_000, 80_000, 30_000] }, 100_000), [130_000, null], 'S2 past the line');
  });
});

describe('gaps at every timing point', () => {
  // #1 laps in 100 s from 0; #2 starts 5 s later and loses 3 s in S1 and 2 s in S2 of lap 3 (lap 105 s).
  const race: TimingEvent[] = [
    session(),
    entry('1', 'P'),
    entry('2', 'P'),
    ...laps('1', 4, 0),
    ...laps('2', 2, 5_000),
    lap('2', 3, 310_000, { lapMs: 105_000, sectorsMs: [33_000, 42_000, 30_000] }),
    lap('2', 4, 410_000, { lapMs: 100_000, sectorsMs: [30_000, 40_000, 30_000] }),
  ];
  const timeline = foldEvents(race);

  it('the gap moves at S1 and at S2, not only at the line', () => {
    // Lap 3 of #2 starts at 205 s: S1 at 238 s (#1 at 230 s), S2 at 280 s (#1 at 270 s), line at 310 s (#1 at 300 s).
    assert.deepEqual(gapOf(timeline, 236_000, '2'), { ms: 5_000 }, 'before S1: the gap at the line, 205 − 200');
    assert.deepEqual(gapOf(timeline, 239_000, '2'), { ms: 8_000 }, 'at S1: 238 − 230');
    assert.deepEqual(gapOf(timeline, 281_000, '2'), { ms: 10_000 }, 'at S2: 280 − 270');
    assert.deepEqual(gapOf(timeline, 311_000, '2'), { ms: 10_000 }, 'at the line: 310 − 300');
    // The line rule (the default) keeps the gap of the line for the whole lap.
    assert.deepEqual(gapOf(timeline, 281_000, '2', {}), { ms: 5_000 });
  });

  it('lap counting at a sector line: a lap down once the leader passed that line one more time', () => {
    // #2 stops for 150 s after S1 of lap 3: S2 at 430 s, line at 460 s. #1 passes S2 of lap 4 at 370 s and of lap 5 at 470 s.
    const events: TimingEvent[] = [
      session(),
      entry('1', 'P'),
      entry('2', 'P'),
      ...laps('1', 6, 0),
      ...laps('2', 2, 5_000),
      lap('2', 3, 460_000, { lapMs: 255_000, sectorsMs: [30_000, 195_000, 30_000] }),
    ];
    const t = foldEvents(events);
    // At 431 s #2's latest point is S2 of lap 3 (430 s); #1 had passed S2 of lap 4 (370 s), not yet of lap 5.
    assert.deepEqual(gapOf(t, 431_000, '2'), { laps: 1 });
    // The line rule still counts from #2's crossing of lap 2 (205 s): #1 had 2 laps then, a time gap.
    assert.deepEqual(gapOf(t, 431_000, '2', {}), { ms: 5_000 });
  });

  it('passed in the pits: a growing lower bound, exact at the next S1, not a lap later', () => {
    // #1 leads #2 by 20 s and pits at the end of lap 3 (300 s): its lap 4 S1 holds a 90 s stop (S1 at 430 s, S2 470 s, line 500 s).
    // #2 crosses lap 3 at 320 s, S1 of lap 4 at 350 s, lap 4 at 420 s: it passed #1 in the pits and leads.
    const events: TimingEvent[] = [
      session(),
      entry('1', 'P'),
      entry('2', 'P'),
      ...laps('1', 3, 0, (n) => (n === 3 ? { inPit: true } : {})),
      lap('1', 4, 500_000, { lapMs: 200_000, sectorsMs: [130_000, 40_000, 30_000], pitLaneMs: 90_000 }),
      ...laps('2', 6, 20_000),
    ];
    const t = foldEvents(events);
    // Until #1 reaches S1 of lap 4, its gap there is at least the time since #2 passed it (350 s).
    assert.deepEqual(gapOf(t, 425_000, '1'), { ms: 75_000, provisional: true });
    assert.deepEqual(gapOf(t, 429_000, '1'), { ms: 79_000, provisional: true });
    // The line rule only bounds it from #2's crossing of lap 4 (420 s), until #1 crosses at 500 s.
    assert.deepEqual(gapOf(t, 425_000, '1', {}), { ms: 5_000, provisional: true });
    assert.deepEqual(gapOf(t, 431_000, '1', {}), { ms: 11_000, provisional: true });
    // At S1 it is exact: 430 − 350; at S2 (470 − 390) and at the line (500 − 420) it holds.
    assert.deepEqual(gapOf(t, 431_000, '1'), { ms: 80_000 });
    assert.deepEqual(gapOf(t, 471_000, '1'), { ms: 80_000 });
    assert.deepEqual(gapOf(t, 501_000, '1'), { ms: 80_000 });
    assert.deepEqual(gapOf(t, 501_000, '1', {}), { ms: 80_000 });
    // Before #2 took the lead at the line (420 s), #2 was ahead on the road from S1 but behind in the classification: the line gap.
    assert.deepEqual(gapOf(t, 380_000, '2'), { ms: 20_000 });
  });

  it('without sector times on either car, the line rule exactly', () => {
    const strip = (events: TimingEvent[]): TimingEvent[] =>
      events.map((e) => (e.type === 'lap' ? { ...e, sectorsMs: [null, null, null] as LapEvent['sectorsMs'] } : e));
    const stripped = foldEvents(strip(race));
    const oneCarOnly = foldEvents(race.map((e) => (e.type === 'lap' && e.car === '1' ? strip([e])[0]! : e)));
    for (let at = 0; at <= 420_000; at += 1_000) {
      for (const t of [stripped, oneCarOnly]) {
        const line = standingsAt(t, at);
        assert.deepEqual(standingsAt(t, at, points), line, `at ${at}`);
      }
    }
  });

  it('leader-passed-in-the-pits-6h (results case): the bound resolves at #1 out-lap S1/S2, and 40.000 at 21:05', { skip: resultCases().skip }, async () => {
    const { timeline: t } = await loadRace([join(resultCasesDir, 'leader-passed-in-the-pits-6h.csv')], { duration: '6h' });
    // #1's out-lap: S1 at 17:58 (16:40 + 1:18, the stop inside), S2 at 19:29; #2 passed S2 of lap 6 at 19:10.
    assert.deepEqual(gapOf(t, 20 * MIN + 30_000, '1'), { ms: 19_000 });
    assert.deepEqual(gapOf(t, 20 * MIN + 50_000, '1'), { ms: 19_000 });
    assert.deepEqual(gapOf(t, 21 * MIN + 5_000, '1'), { ms: 40_000 });
    // Never "1 lap" in between.
    for (let at = 20 * MIN + 20_000; at < 21 * MIN; at += 1_000) assert.ok(!('laps' in (gapOf(t, at, '1') ?? {})), `at ${at}`);
  });
});

/** Only what a live feed had told by `at`: the replay's events up to that instant. */
function liveUpTo(events: readonly TimingEvent[], at: number): RaceTimeline {
  return foldEvents(withSectorEvents(events).filter((e) => eventTimeMs(e) <= at));
}

describe('replayed live or imported whole: the same standings at every instant', () => {
  it('on a made-up race with a stop, a pass in the pits and a missing sector time', () => {
    const events: TimingEvent[] = [
      session(),
      entry('1', 'P'),
      entry('2', 'P'),
      entry('3', 'Q'),
      ...laps('1', 3, 0, (n) => (n === 3 ? { inPit: true } : {})),
      lap('1', 4, 460_000, { lapMs: 160_000, sectorsMs: [90_000, 40_000, 30_000], pitLaneMs: 60_000 }),
      ...laps('2', 5, 20_000),
      ...laps('3', 4, 50_000, (n) => (n === 2 ? { sectorsMs: [null, 40_000, 30_000] } : {})),
    ];
    const whole = foldEvents(events);
    const replay = withSectorEvents(events);
    assert.equal(replay.filter((e) => e.type === 'sector').length, 2 * 4 + 2 * 5 + 2 * 3, 'no S1 or S2 where lap 2 of #3 has no S1');
    for (let at = 0; at <= 520_000; at += 2_500) {
      assert.deepEqual(standingsAt(liveUpTo(events, at), at, points), standingsAt(whole, at, points), `at ${at}`);
    }
  });

  it('one timeline fed live, read after every batch, equals a fresh fold; any arrival order too', () => {
    const events = withSectorEvents([
      session(),
      entry('1', 'P'),
      entry('2', 'P'),
      ...laps('1', 3, 0, (n) => (n === 3 ? { inPit: true } : {})),
      lap('1', 4, 500_000, { lapMs: 200_000, sectorsMs: [130_000, 40_000, 30_000], pitLaneMs: 90_000 }),
      ...laps('2', 6, 20_000),
    ]).sort(compareEvents);
    const live = foldEvents([]);
    let applied = 0;
    for (let at = 0; at <= 620_000; at += 7_000) {
      while (applied < events.length && eventTimeMs(events[applied]!) <= at) live.apply(events[applied++]!);
      assert.deepEqual(standingsAt(live, at, points), standingsAt(foldEvents(events.slice(0, applied)), at, points), `at ${at}`);
    }
    // Late laps and sectors (a feed that resends, a store read in another order) settle to the same points.
    const shuffled = foldEvents([...events].reverse());
    const inOrder = foldEvents(events);
    for (let at = 0; at <= 620_000; at += 5_000) assert.deepEqual(standingsAt(shuffled, at, points), standingsAt(inOrder, at, points), `at ${at}`);
  });

  it('Le Mans 2019 at 6 h and a few seconds, mid-lap for most cars', { skip: realData().skip }, async () => {
    const { events, timeline: whole } = await loadRace([realFile('lemans-2019-race-analysis.csv')], {});
    const sixHours = 6 * 3_600_000;
    let differsFromLine = 0;
    for (const at of [sixHours + 4_000, sixHours + 37_000, sixHours + 95_000, 13 * 3_600_000 + 12_345]) {
      const live = standingsAt(liveUpTo(events, at), at, points);
      const imported = standingsAt(whole, at, points);
      assert.deepEqual(live, imported, `at ${at}`);
      const line = standingsAt(whole, at);
      differsFromLine += imported.cars.filter((c, i) => JSON.stringify(c.interval) !== JSON.stringify(line.cars[i]!.interval)).length;
    }
    // Most intervals in the field are time gaps measured mid-lap: they moved at S1 or S2.
    assert.ok(differsFromLine > 100, `intervals moved at S1/S2 for ${differsFromLine} car-instants`);
  });
});

describe('gaps at timing points on made-up races (fuzz)', () => {
  interface Spec {
    startMs: number;
    laps: Array<{ lapMs: number; s1: number; s2: number; sectors: 'all' | 'none' | 'no-s1' | 'no-s2'; inPit: boolean }>;
  }
  const carSpec: fc.Arbitrary<Spec> = fc.record({
    startMs: fc.integer({ min: 0, max: 30_000 }),
    laps: fc.array(
      fc.record({
        lapMs: fc.integer({ min: 60_000, max: 300_000 }),
        s1: fc.integer({ min: 5, max: 60 }),
        s2: fc.integer({ min: 5, max: 60 }),
        sectors: fc.constantFrom('all', 'all', 'all', 'none', 'no-s1', 'no-s2'),
        inPit: fc.boolean(),
      }),
      { minLength: 1, maxLength: 10 },
    ),
  });
  /** Laps as a file gives them: S1 and S2 as shares (%) of the lap, S3 the rest. */
  function race(specs: Spec[], withSectors: boolean): TimingEvent[] {
    const events: TimingEvent[] = [session()];
    specs.forEach((spec, c) => {
      const car = String(c + 1);
      events.push(entry(car, c % 2 === 0 ? 'P' : 'Q'));
      let crossingMs = spec.startMs;
      spec.laps.forEach((l, i) => {
        crossingMs += l.lapMs;
        const s1 = Math.floor((l.lapMs * l.s1) / 200);
        const s2 = Math.floor((l.lapMs * l.s2) / 200);
        const sectorsMs: LapEvent['sectorsMs'] = !withSectors || l.sectors === 'none' ? [null, null, null] : [l.sectors === 'no-s1' ? null : s1, l.sectors === 'no-s2' ? null : s2, l.lapMs - s1 - s2];
        events.push(lap(car, i + 1, crossingMs, { lapMs: l.lapMs, sectorsMs, inPit: l.inPit }));
      });
    });
    return events;
  }
  const instants = fc.array(fc.integer({ min: 0, max: 3_200_000 }), { minLength: 1, maxLength: 6 });

  it('replayed live up to t or imported whole and seeked to t: the same standings', () => {
    fc.assert(
      fc.property(fc.array(carSpec, { minLength: 2, maxLength: 4 }), instants, (specs, ats) => {
        const events = race(specs, true);
        const whole = foldEvents(events);
        for (const at of ats) assert.deepEqual(standingsAt(liveUpTo(events, at), at, points), standingsAt(whole, at, points));
      }),
      { numRuns: fuzzRuns(150) },
    );
  });

  it('without sector times: exactly the line rule', () => {
    fc.assert(
      fc.property(fc.array(carSpec, { minLength: 2, maxLength: 4 }), instants, (specs, ats) => {
        const timeline = foldEvents(race(specs, false));
        for (const at of ats) assert.deepEqual(standingsAt(timeline, at, points), standingsAt(timeline, at));
      }),
      { numRuns: fuzzRuns(150) },
    );
  });

  it('a time gap at timing points is never negative (A passed the point first, or a bound)', () => {
    fc.assert(
      fc.property(fc.array(carSpec, { minLength: 2, maxLength: 4 }), instants, (specs, ats) => {
        const timeline = foldEvents(race(specs, true));
        for (const at of ats) {
          for (const car of standingsAt(timeline, at, points).cars) {
            for (const gap of [car.gap, car.interval, car.classGap, car.classInterval]) if (gap !== null && 'ms' in gap) assert.ok(gap.ms >= 0, `#${car.number} at ${at}: ${JSON.stringify(gap)}`);
          }
        }
      }),
      { numRuns: fuzzRuns(150) },
    );
  });
});
