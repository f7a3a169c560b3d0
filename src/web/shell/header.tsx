/** Race name, race clock, flag banner and the latest message: the top of every page. */
import type { FlagState } from '../../model/events.js';
import type { FeedMessage } from '../../model/live.js';
import { formatRaceTime, formatTimeOfDay } from '../../model/time.js';
import { flagBanner, feedStalled, modeText, remainingText, resultStands, viewMode } from '../live/race-strip.js';
import { useDerived, useStore, useTick } from '../lib/hooks.js';
import type { RaceClock } from '../lib/clock.js';
import type { ConnectionStatus } from '../lib/live-client.js';
import type { Shown } from '../lib/screen.js';
import type { Readable } from '../lib/store.js';
import type { InferredFlag } from '../live/race-strip.js';
import type { RaceInfo } from '../../model/live.js';

/**
 * What the header reads: the page's Screen (lib/screen.ts), or on the server
 * (ssr.tsx) the same stores over the snapshot the page is written from, its
 * connection `snapshot` (a static page until the script runs).
 */
export interface HeaderSource {
  readonly race: RaceInfo;
  readonly shown: Readable<Shown | null>;
  readonly connection: Readable<ConnectionStatus | 'snapshot'>;
  readonly inferred: Readable<InferredFlag | null>;
  readonly delaySeconds: Readable<number>;
  readonly clock: RaceClock;
}

interface HeaderState {
  atMs: number | null;
  /** The live source is silent (the snapshot's and deltas' `feed`, issue 14). */
  stalled: boolean;
  /** What the server says of its source, e.g. "feed stalled since 14:03:12 UTC". */
  feedText: string | null;
  /** After the flag: every car classified or out. */
  resultStands: boolean;
  flag: FlagState;
  chequeredMs: number | null;
  latest: FeedMessage | undefined;
}

function headerState(shown: Shown | null): HeaderState {
  const state = shown?.state;
  const chequeredMs = state?.chequeredMs ?? null;
  return {
    atMs: shown?.atMs ?? null,
    stalled: feedStalled(state),
    feedText: state?.feed?.text ?? null,
    // Only after the flag: 62 cars looked at once a frame then, never during the race.
    resultStands: chequeredMs !== null && state !== undefined && resultStands(state.cars.values()),
    flag: state?.flag ?? 'unknown',
    chequeredMs,
    latest: state?.messages[state.messages.length - 1],
  };
}

function sameHeader(a: HeaderState, b: HeaderState): boolean {
  return a.atMs === b.atMs && a.stalled === b.stalled && a.feedText === b.feedText && a.resultStands === b.resultStands && a.flag === b.flag && a.chequeredMs === b.chequeredMs && a.latest === b.latest;
}

export function Header({ screen }: { screen: HeaderSource }) {
  // Only what the header shows: live frames that change none of it cost nothing here.
  const { atMs, stalled, feedText, resultStands: final, flag: shownFlag, chequeredMs, latest } = useDerived(screen.shown, headerState, sameHeader);
  const connection = useStore(screen.connection);
  const inferred = useStore(screen.inferred);
  const delay = useStore(screen.delaySeconds);
  const travelling = atMs !== null;
  // Once a second: h:mm:ss changes no faster at 1×, and each tick costs a layout.
  useTick(travelling ? 60_000 : 1000);
  const race = screen.race;
  const elapsedMs = atMs ?? screen.clock.now(performance.now(), chequeredMs);
  const finished = chequeredMs !== null && elapsedMs >= chequeredMs;
  const remaining = remainingText({ race, elapsedMs, chequeredMs });
  const flag: FlagState = finished ? 'finish' : shownFlag;
  // No flag data: a safety car or FCY the laps show is drawn as such, marked inferred (issue 17).
  const banner = flagBanner(flag, inferred);
  // One rule for every live surface (live/race-strip.ts): never "Live" after the flag.
  const state = viewMode({ travelling, connection, delaySeconds: delay, finished, resultStands: final, stalled });
  const mode = modeText(state, delay);
  // The server's snapshot (ssr.tsx) is not a fault: drawn plain, not in the red of a lost connection.
  const modeClass =
    state === 'live' || state === 'delayed' ? 'live' : state === 'travel' ? 'travel' : state === 'finished' || state === 'final' || state === 'snapshot' ? 'finished' : 'down';

  return (
    <header class="top">
      <div class="race">
        <a class="brand" href="#/" title="Sarthe live timing">
          Sarthe
        </a>
        <h1 title={race.name}>{race.name}</h1>
        <span class={`mode ${modeClass}`} data-testid="mode" data-mode={state} title={state === 'stalled' && feedText !== null ? feedText : undefined}>
          {mode}
        </span>
      </div>
      <div class="clock" aria-label="Race clock">
        <div>
          <small>Elapsed</small>
          <b data-testid="elapsed">{formatRaceTime(elapsedMs)}</b>
        </div>
        <div>
          <small>Remaining</small>
          <b data-testid="remaining">{remaining}</b>
        </div>
        {race.zeroTimeOfDayMs !== null && (
          <div class="tod">
            <small>Time of day</small>
            <b>{formatTimeOfDay(race.zeroTimeOfDayMs + elapsedMs)}</b>
          </div>
        )}
      </div>
      <div class={`flag ${banner.className}`} data-testid="flag" data-inferred={banner.note === null ? undefined : 'true'} role="status">
        <span class="flag-name">{banner.name}</span>
        {banner.note !== null && <span class="flag-note">{banner.note}</span>}
        {latest !== undefined && (
          <span class="ticker" data-testid="ticker">
            <time>{formatRaceTime(latest.raceTimeMs)}</time> {latest.text}
          </span>
        )}
      </div>
    </header>
  );
}
