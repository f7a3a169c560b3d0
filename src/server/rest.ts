/**
 * Read-only REST API over what the engine computes: races, standings at any
 * instant, a car, flags, the stored events. The state is the live one (the
 * store's events so far); an instant after the live one is clamped to it,
 * since the future is not known yet.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { classificationAt } from '../engine/session-standings.js';
import { apiError, atQuery, classQuery, formatQuery, noQuery, raceNotFound, raceParams, wholeNumberQuery } from './params.js';
import { sendList } from './csv.js';
import type { LiveRace } from './live-race.js';
import type { RaceHub } from './races.js';
import type { LivePush } from './live-push.js';
import { carAnalysis, entryListOf, type EntryListFor, type RulesFor } from './analysis.js';
import { crewsOf, withListedDrivers } from './crews.js';
import { compareCarNumbers } from '../engine/standings.js';
import { FEED_LIMIT } from '../model/live.js';

export function raceSummary(race: LiveRace) {
  const standings = race.liveStandings();
  return {
    ...race.race,
    seq: race.seq,
    events: race.events,
    raceTimeMs: race.raceTimeMs,
    flag: standings?.flag ?? 'unknown',
    chequeredMs: standings?.chequeredMs ?? null,
    cars: standings?.cars.length ?? 0,
    leader: standings?.cars[0]?.number ?? null,
    // The live source's state ("feed stalled since …"), when a live source feeds the race.
    feed: race.feedStatus,
  };
}

export function registerRest(app: FastifyInstance, hub: RaceHub, push: LivePush, rulesFor: RulesFor, entryListFor: EntryListFor = () => null): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/api/health', { schema: { tags: ['server'], summary: 'Liveness and load: the process answers (the store is /api/ready\'s business)', querystring: noQuery } }, async () => ({
    status: 'ok',
    uptimeS: Math.round(process.uptime()),
    rssMb: Math.round(process.memoryUsage.rss() / 1048576),
    races: hub.list().length,
    viewers: push.viewers,
    viewersDropped: push.dropped,
  }));

  typed.get('/api/races', { schema: { tags: ['races'], summary: 'Every race the server knows, with its live state', querystring: noQuery } }, async () => ({
    races: hub.list().map(raceSummary),
  }));

  typed.get('/api/races/:race', { schema: { tags: ['races'], summary: 'One race', params: raceParams, querystring: noQuery } }, async (request, reply) => {
    const race = hub.get(request.params.race);
    if (race === undefined) return reply.code(404).send(raceNotFound(request.params.race));
    return raceSummary(race);
  });

  typed.get(
    '/api/races/:race/messages',
    {
      schema: {
        tags: ['races'],
        summary: 'The race feed up to an instant, as live viewers saw it (for time travel)',
        description: 'The last `limit` feed messages at or before `at` (default: the live instant), oldest first.',
        params: raceParams,
        querystring: z.strictObject({ at: atQuery, limit: wholeNumberQuery('a number of messages', 1, 1000).default(FEED_LIMIT) }),
      },
    },
    async (request, reply) => {
      const race = hub.get(request.params.race);
      if (race === undefined) return reply.code(404).send(raceNotFound(request.params.race));
      const at = race.instantAt(request.query.at);
      return { race: race.id, at: { raceTimeMs: at }, messages: race.feedUpTo(at, request.query.limit) };
    },
  );

  typed.get(
    '/api/races/:race/standings',
    {
      schema: {
        tags: ['races'],
        summary: 'Classification at an instant (overall, or one class)',
        description:
          'Same JSON as `sarthe standings --json`: { at, flag, chequeredMs, cars[] } in overall order. CSV: one row per car. ' +
          'When the server has an entry list for the race (`sarthe serve --entry-list`), each car also has `driverDisplayName` and `driverCategory` (Platinum/Gold/Silver/Bronze or null) for the driver at the wheel.',
        params: raceParams,
        querystring: z.strictObject({ at: atQuery, class: classQuery, format: formatQuery }),
      },
    },
    async (request, reply) => {
      const race = hub.get(request.params.race);
      if (race === undefined) return reply.code(404).send(raceNotFound(request.params.race));
      // Live feeds give board rows and non-race sessions: the session-aware classification.
      const standings = withListedDrivers(
        classificationAt(race.timeline, race.instantAt(request.query.at), { className: request.query.class, gaps: 'timing-points' }),
        race.timeline,
        entryListOf(race, entryListFor),
      );
      return sendList(request, reply, request.query.format, standings, standings.cars);
    },
  );

  typed.get(
    '/api/races/:race/cars/:car',
    {
      schema: {
        tags: ['races'],
        summary: 'One car: entry, standing, laps, pit exits, pit stops, stints, drive time and its rule checks up to an instant',
        params: raceParams.extend({ car: z.string().min(1).max(8).describe('car number as text ("007" is not "7")') }),
        querystring: z.strictObject({ at: atQuery }),
      },
    },
    async (request, reply) => {
      const race = hub.get(request.params.race);
      if (race === undefined) return reply.code(404).send(raceNotFound(request.params.race));
      const car = race.timeline.cars.get(request.params.car);
      if (car === undefined) {
        return reply.code(404).send(apiError(404, `no car #${request.params.car} in race "${race.id}"`));
      }
      const at = race.instantAt(request.query.at);
      const own = classificationAt(race.timeline, at, { gaps: 'timing-points' }).cars.filter((c) => c.number === car.number);
      const standing = withListedDrivers({ cars: own }, race.timeline, entryListOf(race, entryListFor)).cars[0] ?? null;
      return {
        race: race.id,
        at: { raceTimeMs: at },
        entry: car.entry,
        standing,
        laps: car.laps.slice(0, car.indexAt(at)),
        pitOuts: car.pitOuts.filter((p) => p.atMs <= at),
        ...carAnalysis(race, car.number, at, rulesFor, entryListFor),
      };
    },
  );

  typed.get(
    '/api/races/:race/drivers',
    {
      schema: {
        tags: ['races'],
        summary: 'Every car\'s crew: each driver\'s full name and category (Platinum/Gold/Silver/Bronze) from the race\'s entry list',
        description:
          '`entryList` is true when the server has an entry list for this race (`sarthe serve --entry-list`); without one, ' +
          'names are the timing data\'s (capitals tamed) and every category is null. Cars in car-number order, drivers as seen so far.',
        params: raceParams,
        querystring: noQuery,
      },
    },
    async (request, reply) => {
      const race = hub.get(request.params.race);
      if (race === undefined) return reply.code(404).send(raceNotFound(request.params.race));
      const entryList = entryListOf(race, entryListFor);
      return { race: race.id, entryList: entryList !== undefined, cars: crewsOf(race.timeline, entryList, compareCarNumbers) };
    },
  );

  typed.get(
    '/api/races/:race/flags',
    {
      schema: {
        tags: ['races'],
        summary: 'Flag changes at the line, in time order',
        description: 'known=false when the source states no flags (Al Kamel files before 2023): nothing is derived.',
        params: raceParams,
        querystring: z.strictObject({ at: atQuery }),
      },
    },
    async (request, reply) => {
      const race = hub.get(request.params.race);
      if (race === undefined) return reply.code(404).send(raceNotFound(request.params.race));
      const at = race.instantAt(request.query.at);
      return {
        race: race.id,
        at: { raceTimeMs: at },
        known: race.timeline.hasFlags,
        changes: race.timeline.flagChanges().filter((c) => c.atMs <= at),
      };
    },
  );

  typed.get(
    '/api/races/:race/events',
    {
      schema: {
        tags: ['races'],
        summary: 'Stored timing events after a seq (to rebuild or audit a race)',
        description: 'CSV: one row per stored event (seq, key, commitSeq, then the event\'s fields as event.*).',
        params: raceParams,
        querystring: z.strictObject({
          format: formatQuery,
          after: wholeNumberQuery('an event seq', 0, Number.MAX_SAFE_INTEGER).default(0).describe('return events with seq > after'),
          limit: wholeNumberQuery('a number of events', 1, 10_000).default(1_000),
        }),
      },
    },
    async (request, reply) => {
      const race = hub.get(request.params.race);
      if (race === undefined) return reply.code(404).send(raceNotFound(request.params.race));
      const events = await hub.store.readSince(race.id, request.query.after, request.query.limit);
      return sendList(request, reply, request.query.format, { race: race.id, lastSeq: race.seq, events }, events);
    },
  );
}
