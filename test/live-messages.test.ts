import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestLap, classLeadChange, driverChange, feedMessages, finished, flagChange, leadChange, pitIn, pitOut, retired, stopped } from '../src/engine/messages.js';
import { foldEvents } from '../src/engine/timeline.js';
import type { CarStanding, Standings } from '../src/model/standings.js';
import { entry, lap, pitOut as pitOutEvent, session } from './helpers.js';

function car(over: Partial<CarStanding> = {}): CarStanding {
  return {
    position: 2, number: '8', class: 'LMP1', classPosition: 2, group: '', team: 'Toyota', manufacturer: 'Toyota',
    driver: 'Sébastien BUEMI', driverNumber: 1, laps: 40, gap: { ms: 5_000 }, interval: { ms: 5_000 }, classGap: { ms: 5_000 },
    classInterval: { ms: 5_000 }, lastLapMs: 200_000, lastLapBest: null, bestLapMs: 199_000, lastSectorsMs: [60_000, 80_000, 60_000],
    lastSectorsBest: [null, null, null], bestSectorsMs: [60_000, 80_000, 60_000], pitStops: 3, stintLaps: 10, status: 'running',
    lastCrossingMs: 8_000_000, classified: null, reason: null, ...over,
  };
}

const context = { raceTimeMs: 8_100_000, timeline: foldEvents([]) };

describe('feed message generators', () => {
  it('pit in: the car crossed the line in the pit lane', () => {
    assert.equal(pitIn(car(), car({ status: 'in-pit', laps: 41 }), context)?.text, '#8 pits at the end of lap 41');
    assert.equal(pitIn(car({ status: 'in-pit' }), car({ status: 'in-pit' }), context), null);
  });

  it('pit out: with the time in the pit lane from the pit exit', () => {
    const timeline = foldEvents([entry('8', 'LMP1'), lap('8', 41, 8_000_000, { inPit: true }), pitOutEvent('8', 42, 8_075_000, 75_400)]);
    const message = pitOut(car({ status: 'in-pit' }), car({ status: 'out-lap' }), { raceTimeMs: 8_080_000, timeline });
    assert.deepEqual(message, { kind: 'pit-out', raceTimeMs: 8_075_000, car: '8', class: 'LMP1', text: '#8 leaves the pits after 1m15s' });
    assert.equal(pitOut(car(), car({ status: 'out-lap' }), context), null);
  });

  it('driver change, best lap, lead and class lead, stopped, retired, finished', () => {
    assert.equal(driverChange(car(), car({ driverNumber: 2, driver: 'Fernando ALONSO' }), context)?.text, '#8: Fernando ALONSO takes over from Sébastien BUEMI');
    assert.equal(driverChange(car({ driverNumber: null }), car({ driverNumber: 2 }), context), null);
    assert.equal(bestLap(car(), car({ lastCrossingMs: 8_200_000, lastLapMs: 197_500, lastLapBest: 'overall' }), context)?.text, 'Fastest lap: #8 3:17.500');
    assert.equal(bestLap(car(), car({ lastCrossingMs: 8_200_000, lastLapBest: 'class' }), context)?.text, 'LMP1 fastest lap: #8 3:20.000');
    assert.equal(bestLap(car({ lastLapBest: 'overall' }), car({ lastLapBest: 'overall' }), context), null, 'same lap, already told');
    assert.equal(leadChange(car(), car({ position: 1 }), context)?.text, '#8 takes the lead');
    assert.equal(leadChange(car({ laps: 0 }), car({ position: 1, laps: 0 }), context), null, 'no leader before the first lap');
    assert.equal(classLeadChange(car(), car({ classPosition: 1 }), context)?.text, 'LMP1: #8 leads the class');
    assert.equal(stopped(car(), car({ status: 'stopped' }), context)?.text, '#8 has stopped (last seen on lap 40)');
    assert.equal(retired(car({ status: 'stopped' }), car({ status: 'retired' }), context)?.text, '#8 retires after 40 laps');
    assert.equal(finished(car(), car({ status: 'finished', position: 1, classPosition: 1, laps: 385 }), context)?.text, '#8 finishes P1 (LMP1 P1, 385 laps)');
  });

  it('flag changes, and the fixed order: flag, pit messages, then the lead change they caused', () => {
    const standings = (flag: Standings['flag'], cars: CarStanding[]): Standings => ({ at: { raceTimeMs: 8_100_000 }, flag, chequeredMs: null, cars });
    assert.equal(flagChange(standings('green', []), standings('safety-car', []))?.text, 'Safety car');
    assert.equal(flagChange(standings('green', []), standings('unknown', [])), null);
    const before = standings('green', [car({ number: '7', position: 1, classPosition: 1 }), car({ number: '8' })]);
    const after = standings('safety-car', [
      car({ number: '8', position: 1, classPosition: 1 }),
      car({ number: '7', position: 2, classPosition: 2, status: 'in-pit', laps: 41 }),
    ]);
    assert.deepEqual(feedMessages(before, after, foldEvents([session()])).map((m) => m.kind), ['flag', 'pit-in', 'lead-change', 'class-lead-change']);
    assert.deepEqual(feedMessages(null, after, foldEvents([])), [], 'nothing to compare with on the first state');
  });
});
