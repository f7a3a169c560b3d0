import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { compareEvents, eventTimeMs } from '../src/model/events.js';
import { HOUR } from '../src/model/time.js';
import { parseRegulationProfile } from '../src/analysis/index.js';
import { buildServer } from '../src/server/app.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { toAppendEvent } from '../src/store/index.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { repoRoot } from './helpers.js';

/** Le Mans 2019 stored up to 6h30: hour 6 is over, hour 7 is not. */
let app: FastifyInstance;
before(async () => {
  const { events } = await importAnalysisFiles([join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv')]);
  const store = new SqliteEventStore({ file: ':memory:' });
  await store.append('lemans-2019', events.filter((e) => eventTimeMs(e) <= 6.5 * HOUR).sort(compareEvents).map(toAppendEvent));
  app = await buildServer({ store });
});
after(() => app.close());

const get = async (url: string) => {
  const response = await app.inject({ method: 'GET', url });
  return { status: response.statusCode, json: () => response.json(), body: response.body, type: String(response.headers['content-type']) };
};

describe('analysis routes', () => {
  it('history, stints, pit stops and drive time at the live instant or earlier', async () => {
    const history = (await get('/api/races/lemans-2019/history')).json();
    assert.equal(history.lapChart.length, 61);
    assert.ok(history.hours.length >= 6);
    const early = (await get('/api/races/lemans-2019/history?at=2h')).json();
    assert.deepEqual(early.at, { raceTimeMs: 2 * HOUR }, "the same instant shape as every other answer");
    const stints = (await get('/api/races/lemans-2019/stints?car=8')).json();
    assert.equal(stints.stints.length, 1);
    assert.ok(stints.stints[0].carStints.length >= 5, 'six and a half hours make several stints');
    const stops = (await get('/api/races/lemans-2019/pit-stops?at=3h')).json();
    assert.ok(stops.pitStops.length > 50);
    assert.ok(stops.pitStops.every((s: { car: string }) => typeof s.car === 'string'));
    const car = (await get('/api/races/lemans-2019/cars/8')).json();
    assert.ok(car.pitStops.length >= 5);
    assert.equal(car.stints.car, '8');
    assert.ok(car.driveTime.drivers.length >= 2);
    assert.equal(car.rules, null, 'no regulation profile given to this server');
  });

  it('checks drive time against the race\'s regulation profile when one applies', async () => {
    const { events } = await importAnalysisFiles([join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv')]);
    const store = new SqliteEventStore({ file: ':memory:' });
    await store.append('lemans-2019', events.filter((e) => eventTimeMs(e) <= 6.5 * HOUR).sort(compareEvents).map(toAppendEvent));
    const profile = parseRegulationProfile(readFileSync(join(repoRoot, 'rules', 'lemans.json'), 'utf8'), 'rules/lemans.json');
    const withRules = await buildServer({ store, rulesFor: (race) => (/le mans/i.test(race.name) ? profile : null) });
    try {
      const car = (await withRules.inject({ method: 'GET', url: '/api/races/lemans-2019/cars/8' })).json();
      assert.equal(car.rules.name, '24 Hours of Le Mans');
      assert.equal(car.rules.year, 2019);
      assert.equal(car.rules.checks.length, 3, 'the three drivers of #8');
      // After 6h30 nobody has the 6 h minimum yet, and nobody is over a maximum.
      assert.ok(car.rules.checks.every((c: { status: string }) => c.status === 'on-track' || c.status === 'at-risk'));
      const all = (await withRules.inject({ method: 'GET', url: '/api/races/lemans-2019/drive-time?at=3h' })).json();
      assert.ok(all.rules.checks.length > 150, 'every driver of the race');
    } finally {
      await withRules.close();
    }
  });

  it('hour facts and reports for finished hours only', async () => {
    const facts = await get('/api/races/lemans-2019/facts?hour=6');
    assert.equal(facts.status, 200);
    const md = await get('/api/races/lemans-2019/reports/6?format=md');
    assert.equal(md.status, 200);
    assert.match(md.type, /markdown/);
    assert.match(md.body, /6/);
    const unfinished = await get('/api/races/lemans-2019/reports/7');
    assert.equal(unfinished.status, 404);
    assert.match(unfinished.json().message, /has not finished yet/);
    assert.equal((await get('/api/races/lemans-2019/facts?hour=0')).status, 400);
  });

  it('are in the OpenAPI document', async () => {
    const paths = Object.keys((await get('/api/openapi.json')).json().paths);
    for (const path of ['/api/races/{race}/history', '/api/races/{race}/stints', '/api/races/{race}/pit-stops', '/api/races/{race}/facts', '/api/races/{race}/reports/{hour}']) {
      assert.ok(paths.includes(path), path);
    }
  });
});
