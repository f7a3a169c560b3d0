/**
 * The races the server follows: loads each from the store at start (commit by
 * commit, so deltas and feed are the same as before a restart), and is the
 * one path by which events enter — ingest API, file import and replay alike:
 * store first (durable), then the engine, then the bus.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { TimingEvent } from '../model/events.js';
import type { FeedStatus, LiveDelta } from '../model/live.js';
import type { BusMessage, LiveBus, SharedBus } from '../bus/index.js';
import { toAppendEvent, type AppendOptions, type AppendOutcome, type AppendResult, type EventStore } from '../store/index.js';
import { CrossingOrder } from '../engine/crossing-order.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DEFAULT_RING, LiveRace, raceEpoch, type RecentDelta, type RingLimits } from './live-race.js';

/** Events checked for crossing order between two turns of the event loop (RaceHub.ingest). */
const CHECK_SLICE = 1000;

/**
 * One event's answer: the store's (AppendResult), and `reason` on a conflict
 * the hub found before the store, a lap or sector crossing that contradicts
 * the car's timing points (engine/crossing-order.ts).
 */
export type IngestResult = AppendResult & { reason?: string };

export interface IngestOutcome extends AppendOutcome {
  /** One per event sent, in order. */
  results: IngestResult[];
  /** Events stored now. */
  accepted: number;
}

/**
 * Events read from the store per query while loading a race. A query and its
 * JSON parse run without a turn of the event loop: 250 events take ~2 ms of
 * CPU, 1,000 ~10 ms and up to 60 ms on a busy 2-core machine (issue 13,
 * restart phase); a commit larger than a page is read over several turns.
 */
const LOAD_PAGE = 250;
/** Wall ms of loading between two turns of the event loop: requests are answered while a heavy store loads. */
const LOAD_SLICE_MS = 10;
/**
 * Wall ms of an ingested commit's application between two turns of the
 * event loop (applyInSlices). Measured on the abuse test's batches (1,000
 * laps of 100 cars): the fold itself takes 0.2–0.5 ms, but the live
 * classification after it 1–27 ms in order and 16–67 ms in reverse, nearly
 * all of it the cars' timing points built again (issue 13, bulk ingest).
 */
const FOLD_SLICE_MS = 8;
/** Events folded between two looks at the clock. */
const FOLD_CHECK = 50;

export class RaceHub {
  private readonly races = new Map<string, LiveRace>();
  /** True from the start of loadAll until every stored race is loaded (the server answers 503 for races meanwhile). */
  loading = false;
  /**
   * The bus shared with other processes (`--bus`): every commit ingested
   * here is shared on it, with its events, for the edges. Null: one process.
   */
  shared: SharedBus | null = null;
  /** Commits an edge read from the store because the bus had not brought them on top of what it held, since start. */
  filledFromStore = 0;
  /** Edge role: races (`<id>\n<epoch>`) the bus brought and this store does not hold, each logged once (followedRace). */
  private readonly refused = new Set<string>();
  /** Serialises what an edge applies from the bus and the store (follow, catchUpFromStore). */
  private followQueue: Promise<unknown> = Promise.resolve();
  private sliceStart = performance.now();

  constructor(
    readonly store: EventStore,
    readonly bus: LiveBus,
    private readonly log: FastifyBaseLogger,
    private readonly ringLimits: RingLimits = DEFAULT_RING,
  ) {}

  /**
   * Rebuilds every stored race, commit by commit, giving the event loop a turn
   * every LOAD_SLICE_MS so that a server listening already keeps answering.
   */
  async loadAll(): Promise<void> {
    this.loading = true;
    try {
      await this.loadStored();
    } finally {
      this.loading = false;
    }
  }

  private async loadStored(): Promise<void> {
    this.sliceStart = performance.now();
    for (const stored of await this.store.races()) {
      const started = performance.now();
      const race = new LiveRace(stored.id, this.ringLimits);
      race.epoch = raceEpoch(stored.id, stored.createdAtMs);
      const commits = await this.applyStored(race, false);
      this.races.set(stored.id, race);
      this.log.info(
        { race: stored.id, events: race.events, commits, seq: race.seq, raceTimeMs: race.raceTimeMs, ms: Math.round(performance.now() - started) },
        'race loaded from the store',
      );
    }
  }

  /**
   * Applies every whole commit the store holds after `race.seq`, in seq
   * order, reading LOAD_PAGE events a query and giving the event loop a turn
   * whenever LOAD_SLICE_MS have passed since the last: between two queries,
   * and between two commits. With `publish`, each delta goes to the race's
   * viewers. Returns the commits applied.
   */
  private async applyStored(race: LiveRace, publish: boolean): Promise<number> {
    let commits = 0;
    let after = race.seq;
    // The events read of the commit not yet whole: it is whole at the event whose seq is its commitSeq (its last).
    let commit: TimingEvent[] = [];
    let inside = false;
    for (;;) {
      await this.turnIfDue();
      const page = await this.store.readSince(race.id, after, LOAD_PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1]!.seq;
      for (const stored of page) {
        commit.push(stored.event);
        inside = true;
        if (stored.seq !== stored.commitSeq) continue;
        race.applyEvents(commit);
        // Not served yet: the classification's timing points built car by car over turns (applyInSlices).
        if (!publish) {
          for (const car of race.timeline.cars.values()) {
            car.timingPoints();
            await this.turnIfDue();
          }
        }
        const delta = race.commitApplied(stored.commitSeq);
        if (publish) this.bus.publish({ race: race.id, ...delta });
        commits++;
        commit = [];
        inside = false;
        await this.turnIfDue();
      }
      // A race not served yet may take a large commit's events page by page; a served one (publish) only whole commits.
      if (!publish && commit.length > 0) {
        race.applyEvents(commit);
        commit = [];
      }
    }
    // The store writes a commit in one transaction: a part of one is never stored.
    if (inside) throw new Error(`race ${race.id}: the store ends inside a commit (after seq ${after})`);
    return commits;
  }

  /** A turn of the event loop once LOAD_SLICE_MS have passed since the last (setImmediate: waiting requests and timers run first). */
  private async turnIfDue(): Promise<void> {
    if (performance.now() - this.sliceStart <= LOAD_SLICE_MS) return;
    await nextTurn();
    this.sliceStart = performance.now();
  }

  /**
   * Edge role: applies a message followed on the shared bus, after every
   * earlier one (and never before `holdFollowing`'s promise settles). A
   * commit on top of what this process holds is applied from the message's
   * events, so the edge computes the same delta, seq and feed as the ingest
   * process (one commit = one delta, live-race.ts); one it has is skipped;
   * anything else (a gap: a message the bus never got, a head announced
   * without events) is read from the store, the truth. A status-only delta
   * sets the feed's state. A message about a race this edge's store does
   * not hold (or holds under another epoch) is ignored (followedRace).
   */
  follow(message: BusMessage): Promise<void> {
    return this.serialFollow(async () => {
      const race = await this.followedRace(message.race, message.epoch, 'bus');
      if (race === null) return;
      const statusOnly = message.seq === message.previousSeq && message.events === undefined;
      if (message.seq > race.seq) {
        if (!statusOnly && message.previousSeq === race.seq && message.events !== undefined) {
          this.bus.publish({ race: race.id, ...race.applyCommit(message.seq, message.events) });
        } else {
          await this.fill(race, message.seq, 'the bus skipped commits');
        }
      }
      if (statusOnly) {
        const feed = (JSON.parse(message.data) as LiveDelta).feed;
        const delta = feed === undefined ? null : race.setFeedStatus(feed);
        if (delta !== null) this.bus.publish({ race: race.id, ...delta });
      }
      if (race.seq === 0 && race.feedStatus === null) this.races.delete(race.id);
    });
  }

  /**
   * Edge role, the safety net under the bus: brings every race up to what the
   * store holds (new races included), in the same queue as `follow`. Returns
   * the commits read.
   */
  catchUpFromStore(): Promise<number> {
    return this.serialFollow(async () => {
      let commits = 0;
      for (const stored of await this.store.races()) {
        if (stored.lastSeq <= (this.races.get(stored.id)?.seq ?? 0)) continue;
        const race = await this.followedRace(stored.id, raceEpoch(stored.id, stored.createdAtMs), 'store');
        if (race !== null) commits += await this.fill(race, stored.lastSeq, 'the store is ahead of the bus');
      }
      return commits;
    });
  }

  /** Edge role: nothing followed is applied before `ready` settles (the stored races are loaded). */
  holdFollowing(ready: Promise<unknown>): void {
    const queue = this.followQueue;
    this.followQueue = Promise.all([queue, ready.catch(() => undefined)]);
  }

  private serialFollow<T>(task: () => Promise<T>): Promise<T> {
    const run = this.followQueue.then(task);
    this.followQueue = run.catch((error: unknown) => this.log.error({ err: error }, 'edge: applying what the bus brought failed'));
    return run;
  }

  /**
   * Edge role: the race a followed message (or the store's newer commits)
   * is about, created from the store when first seen; null when this edge
   * must not serve it. A race is served only as this edge's own store holds
   * it: a message about a race the store does not hold, or holds under
   * another epoch (another store's race of the same id), comes from a
   * process that is not of this deployment's store (a second deployment
   * sharing the bus, an ingest process given the wrong store). It is
   * refused, logged once per race and epoch, and never created (before,
   * the edge created it from the message and served another store's race).
   */
  private async followedRace(id: string, epoch: string | undefined, source: 'bus' | 'store'): Promise<LiveRace | null> {
    const held = this.races.get(id);
    if (held !== undefined) {
      if (epoch === undefined || held.epoch === '' || held.epoch === epoch) return held;
      this.refuse(id, epoch, `this store's race of that id has epoch ${held.epoch}`);
      return null;
    }
    // Refused once: no store query for each of its messages.
    if (source === 'bus' && this.refused.has(`${id}\n${epoch ?? ''}`)) return null;
    const stored = await this.store.race(id);
    if (stored === null) {
      this.refuse(id, epoch, 'this store holds no race of that id');
      return null;
    }
    const storedEpoch = raceEpoch(id, stored.createdAtMs);
    if (epoch !== undefined && epoch !== storedEpoch) {
      this.refuse(id, epoch, `this store's race of that id has epoch ${storedEpoch}`);
      return null;
    }
    const race = new LiveRace(id, this.ringLimits);
    race.epoch = storedEpoch;
    this.races.set(id, race);
    return race;
  }

  /** Logs, once per race and epoch, a race that came on the bus and that this edge will not serve. */
  private refuse(id: string, epoch: string | undefined, why: string): void {
    const key = `${id}\n${epoch ?? ''}`;
    if (this.refused.has(key)) return;
    this.refused.add(key);
    this.log.warn(
      { race: id, epoch: epoch ?? null, why },
      'edge: ignoring a race on the bus that is not in this store (another deployment on the same NATS server, or an ingest process on another store?)',
    );
  }

  private async fill(race: LiveRace, toSeq: number, reason: string): Promise<number> {
    const fromSeq = race.seq;
    const commits = await this.applyStored(race, true);
    this.filledFromStore += commits;
    this.log.info({ race: race.id, fromSeq, toSeq: race.seq, wanted: toSeq, commits, reason }, 'edge caught up from the store');
    return commits;
  }

  /**
   * Ingest role, at start: shares each race's head (its last delta, no
   * events), so that an edge which missed the last commits before a crash
   * (stored, never shared) reads them from the store. JetStream drops a head
   * it already holds (same message id).
   */
  announceHeads(): void {
    for (const race of this.races.values()) {
      if (race.seq === 0) continue;
      const last = race.lastDelta();
      if (last !== null) this.share({ race: race.id, ...last, epoch: race.epoch });
    }
  }

  private share(message: BusMessage): void {
    this.shared?.share(message).catch((error: unknown) => this.log.error({ err: error, race: message.race, seq: message.seq }, 'sharing a commit on the bus failed'));
  }

  /**
   * Records the state of the live source feeding race `id` and pushes it to
   * its viewers (a status-only delta). Creates nothing: a race not yet known
   * gets its status with its first events.
   */
  setFeedStatus(id: string, status: FeedStatus): void {
    const race = this.races.get(id);
    if (race === undefined) return;
    const delta = race.setFeedStatus(status);
    if (delta !== null) {
      this.bus.publish({ race: id, ...delta });
      this.share({ race: id, ...delta, epoch: race.epoch });
    }
  }

  /** Applies and publishes the stored commits after `live.seq` up to `untilSeq`, commit by commit. */
  private async catchUp(id: string, live: LiveRace, untilSeq: number): Promise<void> {
    const missed = await this.store.readSince(id, live.seq, untilSeq - live.seq);
    let i = 0;
    while (i < missed.length) {
      const commitSeq = missed[i]!.commitSeq;
      const events: TimingEvent[] = [];
      while (i < missed.length && missed[i]!.commitSeq === commitSeq) events.push(missed[i++]!.event);
      this.bus.publish({ race: id, ...live.applyCommit(commitSeq, events) });
    }
    this.log.warn({ race: id, events: missed.length, seq: live.seq }, 'applied commits stored while this process did not hear back from the store');
  }

  get(id: string): LiveRace | undefined {
    return this.races.get(id);
  }

  list(): LiveRace[] {
    return [...this.races.values()];
  }

  /**
   * Stores a batch of validated events, applies what was accepted and
   * publishes the delta. Resolves once the events are durable and the delta
   * is on the bus.
   */
  ingest(id: string, events: readonly TimingEvent[], options: AppendOptions = {}): Promise<IngestOutcome> {
    let race = this.races.get(id);
    if (race === undefined) {
      race = new LiveRace(id, this.ringLimits);
      this.races.set(id, race);
    }
    const live = race;
    return live.exclusive(async () => {
      // A turn of the event loop before the store's transaction and another before the
      // engine's fold: each is tens of ms for a batch of 1,000 on a busy machine, and
      // back to back with the batch's validation they held requests for 100–600 ms
      // (issue 13, bulk-ingest phase). The transaction itself stays one: acknowledged after commit.
      await nextTurn();
      // A lap or sector crossing out of order with the car's timing points is refused before the
      // store: the engine's reads rely on their order (engine/crossing-order.ts).
      const order = new CrossingOrder(live.timeline);
      const reasons: (string | null)[] = [];
      for (let i = 0; i < events.length; i++) {
        // A turn every CHECK_SLICE events, as the store and the fold take theirs: a batch of laps far
        // from the car's others must not hold every other request (issue 13).
        if (i > 0 && i % CHECK_SLICE === 0) await nextTurn();
        reasons.push(order.take(events[i]!));
      }
      const refused = reasons.filter((r) => r !== null).length;
      if (refused > 0 && options.atomic === true) {
        if (live.seq === 0 && this.races.get(id) === live) this.races.delete(id);
        const results = reasons.map((reason): IngestResult => (reason === null ? { status: 'rolled-back', seq: null } : { status: 'conflict', seq: null, reason }));
        return { results, commitSeq: null, committedAtMs: Date.now(), accepted: 0 };
      }
      const sent = refused === 0 ? events : events.filter((_, i) => reasons[i] === null);
      let stored: AppendOutcome;
      try {
        stored = sent.length > 0 ? await this.store.append(id, sent.map(toAppendEvent), options) : { results: [], commitSeq: null, committedAtMs: Date.now() };
      } catch (error) {
        if (live.seq === 0 && this.races.get(id) === live) this.races.delete(id);
        throw error;
      }
      let outcome: AppendOutcome & { results: IngestResult[] } = stored;
      if (refused > 0) {
        let k = 0;
        outcome = { ...stored, results: reasons.map((reason) => (reason === null ? stored.results[k++]! : { status: 'conflict', seq: null, reason })) };
      }
      await nextTurn();
      const accepted: TimingEvent[] = [];
      outcome.results.forEach((r, i) => {
        // A session or entry correction is stored merged with what was held (store/index.ts): apply that.
        if (r.status === 'accepted') accepted.push(r.event ?? events[i]!);
      });
      // A commit this process never heard back from (the store went away after COMMIT: a 503 whose
      // resend is now 'duplicate') is applied first, so viewers miss nothing of it.
      const storedBefore = outcome.commitSeq !== null ? firstAccepted(outcome) - 1 : lastSeqNamed(outcome);
      if (storedBefore > live.seq) {
        if (live.epoch === '') live.epoch = raceEpoch(id, (await this.store.race(id))?.createdAtMs ?? outcome.committedAtMs);
        await this.catchUp(id, live, storedBefore);
      }
      if (outcome.commitSeq !== null) {
        // The race's first commit: the store has just created it.
        if (live.epoch === '') live.epoch = raceEpoch(id, (await this.store.race(id))?.createdAtMs ?? outcome.committedAtMs);
        const delta = await applyInSlices(live, outcome.commitSeq, accepted);
        this.bus.publish({ race: id, ...delta });
        // Not awaited: the events are durable, and the bus retries by itself (an edge fills any gap from the store).
        this.share({ race: id, ...delta, events: accepted, epoch: live.epoch });
      } else if (live.seq === 0) {
        // Nothing stored for a race the store does not know: forget it again.
        this.races.delete(id);
      }
      return { ...outcome, accepted: accepted.length };
    });
  }
}

/**
 * Applies one ingested commit as `LiveRace.applyCommit` does, with a turn of
 * the event loop every FOLD_SLICE_MS: the fold, then the timing points car by
 * car, then the classification: the same delta, over several turns. Runs
 * inside the race's `exclusive`, so no other commit of the race interleaves;
 * a read meanwhile (GET standings, analysis) sees the timeline with part of
 * the commit's events, all of them durable already: what it would see had
 * the client sent the batch in two.
 */
async function applyInSlices(live: LiveRace, commitSeq: number, events: readonly TimingEvent[]): Promise<RecentDelta> {
  if (commitSeq <= live.seq) throw new Error(`race ${live.id}: commit ${commitSeq} is not after ${live.seq}`);
  let sliceStart = performance.now();
  const turnIfDue = async () => {
    if (performance.now() - sliceStart <= FOLD_SLICE_MS) return;
    await nextTurn();
    sliceStart = performance.now();
  };
  for (let i = 0; i < events.length; i += FOLD_CHECK) {
    live.applyEvents(events.slice(i, i + FOLD_CHECK));
    await turnIfDue();
  }
  // The live classification's gaps read every car's timing points (engine/gap.ts), built again from a
  // car's first late lap on: for laps arriving before laps held (reverse or shuffled arrival) that is
  // every lap of every car, 30–70 ms a commit of 100 cars × 400 laps in one piece. Built here car by
  // car (the same lazy lists the classification would build), so it finds them ready.
  for (const car of live.timeline.cars.values()) {
    car.timingPoints();
    await turnIfDue();
  }
  await nextTurn();
  return live.commitApplied(commitSeq);
}

/** The seq of the first event this append stored (only called when it stored some). */
function firstAccepted(outcome: AppendOutcome): number {
  let first = Infinity;
  for (const r of outcome.results) if (r.status === 'accepted' && r.seq! < first) first = r.seq!;
  return first;
}

/** The highest seq the store named in its answer (a duplicate's or a conflict's), 0 when none. */
function lastSeqNamed(outcome: AppendOutcome): number {
  let last = 0;
  for (const r of outcome.results) if (r.seq !== null && r.seq > last) last = r.seq;
  return last;
}
