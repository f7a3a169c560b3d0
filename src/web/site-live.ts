/**
 * The news site's live surfaces (ticker, live panel header and class
 * leaders): hydrates the race strip the server rendered
 * (src/web/live/race-strip.ts, src/server/site/pages.ts) and feeds it from
 * the live stream, one connection per race whatever the number of strips on
 * the page. Served at /timing/site-live.js (a second Vite entry).
 *
 * The viewer delay is the timing screen's (same localStorage key), so the
 * clock and leaders match the table under them.
 */
import { h, hydrate } from 'preact';
import type { RaceInfo } from '../model/live.js';
import { useDerived, useStore, useTick } from './lib/hooks.js';
import type { LiveState } from './lib/live-state.js';
import { Screen, type Shown } from './lib/screen.js';
import { classLeaders, feedStalled, RaceStrip, resultStands, sameLeaders, viewMode, type ClassLeader, type StripView } from './live/race-strip.js';

interface StripData {
  leaders: ClassLeader[];
  flag: StripView['flag'];
  chequeredMs: number | null;
  latest: StripView['latest'];
  stalled: boolean;
  resultStands: boolean;
  raceTimeMs: number | null;
}

function carsInOrder(state: LiveState) {
  return state.order.map((n) => state.cars.get(n)!).filter((c) => c !== undefined);
}

function stripData(shown: Shown | null, fallback: StripView): StripData {
  if (shown === null) return { leaders: fallback.leaders, flag: fallback.flag, chequeredMs: fallback.chequeredMs, latest: fallback.latest, stalled: false, resultStands: fallback.mode === 'final', raceTimeMs: null };
  const state = shown.state;
  return {
    leaders: classLeaders(carsInOrder(state)),
    flag: state.flag,
    chequeredMs: state.chequeredMs,
    latest: state.messages[state.messages.length - 1] ?? null,
    // Sent by servers that watch their sources (issue 14): shown when present.
    stalled: feedStalled(state),
    resultStands: state.chequeredMs !== null && resultStands(state.cars.values()),
    raceTimeMs: state.raceTimeMs,
  };
}

function sameData(a: StripData, b: StripData): boolean {
  return a.flag === b.flag && a.chequeredMs === b.chequeredMs && a.latest === b.latest && a.stalled === b.stalled && a.resultStands === b.resultStands && sameLeaders(a.leaders, b.leaders);
}

function LiveStrip({ screen, variant, link, initial }: { screen: Screen; variant: 'ticker' | 'panel'; link: string; initial: StripView }) {
  const data = useDerived(screen.shown, (shown) => stripData(shown, initial), sameData);
  const connection = useStore(screen.connection);
  const delaySeconds = useStore(screen.delaySeconds);
  const inferred = useStore(screen.inferred);
  useTick(1000);
  const received = screen.shown.get() !== null;
  const elapsedMs = received ? screen.clock.now(performance.now(), data.chequeredMs) : initial.elapsedMs;
  const finished = data.chequeredMs !== null && elapsedMs >= data.chequeredMs;
  const view: StripView = {
    race: screen.race,
    elapsedMs,
    chequeredMs: data.chequeredMs,
    flag: data.flag,
    inferred,
    mode: viewMode({ travelling: false, connection: received ? connection : connection === 'live' ? 'connecting' : connection, delaySeconds, finished, resultStands: data.resultStands, stalled: data.stalled }),
    delaySeconds,
    leaders: data.leaders,
    latest: data.latest,
  };
  return h(RaceStrip, { view, variant, link });
}

const screens = new Map<string, Screen>();
for (const element of document.querySelectorAll<HTMLElement>('[data-live-strip]')) {
  const initial = JSON.parse(element.dataset.view ?? 'null') as StripView | null;
  if (initial === null) continue;
  const race: RaceInfo = initial.race;
  let screen = screens.get(race.id);
  if (screen === undefined) {
    screen = new Screen(race);
    // The server's snapshot tells it until the screen's own request answers (no flash of "no flag data").
    if (initial.inferred != null) screen.inferred.set(initial.inferred);
    screens.set(race.id, screen);
  }
  const variant = element.dataset.liveStrip === 'panel' ? 'panel' : 'ticker';
  hydrate(h(LiveStrip, { screen, variant, link: element.dataset.link ?? '#', initial }), element);
}
addEventListener('pagehide', () => screens.forEach((s) => s.close()));
