/**
 * Neutralisations inferred from sector times (issue 17): on made-up laps,
 * on the files without flags (`sarthe flags`), and against FLAG_AT_FL on
 * the 2023+ files, tuning and held-out races apart.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { foldEvents } from '../src/engine/timeline.js';
import type { TimingEvent } from '../src/model/events.js';
import { inferNeutralisations, neutralisationInForce } from '../src/analysis/neutralisations.js';
import { checkNeutralisations, HELD_OUT_RACES, poolChecks, TUNING_RACES } from '../src/analysis/neutralisation-check.js';
import { flagPeriods } from '../src/analysis/flags.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { readFlags } from '../src/web/car/car-data.js';
import { entry, lap, realData, realFile, repoRoot, session } from './helpers.js';

const run = promisify(execFile);
const sarthe = (...args: string[]) => run(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), ...args], { maxBuffer: 64 * 1024 * 1024 });

/**
 * Twenty cars lapping at 100 s (sectors 30/40/30 s), spread 5 s apart. Laps
 * whose start falls in [slowFrom, slowTo) run `factor` slower in the given
 * sectors (all three for a neutralisation, one for a slow zone).
 */
function race(slowFrom: number, slowTo: number, factor: number, sectors: number[]): TimingEvent[] {
  const events: TimingEvent[] = [session({ scheduledDurationMs: 3 * 3_600_000 })];
  for (let c = 1; c <= 20; c++) {
    const car = String(c);
    events.push(entry(car, 'P'));
    let t = c * 5_000;
    for (let n = 1; n <= 100; n++) {
      const slow = t >= slowFrom && t < slowTo;
      const s = [30_000, 40_000, 30_000].map((ms, k) => (slow && sectors.includes(k) ? Math.round(ms * factor) : ms));
      const lapMs = s[0]! + s[1]! + s[2]!;
      t += lapMs;
      events.push(lap(car, n, t, { lapMs, sectorsMs: [s[0]!, s[1]!, s[2]!] }));
    }
  }
  return events;
}

describe('inferred neutralisations on made-up laps', () => {
  it('the whole field twice as slow for 8 minutes: one FCY, start and end within a lap', () => {
    const periods = inferNeutralisations(foldEvents(race(3_000_000, 3_480_000, 2, [0, 1, 2])));
    const fieldWide = periods.filter((p) => p.kind !== 'slow-zone');
    assert.equal(fieldWide.length, 1);
    const [p] = fieldWide;
    assert.equal(p!.kind, 'fcy');
    assert.equal(p!.inferred, true);
    assert.ok(Math.abs(p!.startMs - 3_000_000) <= 100_000, `start ${p!.startMs}`);
    assert.ok(Math.abs(p!.endMs - 3_680_000) <= 200_000, `end ${p!.endMs}`);
  });

  it('in force at an instant: held while no car is back at speed, though the laps known then end before it; gone once they are', () => {
    const timeline = foldEvents(race(3_000_000, 4_200_000, 2, [0, 1, 2]));
    let earlyEnds = 0;
    for (let at = 3_300_000; at < 4_200_000; at += 30_000) {
      const p = neutralisationInForce(timeline, at);
      assert.ok(p !== null && p.inferred && p.endMs === at && p.startMs <= 3_100_000, `at ${at}: ${JSON.stringify(p)}`);
      const plain = inferNeutralisations(timeline, at).find((q) => q.kind !== 'slow-zone' && q.startMs === p.startMs);
      if (plain !== undefined && plain.endMs < at) earlyEnds++;
    }
    // The reason for the rule: the plain inference at those instants ends the period where the completed laps run out.
    assert.ok(earlyEnds > 0, 'the inference alone ends it early at some instant');
    for (let at = 4_700_000; at < 5_500_000; at += 30_000) assert.equal(neutralisationInForce(timeline, at), null, `at ${at}`);
    assert.equal(neutralisationInForce(timeline, 2_900_000), null);
  });

  it('flag-periods without flags: the answer at an instant is kept while the laps completed by then stay the same', () => {
    const at = 3_600_000;
    const events = race(3_000_000, 4_200_000, 2, [0, 1, 2]);
    const laps = events.filter((e): e is Extract<TimingEvent, { type: 'lap' }> => e.type === 'lap');
    const lastOfCar1 = laps.filter((e) => e.car === '1' && e.crossingMs <= at).at(-1)!;
    const later = laps.find((e) => e.crossingMs > at)!;
    const timeline = foldEvents(events.filter((e) => e !== lastOfCar1 && (e.type !== 'lap' || e.crossingMs <= at)));
    const first = flagPeriods(timeline, { at });
    assert.ok(!first.known && first.inForce !== null);
    timeline.apply(later);
    assert.equal(flagPeriods(timeline, { at }), first, 'a lap after the instant: the same answer');
    timeline.apply(lastOfCar1);
    assert.notEqual(flagPeriods(timeline, { at }), first, 'a lap completed by the instant: asked again');
  });

  it('the same for 20 minutes is a safety car', () => {
    const periods = inferNeutralisations(foldEvents(race(3_000_000, 4_200_000, 2, [0, 1, 2]))).filter((p) => p.kind !== 'slow-zone');
    assert.deepEqual(
      periods.map((p) => p.kind),
      ['safety-car'],
    );
  });

  it('only sector 2 slower: a slow zone in sector 2, not a field-wide period', () => {
    const periods = inferNeutralisations(foldEvents(race(3_000_000, 3_600_000, 1.5, [1])));
    assert.equal(periods.filter((p) => p.kind !== 'slow-zone').length, 0);
    const zones = periods.filter((p) => p.kind === 'slow-zone');
    assert.equal(zones.length, 1);
    assert.equal(zones[0]!.sector, 2);
  });

  it('green running throughout: nothing inferred', () => {
    assert.deepEqual(inferNeutralisations(foldEvents(race(0, 0, 1, []))), []);
  });

  it('at an instant, only the laps completed by then count', () => {
    const timeline = foldEvents(race(3_000_000, 4_200_000, 2, [0, 1, 2]));
    assert.deepEqual(inferNeutralisations(timeline, 2_900_000), []);
    const control = flagPeriods(timeline, { at: 3_500_000 });
    assert.ok(!control.known);
    assert.equal(control.inferred.length, 1);
    const [p] = control.inferred;
    assert.ok(p!.startMs < 3_200_000 && p!.endMs <= 3_500_000, 'found by then, and it ends no later than the data');
    const later = inferNeutralisations(timeline).find((q) => q.kind !== 'slow-zone')!;
    assert.ok(later.endMs > 4_000_000, 'with all the laps it runs on');
  });
});

/**
 * Two classes (sectors 30/40/30 s and 33/44/33 s), ten cars each, 6 s apart.
 * Each sector's time is set by the phase at its start: green; from fcyFrom
 * the FCY limiter's 70/90/70 s for every car whatever its class; from
 * deployed (when not null) one sector at 1.1× its green time (catching the
 * queue), then the safety car's pace, the same for the queue but changing
 * from lap to lap (56/78/56 s to 80/100/80 s); green again from releasedAt.
 */
function fcyRace(fcyFrom: number, deployed: number | null, releasedAt: number): TimingEvent[] {
  const events: TimingEvent[] = [session({ scheduledDurationMs: 3 * 3_600_000 })];
  const limiter = [70_000, 90_000, 70_000];
  const queue = [
    [56_000, 78_000, 56_000],
    [60_000, 82_000, 60_000],
    [64_000, 86_000, 64_000],
    [76_000, 96_000, 76_000],
    [80_000, 100_000, 80_000],
  ];
  for (let c = 1; c <= 20; c++) {
    const car = String(c);
    const green = c <= 10 ? [30_000, 40_000, 30_000] : [33_000, 44_000, 33_000];
    events.push(entry(car, c <= 10 ? 'A' : 'B'));
    let t = c * 6_000;
    let caughtUp = false;
    for (let n = 1; n <= 80; n++) {
      const start = t;
      const s = [0, 1, 2].map((k) => {
        let ms = green[k]!;
        if (t >= releasedAt) ms = green[k]!;
        else if (deployed !== null && t >= deployed) {
          ms = caughtUp ? queue[n % queue.length]![k]! : Math.round(green[k]! * 1.1);
          caughtUp = true;
        } else if (t >= fcyFrom) ms = limiter[k]!;
        t += ms;
        return ms;
      });
      events.push(lap(car, n, t, { lapMs: t - start, sectorsMs: [s[0]!, s[1]!, s[2]!] }));
    }
  }
  return events;
}

describe('an FCY, then a safety car (FLAG_AT_FL shows the FCY green)', () => {
  const fcyFrom = 3_000_000;
  const deployed = 3_480_000;

  it('a safety car from where the field left the FCY pace, the FCY before it told in fcyFromMs', () => {
    const fieldWide = inferNeutralisations(foldEvents(fcyRace(fcyFrom, deployed, deployed + 15 * 60_000))).filter((p) => p.kind !== 'slow-zone');
    assert.equal(fieldWide.length, 1, JSON.stringify(fieldWide));
    const [p] = fieldWide;
    assert.equal(p!.kind, 'safety-car');
    assert.ok(p!.startMs >= deployed - 10_000 && p!.startMs <= deployed + 90_000, `start ${p!.startMs}`);
    assert.ok(p!.fcyFromMs !== null && Math.abs(p!.fcyFromMs - fcyFrom) <= 100_000, `FCY from ${p!.fcyFromMs}`);
    assert.ok(p!.endMs > deployed + 14 * 60_000, `end ${p!.endMs}`);
  });

  it('the same FCY released to green: an FCY, nothing told before it', () => {
    const fieldWide = inferNeutralisations(foldEvents(fcyRace(fcyFrom, null, deployed))).filter((p) => p.kind !== 'slow-zone');
    assert.equal(fieldWide.length, 1, JSON.stringify(fieldWide));
    const [p] = fieldWide;
    assert.equal(p!.kind, 'fcy');
    assert.equal(p!.fcyFromMs, null);
    assert.ok(Math.abs(p!.startMs - fcyFrom) <= 100_000, `start ${p!.startMs}`);
  });
});

describe('the car page reads inferred periods as marked spans', () => {
  it('safety car and FCY kept and marked inferred; slow zones left out; none → null', () => {
    const json = {
      known: false,
      flag: 'unknown',
      inferred: [
        { kind: 'fcy', inferred: true, startMs: 10, endMs: 20 },
        { kind: 'slow-zone', inferred: true, startMs: 30, endMs: 40, sector: 2 },
      ],
    };
    assert.deepEqual(readFlags(json), [{ flag: 'fcy', startMs: 10, endMs: 20, inferred: true }]);
    assert.equal(readFlags({ known: false, flag: 'unknown', inferred: [] }), null);
  });
});

describe('sarthe flags on the files without flags', realData(), () => {
  for (const [file, safetyCars] of [
    ['lemans-2019-race-analysis.csv', 1],
    ['lemans-2021-race-analysis.csv', 1],
    ['wec-2019-spa-6h-race-analysis.csv', 1],
    ['wec-2020-spa-6h-race-analysis.csv', 1],
    ['imsa-2019-daytona-24h-race-timecards.csv', 1],
  ] as const) {
    it(file, async () => {
      const { stdout } = await sarthe('flags', realFile(file), '--json');
      const control = JSON.parse(stdout) as { known: boolean; inferred: Array<{ kind: string; inferred: boolean; startMs: number; endMs: number }> };
      assert.equal(control.known, false);
      assert.ok(control.inferred.every((p) => p.inferred === true && p.endMs > p.startMs));
      assert.ok(control.inferred.filter((p) => p.kind === 'safety-car').length >= safetyCars);
      const table = (await sarthe('flags', realFile(file))).stdout;
      assert.match(table, /not shown by race control/);
      assert.match(table, /probable (safety car|full-course yellow)/);
    });
  }

  it('Le Mans 2019: the safety car in the 21st hour is found', async () => {
    const timeline = foldEvents((await importAnalysisFiles([realFile('lemans-2019-race-analysis.csv')])).events);
    const hour = 3_600_000;
    assert.ok(inferNeutralisations(timeline).some((p) => p.kind === 'safety-car' && p.startMs < 21 * hour && p.endMs > 20 * hour));
  });
});

describe('inferred against FLAG_AT_FL (2023+ files)', realData(), () => {
  it('tuning and held-out races are disjoint and cover every 2023+ lap file', () => {
    const all = new Set<string>([...TUNING_RACES, ...HELD_OUT_RACES]);
    assert.equal(all.size, TUNING_RACES.length + HELD_OUT_RACES.length);
    assert.equal(all.size, 15);
  });

  it('held-out races: recall and precision ≥ 0.9, every safety car found, median start error ≤ 60 s', async () => {
    const checks = [];
    for (const file of HELD_OUT_RACES) {
      checks.push(checkNeutralisations(foldEvents((await importAnalysisFiles([realFile(file)])).events)));
    }
    const pooled = poolChecks(checks);
    assert.ok(pooled.recall >= 0.9, `recall ${pooled.recall}`);
    assert.equal(pooled.safetyCarPeriodsFound, pooled.safetyCarPeriods);
    assert.ok(pooled.safetyCarPeriods >= 20);
    assert.ok(pooled.medianAbsStartErrorMs! <= 60_000, `start error ${pooled.medianAbsStartErrorMs}`);
    assert.ok(pooled.medianAbsEndErrorMs! <= 30_000, `end error ${pooled.medianAbsEndErrorMs}`);
    // 0.971 measured (0.838 before the FCY that precedes a safety car was told from it, neutralisations.ts).
    assert.ok(pooled.precision >= 0.9, `precision ${pooled.precision}`);
    assert.ok(pooled.precisionOutsideRunUp >= 0.95, `precision outside run-ups ${pooled.precisionOutsideRunUp}`);
  });

  it('tuning races: each FCY before a safety car is told apart, and none is told before a flagged FCY', async () => {
    for (const file of TUNING_RACES) {
      const timeline = foldEvents((await importAnalysisFiles([realFile(file)])).events);
      const control = flagPeriods(timeline);
      assert.ok(control.known, `${file} has flags`);
      const periods = control.known ? control.periods : [];
      const told = inferNeutralisations(timeline).filter((p) => p.fcyFromMs !== null);
      for (const p of told) {
        // The period starts within a minute of race control's SF, and its FCY lay under green flags.
        const sc = periods.find((f) => f.flag === 'safety-car' && Math.abs(f.startMs - p.startMs) <= 60_000);
        assert.ok(sc !== undefined, `${file}: safety car after FCY at ${p.startMs} matches no SF`);
        const fcyFromMs = p.fcyFromMs!;
        const flagged = periods.filter((f) => f.flag !== 'green' && f.startMs < p.startMs - 60_000 && (f.endMs ?? Infinity) > fcyFromMs);
        assert.deepEqual(flagged, [], `${file}: the FCY told before ${p.startMs} overlaps a flagged period`);
      }
      // Fuji 2024, Qatar 2025 and Spa 2025 had two each (the diagnosis in neutralisation-check.ts); Le Mans none.
      const expected = file.startsWith('lemans') ? 0 : 2;
      assert.equal(told.length, expected, `${file}: ${told.length}`);
    }
  });
});
