/**
 * Timing events: the provider-neutral facts every source produces and every
 * later stage reads. Declared once as zod schemas (the ingest API validates
 * with them); the TypeScript types are inferred, never kept in step by hand.
 *
 * All times are integer milliseconds. "Race time" is milliseconds since the
 * session's zero (the start); time of day is milliseconds since local midnight
 * as the provider wrote it, and wraps in 24-hour races, so never sort by it.
 */
import { z } from 'zod';
import { MAX_RACE_TIME_MS } from './time.js';
import { PitLaneSchema } from './pit.js';

export { MAX_RACE_HOURS, MAX_RACE_TIME_MS } from './time.js';
/** Highest lap number: a 168-hour race of 6-second laps stays far below it. */
export const MAX_LAP = 100_000;
/** Highest speed a timing feed may state (km/h); real top speeds are below 400. */
export const MAX_KPH = 1000;
/** Longest driver and team names (characters), as the ingest API has always refused. */
export const MAX_NAME_LENGTH = 120;

const ms = z.number().int().nonnegative().max(MAX_RACE_TIME_MS);
const positiveMs = z.number().int().positive().max(MAX_RACE_TIME_MS);
const kph = z.number().nonnegative().max(MAX_KPH);
/**
 * Text from timing data: no control characters (a line break or a NUL would
 * end a CSV cell, a log line or a Markdown block early). Names are shown as
 * plain text everywhere (report/render.ts), never read as markup.
 */
const timingText = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'control characters (line breaks, tabs, NUL) are not allowed in timing text');
const carNumber = z
  .string()
  .min(1)
  .max(8)
  .regex(/^[0-9A-Za-z]+$/, 'car number is letters and digits, kept as text ("007" is not "7")');

/** Course state as shown at the finish line. */
export const FlagSchema = z.enum(['green', 'safety-car', 'fcy', 'red', 'finish']);
export type Flag = z.infer<typeof FlagSchema>;
/** A course state known at an instant, or "unknown" where the source says nothing. */
export type FlagState = Flag | 'unknown';

export const SessionEventSchema = z.strictObject({
  type: z.literal('session'),
  /** Human name of the race, e.g. "24 Hours of Le Mans 2019". */
  name: timingText(200).min(1),
  /** Time of day of race time zero (Al Kamel: HOUR − ELAPSED), if known. */
  zeroTimeOfDayMs: ms.nullable().default(null),
  /** Scheduled length of the race; null when the source does not say. */
  scheduledDurationMs: positiveMs.nullable().default(null),
  /**
   * Race (ranked by laps) or a practice, qualifying or test session (ranked by
   * best lap; DESIGN.md "Session type"). Absent means race: every source
   * before live feeds (Al Kamel race files) only knew races.
   */
  sessionType: z.enum(['race', 'practice', 'qualifying', 'test']).optional(),
  /** The circuit's measured pit lane (model/pit.ts), when a profile is known; absent: stops are estimated. */
  pitLane: PitLaneSchema.optional(),
});
export type SessionEvent = z.infer<typeof SessionEventSchema>;
export type SessionType = NonNullable<SessionEvent['sessionType']>;

/** The session's type, with the default applied (no session or no type = race). */
export function sessionTypeOf(session: Pick<SessionEvent, 'sessionType'> | null): SessionType {
  return session?.sessionType ?? 'race';
}

export const DriverSchema = z.strictObject({
  number: z.number().int().min(1).max(9),
  name: timingText(MAX_NAME_LENGTH).min(1),
});
export type Driver = z.infer<typeof DriverSchema>;

export const EntryEventSchema = z.strictObject({
  type: z.literal('entry'),
  car: carNumber,
  class: timingText(40).min(1),
  /** Sub-group, e.g. "H" hybrid or "P/A" Pro/Am; empty when none. */
  group: timingText(20).default(''),
  team: timingText(MAX_NAME_LENGTH).default(''),
  manufacturer: timingText(80).default(''),
  /** Crew as known to the source; a driver first seen on a lap joins it then. */
  drivers: z.array(DriverSchema).max(9).default([]),
});
export type EntryEvent = z.infer<typeof EntryEventSchema>;

export const LapEventSchema = z.strictObject({
  type: z.literal('lap'),
  car: carNumber,
  lap: z.number().int().min(1).max(MAX_LAP),
  /** Race time at which the car crossed the line completing this lap. */
  crossingMs: positiveMs,
  lapMs: positiveMs,
  /** S1, S2, S3; null where the source has no value. */
  sectorsMs: z.tuple([positiveMs.nullable(), positiveMs.nullable(), positiveMs.nullable()]),
  driverNumber: z.number().int().min(1).max(9),
  driverName: timingText(MAX_NAME_LENGTH).default(''),
  /** The lap ended by crossing the line in the pit lane: an in-lap. */
  inPit: z.boolean().default(false),
  /** On an out-lap: time spent in the pit lane during the stop before it. */
  pitLaneMs: positiveMs.nullable().default(null),
  /** Flag shown at the line when the lap was completed; null when not given. */
  flag: FlagSchema.nullable().default(null),
  timeOfDayMs: ms.nullable().default(null),
  kph: kph.nullable().default(null),
  topSpeedKph: kph.nullable().default(null),
});
export type LapEvent = z.infer<typeof LapEventSchema>;

/**
 * The car left the pit lane. `lap` is the out-lap it is now on. Al Kamel has no
 * such row: its source derives the instant as in-lap crossing + pit lane time.
 */
export const PitOutEventSchema = z.strictObject({
  type: z.literal('pit-out'),
  car: carNumber,
  lap: z.number().int().min(1).max(MAX_LAP),
  atMs: positiveMs,
  pitLaneMs: positiveMs,
  /** Driver who left the pits, when the source knows it. */
  driverNumber: z.number().int().min(1).max(9).nullable().default(null),
  driverName: timingText(MAX_NAME_LENGTH).default(''),
});
export type PitOutEvent = z.infer<typeof PitOutEventSchema>;

/**
 * The car passed an intermediate timing point (a sector line) during lap
 * `lap`, the lap in progress: sector 1 ends at the S1 line, sector 2 at the
 * S2 line; the end of sector 3 is the finish line, told by the lap event.
 * Live feeds (and the replay of a finished race, sources/replay) tell it as
 * it happens, so gaps move at every timing point (DESIGN.md, Gap); an
 * imported file need not, the engine derives the same instants from the
 * laps' S1/S2 (model/sectors.ts).
 */
export const SectorEventSchema = z.strictObject({
  type: z.literal('sector'),
  car: carNumber,
  lap: z.number().int().min(1).max(MAX_LAP),
  sector: z.union([z.literal(1), z.literal(2)]),
  /** Race time at which the car crossed the sector's line. */
  crossingMs: positiveMs,
});
export type SectorEvent = z.infer<typeof SectorEventSchema>;

/**
 * What race control decided (endurance-rules.md §6, DESIGN.md "Decision").
 * Kinds that change the result: `drive-through`, `stop-and-go` (the hold in
 * `penaltyMs`; announced after the finish, when it can no longer be served,
 * `penaltyMs` is the time race control converts it to, added to the car's
 * race time), `time-added` (to the car's race time, `penaltyMs`),
 * `laps-deducted` (`laps`), `disqualified`, `not-classified`. Kinds that
 * are told but change no order: `stop-time-added` (seconds added to the car's
 * next pit stop, WEC's "5 SECONDS ADDED TO THE NEXT PIT STOP"),
 * `lap-time-deleted` (`lap`), `reprimand`, `warning` (incl. the black and
 * white flag), `no-further-action`, `mechanical-black-flag` (stop and
 * repair), and `note`: any other decision in free text. `result-declared`
 * (no car): the race was stopped and will not be resumed, and the result is
 * declared as it stood at the last crossing (endurance-rules.md §6): what a
 * file's end tells the CLI (timeline.complete), told to a live server.
 */
export const DecisionKindSchema = z.enum([
  'drive-through',
  'stop-and-go',
  'time-added',
  'laps-deducted',
  'disqualified',
  'not-classified',
  'stop-time-added',
  'lap-time-deleted',
  'reprimand',
  'warning',
  'no-further-action',
  'mechanical-black-flag',
  'note',
  'result-declared',
]);
export type DecisionKind = z.infer<typeof DecisionKindSchema>;

/** Idempotency key of a race-control event, given by its source (a message number, or a hash of its text and time). */
const raceControlId = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[0-9A-Za-z._:-]+$/, 'race-control id is letters, digits and . _ : -');

export const DecisionEventSchema = z.strictObject({
  type: z.literal('decision'),
  /** Idempotency key given by the source (race control's message number, or a hash of its text and time). */
  id: raceControlId,
  /** Race time at which race control announced it. */
  atMs: ms,
  kind: DecisionKindSchema,
  /** The car concerned, as written ("007" stays "007"); null for a decision about no one car. */
  car: carNumber.nullable().default(null),
  /** Stop-and-go hold, time added to the race time or to the next stop, or a drive-through or stop-and-go converted to time after the finish; null otherwise. */
  penaltyMs: positiveMs.nullable().default(null),
  /** The lap concerned (a deleted lap time), when race control names one. */
  lap: z.number().int().min(1).max(100_000).nullable().default(null),
  /** Laps deducted; null otherwise. */
  laps: z.number().int().min(1).max(1000).nullable().default(null),
  /** The reason race control gave ("unsafe release", "track limits"); empty when none. */
  reason: timingText(300).default(''),
  /** The message as race control wrote it. */
  text: z.string().max(1000).default(''),
});
export type DecisionEvent = z.infer<typeof DecisionEventSchema>;

/**
 * A race-control message that is not a decision (or not one Sarthe can read):
 * "SAFETY CAR DEPLOYED", "CAR 7 UNDER INVESTIGATION". Shown in the feed as written.
 */
export const MessageEventSchema = z.strictObject({
  type: z.literal('message'),
  /** Idempotency key given by the source (a message number, or a hash of its text and time). */
  id: raceControlId,
  /** Race time at which race control published it. */
  atMs: ms,
  text: z.string().min(1).max(1000),
});
export type MessageEvent = z.infer<typeof MessageEventSchema>;

/**
 * A car's row on the timing board as a live feed stated it, where no lap event
 * carries it: when Sarthe joins a session partway (the board says 300 laps,
 * the laps before are not in the feed), or after a lap the feed missed
 * (RMonitor `$G` jumps by two). Laps before it are missing, never invented.
 * `crossingMs` is the race time of the car's last crossing ($G TotalTime),
 * `atMs` when the board said so (at or after the crossing). Best lap as the
 * board shows it ($H), null when it shows none (the timing system may not
 * count a lap: a 3 s double passing, a deleted lap); lap events after the row
 * count as usual. `position` is the car's place on that board (RMonitor `$G`
 * position in a race, `$H` position in other sessions), null when the feed
 * gives none: it orders the cars that nothing else orders, those with no lap
 * in a race (the grid, a car yet to cross) or no timed lap in practice.
 * `refresh` numbers the board the place is from: 0 for the session's first,
 * one more after each clear (`$I`) and refresh; a place from a later refresh
 * ranks before one from an earlier (a car the refresh has not restated keeps
 * its older place, behind).
 */
export const BoardEventSchema = z.strictObject({
  type: z.literal('board'),
  car: carNumber,
  /** Laps completed; 0 when the board only gives a best lap so far. */
  laps: z.number().int().min(0).max(100_000),
  crossingMs: ms,
  atMs: ms,
  bestLap: z.number().int().min(1).max(100_000).nullable().default(null),
  bestLapMs: positiveMs.nullable().default(null),
  position: z.number().int().min(1).max(100_000).nullable().default(null),
  refresh: z.number().int().min(0).max(1_000_000).default(0),
});
export type BoardEvent = z.infer<typeof BoardEventSchema>;

/**
 * The weather at the track as a weather station or the official board gave
 * it, at race time `atMs`; null where the source gives no value. Metric: a
 * source in other units converts (IMSA's Al Kamel weather CSV gives °F and
 * inHg: sources/weather/). Wind is not kept: no source says its unit.
 * `rain`: true when the source says it rains, false when it says dry, null
 * when it does not say (IMSA's RAIN column holds -1, "no reading", in every
 * row of the shared files). `conditions` is the board's own word
 * ("cloudy"), empty when none.
 */
export const WeatherEventSchema = z.strictObject({
  type: z.literal('weather'),
  atMs: ms,
  airTempC: z.number().min(-60).max(70).nullable().default(null),
  trackTempC: z.number().min(-60).max(90).nullable().default(null),
  humidityPct: z.number().min(0).max(100).nullable().default(null),
  pressureHpa: z.number().min(500).max(1100).nullable().default(null),
  rain: z.boolean().nullable().default(null),
  conditions: timingText(40).default(''),
});
export type WeatherEvent = z.infer<typeof WeatherEventSchema>;

export const TimingEventSchema = z.discriminatedUnion('type', [
  SessionEventSchema,
  EntryEventSchema,
  LapEventSchema,
  PitOutEventSchema,
  SectorEventSchema,
  DecisionEventSchema,
  MessageEventSchema,
  BoardEventSchema,
  WeatherEventSchema,
]);
export type TimingEvent = z.infer<typeof TimingEventSchema>;
/** What a client may send: defaults not yet applied. */
export type TimingEventInput = z.input<typeof TimingEventSchema>;

/**
 * A lap event as TimingEventSchema parses it (the same fields, in the
 * schema's order, defaults applied), or undefined for any value it does not
 * read as a plainly valid lap: then the schema decides, and names the field.
 * Why a second reading of one schema: zod spends ~3.7 KB of short-lived
 * objects on each lap it parses, ~60% of what a bulk ingest allocates on the
 * server's loop (issue 13: 40,000 laps, GC pauses of 30–450 ms), against
 * nothing here for a lap sent with every field in the schema's order (the
 * event is the parsed object itself), else one object and its sectors. It accepts only what the schema accepts,
 * with the same output (test/fuzz-lap-fast-parse.test.ts checks both against
 * LapEventSchema on generated values); a change to LapEventSchema must be
 * made here too, or that test fails.
 */
export function parseLapFast(raw: unknown): LapEvent | undefined {
  if (typeof raw !== 'object' || raw === null || Object.getPrototypeOf(raw) !== Object.prototype) return undefined;
  const o = raw as Record<string, unknown>;
  if (o.type !== 'lap') return undefined;
  // Strict: any key outside the schema is the schema's to name. Every key, in the schema's order: the event is `raw` itself.
  let k = 0;
  let inOrder = true;
  for (const key in o) {
    if (!LAP_KEYS.has(key)) return undefined;
    if (key !== LAP_KEY_ORDER[k++] || o[key] === undefined) inOrder = false;
  }
  const { car, lap, crossingMs, lapMs, sectorsMs, driverNumber } = o;
  if (typeof car !== 'string' || car.length < 1 || car.length > 8 || !CAR_NUMBER.test(car)) return undefined;
  if (!isIntIn(lap, 1, MAX_LAP) || !isIntIn(crossingMs, 1, MAX_RACE_TIME_MS) || !isIntIn(lapMs, 1, MAX_RACE_TIME_MS)) return undefined;
  if (!Array.isArray(sectorsMs) || sectorsMs.length !== 3) return undefined;
  const [s1, s2, s3] = sectorsMs as unknown[];
  if (!isNullOrIntIn(s1, 1, MAX_RACE_TIME_MS) || !isNullOrIntIn(s2, 1, MAX_RACE_TIME_MS) || !isNullOrIntIn(s3, 1, MAX_RACE_TIME_MS)) return undefined;
  if (!isIntIn(driverNumber, 1, 9)) return undefined;
  const driverName = o.driverName ?? '';
  if (typeof driverName !== 'string' || driverName.length > MAX_NAME_LENGTH || !TIMING_TEXT.test(driverName)) return undefined;
  const inPit = o.inPit ?? false;
  if (typeof inPit !== 'boolean') return undefined;
  const pitLaneMs = o.pitLaneMs ?? null;
  if (!isNullOrIntIn(pitLaneMs, 1, MAX_RACE_TIME_MS)) return undefined;
  const flag = o.flag ?? null;
  if (flag !== null && !FLAGS.has(flag as string)) return undefined;
  const timeOfDayMs = o.timeOfDayMs ?? null;
  if (!isNullOrIntIn(timeOfDayMs, 0, MAX_RACE_TIME_MS)) return undefined;
  const kph = o.kph ?? null;
  const topSpeedKph = o.topSpeedKph ?? null;
  if (!isNullOrKph(kph) || !isNullOrKph(topSpeedKph)) return undefined;
  // `?? default` above reads an explicit null as absent: only where null is valid (or, for a string or boolean, refused anyway).
  if (o.driverName === null || o.inPit === null) return undefined;
  // What the schema would build, field for field: no copy (it would live as long as the race, and be copied by each scavenge).
  if (inOrder && k === LAP_KEY_ORDER.length && Object.getPrototypeOf(sectorsMs) === Array.prototype) return raw as LapEvent;
  return {
    type: 'lap',
    car,
    lap: lap as number,
    crossingMs: crossingMs as number,
    lapMs: lapMs as number,
    sectorsMs: [s1 as number | null, s2 as number | null, s3 as number | null],
    driverNumber: driverNumber as number,
    driverName,
    inPit,
    pitLaneMs: pitLaneMs as number | null,
    flag: flag as Flag | null,
    timeOfDayMs: timeOfDayMs as number | null,
    kph: kph as number | null,
    topSpeedKph: topSpeedKph as number | null,
  };
}

const LAP_KEY_ORDER = Object.keys(LapEventSchema.shape);
const LAP_KEYS = new Set(LAP_KEY_ORDER);
const FLAGS = new Set<string>(FlagSchema.options);
const CAR_NUMBER = /^[0-9A-Za-z]+$/;
const TIMING_TEXT = /^[^\u0000-\u001f\u007f]*$/;

function isIntIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function isNullOrIntIn(value: unknown, min: number, max: number): boolean {
  return value === null || isIntIn(value, min, max);
}

function isNullOrKph(value: unknown): boolean {
  return value === null || (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_KPH);
}

/**
 * The idempotency key: two events with the same key are the same fact. A lap
 * is identified by car and lap number, whatever file or batch it came in.
 */
export function eventKey(event: TimingEvent): string {
  switch (event.type) {
    case 'session':
      return 'session';
    case 'entry':
      return `entry:${event.car}`;
    case 'lap':
      return `lap:${event.car}:${event.lap}`;
    case 'pit-out':
      return `pit-out:${event.car}:${event.lap}`;
    case 'sector':
      return `sector:${event.car}:${event.lap}:${event.sector}`;
    case 'decision':
      return `decision:${event.id}`;
    case 'message':
      return `message:${event.id}`;
    case 'weather':
      // One reading per instant: a later correction of the same instant replaces it.
      return `weather:${event.atMs}`;
    case 'board':
      // Every distinct board row is its own fact: a later row never contradicts an earlier one.
      return `board:${event.car}:${event.atMs}:${event.laps}:${event.crossingMs}:${event.bestLap ?? ''}:${event.bestLapMs ?? ''}${event.position === null ? '' : `:p${event.position}`}${event.refresh === 0 ? '' : `:r${event.refresh}`}`;
  }
}

/**
 * Race time at which the event happened; session and entry facts hold from
 * the start. Used to order events (and to replay them "as live").
 */
export function eventTimeMs(event: TimingEvent): number {
  switch (event.type) {
    case 'session':
    case 'entry':
      return 0;
    case 'lap':
    case 'sector':
      return event.crossingMs;
    case 'pit-out':
    case 'decision':
    case 'message':
    case 'board':
    case 'weather':
      return event.atMs;
  }
}

const typeRank: Record<TimingEvent['type'], number> = { session: 0, entry: 1, 'pit-out': 2, sector: 3, lap: 4, board: 5, decision: 6, message: 7, weather: 8 };

/**
 * Total order used everywhere events are sorted: time, then kind, then car,
 * then lap. Compared field by field (no key strings): sorting a 24-hour race
 * is on the import's hot path.
 */
export function compareEvents(a: TimingEvent, b: TimingEvent): number {
  const dt = eventTimeMs(a) - eventTimeMs(b);
  if (dt !== 0) return dt;
  const dk = typeRank[a.type] - typeRank[b.type];
  if (dk !== 0) return dk;
  if (a.type === 'session' || b.type === 'session' || a.type === 'weather' || b.type === 'weather') return 0;
  if (a.type === 'decision' || b.type === 'decision' || a.type === 'message' || b.type === 'message') {
    // Same instant and kind (the ranks are equal): the id orders them.
    const ia = a.type === 'decision' || a.type === 'message' ? a.id : '';
    const ib = b.type === 'decision' || b.type === 'message' ? b.id : '';
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  }
  if (a.car !== b.car) return a.car < b.car ? -1 : 1;
  const la = a.type === 'entry' ? 0 : a.type === 'board' ? a.laps : a.lap;
  const lb = b.type === 'entry' ? 0 : b.type === 'board' ? b.laps : b.lap;
  if (la !== lb) return la - lb;
  if (a.type === 'sector' && b.type === 'sector') return a.sector - b.sector;
  if (a.type === 'board' && b.type === 'board') return (a.bestLapMs ?? 0) - (b.bestLapMs ?? 0) || a.crossingMs - b.crossingMs || a.refresh - b.refresh || (a.position ?? 0) - (b.position ?? 0);
  return 0;
}

/** Structural equality of two events with the same key (for deduplication). */
export function sameEvent(a: TimingEvent, b: TimingEvent): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted, so equal facts give equal text whoever built them. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The facts that get corrected as a race goes on (a crew grows, a length is announced); laps never change once told. */
export type RevisableEvent = SessionEvent | EntryEvent;

/**
 * Merges a correction into the fact held under the same key (issue 13, item 4):
 * - a field the correction states wins (a later correction wins);
 * - a field it leaves empty (absent, null, '', no drivers) keeps the held
 *   value, so a source that knows less (a CSV import without a scheduled
 *   length, an entry with one driver, a lap file without a session type)
 *   adds to what is held and never removes from it;
 * - drivers are a union by driver number; a number both name takes the correction's name.
 * The rule runs over every field of the event's schema (SessionEventSchema,
 * EntryEventSchema), so a field added there is merged, never dropped (a
 * session type lost here once turned a test session into a race).
 * Resending the held fact, or one it already holds, gives the held fact back
 * unchanged (a resend is a no-op). Whether a resend of an *older* fact is a
 * no-op is the store's call: it remembers what it was told (store/index.ts).
 */
export function reviseFact<T extends RevisableEvent>(held: T, correction: T): T {
  if (held.type !== correction.type) throw new Error(`cannot merge a ${correction.type} event into a ${held.type} event`);
  const schema = held.type === 'session' ? SessionEventSchema : EntryEventSchema;
  const before = held as Record<string, unknown>;
  const told = correction as Record<string, unknown>;
  const merged: Record<string, unknown> = {};
  for (const field of Object.keys(schema.shape)) {
    let value: unknown;
    if (field === 'car') value = before.car;
    else if (field === 'drivers') {
      const drivers = new Map((held as EntryEvent).drivers.map((d) => [d.number, d]));
      for (const d of (correction as EntryEvent).drivers) drivers.set(d.number, d);
      value = [...drivers.values()].sort((a, b) => a.number - b.number);
    } else value = isStated(told[field]) ? told[field] : before[field];
    if (value !== undefined) merged[field] = value;
  }
  return merged as T;
}

/** Whether a correction states a field: absent, null and '' leave the held value. */
function isStated(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
