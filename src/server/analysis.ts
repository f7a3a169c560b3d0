/**
 * REST routes over src/analysis and src/report: pit stops, stints, drive
 * time, history, hour facts and reports, at any instant (`at`, clamped to
 * the live instant). Thin: each route is one call into the pure analysis.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkDriveTimes, driveTimes, flagPeriods, hourFactsFromTimeline, lapRows, pitStops, raceHistory, stints, type RegulationProfile } from '../analysis/index.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { classKey, compareCarNumbers } from '../engine/standings.js';
import type { RaceTimeline } from '../engine/timeline.js';
import type { LapFilter } from '../analysis/laps.js';
import type { EntryList } from '../analysis/entry-list.js';
import { HOUR } from '../model/time.js';
import { buildReport, reportHours } from '../report/build.js';
import { renderReport } from '../report/render.js';
import type { LiveRace } from './live-race.js';
import { sendList } from './csv.js';
import { apiError, atQuery, carsQuery, classQuery, formatQuery, raceNotFound, raceParams, wholeNumberQuery } from './params.js';
import type { RaceHub } from './races.js';

export type RulesFor = (race: { id: string; name: string }) => RegulationProfile | null;
/**
 * The entry list a race's analysis reads (driver categories and full names,
 * src/analysis/entry-list.ts), or null when the server has none for it
 * (`sarthe serve --entry-list [RACE=]FILE`).
 */
export type EntryListFor = (race: { id: string; name: string }) => EntryList | null;

/** The race's entry list as analysis options take it (undefined: none). */
export function entryListOf(race: LiveRace, entryListFor: EntryListFor): EntryList | undefined {
  return entryListFor({ id: race.id, name: race.timeline.session?.name ?? race.id }) ?? undefined;
}

export function registerAnalysis(app: FastifyInstance, hub: RaceHub, rulesFor: RulesFor, entryListFor: EntryListFor = () => null): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const find = (id: string, reply: FastifyReply): LiveRace | null => {
    const race = hub.get(id);
    if (race === undefined) void reply.code(404).send(raceNotFound(id));
    return race ?? null;
  };
  const atOnly = z.strictObject({ at: atQuery });
  const listQuery = z.strictObject({ at: atQuery, car: carsQuery, class: classQuery, format: formatQuery });
  /**
   * The race, instant and cars a list route asks for (car and class together:
   * those in both), or null once a 404 naming the unknown race, car or class is sent.
   */
  const listScope = (id: string, query: { at: number | null; car?: string[]; class?: string }, reply: FastifyReply) => {
    const race = find(id, reply);
    if (race === null) return null;
    const selection = carSelection(race, query);
    if (typeof selection === 'string') {
      void reply.code(404).send(apiError(404, selection));
      return null;
    }
    const at = race.instantAt(query.at);
    return { race, at, only: { at, ...selection, entryList: entryListOf(race, entryListFor) } };
  };

  typed.get(
    '/api/races/:race/laps',
    {
      schema: {
        tags: ['analysis'],
        summary: 'Laps as rows, one per car-lap: times, sectors, pit flags, stint, positions at the crossing, personal bests',
        description:
          'Rows in car order, then lap order (src/analysis/laps.ts LapRow). All times are integer ms; `crossingMs` is race time. ' +
          'CSV with ?format=csv or Accept: text/csv, e.g. pandas.read_csv(".../laps?car=8,7&format=csv").',
        params: raceParams,
        querystring: listQuery.extend({
          fromLap: wholeNumberQuery('a lap number', 1, 100_000).optional().describe('first lap number (inclusive)'),
          toLap: wholeNumberQuery('a lap number', 1, 100_000).optional().describe('last lap number (inclusive)'),
          from: atQuery.describe('first crossing race time (inclusive), e.g. 6h'),
          to: atQuery.describe('last crossing race time (inclusive), e.g. 7h; `at` also caps it'),
        }),
      },
    },
    async (request, reply) => {
      const scope = listScope(request.params.race, request.query, reply);
      if (scope === null) return reply;
      const { race, at, only } = scope;
      const { fromLap, toLap, from, to } = request.query;
      const laps = await lapRowsInSlices(race.timeline, { at: only.at, cars: only.cars, fromLap, toLap, fromMs: from ?? undefined, toMs: to ?? undefined });
      return sendList(request, reply, request.query.format, { race: race.id, at: { raceTimeMs: at }, laps }, laps);
    },
  );

  typed.get(
    '/api/races/:race/pit-stops',
    { schema: { tags: ['analysis'], summary: 'Pit stops up to an instant (pit lane time, driver change, long stops)', params: raceParams, querystring: listQuery } },
    async (request, reply) => {
      const scope = listScope(request.params.race, request.query, reply);
      if (scope === null) return reply;
      const { race, at, only } = scope;
      const stops = pitStops(race.timeline, only);
      return sendList(request, reply, request.query.format, { race: race.id, at: { raceTimeMs: at }, pitStops: stops }, stops);
    },
  );

  typed.get(
    '/api/races/:race/stints',
    {
      schema: {
        tags: ['analysis'],
        summary: 'Car stints and driver stints (double/triple stints) with pace',
        description: 'CSV: one row per stint, car stints then driver stints of each car, told apart by the `kind` column.',
        params: raceParams,
        querystring: listQuery,
      },
    },
    async (request, reply) => {
      const scope = listScope(request.params.race, request.query, reply);
      if (scope === null) return reply;
      const { race, at, only } = scope;
      const list = stints(race.timeline, only);
      return sendList(request, reply, request.query.format, { race: race.id, at: { raceTimeMs: at }, stints: list }, list.flatMap((c) => [...c.carStints, ...c.driverStints]));
    },
  );

  typed.get(
    '/api/races/:race/drive-time',
    {
      schema: {
        tags: ['analysis'],
        summary: 'Drive time per driver (pit lane time excluded), checked against the race\'s regulations when known',
        description: 'CSV: one row per driver, with the car\'s number and class.',
        params: raceParams,
        querystring: listQuery,
      },
    },
    async (request, reply) => {
      const scope = listScope(request.params.race, request.query, reply);
      if (scope === null) return reply;
      const { race, at, only } = scope;
      const driveTime = driveTimes(race.timeline, only);
      const rows = driveTime.flatMap((c) => c.drivers.map(({ intervals: _intervals, ...d }) => ({ car: c.car.car, class: c.car.class, ...d })));
      return sendList(request, reply, request.query.format, { race: race.id, at: { raceTimeMs: at }, driveTime, rules: ruleChecks(race, rulesFor, only) }, rows);
    },
  );

  typed.get(
    '/api/races/:race/history',
    {
      schema: {
        tags: ['analysis'],
        summary: 'Race history: lap chart with gaps, positions each hour, leader changes, laps led, retirements, long stops, finish',
        params: raceParams,
        querystring: atOnly,
      },
    },
    async (request, reply) => {
      const race = find(request.params.race, reply);
      if (race === null) return reply;
      const at = race.instantAt(request.query.at);
      return { race: race.id, ...raceHistory(race.timeline, { at, entryList: entryListOf(race, entryListFor) }), at: { raceTimeMs: at } };
    },
  );

  typed.get(
    '/api/races/:race/flag-periods',
    { schema: { tags: ['analysis'], summary: 'Green, safety car, FCY and red periods (known=false when the source has no flags)', params: raceParams, querystring: atOnly } },
    async (request, reply) => {
      const race = find(request.params.race, reply);
      if (race === null) return reply;
      const at = race.instantAt(request.query.at);
      return { race: race.id, at: { raceTimeMs: at }, ...flagPeriods(race.timeline, { at }) };
    },
  );

  const hourDone = (race: LiveRace, hour: number) => race.raceTimeMs >= hour * HOUR || race.timeline.chequeredMs() !== null;
  /**
   * An hour the race does not have: a 400 naming `hour` when it is a query
   * parameter (as `at` beyond the race is), a 404 when it is the path of a
   * report that does not exist.
   */
  const hourProblem = (race: LiveRace, hour: number, reply: FastifyReply, given: 'query' | 'path') => {
    const hours = reportHours(race.timeline);
    if (!hours.includes(hour)) {
      const message = `no hour ${hour} in race "${race.id}": its timing covers hours 1 to ${hours.at(-1)}`;
      if (given === 'query') return reply.code(400).send(apiError(400, message, { errors: [{ in: 'querystring', field: 'hour', pointer: '/hour', message }] }));
      return reply.code(404).send(apiError(404, message));
    }
    if (!hourDone(race, hour)) {
      return reply.code(404).send(apiError(404, `hour ${hour} of race "${race.id}" has not finished yet`));
    }
    return null;
  };

  typed.get(
    '/api/races/:race/facts',
    {
      schema: {
        tags: ['analysis'],
        summary: 'The facts of one race hour (what a report is written from)',
        params: raceParams,
        querystring: z.strictObject({ hour: hourNumber.describe('race hour: 22 = from 21:00:00 to 22:00:00') }),
      },
    },
    async (request, reply) => {
      const race = find(request.params.race, reply);
      if (race === null) return reply;
      const problem = hourProblem(race, request.query.hour, reply, 'query');
      if (problem !== null) return problem;
      return { at: { raceTimeMs: Math.min(request.query.hour * HOUR, race.raceTimeMs) }, ...hourFactsFromTimeline(race.timeline, request.query.hour, { entryList: entryListOf(race, entryListFor) }) };
    },
  );

  typed.get(
    '/api/races/:race/reports/:hour',
    {
      schema: {
        tags: ['analysis'],
        summary: 'The written report "after N hours" (json, md or html)',
        params: raceParams.extend({ hour: hourNumber }),
        querystring: z.strictObject({ format: z.enum(['json', 'md', 'html']).default('json') }),
      },
    },
    async (request, reply) => {
      const race = find(request.params.race, reply);
      if (race === null) return reply;
      const problem = hourProblem(race, request.params.hour, reply, 'path');
      if (problem !== null) return problem;
      const report = buildReport(race.timeline, request.params.hour, { entryList: entryListOf(race, entryListFor) });
      const format = request.query.format;
      const type = format === 'html' ? 'text/html; charset=utf-8' : format === 'md' ? 'text/markdown; charset=utf-8' : 'application/json; charset=utf-8';
      return reply.type(type).send(renderReport(report, format));
    },
  );
}

/** Wall ms of lap rows computed between two turns of the event loop. */
const LAP_ROWS_SLICE_MS = 20;

/**
 * lapRows, car by car (the same rows in the same order: cars in
 * compareCarNumbers order, then laps), with a turn of the event loop
 * whenever a slice of LAP_ROWS_SLICE_MS is spent: every lap of a 24-hour
 * race takes 60–300 ms to compute on a busy machine, which the health
 * probe must not wait for (issue 16).
 */
async function lapRowsInSlices(timeline: RaceTimeline, filter: LapFilter): Promise<ReturnType<typeof lapRows>> {
  const cars = (filter.cars ?? [...timeline.cars.keys()]).slice().sort(compareCarNumbers);
  const rows: ReturnType<typeof lapRows> = [];
  let started = performance.now();
  for (const car of cars) {
    if (performance.now() - started > LAP_ROWS_SLICE_MS) {
      await nextTurn();
      started = performance.now();
    }
    rows.push(...lapRows(timeline, { ...filter, cars: [car] }));
  }
  return rows;
}

/** A race hour as a whole number from 1 (a missing one is named, not "NaN"). */
const hourNumber = z
  .string({ error: 'required: the race hour, a whole number from 1 (22 = from 21:00:00 to 22:00:00)' })
  .regex(/^\d{1,4}$/, 'a race hour is a whole number from 1, e.g. 22')
  .transform(Number)
  .pipe(z.number().int().min(1).max(1000));

/**
 * The cars of `car` and `class` together (those in both), as analysis
 * options; a message naming the car or class the race does not have.
 */
export function carSelection(race: LiveRace, query: { car?: string[] | undefined; class?: string | undefined }): { cars?: string[] } | string {
  let cars = query.car;
  const all = [...race.timeline.cars.values()];
  if (cars !== undefined) {
    const unknown = cars.filter((c) => !race.timeline.cars.has(c));
    if (unknown.length > 0) return `no car ${unknown.map((c) => `#${c}`).join(', ')} in race "${race.id}" (parameter car)`;
  }
  if (query.class !== undefined) {
    const wanted = classKey(query.class);
    const inClass = all.filter((c) => classKey(c.entry.class) === wanted).map((c) => c.number);
    if (inClass.length === 0) {
      const known = [...new Set(all.map((c) => c.entry.class))].join(', ');
      return `no car in class "${query.class}" in race "${race.id}" (parameter class); classes: ${known}`;
    }
    cars = cars === undefined ? inClass : cars.filter((c) => inClass.includes(c));
  }
  return cars === undefined ? {} : { cars };
}

/** The analysis records of one car, for the car route (rest.ts). */
export function carAnalysis(race: LiveRace, car: string, at: number, rulesFor: RulesFor, entryListFor: EntryListFor = () => null) {
  const only = { at, cars: [car], entryList: entryListOf(race, entryListFor) };
  return {
    pitStops: pitStops(race.timeline, only),
    stints: stints(race.timeline, only)[0] ?? { car, carStints: [], driverStints: [] },
    driveTime: driveTimes(race.timeline, only)[0] ?? null,
    rules: ruleChecks(race, rulesFor, only),
  };
}

/** Each driver's standing against the race's drive-time rules; null when no profile applies. */
function ruleChecks(race: LiveRace, rulesFor: RulesFor, only: { at: number; cars?: string[]; entryList?: EntryList | undefined }) {
  const profile = rulesFor({ id: race.id, name: race.timeline.session?.name ?? race.id });
  if (profile === null) return null;
  return { name: profile.name, year: profile.year, checks: checkDriveTimes(race.timeline, { ...only, profile }) };
}
