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
import { PitLaneSchema } from './pit.js';

const ms = z.number().int().nonnegative();
const positiveMs = z.number().int().positive();
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
  name: z.string().min(1).max(200),
  /** Time of day of race time zero (Al Kamel: HOUR − ELAPSED), if known. */
  zeroTimeOfDayMs: ms.nullable().default(null),
  /** Scheduled length of the race; null when the source does not say. */
  scheduledDurationMs: positiveMs.nullable().default(null),
  /** The circuit's measured pit lane (model/pit.ts), when a profile is known; absent: stops are estimated. */
  pitLane: PitLaneSchema.optional(),
});
export type SessionEvent = z.infer<typeof SessionEventSchema>;

export const DriverSchema = z.strictObject({
  number: z.number().int().min(1).max(9),
  name: z.string().min(1).max(120),
});
export type Driver = z.infer<typeof DriverSchema>;

export const EntryEventSchema = z.strictObject({
  type: z.literal('entry'),
  car: carNumber,
  class: z.string().min(1).max(40),
  /** Sub-group, e.g. "H" hybrid or "P/A" Pro/Am; empty when none. */
  group: z.string().max(20).default(''),
  team: z.string().max(120).default(''),
  manufacturer: z.string().max(80).default(''),
  /** Crew as known to the source; a driver first seen on a lap joins it then. */
  drivers: z.array(DriverSchema).max(9).default([]),
});
export type EntryEvent = z.infer<typeof EntryEventSchema>;

export const LapEventSchema = z.strictObject({
  type: z.literal('lap'),
  car: carNumber,
  lap: z.number().int().min(1).max(100_000),
  /** Race time at which the car crossed the line completing this lap. */
  crossingMs: positiveMs,
  lapMs: positiveMs,
  /** S1, S2, S3; null where the source has no value. */
  sectorsMs: z.tuple([positiveMs.nullable(), positiveMs.nullable(), positiveMs.nullable()]),
  driverNumber: z.number().int().min(1).max(9),
  driverName: z.string().max(120).default(''),
  /** The lap ended by crossing the line in the pit lane: an in-lap. */
  inPit: z.boolean().default(false),
  /** On an out-lap: time spent in the pit lane during the stop before it. */
  pitLaneMs: positiveMs.nullable().default(null),
  /** Flag shown at the line when the lap was completed; null when not given. */
  flag: FlagSchema.nullable().default(null),
  timeOfDayMs: ms.nullable().default(null),
  kph: z.number().nonnegative().nullable().default(null),
  topSpeedKph: z.number().nonnegative().nullable().default(null),
});
export type LapEvent = z.infer<typeof LapEventSchema>;

/**
 * The car left the pit lane. `lap` is the out-lap it is now on. Al Kamel has no
 * such row: its source derives the instant as in-lap crossing + pit lane time.
 */
export const PitOutEventSchema = z.strictObject({
  type: z.literal('pit-out'),
  car: carNumber,
  lap: z.number().int().min(1).max(100_000),
  atMs: positiveMs,
  pitLaneMs: positiveMs,
  /** Driver who left the pits, when the source knows it. */
  driverNumber: z.number().int().min(1).max(9).nullable().default(null),
  driverName: z.string().max(120).default(''),
});
export type PitOutEvent = z.infer<typeof PitOutEventSchema>;

/**
 * What race control decided (endurance-rules.md §6, DESIGN.md "Decision").
 * `stop-and-go` carries the hold (`penaltyMs`); `time-added` the time added
 * to the car's race time; `laps-deducted` the laps; `disqualified` and
 * `not-classified` take the car out of the result; `note` is any other
 * decision in free text (a reprimand, a warning, "no further action").
 */
export const DecisionKindSchema = z.enum([
  'drive-through',
  'stop-and-go',
  'time-added',
  'laps-deducted',
  'disqualified',
  'not-classified',
  'note',
]);
export type DecisionKind = z.infer<typeof DecisionKindSchema>;

export const DecisionEventSchema = z.strictObject({
  type: z.literal('decision'),
  /** Idempotency key given by the source (race control's message number, or a hash of its text and time). */
  id: z
    .string()
    .min(1)
    .max(80)
    .regex(/^[0-9A-Za-z._:-]+$/, 'decision id is letters, digits and . _ : -'),
  /** Race time at which race control announced it. */
  atMs: ms,
  kind: DecisionKindSchema,
  /** The car concerned, as written ("007" stays "007"); null for a decision about no one car. */
  car: carNumber.nullable().default(null),
  /** Stop-and-go hold, or time added to the race time; null otherwise. */
  penaltyMs: positiveMs.nullable().default(null),
  /** Laps deducted; null otherwise. */
  laps: z.number().int().min(1).max(1000).nullable().default(null),
  /** The reason race control gave ("unsafe release", "track limits"); empty when none. */
  reason: z.string().max(300).default(''),
  /** The message as race control wrote it. */
  text: z.string().max(1000).default(''),
});
export type DecisionEvent = z.infer<typeof DecisionEventSchema>;

export const TimingEventSchema = z.discriminatedUnion('type', [
  SessionEventSchema,
  EntryEventSchema,
  LapEventSchema,
  PitOutEventSchema,
  DecisionEventSchema,
]);
export type TimingEvent = z.infer<typeof TimingEventSchema>;
/** What a client may send: defaults not yet applied. */
export type TimingEventInput = z.input<typeof TimingEventSchema>;

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
    case 'decision':
      return `decision:${event.id}`;
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
      return event.crossingMs;
    case 'pit-out':
    case 'decision':
      return event.atMs;
  }
}

const typeRank: Record<TimingEvent['type'], number> = { session: 0, entry: 1, 'pit-out': 2, lap: 3, decision: 4 };

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
  if (a.type === 'session' || b.type === 'session') return 0;
  if (a.type === 'decision' || b.type === 'decision') {
    // Same instant, both decisions (the ranks are equal): the id orders them.
    const ia = a.type === 'decision' ? a.id : '';
    const ib = b.type === 'decision' ? b.id : '';
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  }
  if (a.car !== b.car) return a.car < b.car ? -1 : 1;
  const la = a.type === 'entry' ? 0 : a.lap;
  const lb = b.type === 'entry' ? 0 : b.lap;
  return la - lb;
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
