/**
 * Response schemas of the read API, for the OpenAPI document (openapi.ts
 * puts each under its route's 200 answer) so that clients can be generated.
 * Answers are not re-validated per request (the serializer is JSON.stringify);
 * test/server-openapi.test.ts checks every route's real answer against the
 * published document instead.
 *
 * Timing events reuse the ingest schemas of src/model/events.ts; the other
 * records follow the TypeScript types named beside them. Objects are open
 * (looseObject): a field added later does not break an old client.
 */
import { z } from 'zod';
import { FlagSchema, LapEventSchema, PitOutEventSchema, TimingEventSchema } from '../model/events.js';

const ms = z.number().int();
const msOrNull = ms.nullable();
const instant = z.object({ raceTimeMs: ms.describe('race time, ms since the start') }).describe('the instant the answer is computed at');
const flagState = z.string().describe('green, safety-car, fcy, red, finish or unknown');
const gap = z
  .union([z.null(), z.object({ ms, provisional: z.literal(true).optional() }), z.object({ laps: z.number().int() })])
  .describe('null for the car it is measured from; { ms } on the same lap ({ ms, provisional: true }: a lower bound while a car passed between timing points has not crossed again, DESIGN.md §7); else { laps }');
const best = z.enum(['overall', 'class', 'personal']).nullable();
const sectors = z.tuple([msOrNull, msOrNull, msOrNull]);

/** src/analysis/roster.ts DriverRef and CarRef. */
const driverRef = z.looseObject({ car: z.string(), number: z.number().int(), name: z.string(), displayName: z.string(), surname: z.string(), category: z.string().nullable() });
const carRef = z.looseObject({ car: z.string(), class: z.string(), group: z.string(), team: z.string(), teamShort: z.string(), manufacturer: z.string() });

/** src/model/standings.ts CarStanding. */
export const CarStandingSchema = z.looseObject({
  position: z.number().int(),
  number: z.string(),
  class: z.string(),
  classPosition: z.number().int(),
  group: z.string(),
  team: z.string(),
  manufacturer: z.string(),
  driver: z.string(),
  driverNumber: z.number().int().nullable(),
  laps: z.number().int(),
  gap,
  interval: gap,
  classGap: gap,
  classInterval: gap,
  lastLapMs: msOrNull,
  lastLapBest: best,
  bestLapMs: msOrNull,
  lastSectorsMs: sectors,
  lastSectorsBest: z.tuple([best, best, best]),
  bestSectorsMs: sectors,
  pitStops: z.number().int(),
  stintLaps: z.number().int(),
  status: z.enum(['running', 'out-lap', 'in-pit', 'stopped', 'retired', 'finished']),
  lastCrossingMs: ms,
  /** Once the result stands: classified or not (null before, and for a car still running to the line). */
  classified: z.boolean().nullable(),
  /** Why a car is not classified, in plain words; null otherwise. */
  reason: z.string().nullable(),
  /** With an entry list for the race (server/crews.ts): the driver at the wheel's full name and category. */
  driverDisplayName: z.string().optional(),
  driverCategory: z.enum(['Platinum', 'Gold', 'Silver', 'Bronze']).nullable().optional(),
});

export const StandingsSchema = z.looseObject({ at: instant, flag: flagState, chequeredMs: msOrNull, cars: z.array(CarStandingSchema) });

/** rest.ts raceSummary. */
export const RaceSummarySchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  scheduledDurationMs: msOrNull,
  zeroTimeOfDayMs: msOrNull,
  seq: z.number().int(),
  events: z.number().int(),
  raceTimeMs: ms,
  flag: flagState,
  chequeredMs: msOrNull,
  cars: z.number().int(),
  leader: z.string().nullable(),
});

const feedMessage = z.looseObject({ kind: z.string(), raceTimeMs: ms, car: z.string().optional(), class: z.string().optional(), text: z.string() });

/** src/analysis/laps.ts LapRow. */
export const LapRowSchema = z.object({
  car: z.string(),
  class: z.string(),
  driverNumber: z.number().int(),
  driver: z.string(),
  lap: z.number().int(),
  lapMs: ms,
  s1Ms: msOrNull,
  s2Ms: msOrNull,
  s3Ms: msOrNull,
  crossingMs: ms.describe('race time the lap was completed'),
  inLap: z.boolean(),
  outLap: z.boolean(),
  pitLaneMs: msOrNull,
  stint: z.number().int(),
  position: z.number().int(),
  classPosition: z.number().int(),
  flag: FlagSchema.nullable(),
  personalBest: z.boolean(),
});

/** src/model/pit.ts PitBasis. */
const PIT_BASIS = z.enum(['circuit-profile', 'estimated']).describe('how the pit entry and exit were placed: the circuit\'s measured profile, or estimated from lap times');

/** src/analysis/pits.ts PitStop. */
const pitStop = z.looseObject({
  car: z.string(),
  class: z.string(),
  number: z.number().int(),
  inLap: z.number().int(),
  outLap: z.number().int().nullable(),
  inMs: ms,
  inTimeOfDayMs: msOrNull.describe('time of day of the in-lap crossing, when the source gives it'),
  pitEntryMs: msOrNull,
  outMs: msOrNull,
  basis: PIT_BASIS,
  exitKnownMs: msOrNull,
  pitLaneMs: msOrNull,
  elapsedMs: ms,
  driverIn: driverRef,
  driverOut: driverRef.nullable(),
  driverChange: z.boolean().nullable(),
  flagAtEntry: flagState,
  flagAtEntryInferred: z.boolean(),
  usualPitLaneMs: msOrNull,
  usualFrom: z.enum(['car', 'class', 'safety-car']).nullable(),
  lostMs: msOrNull,
  long: z.boolean(),
});

/** src/analysis/stints.ts StintCommon. */
const stintCommon = {
  car: z.string(),
  class: z.string(),
  number: z.number().int(),
  startLap: z.number().int(),
  endLap: z.number().int(),
  laps: z.number().int(),
  startMs: ms,
  endMs: ms,
  driveMs: ms,
  bestLapMs: ms,
  medianLapMs: ms,
  pace: z.looseObject({ basis: z.enum(['green-laps', 'inferred-green-laps']), laps: z.number().int(), medianLapMs: msOrNull, meanLapMs: msOrNull }),
  open: z.boolean(),
};
const carStint = z.looseObject({ kind: z.literal('car'), ...stintCommon, drivers: z.array(driverRef), endsWithStop: z.boolean() });
const driverStint = z.looseObject({ kind: z.literal('driver'), ...stintCommon, driver: driverRef, carStints: z.number().int(), stopsWithin: z.number().int() });
const carStints = z.looseObject({ car: z.string(), carStints: z.array(carStint), driverStints: z.array(driverStint) });

/** src/analysis/drive-time.ts DriverDriveTime, without its intervals. */
const driverDriveTime = { driver: driverRef, driveMs: ms, laps: z.number().int(), share: z.number(), stintDriveMs: z.array(ms), longestStintMs: ms };

/** src/analysis/drive-time.ts CarDriveTime. */
const carDriveTime = z.looseObject({
  car: carRef,
  driveMs: ms,
  pitLaneMs: ms,
  laps: z.number().int(),
  drivers: z.array(z.looseObject(driverDriveTime)),
});

/** analysis.ts ruleChecks: null when no regulation profile applies. */
const ruleChecks = z
  .looseObject({ name: z.string(), year: z.number().int().nullable(), checks: z.array(z.looseObject({ driver: driverRef, car: carRef, driveMs: ms, status: z.string() })) })
  .nullable();

const flagChange = z.looseObject({ atMs: ms, flag: FlagSchema });

/** src/analysis/flags.ts RaceControl. */
const raceControl = {
  known: z.boolean().describe('false when the source states no flags (Al Kamel before 2023): nothing is derived'),
  flag: z.literal('unknown').optional(),
  periods: z.array(z.looseObject({ flag: FlagSchema, startMs: ms, endMs: msOrNull, durationMs: ms })).optional(),
  inForce: z
    .looseObject({ kind: z.enum(['safety-car', 'fcy']), inferred: z.literal(true), startMs: ms, endMs: ms })
    .nullable()
    .optional()
    .describe('known=false only: the safety car or FCY inferred from lap and sector times to be in force at `at` (ends at `at`), or null; never race control\'s flag'),
};

/** src/store/index.ts StoredEvent. */
const storedEvent = z.looseObject({ seq: z.number().int(), key: z.string(), commitSeq: z.number().int(), event: TimingEventSchema });

const withAt = <T extends z.ZodRawShape>(shape: T) => z.looseObject({ race: z.string(), at: instant, ...shape });

/**
 * The 200 answer of each read route, by Fastify route URL. A route missing
 * here fails test/server-openapi.test.ts.
 */
export const RESPONSES: Record<string, z.ZodType> = {
  '/api/health': z.looseObject({ status: z.literal('ok'), uptimeS: z.number().int(), rssMb: z.number().int(), races: z.number().int(), viewers: z.number().int(), viewersDropped: z.number().int() }),
  '/api/ready': z.looseObject({ status: z.literal('ready'), races: z.number().int() }),
  '/api/races': z.looseObject({ races: z.array(RaceSummarySchema) }),
  '/api/races/:race': RaceSummarySchema,
  '/api/races/:race/messages': withAt({ messages: z.array(feedMessage) }),
  '/api/races/:race/standings': StandingsSchema,
  '/api/races/:race/cars/:car': withAt({
    entry: z.looseObject({ number: z.string().optional(), class: z.string() }),
    standing: CarStandingSchema.nullable(),
    laps: z.array(LapEventSchema),
    pitOuts: z.array(PitOutEventSchema),
    pitStops: z.array(pitStop),
    stints: carStints,
    driveTime: carDriveTime.nullable(),
    rules: ruleChecks,
  }),
  '/api/races/:race/drivers': z.looseObject({
    race: z.string(),
    entryList: z.boolean().describe('true when the server has an entry list for this race'),
    cars: z.array(z.looseObject({ car: z.string(), class: z.string(), team: z.string(), drivers: z.array(driverRef) })),
  }),
  '/api/races/:race/flags': withAt({ known: z.boolean(), changes: z.array(flagChange) }),
  '/api/races/:race/events': z.looseObject({ race: z.string(), lastSeq: z.number().int(), events: z.array(storedEvent) }),
  '/api/races/:race/laps': withAt({ laps: z.array(LapRowSchema) }),
  '/api/races/:race/pit-stops': withAt({ pitStops: z.array(pitStop) }),
  '/api/races/:race/stints': withAt({ stints: z.array(carStints) }),
  '/api/races/:race/drive-time': withAt({ driveTime: z.array(carDriveTime), rules: ruleChecks }),
  '/api/races/:race/history': withAt({
    lapChart: z.array(z.looseObject({ car: carRef, laps: z.array(z.looseObject({ lap: z.number().int(), atMs: ms, position: z.number().int(), classPosition: z.number().int(), gap, classGap: gap })) })),
    hours: z.array(z.looseObject({ hour: z.number().int(), atMs: ms, standings: StandingsSchema })),
    leaderChanges: z.array(z.looseObject({ scope: z.enum(['overall', 'class']), class: z.string().nullable(), atMs: ms, lap: z.number().int() })),
    lapsLed: z.array(z.looseObject({})),
    retirements: z.array(z.looseObject({})),
    longStops: z.array(pitStop),
    finish: z.looseObject({}).nullable(),
  }),
  '/api/races/:race/flag-periods': withAt(raceControl),
  '/api/races/:race/facts': z.looseObject({ at: instant, hour: z.number().int(), fromMs: ms, toMs: ms, facts: z.array(z.looseObject({ kind: z.string() })) }),
};

/**
 * One CSV row of each list route, by Fastify route URL: its columns, in this
 * order, whatever the filters or the data (csv.ts csvColumns). The same
 * schemas as the JSON answers above, so CSV and JSON cannot drift apart.
 */
export const CSV_ROWS: Record<string, z.ZodType> = {
  '/api/races/:race/standings': CarStandingSchema,
  '/api/races/:race/laps': LapRowSchema,
  '/api/races/:race/pit-stops': pitStop,
  // Car stints then driver stints, told apart by `kind`.
  '/api/races/:race/stints': z.union([carStint, driverStint]),
  // One row per driver, with the car's number and class.
  '/api/races/:race/drive-time': z.object({ car: z.string(), class: z.string(), ...driverDriveTime }),
  '/api/races/:race/events': storedEvent,
};

/** Answers in other types than JSON, by route URL. */
export const OTHER_CONTENT: Record<string, Record<string, { description: string }>> = {
  '/api/races/:race/reports/:hour': {
    'application/json': { description: 'the report as data (?format=json, the default): src/report/types.ts' },
    'text/markdown': { description: '?format=md' },
    'text/html': { description: '?format=html' },
  },
  '/api/races/:race/live': {
    'text/event-stream': {
      description: 'event: snapshot (LiveSnapshot), then event: delta (LiveDelta) per commit, each with id: <seq>; event: closing { reason, retryMs } when the server stops',
    },
  },
};

/** ingest.ts EventResult: one per event of a batch, by its index. */
const eventResult = z.looseObject({
  index: z.number().int(),
  status: z.enum(['accepted', 'duplicate', 'conflict', 'rolled-back', 'invalid']),
  seq: z.number().int().nullable().optional().describe('the stored event\'s seq (accepted, duplicate, and a conflict with an event stored under the same key; none on a crossing-order conflict)'),
  key: z.string().optional().describe('the event\'s idempotency key, where it explains the status'),
  errors: z.array(z.looseObject({ field: z.string(), message: z.string() })).optional().describe('why an invalid event is refused, field by field'),
  reason: z.string().optional().describe('why a conflict is refused when no event is stored under its key: a lap or sector crossing out of order with the car\'s other crossings'),
});

/** The summary of an ingest batch (ingest.ts): the 200 answer, and the extension members of its 409 and 422 problems. */
export const IngestSummarySchema = z.looseObject({
  race: z.string(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  conflicts: z.number().int(),
  invalid: z.number().int(),
  rolledBack: z.number().int(),
  seq: z.number().int().describe('the race\'s last seq after the batch'),
  commitSeq: z.number().int().nullable().describe('the SSE id of the delta carrying the batch; null when it stored nothing'),
  committedAtMs: z.number().int().nullable().describe('wall-clock ms (Unix epoch) of the commit; null when it stored nothing'),
  results: z.array(eventResult),
});

/** The summary of an import (ingest.ts): the 200 answer, and the extension members of its 409 problem. */
export const ImportSummarySchema = z.looseObject({
  race: z.string(),
  file: z.string(),
  rows: z.number().int(),
  cars: z.number().int(),
  events: z.number().int(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  conflicts: z.number().int(),
  skipped: z.array(z.looseObject({})).describe('the first 50 lines skipped (?lenient=true), each with its line and reason'),
  skippedLines: z.number().int(),
  seq: z.number().int(),
  ms: z.number().int().describe('wall ms the import took'),
});

/**
 * The answers of the ingest routes beyond their problem details: status →
 * [description, the body's own schema (null: a plain problem), whether it is
 * a problem (application/problem+json) carrying those members].
 */
export const INGEST_RESPONSES: Record<string, Record<string, { description: string; schema: z.ZodType | null; problem: boolean }>> = {
  '/api/races/:race/events': {
    '200': { description: 'every event stored or already stored (duplicates change nothing)', schema: IngestSummarySchema, problem: false },
    '409': {
      description:
        "an event contradicts the one stored under its key, or a lap or sector crossing contradicts the car's other timing points (a lap completed before the lap below it: its result's `reason` says which); the others were processed (unless ?atomic=true)",
      schema: IngestSummarySchema,
      problem: true,
    },
    '413': { description: 'the body is larger than the limit, or holds more events than a batch may', schema: null, problem: true },
    '415': { description: 'a body of another type: the `accepted` member lists application/json and application/x-ndjson', schema: z.looseObject({ accepted: z.array(z.string()) }), problem: true },
    '422': { description: 'invalid events, each named by index and field in results[].errors; the others were processed (unless ?atomic=true)', schema: IngestSummarySchema, problem: true },
  },
  '/api/races/:race/import': {
    '200': { description: 'the file\'s events stored or already stored', schema: ImportSummarySchema, problem: false },
    '409': {
      description: 'events of the file contradict stored ones (conflictKeys names the first 20, conflictReasons the first 20 refused for their crossing order); the others were stored',
      schema: ImportSummarySchema.extend({ conflictKeys: z.array(z.string()), conflictReasons: z.array(z.string()) }),
      problem: true,
    },
    '413': { description: 'the file is larger than the import limit', schema: null, problem: true },
    '415': { description: 'a body of another type: the `accepted` member lists text/csv', schema: z.looseObject({ accepted: z.array(z.string()) }), problem: true },
    '422': { description: 'the file cannot be read as an Al Kamel Analysis CSV: `issues` names the first 50 bad lines', schema: z.looseObject({ issues: z.array(z.looseObject({})) }), problem: true },
  },
};
