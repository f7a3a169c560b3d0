/**
 * What the page shows: the live state, or — time travel — the classification
 * at a chosen instant, fetched from the API. The live connection keeps
 * running underneath, so "back to live" is one click and no wait.
 */
import type { FeedMessage, RaceInfo } from '../../model/live.js';
import { MINUTE } from '../../model/time.js';
import type { InferredFlag } from '../live/race-strip.js';
import { fetchInferredFlag, fetchMessages, fetchStandings, liveUrl } from './api.js';
import type { BootLive } from './boot.js';
import { RaceClock } from './clock.js';
import { LiveClient, type ConnectionStatus } from './live-client.js';
import { emptyChange, fromStandings, type Change, type LiveState } from './live-state.js';
import { Store } from './store.js';

export interface Shown {
  state: LiveState;
  change: Change;
  /** null when live; else the instant shown. */
  atMs: number | null;
}

const DELAY_KEY = 'sarthe.viewerDelaySeconds';

/**
 * While live, how often (race time, ms) the inferred neutralisation is asked
 * again: once a race minute, not at every frame. The inference reads
 * completed laps only (a Le Mans lap is 3.5 min, 6 under a safety car), so
 * a finer step would tell nothing sooner.
 */
export const INFERRED_STEP_MS = MINUTE;

/**
 * While live, the least wall time (ms) between two of those requests. Live at
 * 1× a race minute is a wall minute, so this never binds; a replay at 60× asks
 * every 2 race minutes instead of every second, and one at 600× (bench:web)
 * every 20 race minutes instead of 10 times a second. Each request of a new
 * minute is a fresh inference on the server (~40–60 ms of its CPU on Le Mans
 * 2019), which on a 2-core machine competed with the page's own frames.
 */
export const INFERRED_MIN_WALL_MS = 2000;

export class Screen {
  /** What the views draw; re-emitted at every live frame while live. */
  readonly shown = new Store<Shown | null>(null);
  readonly connection = new Store<ConnectionStatus>('connecting');
  /** Viewer delay in seconds (kept in localStorage, like a TV setting). */
  readonly delaySeconds = new Store<number>(readDelay());
  /**
   * Latest live race time, to the whole minute: the end of the time-travel
   * slider (whose step is a minute), so the bar redraws once a race minute.
   */
  readonly liveRaceTimeMs = new Store<number>(0);
  /** Time travel fetch in progress or failed. */
  readonly travel = new Store<{ loading: boolean; error: string | null }>({ loading: false, error: null });
  readonly clock = new RaceClock();
  /**
   * A feed without flags: the safety car or FCY the laps show at the instant
   * shown (GET …/flag-periods `inForce`), or null. Asked on load, at each
   * time-travel instant, and live once every INFERRED_STEP_MS of race time.
   */
  readonly inferred = new Store<InferredFlag | null>(null);
  private inferredAt: number | null = null;
  private inferredAbort: AbortController | null = null;
  /** performance.now() of the last live request for `inferred` (INFERRED_MIN_WALL_MS apart), and whether it is still out. */
  private inferredAskedWallMs = -Infinity;
  private inferredLivePending = false;
  private inferredLastLive = false;
  private readonly client: LiveClient;
  private atMs: number | null = null;
  private travelAbort: AbortController | null = null;
  /** A delay set in another tab or frame of the site (same key) applies here too: the strip over an embedded table keeps with it. */
  private readonly onStorage = (event: StorageEvent): void => {
    if (event.key === DELAY_KEY) this.delaySeconds.set(readDelay());
  };

  /** `initial`: the race's snapshot the page came with (boot.ts), shown at once; the stream carries on from it. */
  constructor(readonly race: RaceInfo, initial: BootLive | null = null) {
    this.delaySeconds.subscribe((seconds) => {
      try {
        localStorage.setItem(DELAY_KEY, String(seconds));
      } catch {
        // private mode: the delay lasts for this page only
      }
    });
    addEventListener('storage', this.onStorage);
    this.shown.subscribe((shown) => this.followInferred(shown));
    this.client = new LiveClient({
      url: liveUrl(race.id),
      initial,
      delayMs: () => this.delaySeconds.get() * 1000,
      onStatus: (status) => this.connection.set(status),
      onUpdate: (state, change) => {
        this.clock.observe(state.raceTimeMs, performance.now());
        const minute = Math.floor(state.raceTimeMs / MINUTE) * MINUTE;
        if (minute !== this.liveRaceTimeMs.get()) this.liveRaceTimeMs.set(minute);
        if (this.atMs === null) this.shown.set({ state, change, atMs: null });
      },
    });
  }

  get live(): LiveState | null {
    return this.client.state;
  }

  get instant(): number | null {
    return this.atMs;
  }

  /** Shows the race at atMs (null: live). */
  travelTo(atMs: number | null): void {
    if (atMs === this.atMs && (atMs === null || this.shown.get()?.atMs === atMs)) return;
    this.travelAbort?.abort();
    this.atMs = atMs;
    if (atMs === null) {
      this.travel.set({ loading: false, error: null });
      const state = this.client.state;
      if (state !== null) this.shown.set({ state, change: { ...emptyChange(), reset: true }, atMs: null });
      return;
    }
    const abort = new AbortController();
    this.travelAbort = abort;
    this.travel.set({ loading: true, error: null });
    // The feed of that instant comes from the server when it keeps one; else
    // from the messages this page has seen.
    const kept: FeedMessage[] = this.client.state?.messages ?? [];
    const feed = fetchMessages(this.race.id, atMs, abort.signal).catch(() => kept);
    Promise.all([fetchStandings(this.race.id, atMs, abort.signal), feed]).then(
      ([standings, messages]) => {
        if (abort.signal.aborted) return;
        const state = fromStandings(this.race, standings, messages);
        this.travel.set({ loading: false, error: null });
        this.shown.set({ state, change: { ...emptyChange(), reset: true }, atMs });
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        this.travel.set({ loading: false, error: error instanceof Error ? error.message : String(error) });
      },
    );
  }

  /** Keeps `inferred` with the instant shown: one request per instant (live: per INFERRED_STEP_MS), none per frame. */
  private followInferred(shown: Shown | null): void {
    if (shown === null) return;
    if (shown.state.flag !== 'unknown') {
      // Race control's flags: nothing to infer.
      this.inferredAbort?.abort();
      this.inferredAt = null;
      if (this.inferred.get() !== null) this.inferred.set(null);
      return;
    }
    const atMs = shown.atMs ?? Math.floor(shown.state.raceTimeMs / INFERRED_STEP_MS) * INFERRED_STEP_MS;
    if (atMs === this.inferredAt) return;
    const live = shown.atMs === null;
    const now = performance.now();
    // Live: one request out at a time, INFERRED_MIN_WALL_MS apart; the next frame after that asks for the minute then shown.
    if (live && this.inferredLastLive && this.inferredAt !== null && (this.inferredLivePending || now - this.inferredAskedWallMs < INFERRED_MIN_WALL_MS)) return;
    // Another instant chosen: what was inferred for the last one no longer applies (live, it stands until the next answer).
    if (shown.atMs !== null && this.inferred.get() !== null) this.inferred.set(null);
    this.inferredAt = atMs;
    this.inferredAbort?.abort();
    const abort = new AbortController();
    this.inferredAbort = abort;
    this.inferredAskedWallMs = now;
    this.inferredLivePending = live;
    this.inferredLastLive = live;
    const settled = (): void => {
      if (this.inferredAbort === abort) this.inferredLivePending = false;
    };
    fetchInferredFlag(this.race.id, atMs, abort.signal).then(
      (flag) => {
        settled();
        if (abort.signal.aborted) return;
        const was = this.inferred.get();
        if (flag?.kind !== was?.kind || flag?.startMs !== was?.startMs) this.inferred.set(flag);
      },
      () => {
        settled();
        // Unknown: "no flag data" is shown, and the next instant (live: the next step) asks again.
        if (!abort.signal.aborted) this.inferred.set(null);
      },
    );
  }

  close(): void {
    this.inferredAbort?.abort();
    removeEventListener('storage', this.onStorage);
    this.travelAbort?.abort();
    this.client.close();
  }
}

function readDelay(): number {
  try {
    const value = Number(localStorage.getItem(DELAY_KEY) ?? 0);
    return Number.isFinite(value) && value >= 0 ? Math.min(value, 600) : 0;
  } catch {
    return 0;
  }
}
