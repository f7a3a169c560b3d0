/**
 * REST routes over src/analysis and src/report: pit stops, stints, drive
 * time, history, hour facts and reports, at any instant (`at`, clamped to
 * the live instant). Thin: each route is one call into the pure analysis.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkDriveTimes, driveTimes, flagPeriods, hourFactsFromTimeline, pitStops, raceHistory, stints, type RegulationProfile } from '../analysis/index.js';
import { HOUR } from '../model/time.js';
import { buildReport, reportHours } from '../report/build.js';
import { renderReport } from '../report/render.js';
import type { LiveRace } from './live-race.js';
import { atQuery, raceNotFound, raceParams } from './params.js';
import type { RaceHub } from './races.js';

export type RulesFor = (race: { id: string; name: string }) => RegulationProfile | null;

export function registerAnalysis(app: FastifyInstance, hub: RaceHub, rulesFor: RulesFor): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const find = (id: string, reply: FastifyReply): LiveRace | null => {
    const race = hub.get(id);
    if (race === undefined) void reply.code(404).send(raceNotFound(id));
    return race ?? null;
  };
  const atOnly = z.object({ at: atQuery });
  const carsQuery = z.object({ at: atQuery, car: z.string().min(1).max(8).optional().describe('only this car (number as text)') });
  const cars = (car: string | undefined) => (car === undefined ? {} : { cars: [car] });

  typed.get(
    '/api/races/:race/pit-stops',
    { schema: { tags: ['analysis'], summary: 'Pit stops up to an instant (pit lane time, driver change, long stops)', params: raceParams, querystring: carsQuery } },
    async (request, reply) => {
      const race = find(request.params.race, reply);
      if (race === null) return reply;
      const at = race.instantAt(request.query.at);
      return { race: race.id, at: { raceTimeMs: at }, pitStops: pitStops(race.timeline, { at, ...cars(request.query.car) }) };
    },
  );

  typed.get(
    '/api/races/:race/stints',
    { schema: { tags: ['analysis'], summary: 'Car stints and driver stints (double/triple stints) with pace', params: raceParams, querystring: carsQuery } },
    async (request, reply) => {
      const race = find(request.params.race, reply);
      if (race === null) return reply;
      const at = race.instantAt(request.query.at);
      return { race: race.id, at: { raceTimeMs: at }, stints: stints(race.timeline, { at, ...cars(request.query.car) }) };
    },
  );

  typed.get(
    '/api/races/:race/drive-time',
    {
      schema: {
        tags: ['analysis'],
        summary: 'Drive time per driver (pit lane time excluded), checked against the race\'s regulations when known',
        params: raceParams,
        querystring: carsQuery,
      },
    },
    async (request, reply) => {
      const race = find(request.params.race, reply);
      if (race === null) return reply;
      const at = race.instantAt(request.query.at);
      const only = { at, ...cars(request.query.car) };
      return { race: race.id, at: { raceTimeMs: at }, driveTime: driveTimes(race.timeline, only), rules: ruleChecks(race, rulesFor, only) };
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
      return { race: race.id, ...raceHistory(race.timeline, { at: race.instantAt(request.query.at) }) };
    },
  );

  typed.get(
    '/api/races/:race/flag-periods',
    { schema: { tags: ['analysis'], summary: 'Green, safety car, FCY and red periods (known=false when the source has no flags)', params: raceParams, querystring: atOnly } },
    async (request, reply) => {
      const race = find(request.params.race, reply);
      if (race === null) return reply;
      return { race: race.id, ...flagPeriods(race.timeline, { at: race.instantAt(request.query.at) }) };
    },
  );

  const hourDone = (race: LiveRace, hour: number) => race.raceTimeMs >= hour * HOUR || race.timeline.chequeredMs() !== null;
  const hourProblem = (race: LiveRace, hour: number, reply: FastifyReply) => {
    const hours = reportHours(race.timeline);
    if (!hours.includes(hour)) {
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no hour ${hour} in race "${race.id}": its timing covers hours 1 to ${hours.at(-1)}` });
    }
    if (!hourDone(race, hour)) {
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `hour ${hour} of race "${race.id}" has not finished yet` });
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
        querystring: z.object({ hour: z.coerce.number().int().min(1).max(1000).describe('race hour: 22 = from 21:00:00 to 22:00:00') }),
      },
    },
    async (request, reply) => {
      const race = find(request.params.race, reply);
      if (race === null) return reply;
      const problem = hourProblem(race, request.query.hour, reply);
      if (problem !== null) return problem;
      return hourFactsFromTimeline(race.timeline, request.query.hour);
    },
  );

  typed.get(
    '/api/races/:race/reports/:hour',
    {
      schema: {
        tags: ['analysis'],
        summary: 'The written report "after N hours" (json, md or html)',
        params: raceParams.extend({ hour: z.coerce.number().int().min(1).max(1000) }),
        querystring: z.object({ format: z.enum(['json', 'md', 'html']).default('json') }),
      },
    },
    async (request, reply) => {
      const race = find(request.params.race, reply);
      if (race === null) return reply;
      const problem = hourProblem(race, request.params.hour, reply);
      if (problem !== null) return problem;
      const report = buildReport(race.timeline, request.params.hour);
      const format = request.query.format;
      const type = format === 'html' ? 'text/html; charset=utf-8' : format === 'md' ? 'text/markdown; charset=utf-8' : 'application/json; charset=utf-8';
      return reply.type(type).send(renderReport(report, format));
    },
  );
}

/** The analysis records of one car, for the car route (rest.ts). */
export function carAnalysis(race: LiveRace, car: string, at: number, rulesFor: RulesFor) {
  const only = { at, cars: [car] };
  return {
    pitStops: pitStops(race.timeline, only),
    stints: stints(race.timeline, only)[0] ?? { car, carStints: [], driverStints: [] },
    driveTime: driveTimes(race.timeline, only)[0] ?? null,
    rules: ruleChecks(race, rulesFor, only),
  };
}

/** Each driver's standing against the race's drive-time rules; null when no profile applies. */
function ruleChecks(race: LiveRace, rulesFor: RulesFor, only: { at: number; cars?: string[] }) {
  const profile = rulesFor({ id: race.id, name: race.timeline.session?.name ?? race.id });
  if (profile === null) return null;
  return { name: profile.name, year: profile.year, checks: checkDriveTimes(race.timeline, { ...only, profile }) };
}
