/**
 * The races the server follows: loads each from the store at start (commit by
 * commit, so deltas and feed are the same as before a restart), and is the
 * one path by which events enter — ingest API, file import and replay alike:
 * store first (durable), then the engine, then the bus.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { TimingEvent } from '../model/events.js';
import type { FeedStatus } from '../model/live.js';
import type { LiveBus } from '../bus/index.js';
import { toAppendEvent, type AppendOptions, type AppendOutcome, type EventStore } from '../store/index.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DEFAULT_RING, LiveRace, raceEpoch, type RingLimits } from './live-race.js';

export interface IngestOutcome extends AppendOutcome {
  /** Events stored now. */
  accepted: number;
}

/** Events read from the store per query while loading a race. */
const LOAD_PAGE = 10_000;
/** Wall ms of loading between two turns of the event loop: requests are answered while a heavy store loads. */
const LOAD_SLICE_MS = 20;

export class RaceHub {
  private readonly races = new Map<string, LiveRace>();
  /** True from the start of loadAll until every stored race is loaded (the server answers 503 for races meanwhile). */
  loading = false;

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
    let sliceStart = performance.now();
    for (const stored of await this.store.races()) {
      const started = performance.now();
      const race = new LiveRace(stored.id, this.ringLimits);
      race.epoch = raceEpoch(stored.id, stored.createdAtMs);
      let commits = 0;
      let after = 0;
      for (;;) {
        const page = await this.store.readSince(stored.id, after, LOAD_PAGE);
        if (page.length === 0) break;
        // Apply whole commits only: finish the one the page cut in two.
        const tail = page[page.length - 1]!;
        if (tail.commitSeq > tail.seq) page.push(...(await this.store.readSince(stored.id, tail.seq, tail.commitSeq - tail.seq)));
        let i = 0;
        while (i < page.length) {
          const commitSeq = page[i]!.commitSeq;
          const events: TimingEvent[] = [];
          while (i < page.length && page[i]!.commitSeq === commitSeq) events.push(page[i++]!.event);
          race.applyCommit(commitSeq, events);
          commits++;
          if (performance.now() - sliceStart > LOAD_SLICE_MS) {
            await nextTurn();
            sliceStart = performance.now();
          }
        }
        after = page[page.length - 1]!.seq;
      }
      this.races.set(stored.id, race);
      this.log.info(
        { race: stored.id, events: race.events, commits, seq: race.seq, raceTimeMs: race.raceTimeMs, ms: Math.round(performance.now() - started) },
        'race loaded from the store',
      );
    }
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
    if (delta !== null) this.bus.publish({ race: id, ...delta });
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
      let outcome;
      try {
        outcome = await this.store.append(id, events.map(toAppendEvent), options);
      } catch (error) {
        if (live.seq === 0 && this.races.get(id) === live) this.races.delete(id);
        throw error;
      }
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
        const delta = live.applyCommit(outcome.commitSeq, accepted);
        this.bus.publish({ race: id, ...delta });
      } else if (live.seq === 0) {
        // Nothing stored for a race the store does not know: forget it again.
        this.races.delete(id);
      }
      return { ...outcome, accepted: accepted.length };
    });
  }
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
