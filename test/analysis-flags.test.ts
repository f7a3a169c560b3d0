/**
 * Race control on real data: Le Mans 2024 (rain) safety car periods against
 * the SF laps of the file, two periods checked by hand against the CSV, and
 * a file without flags saying "unknown".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldEvents } from '../src/engine/timeline.js';
import type { LapEvent } from '../src/model/events.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { flagPeriods, type FlagPeriod } from '../src/analysis/flags.js';
import { stints } from '../src/analysis/stints.js';
import { hourFactsFromTimeline, factsOfKind } from '../src/analysis/hour-facts.js';
import { entry, lap, session } from './helpers.js';
import { realData, realFile } from './helpers.js';

const ms = (h: number, m: number, s: number) => ((h * 60 + m) * 60 + s) * 1000;

describe('flag periods on Le Mans 2024', realData(), () => {
  it('safety car periods hold exactly the SF laps of the file', async () => {
    const { events } = await importAnalysisFiles([realFile('lemans-2024-race-analysis.csv')]);
    const control = flagPeriods(foldEvents(events));
    assert.ok(control.known);
    const sc = control.periods.filter((p) => p.flag === 'safety-car');
    assert.equal(sc.length, 3);
    const inSc = (t: number) => sc.some((p) => t >= p.startMs && (p.endMs === null || t < p.endMs));
    const laps = events.filter((e): e is LapEvent => e.type === 'lap');
    const sfLaps = laps.filter((l) => l.flag === 'safety-car');
    assert.equal(sfLaps.length, 2_481);
    assert.deepEqual(
      laps.filter((l) => inSc(l.crossingMs)).map((l) => `${l.car}:${l.lap}`),
      sfLaps.map((l) => `${l.car}:${l.lap}`),
    );
    assert.equal(sc.reduce((n, p) => n + p.carLaps, 0), 2_481);
    // Periods follow each other without gaps and alternate flags.
    control.periods.forEach((p, i) => {
      const next = control.periods[i + 1];
      if (next !== undefined) {
        assert.equal(p.endMs, next.startMs);
        assert.notEqual(p.flag, next.flag);
      }
    });
  });

  it('two periods checked by hand against the CSV', async () => {
    const { events } = await importAnalysisFiles([realFile('lemans-2024-race-analysis.csv')]);
    const control = flagPeriods(foldEvents(events));
    assert.ok(control.known);
    const find = (flag: FlagPeriod['flag'], startMs: number) => control.periods.find((p) => p.flag === flag && p.startMs === startMs);

    // First FCY. Rows sorted by ELAPSED: #155 lap 48 (B) 3:24:46.952 GF; then
    // #45 lap 51 3:25:08.873 FCY, #4 lap 55 (B) 3:25:28.459 FCY, #38 lap 55 (B)
    // 3:25:47.135 FCY; then #34 lap 52 (B) 3:26:08.334 GF.
    const fcy = find('fcy', ms(3, 25, 8) + 873);
    assert.ok(fcy, 'FCY from 3:25:08.873');
    assert.equal(fcy.previousCrossingMs, ms(3, 24, 46) + 952);
    assert.equal(fcy.endMs, ms(3, 26, 8) + 334);
    assert.equal(fcy.durationMs, 59_461);
    assert.equal(fcy.carLaps, 3);
    assert.equal(fcy.leaderLaps, 0, 'the leader (#83, lap 55 at 3:24:08.907) did not cross under it');

    // First safety car. #5 lap 104 at 6:36:59.371 shows GF; #24 lap 98 at
    // 6:37:08.853 is the first SF; the last SF is #11 lap 112 at 8:02:16.304,
    // and #86 lap 102 at 8:08:41.348 is the first GF again.
    const sc = find('safety-car', ms(6, 37, 8) + 853);
    assert.ok(sc, 'safety car from 6:37:08.853');
    assert.equal(sc.previousCrossingMs, ms(6, 36, 59) + 371);
    assert.equal(sc.endMs, ms(8, 8, 41) + 348);
    assert.equal(sc.durationMs, ms(1, 31, 32) + 495);
    assert.equal(sc.firstLeaderLap, 105);
    assert.equal(sc.lastLeaderLap, 115);
    assert.equal(sc.leaderLaps, 11);
  });

  it('pace uses green laps only: no stint pace lap was run under SC or FCY', async () => {
    const { events } = await importAnalysisFiles([realFile('lemans-2024-race-analysis.csv')]);
    const timeline = foldEvents(events);
    const car50 = stints(timeline, { cars: ['50'] })[0]!;
    assert.ok(car50.carStints.every((s) => s.pace.basis === 'green-laps'));
    const paced = car50.carStints.reduce((n, s) => n + s.pace.laps, 0);
    const greenLaps = timeline.cars.get('50')!.laps.filter((l) => l.flag === 'green').length;
    assert.ok(paced < greenLaps, 'in/out-laps and laps a flag change touched are left out');
  });

  it('hour facts list the safety car periods overlapping hour 12', async () => {
    const timeline = foldEvents((await importAnalysisFiles([realFile('lemans-2024-race-analysis.csv')])).events);
    const periods = factsOfKind(hourFactsFromTimeline(timeline, 12).facts, 'flag-period');
    assert.deepEqual(
      periods.map((p) => [p.period.flag, p.startedInHour, p.endedInHour]),
      [
        ['green', false, true],
        ['fcy', true, true],
        ['green', true, true],
        ['safety-car', true, false],
      ],
    );
    assert.equal(periods[0]!.inHourMs, ms(11, 13, 7) + 290 - ms(11, 0, 0));
    assert.equal(periods[3]!.inHourMs, ms(12, 0, 0) - (ms(11, 44, 19) + 394));
    assert.equal(periods[3]!.period.endMs, null, 'still out at 12h: the end is not known yet');
  });
});

describe('files without flags say unknown, never green, and carry inferred neutralisations', realData(), () => {
  it('Le Mans 2019', async () => {
    const timeline = foldEvents((await importAnalysisFiles([realFile('lemans-2019-race-analysis.csv')])).events);
    const control = flagPeriods(timeline);
    assert.equal(control.known, false);
    assert.ok(!control.known && control.flag === 'unknown');
    assert.ok(control.inferred.length > 0 && control.inferred.every((p) => p.inferred === true));
    const s = stints(timeline, { cars: ['8'] })[0]!;
    assert.ok(s.carStints.every((x) => x.pace.basis === 'inferred-green-laps'));
  });
});

describe('flag periods on made-up laps', () => {
  it('start at the first crossing showing the flag, end at the first showing another', () => {
    const events = [
      session(),
      entry('1', 'P'),
      lap('1', 1, 100_000, { flag: 'green' }),
      lap('1', 2, 200_000, { flag: 'safety-car' }),
      lap('1', 3, 300_000, { flag: 'safety-car' }),
      lap('1', 4, 400_000, { flag: 'green' }),
    ];
    const control = flagPeriods(foldEvents(events), { at: 350_000 });
    assert.ok(control.known);
    assert.deepEqual(
      control.periods.map((p) => [p.flag, p.startMs, p.endMs, p.durationMs, p.carLaps, p.leaderLaps]),
      [
        ['green', 100_000, 200_000, 100_000, 1, 1],
        ['safety-car', 200_000, null, 150_000, 2, 2],
      ],
    );
  });
});
