/**
 * Analysis invariants on every real lap file in ../shared/data/real/: stops
 * are the in-laps followed by an out-lap, stints partition a car's laps,
 * drivers' drive times add up to the car's, and drivers change only at stops
 * — with every exception in the data listed here by car and lap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldEvents, type RaceTimeline } from '../src/engine/timeline.js';
import type { LapEvent } from '../src/model/events.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { driveTimes } from '../src/analysis/drive-time.js';
import { lapDriveMs, raceIndex } from '../src/analysis/race-index.js';
import { pitStops, unmarkedPitTimes } from '../src/analysis/pits.js';
import { stints } from '../src/analysis/stints.js';
import { hourFactsFromTimeline, factsOfKind } from '../src/analysis/hour-facts.js';
import { LAP_FILES, realData, realFile } from './helpers.js';

/**
 * Driver changes the data shows without a pit stop (the lap before is not an
 * in-lap). All in the Daytona 2019 time cards: three very long laps where the
 * car went behind the wall without a `B` crossing (#52 lap 186 took 2h20m,
 * #3 lap 373 24m27s, #4 lap 476 51m50s), and #19 lap 485, the red-flag hold
 * in the pit lane (PIT_TIME 1:37:14 on a lap no in-lap announced).
 */
const DRIVER_CHANGES_WITHOUT_STOP: Record<string, string[]> = {
  'imsa-2019-daytona-24h-race-timecards.csv': ['52:186', '3:373', '4:476', '19:485'],
};

/**
 * Pit lane time on laps no in-lap announced, so not counted as stops: pit lane
 * starts on lap 1, and at Daytona 2019 the red flag (cars held in the pit lane
 * for about 1h37m, PIT_TIME on the lap that contains the hold).
 */
const UNMARKED_PIT_TIMES: Record<string, string[]> = {
  'lemans-2023-race-analysis.csv': ['708:1'],
  'lemans-2024-race-analysis.csv': ['78:1'],
  'imsa-2019-daytona-24h-race-timecards.csv': [
    '10:522', '11:490', '12:490', '13:488', '14:490', '18:511', '19:485', '24:482', '25:500', '29:490', '31:522',
    '38:507', '4:485', '44:489', '46:470', '47:373', '48:490', '5:503', '50:1', '50:485', '52:444', '54:518',
    '540:490', '57:490', '6:522', '62:500', '63:490', '66:500', '67:500', '7:522', '73:490', '8:481', '81:514',
    '85:515', '86:490', '88:490', '9:470', '911:500', '912:500', '96:488',
  ],
};

function lapsByCar(timeline: RaceTimeline): Map<string, readonly LapEvent[]> {
  return new Map([...timeline.cars.values()].map((c) => [c.number, c.laps]));
}

describe('analysis invariants on every real lap file', realData(), () => {
  for (const name of LAP_FILES) {
    it(name, async () => {
      const { events } = await importAnalysisFiles([realFile(name)]);
      const timeline = foldEvents(events);
      const laps = lapsByCar(timeline);

      // Stops counted = in-laps followed by an out-lap (a last-lap in-lap is a car that stayed in).
      let expectedStops = 0;
      let stillIn = 0;
      for (const carLaps of laps.values()) {
        carLaps.forEach((lap, i) => {
          if (!lap.inPit) return;
          const next = carLaps[i + 1];
          // An out-lap: the next lap, carrying the stop's PIT_TIME.
          if (next !== undefined && next.pitLaneMs !== null) expectedStops++;
          else if (next === undefined) stillIn++;
          else assert.fail(`#${lap.car} in-lap ${lap.lap} is followed by a lap without pit lane time`);
        });
      }
      const stops = pitStops(timeline);
      assert.equal(stops.filter((s) => s.outLap !== null).length, expectedStops, 'complete stops = in-laps followed by a lap');
      assert.equal(stops.filter((s) => s.outLap === null).length, stillIn, 'stops never completed = in-laps that end the data');
      for (const s of stops.filter((x) => x.outLap !== null)) {
        assert.ok(s.pitLaneMs !== null && s.pitLaneMs > 0, `#${s.car} stop ${s.number} has a pit lane time`);
        // Entry and exit lie within the in-lap and the out-lap, a pit lane time apart.
        const carLaps = laps.get(s.car)!;
        const inLap = carLaps[s.inLap - 1]!;
        const outLap = carLaps[s.inLap]!;
        const where = `#${s.car} stop ${s.number} (lap ${s.inLap})`;
        assert.ok(s.pitEntryMs !== null && s.outMs !== null, where);
        assert.ok(inLap.crossingMs - inLap.lapMs <= s.pitEntryMs && s.pitEntryMs <= s.inMs, `${where}: entry in the in-lap`);
        assert.ok(s.inMs <= s.outMs && s.outMs <= outLap.crossingMs, `${where}: exit in the out-lap`);
        assert.equal(s.outMs - s.pitEntryMs, s.pitLaneMs, where);
      }

      // Car stints partition the car's laps; driver stints too.
      for (const car of stints(timeline)) {
        const total = laps.get(car.car)!.length;
        assert.equal(car.carStints.reduce((n, s) => n + s.laps, 0), total, `#${car.car} car stints add up`);
        assert.equal(car.driverStints.reduce((n, s) => n + s.laps, 0), total, `#${car.car} driver stints add up`);
        car.carStints.forEach((s, i) => {
          if (i > 0) assert.equal(s.startLap, car.carStints[i - 1]!.endLap + 1, `#${car.car} stint ${s.number} follows on`);
        });
      }

      // Drivers add up to the car: its race time at the last crossing less its pit lane time.
      for (const car of driveTimes(timeline)) {
        const carLaps = laps.get(car.car.car)!;
        const byDrivers = car.drivers.reduce((sum, d) => sum + d.driveMs, 0);
        assert.equal(byDrivers, car.driveMs, `#${car.car.car} drivers add up to the car`);
        const lapSum = carLaps.reduce((sum, l) => sum + l.lapMs, 0);
        const recordedPit = carLaps.reduce((sum, l) => sum + (l.pitLaneMs ?? 0), 0);
        assert.equal(car.pitLaneMs, recordedPit, `#${car.car.car} all recorded pit lane time is taken off, no more`);
        assert.equal(car.driveMs + car.pitLaneMs, lapSum, `#${car.car.car} drive + pit lane = lap times`);
        const last = carLaps[carLaps.length - 1]!;
        // ELAPSED is the running sum of LAP_TIME to within 0.01 s a lap (SOURCES.md).
        assert.ok(Math.abs(lapSum - last.crossingMs) <= 10 * carLaps.length, `#${car.car.car} lap times sum to its race time`);
        const timelineCar = timeline.cars.get(car.car.car)!;
        const index = raceIndex(timeline);
        carLaps.forEach((_, i) => {
          assert.ok(lapDriveMs(index, timelineCar, i, carLaps.length) >= 0, `#${car.car.car} lap ${i + 1}: drive time not negative`);
        });
        const shares = car.drivers.reduce((sum, d) => sum + d.share, 0);
        if (car.driveMs > 0) assert.ok(Math.abs(shares - 1) < 1e-9);
      }

      // Drivers change only at stops; exceptions are listed above.
      const changesWithoutStop: string[] = [];
      for (const [car, carLaps] of laps) {
        for (let i = 1; i < carLaps.length; i++) {
          if (carLaps[i]!.driverNumber !== carLaps[i - 1]!.driverNumber && !carLaps[i - 1]!.inPit) {
            changesWithoutStop.push(`${car}:${carLaps[i]!.lap}`);
          }
        }
      }
      assert.deepEqual(changesWithoutStop.sort(), (DRIVER_CHANGES_WITHOUT_STOP[name] ?? []).slice().sort());

      const unmarked = unmarkedPitTimes(timeline).map((u) => `${u.car}:${u.lap}`);
      assert.deepEqual(unmarked.sort(), (UNMARKED_PIT_TIMES[name] ?? []).slice().sort());
    });
  }
});

describe('where the line is in the pit lane', realData(), () => {
  it('Imola 2026 #19: a 35-minute repair before the line lies in the in-lap, not the 1:54 out-lap', async () => {
    // Lap 10 (B) took 36:47.712, lap 11 took 1:54.605 with PIT_TIME 0:35:25.527.
    const timeline = foldEvents((await importAnalysisFiles([realFile('wec-2026-imola-6h-race-analysis.csv')])).events);
    const stop = pitStops(timeline, { cars: ['19'] }).find((s) => s.inLap === 10)!;
    assert.equal(stop.pitLaneMs, 35 * 60_000 + 25_527);
    assert.ok(stop.outMs! - stop.inMs < 60_000, 'out of the pits within a minute of crossing the line');
    assert.ok(stop.inMs - stop.pitEntryMs! > 34 * 60_000);
    const driver = driveTimes(timeline, { cars: ['19'] })[0]!.drivers.find((d) => d.driver.number === 3)!;
    assert.ok(driver.intervals.every((iv) => iv.endMs > iv.startMs));
  });
});

describe('hour facts, hour by hour, miss nothing and count nothing twice', realData(), () => {
  for (const file of ['lemans-2019-race-analysis.csv', 'wec-2026-imola-6h-race-analysis.csv'] as const) {
    it(file, async () => {
      const timeline = foldEvents((await importAnalysisFiles([realFile(file)])).events);
      const stops = pitStops(timeline);
      let pitFacts = 0;
      let changeFacts = 0;
      for (let hour = 1; ; hour++) {
        const facts = hourFactsFromTimeline(timeline, hour);
        pitFacts += factsOfKind(facts.facts, 'pit-stop').length;
        changeFacts += factsOfKind(facts.facts, 'driver-change').filter((f) => f.stopNumber !== null).length;
        if (facts.final) break;
      }
      assert.equal(pitFacts, stops.length);
      assert.equal(changeFacts, stops.filter((s) => s.driverChange === true).length);
    });
  }
});

describe('Le Mans 2019 analysis against what happened', realData(), () => {
  it('#8: 34 stops, the 2m44.852s stop on lap 86 is the only long one (lost ~1m40s on a usual 1:05.136)', async () => {
    const timeline = foldEvents((await importAnalysisFiles([realFile('lemans-2019-race-analysis.csv')])).events);
    const stops = pitStops(timeline, { cars: ['8'] });
    assert.equal(stops.length, 34);
    assert.equal(stops[0]!.usualPitLaneMs, 65_136);
    assert.equal(stops[0]!.usualFrom, 'car');
    const long = stops.filter((s) => s.long);
    assert.deepEqual(
      long.map((s) => [s.number, s.inLap, s.pitLaneMs, s.lostMs]),
      [[8, 86, 164_852, 164_852 - 65_136]],
    );
    // Driver changes: Buemi → Alonso at the 4th stop (lap 42 in, 43 out).
    assert.equal(stops[3]!.driverChange, true);
    assert.equal(stops[3]!.driverIn.displayName, 'Sébastien Buemi');
    assert.equal(stops[3]!.driverOut!.displayName, 'Fernando Alonso');
  });

  it('at 6h, #8 has made only the stops before then, judged against the class while it has fewer than 3', async () => {
    const timeline = foldEvents((await importAnalysisFiles([realFile('lemans-2019-race-analysis.csv')])).events);
    const early = pitStops(timeline, { cars: ['8'], at: 45 * 60_000 });
    assert.deepEqual(early.map((s) => s.inLap), [9]);
    assert.equal(early[0]!.usualFrom, 'class');
    assert.equal(pitStops(timeline, { cars: ['8'], at: 6 * 3_600_000 }).length, 8);
  });

  it('hour 12: #7 takes the lead from #8 on lap 177 as #8 pits', async () => {
    const timeline = foldEvents((await importAnalysisFiles([realFile('lemans-2019-race-analysis.csv')])).events);
    const facts = hourFactsFromTimeline(timeline, 12);
    const overall = factsOfKind(facts.facts, 'lead-change').filter((f) => f.class === null);
    assert.equal(overall.length, 1);
    assert.equal(overall[0]!.newLeader.car, '7');
    assert.equal(overall[0]!.previousLeader.car, '8');
    assert.equal(overall[0]!.lap, 177);
    assert.equal(overall[0]!.previousLeaderPitting, true);
    assert.equal(facts.flagsKnown, false);
    assert.deepEqual(factsOfKind(facts.facts, 'flags-unknown'), [{ kind: 'flags-unknown' }]);
  });

  it('hour 24 runs on to the finish: #8 wins, taking the flag at 24:00:10.574', async () => {
    const timeline = foldEvents((await importAnalysisFiles([realFile('lemans-2019-race-analysis.csv')])).events);
    const facts = hourFactsFromTimeline(timeline, 24);
    assert.equal(facts.final, true);
    const [fin] = factsOfKind(facts.facts, 'finish');
    assert.ok(fin);
    assert.equal(fin.winner.car, '8');
    assert.equal(fin.winner.laps, 385);
    assert.equal(fin.atMs, 24 * 3_600_000 + 10_574);
    assert.deepEqual(
      fin.classWinners.map((w) => w.car),
      ['8', '36', '51', '85'],
    );
  });
});
