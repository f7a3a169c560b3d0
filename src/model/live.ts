/**
 * The live protocol: what the server pushes to viewers over Server-Sent
 * Events at GET /api/races/:race/live, and what the browser applies.
 *
 *   event: snapshot   id: <seq>-<epoch>   data: LiveSnapshot   (always first)
 *   event: delta      id: <seq>-<epoch>   data: LiveDelta      (then one per change)
 *
 * `seq` is the event store's sequence number of the last timing event the
 * message reflects; `epoch` (8 hex digits) names the race in this store. A
 * viewer that reconnects sends `Last-Event-ID: <seq>-<epoch>` and receives
 * exactly the deltas after it, or a fresh snapshot when too far behind or of
 * another epoch (server/live-push.ts). Applying a delta to the snapshot it follows gives the same state as
 * the snapshot at the delta's seq (tested).
 */
import type { FlagState, SessionType } from './events.js';
import type { CarStanding } from './standings.js';

/** Feed messages a snapshot carries and a screen keeps: the same bound on both sides. */
export const FEED_LIMIT = 200;

export interface RaceInfo {
  /** URL-safe id, e.g. "lemans-2019". */
  id: string;
  name: string;
  scheduledDurationMs: number | null;
  zeroTimeOfDayMs: number | null;
  /** race, practice, qualifying or test (absent: race). A non-race session is ranked by best lap. */
  sessionType?: SessionType;
}

/**
 * The live source feeding a race (src/sources/source.ts): connecting, live,
 * stalled (silent longer than the set time) or ended. `sinceMs` is wall-clock
 * epoch ms; `text` is what a screen shows, e.g. "feed stalled since 14:03:12 UTC".
 */
export interface FeedStatus {
  source: string;
  state: 'connecting' | 'live' | 'stalled' | 'ended';
  sinceMs: number;
  detail: string;
  text: string;
}

export interface LiveSnapshot {
  seq: number;
  race: RaceInfo;
  /** Race time the state is computed at (the replay or live clock). */
  raceTimeMs: number;
  flag: FlagState;
  chequeredMs: number | null;
  /** Every car in overall order. */
  cars: CarStanding[];
  /** Most recent feed messages, oldest first (bounded). */
  messages: FeedMessage[];
  /** The live source's state, when a live source feeds the race (absent for replays and ingest). */
  feed?: FeedStatus;
}

/** Only what changed: cars by number with their changed fields. */
export interface LiveDelta {
  seq: number;
  /** Seq of the message this delta applies on top of. */
  previousSeq: number;
  raceTimeMs: number;
  /** Present only when the race's own facts changed (a corrected session event). */
  race?: RaceInfo;
  flag?: FlagState;
  chequeredMs?: number | null;
  /** Changed fields per car; a car not listed did not change. */
  cars: Array<Partial<CarStanding> & { number: string }>;
  /** Overall order by car number, present only when the order changed. */
  order?: string[];
  messages?: FeedMessage[];
  /**
   * The live source's new state. A delta carrying only this has seq ===
   * previousSeq (no timing event changed) and is not kept for reconnections:
   * the snapshot carries the state.
   */
  feed?: FeedStatus;
}

export type FeedKind =
  | 'pit-in'
  | 'pit-out'
  | 'driver-change'
  | 'lead-change'
  | 'class-lead-change'
  | 'best-lap'
  | 'flag'
  | 'stopped'
  | 'retired'
  | 'finished'
  /** A decision of race control (penalty, DSQ, NC, note), or a penalty served. */
  | 'race-control';

/** One line of the race feed ("#8 pits", "New leader: #7", "Safety car"). */
export interface FeedMessage {
  kind: FeedKind;
  raceTimeMs: number;
  car?: string;
  class?: string;
  /** Plain text, already worded: the feed shows it as is. */
  text: string;
}
