/**
 * One race as the server holds it: the engine's timeline fed from the store,
 * the live classification, the feed, and the recent deltas a reconnecting
 * viewer may ask for. Each store commit becomes exactly one delta, so the
 * live state is a function of the store alone: after a restart the same
 * commits replayed give the same deltas, seqs and feed (what lets a viewer
 * reconnect across a restart with Last-Event-ID).
 *
 * The live instant is the race time of the latest event stored. A replay
 * appends events as its clock passes them, so this is the replay clock to
 * within one tick, and it never depends on when the server (re)started.
 */
import { createHash } from 'node:crypto';
import type { DecisionEvent, TimingEvent } from '../model/events.js';
import type { FeedMessage, FeedStatus, LiveDelta, LiveSnapshot, RaceInfo } from '../model/live.js';
import { FEED_LIMIT } from '../model/live.js';
import type { Standings } from '../model/standings.js';
import { diffStandings } from '../engine/delta.js';
import { feedMessages, lateDecisions } from '../engine/messages.js';
import { classificationAt } from '../engine/session-standings.js';
import { RaceTimeline } from '../engine/timeline.js';

/** Feed messages kept for a snapshot (the web screen keeps as many). */
export const MESSAGE_LIMIT = FEED_LIMIT;

export interface RingLimits {
  /** Most deltas kept for reconnecting viewers. */
  deltas: number;
  /** Most bytes of serialized deltas kept. */
  bytes: number;
}

export const DEFAULT_RING: RingLimits = { deltas: 2000, bytes: 8 * 1024 * 1024 };

export interface RecentDelta {
  previousSeq: number;
  seq: number;
  /** The LiveDelta as JSON. */
  data: string;
}

export class LiveRace {
  readonly timeline = new RaceTimeline();
  /** Seq of the last commit applied (0 before any). */
  seq = 0;
  /** Events applied (revisions included). */
  events = 0;
  /**
   * Names this race in this store, in SSE ids (`<seq>-<epoch>`): the same
   * across restarts, different for another race or after the store was reset
   * (raceEpoch). Empty until the race's first commit is stored.
   */
  epoch = '';
  private standings: Standings | null = null;
  /** Every feed message of the race, in commit order (race time never goes back): the snapshot's last ones, and time travel. */
  private readonly feed: FeedMessage[] = [];
  private readonly ring: RecentDelta[] = [];
  private ringBytes = 0;
  private snapshotCache: { seq: number; data: string } | null = null;
  private info: RaceInfo;
  /** The live source's state, when one feeds this race. */
  feedStatus: FeedStatus | null = null;
  /**
   * Wall clock (ms since epoch) at which this process last applied a commit
   * of the race: at load, at ingest, or followed from the bus. How long the
   * race has been quiet (wire.ts cacheControlFor).
   */
  lastCommitAtMs = 0;
  /** Serialises ingest for this race: the store hands out seqs, we apply them in order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly id: string, private readonly ringLimits: RingLimits = DEFAULT_RING) {
    this.info = raceInfo(id, this.timeline);
  }

  get race(): RaceInfo {
    return this.info;
  }

  /** Race time of the live state. */
  get raceTimeMs(): number {
    return this.timeline.lastEventMs;
  }

  /** The instant a request asks for: `at` clamped to the live instant (the future is not known yet); null = live. */
  instantAt(at: number | null): number {
    return at === null ? this.raceTimeMs : Math.min(at, this.raceTimeMs);
  }

  /** Runs `task` after every earlier one for this race has finished. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies one store commit (its accepted events, ending at `commitSeq`) and
   * returns the delta it makes. Commits must come in seq order.
   */
  applyCommit(commitSeq: number, events: readonly TimingEvent[]): RecentDelta {
    if (commitSeq <= this.seq) throw new Error(`race ${this.id}: commit ${commitSeq} is not after ${this.seq}`);
    this.applyEvents(events);
    return this.commitApplied(commitSeq);
  }

  /**
   * Applies events of a commit not yet whole to the timeline, without a
   * delta, so that a large commit is applied over several turns of the event
   * loop: while the race is loaded and not served yet (RaceHub loadAll), and
   * an ingested commit, already durable, inside the race's `exclusive`
   * (races.ts applyInSlices). `commitApplied` then ends the commit.
   */
  applyEvents(events: readonly TimingEvent[]): void {
    const toldUpTo = this.standings?.at.raceTimeMs ?? null;
    for (const event of events) {
      // A new decision stamped before the last classification's instant: the feed's window has passed it.
      if (event.type === 'decision' && toldUpTo !== null && event.atMs <= toldUpTo && !this.timeline.decisions.some((d) => d.id === event.id)) this.late.push(event);
      this.timeline.apply(event);
    }
    this.events += events.length;
  }

  /** Decisions that arrived late (applyEvents), told with the next classification. */
  private late: DecisionEvent[] = [];

  /** Ends the commit whose events were applied (applyEvents): its classification, feed messages and delta. */
  commitApplied(commitSeq: number): RecentDelta {
    if (commitSeq <= this.seq) throw new Error(`race ${this.id}: commit ${commitSeq} is not after ${this.seq}`);
    const previousSeq = this.seq;
    const previous = this.standings;
    // The live timing screen: gaps move at every timing point the feed tells (engine/gap.ts).
    const current = classificationAt(this.timeline, null, { gaps: 'timing-points' });
    const messages = [...lateDecisions(this.late, current), ...feedMessages(previous, current, this.timeline)];
    this.late = [];
    const delta: LiveDelta = { seq: commitSeq, previousSeq, ...diffStandings(previous, current) };
    const info = raceInfo(this.id, this.timeline);
    if (!sameInfo(info, this.info)) {
      this.info = info;
      delta.race = info;
    }
    if (messages.length > 0) {
      delta.messages = messages;
      this.feed.push(...messages);
    }
    this.standings = current;
    this.seq = commitSeq;
    this.lastCommitAtMs = Date.now();
    const recent: RecentDelta = { previousSeq, seq: commitSeq, data: JSON.stringify(delta) };
    this.remember(recent);
    return recent;
  }

  /**
   * Records the live source's state and returns the status-only delta to
   * publish (seq unchanged), or null when nothing changed.
   */
  setFeedStatus(status: FeedStatus): RecentDelta | null {
    const before = this.feedStatus;
    if (before !== null && before.state === status.state && before.sinceMs === status.sinceMs && before.source === status.source) return null;
    this.feedStatus = status;
    this.snapshotCache = null;
    const delta: LiveDelta = { seq: this.seq, previousSeq: this.seq, raceTimeMs: this.raceTimeMs, cars: [], feed: status };
    return { previousSeq: this.seq, seq: this.seq, data: JSON.stringify(delta) };
  }

  /**
   * The feed as live viewers saw it up to race time `at`: the last `limit`
   * messages at or before it, oldest first.
   */
  feedUpTo(at: number, limit: number): FeedMessage[] {
    let lo = 0;
    let hi = this.feed.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.feed[mid]!.raceTimeMs <= at) lo = mid + 1;
      else hi = mid;
    }
    return this.feed.slice(Math.max(0, lo - limit), lo);
  }

  /** The classification at the live instant (null before any event). */
  liveStandings(): Standings | null {
    return this.standings;
  }

  snapshot(): LiveSnapshot {
    return {
      seq: this.seq,
      race: this.info,
      raceTimeMs: this.standings?.at.raceTimeMs ?? 0,
      flag: this.standings?.flag ?? 'unknown',
      chequeredMs: this.standings?.chequeredMs ?? null,
      cars: this.standings?.cars ?? [],
      messages: this.feed.slice(-MESSAGE_LIMIT),
      ...(this.feedStatus === null ? {} : { feed: this.feedStatus }),
    };
  }

  /** The snapshot as JSON, serialized once per seq whatever the number of viewers. */
  snapshotData(): string {
    if (this.snapshotCache?.seq !== this.seq) this.snapshotCache = { seq: this.seq, data: JSON.stringify(this.snapshot()) };
    return this.snapshotCache.data;
  }

  /**
   * The deltas after `seq`, oldest first: [] when `seq` is the live seq,
   * null when they are no longer kept (or `seq` was never a commit here):
   * the viewer needs a fresh snapshot.
   */
  deltasAfter(seq: number): RecentDelta[] | null {
    if (seq === this.seq) return [];
    if (seq > this.seq) return null;
    const i = this.ringIndexAfter(seq);
    return this.ring[i]?.previousSeq === seq ? this.ring.slice(i) : null;
  }

  /** The delta of the latest commit, null before any (or when not kept). */
  lastDelta(): RecentDelta | null {
    const last = this.ring[this.ring.length - 1];
    return last?.seq === this.seq ? last : null;
  }

  /** The kept delta that follows `seq` (its previousSeq is `seq`), or null when it is not kept. */
  deltaAfter(seq: number): RecentDelta | null {
    const i = this.ringIndexAfter(seq);
    return this.ring[i]?.previousSeq === seq ? this.ring[i]! : null;
  }

  private ringIndexAfter(seq: number): number {
    let lo = 0;
    let hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ring[mid]!.previousSeq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private remember(delta: RecentDelta): void {
    this.ring.push(delta);
    this.ringBytes += delta.data.length;
    while (this.ring.length > this.ringLimits.deltas || (this.ringBytes > this.ringLimits.bytes && this.ring.length > 1)) {
      this.ringBytes -= this.ring.shift()!.data.length;
    }
  }
}

/**
 * A race's epoch: 8 hex digits of SHA-256 over its id and the instant the
 * store created it (StoredRace.createdAtMs), so it survives a restart and
 * changes when the store is reset and the race stored anew.
 */
export function raceEpoch(id: string, createdAtMs: number): string {
  return createHash('sha256').update(`${id}\n${createdAtMs}`).digest('hex').slice(0, 8);
}

function raceInfo(id: string, timeline: RaceTimeline): RaceInfo {
  const session = timeline.session;
  return {
    id,
    name: session?.name ?? id,
    scheduledDurationMs: session?.scheduledDurationMs ?? null,
    zeroTimeOfDayMs: session?.zeroTimeOfDayMs ?? null,
    ...(session?.sessionType === undefined ? {} : { sessionType: session.sessionType }),
  };
}

function sameInfo(a: RaceInfo, b: RaceInfo): boolean {
  return a.name === b.name && a.scheduledDurationMs === b.scheduledDurationMs && a.zeroTimeOfDayMs === b.zeroTimeOfDayMs && a.sessionType === b.sessionType;
}
