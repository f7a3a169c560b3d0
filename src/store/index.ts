/**
 * The event store: the one thing that must survive a crash (DESIGN.md).
 * Append-only; every accepted event gets a per-race sequence number (1, 2, 3…
 * with no gap) and keeps its idempotency key, so a batch sent twice changes
 * nothing. Everything else (timeline, standings, deltas) is rebuilt from it.
 *
 * Kept narrow on purpose: SQLite (sqlite/) and Postgres (postgres/) implement
 * it with the same contract (one transaction per append, a per-race counter
 * row locked while seqs are handed out), checked by one contract test suite
 * (test/store-contract.ts). The fate of each event of an append (accepted,
 * duplicate, conflict, rolled back) is decided by one function for both
 * (fate.ts decideFates).
 */
import { DriverSchema, TimingEventSchema, eventKey, type Driver, type TimingEvent } from '../model/events.js';

/**
 * The store did not answer (a network store that is down or restarting):
 * nothing can be said about the request, so the caller answers 503 with
 * Retry-After and the sender resends (a resend stores nothing twice). A batch
 * whose COMMIT was sent but not confirmed may be stored: the resend then gets
 * 'duplicate' for it.
 */
export class StoreUnavailableError extends Error {
  readonly statusCode = 503;
  /** Seconds a client should wait before it tries again. */
  readonly retryAfterS = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export interface AppendEvent {
  /** Idempotency key (model/events.ts eventKey). */
  key: string;
  event: TimingEvent;
  /**
   * Whether a different event under the same key revises the stored one
   * (a session or entry correction) rather than conflicting with it (a lap
   * must never change once told).
   *
   * Merge rules for revisable facts (issue 13, item 4), the same in every store:
   * - the correction is merged into the stored fact (model/events.ts reviseFact):
   *   what it states wins, what it leaves empty (null, '', a shorter crew) is
   *   kept, so an import adds to what is stored and never removes from it;
   * - resending the stored fact, or any fact told before under this key, is a
   *   duplicate that changes nothing (re-sending an older entry does not bring
   *   its old team name back);
   * - a correction that changes nothing once merged is a duplicate too.
   */
  revisable: boolean;
}

export type AppendStatus =
  /** Stored now, under `seq`. */
  | 'accepted'
  /** The same event is stored already, under `seq`: nothing changed. */
  | 'duplicate'
  /** Another event is stored under this key (at `seq`) and it may not change. */
  | 'conflict'
  /** Not stored because another event of an all-or-nothing batch failed. */
  | 'rolled-back';

export interface AppendResult {
  status: AppendStatus;
  /** Seq of the event now stored under this key, or null if none. */
  seq: number | null;
  /**
   * The event as stored, when the store merged a correction into what it held
   * (status 'accepted' of a revisable event): apply this, not the one sent.
   */
  event?: TimingEvent;
}

export interface AppendOptions {
  /** If any event conflicts, store none of them. */
  atomic?: boolean;
  /**
   * The events are a live feed's current word, in the order it said them
   * (src/server/live-source.ts): a revisable fact it states again is a
   * correction like any other, even if it was told before, because a feed
   * that changes a car's class or name and then changes it back means it
   * (RMonitor $A/$COMP rows: alms-2009-sebring-test-session-4.txt #40,
   * road-america-2025-full-day-session-changes.txt). Without it, resending a
   * fact told before is a no-op (an import sent again brings nothing old back).
   */
  restate?: boolean;
}

export interface AppendOutcome {
  results: AppendResult[];
  /** Seq of the last event this append stored; null when it stored nothing. */
  commitSeq: number | null;
  /** Wall-clock time (ms since epoch) at which the commit was durable. */
  committedAtMs: number;
}

export interface StoredEvent {
  seq: number;
  key: string;
  event: TimingEvent;
  /**
   * The last seq of the append that stored this event: events sharing it were
   * committed together, so a reader can rebuild states commit by commit.
   */
  commitSeq: number;
}

export interface StoredRace {
  id: string;
  /** Seq of the race's latest event (0 when none). */
  lastSeq: number;
  createdAtMs: number;
}

export interface EventStore {
  /**
   * Appends a batch for one race in one transaction and returns a result per
   * event, in order. Resolves only once the accepted events are durable.
   * `atomic`: if any event conflicts, store none of them.
   */
  append(race: string, events: readonly AppendEvent[], options?: AppendOptions): Promise<AppendOutcome>;
  /** Events of a race with seq > afterSeq, in seq order, at most `limit`. */
  readSince(race: string, afterSeq: number, limit?: number): Promise<StoredEvent[]>;
  races(): Promise<StoredRace[]>;
  race(id: string): Promise<StoredRace | null>;
  close(): Promise<void>;
}

/** Sessions and entries are facts that get corrected (a crew grows); laps and pit exits are not. */
export function isRevisable(event: TimingEvent): boolean {
  return event.type === 'session' || event.type === 'entry';
}

export function toAppendEvent(event: TimingEvent): AppendEvent {
  return { key: eventKey(event), event, revisable: isRevisable(event) };
}

/** Field names per event type and of a driver, sorted, taken from the zod schemas (the one source). */
const FIELDS = Object.fromEntries(TimingEventSchema.options.map((schema) => [schema.shape.type.value, Object.keys(schema.shape).sort()])) as Record<
  TimingEvent['type'],
  string[]
>;
const DRIVER_FIELDS = Object.keys(DriverSchema.shape).sort() as Array<keyof Driver>;

/**
 * The stored form of an event: canonical JSON (keys sorted at every level,
 * the same text as model/events.ts canonicalJson), so equal facts compare
 * equal as text however they were built. Three times faster than the
 * generic canonicalJson, which sorts every object's keys: this runs once per
 * ingested event (bench/README.md).
 */
export function eventBody(event: TimingEvent): string {
  const ordered: Record<string, unknown> = {};
  const source = event as unknown as Record<string, unknown>;
  for (const field of FIELDS[event.type]) {
    const value = source[field];
    if (value === undefined) continue;
    ordered[field] =
      field === 'drivers'
        ? (value as Driver[]).map((driver) => Object.fromEntries(DRIVER_FIELDS.map((f) => [f, driver[f]])))
        : value;
  }
  return JSON.stringify(ordered);
}

/** Race ids appear in URLs and file names: lowercase letters, digits, `-` and `_`. */
export const RACE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function isRaceId(text: string): boolean {
  return RACE_ID_PATTERN.test(text);
}
