/**
 * The live bus: carries each race's deltas, tagged with the store seq they
 * reflect, from the one place that computes them to every server that pushes
 * them to viewers.
 *
 * Two jobs, two interfaces:
 * - `LiveBus`, in every process: the fan-out from the process's own races to
 *   its viewers (memory/, synchronous, in publish order).
 * - `SharedBus`, between processes when scaled out (`--bus nats://…`): the
 *   ingest process publishes every commit, each edge follows every race
 *   (nats/ on JetStream; memory/ implements it too, for one process and tests).
 *
 * An edge applies what it follows to its own races, which publish the same
 * deltas on its LiveBus (docs/architecture.md, "Roles"). The store stays the
 * truth: a message an edge cannot apply on top of what it holds (a gap) is
 * filled from the store, so a lost message costs a read, never a delta.
 */
import type { TimingEvent } from '../model/events.js';

export interface BusMessage {
  race: string;
  /** Seq of the last timing event the delta reflects (the SSE `id`). */
  seq: number;
  /** Seq of the message it applies on top of (equal to `seq` for a status-only delta). */
  previousSeq: number;
  /** The LiveDelta as JSON: serialized once by the publisher, whatever the number of viewers. */
  data: string;
  /**
   * On the shared bus, a commit's events as stored (corrections merged), in
   * seq order: a follower applies them instead of reading the store. Absent
   * on a status-only delta, and on a message that only announces the head
   * (the follower reads the store up to `seq`).
   */
  events?: readonly TimingEvent[];
  /** On the shared bus, the race's epoch (live-race.ts raceEpoch), so a follower names the race as the ingest does. */
  epoch?: string;
}

export type BusListener = (message: BusMessage) => void;

export interface LiveBus {
  publish(message: BusMessage): void;
  /** Listens to one race; returns the function that stops listening. */
  subscribe(race: string, listener: BusListener): () => void;
  close(): Promise<void>;
}

/** Follows every race of a shared bus; `stop` ends it. */
export interface BusFollow {
  stop(): Promise<void>;
}

export interface SharedBus {
  /** Where it is (for logs), without credentials. */
  readonly name: string;
  /**
   * Publishes a message to every follower, in every process. Resolves once the
   * bus holds it (JetStream: stored and acknowledged); never rejects while
   * the bus is open: a bus that is down is retried until it is back.
   */
  share(message: BusMessage): Promise<void>;
  /**
   * Calls `listener` with every message of every race published from now on,
   * in publish order. After a disconnection it resumes where it stopped
   * (JetStream: the stream sequence after the last one delivered), so a
   * follower misses nothing the bus still holds.
   */
  follow(listener: BusListener): Promise<BusFollow>;
  close(): Promise<void>;
}

/** `--deployment` when not given: the stream SARTHE_LIVE and subjects `sarthe.live.<race>` of the first version (nats/). */
export const DEFAULT_DEPLOYMENT = 'sarthe';
/**
 * A deployment name (`--deployment`, SARTHE_DEPLOYMENT): lowercase letters,
 * digits, `-` and `_`, 1–32 characters. It names the shared bus's stream and
 * subjects (nats/ deploymentNames), so it must be NATS-safe as a subject token
 * and, upper-cased, as a stream name (no `.`, `*`, `>`, space or path
 * separator); lowercase only, so that upper-casing keeps two names apart.
 */
export const DEPLOYMENT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
