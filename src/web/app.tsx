/**
 * The page: picks the race, opens the live connection (Screen), follows the
 * route. Pages other than the timing screen load their code (and uPlot) on
 * demand, so the timing screen stays small.
 */
import type { ComponentType } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { RaceInfo } from '../model/live.js';
import { fetchRaces } from './lib/api.js';
import { bootRaces, takeBootLive } from './lib/boot.js';
import { classStyle } from '../model/classes.js';
import { sameList, useDerived, useRoute } from './lib/hooks.js';
import { classesOf } from './lib/live-state.js';
import { withRoute, type Route } from './lib/route.js';
import { Screen } from './lib/screen.js';
import { Header } from './shell/header.js';
import { TimeTravelBar } from './shell/time-travel.js';
import { TimingScreen } from './timing/timing-screen.js';

export interface PageProps {
  screen: Screen;
  route: Route;
}

export function App() {
  const route = useRoute();
  // The page came with the race list (server/web.ts bootPage), or the app asks for it.
  const [races, setRaces] = useState<RaceInfo[] | null>(bootRaces);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (races !== null) return;
    const abort = new AbortController();
    fetchRaces(abort.signal).then(setRaces, (e: unknown) => {
      if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
    });
    return () => abort.abort();
  }, []);

  // Unnamed: the newest race (a replay run again is the newest; the older run is its archive).
  const race = races === null ? null : (races.find((r) => r.id === route.race) ?? races[races.length - 1] ?? null);
  const screen = useMemo(() => (race === null ? null : new Screen(race, takeBootLive(race.id))), [race?.id]);
  useEffect(() => () => screen?.close(), [screen]);
  useEffect(() => screen?.travelTo(route.atMs), [screen, route.atMs]);
  useEffect(() => void document.documentElement.classList.toggle('embed', route.embed), [route.embed]);
  useEffect(() => {
    if (race !== null) document.title = `${route.atMs === null ? 'Live' : 'Time travel'} · ${race.name} · Sarthe`;
  }, [race, route.atMs]);

  if (error !== null) return <p class="notice">Cannot reach the timing server ({error}). Is `sarthe serve` running?</p>;
  if (races === null) return <p class="notice">Loading…</p>;
  if (screen === null) return <p class="notice">No race on this server yet: import or replay one with `sarthe serve`.</p>;

  return (
    <>
      {!route.embed && <Header screen={screen} />}
      <Nav screen={screen} route={route} />
      <main class={`page-${route.page}`}>
        {route.page === 'timing' && <TimingScreen screen={screen} route={route} />}
        {route.page === 'car' && <Lazy key={route.car} load={loadCarPage} screen={screen} route={route} />}
        {route.page === 'charts' && <Lazy load={loadChartsPage} screen={screen} route={route} />}
      </main>
      {!route.embed && <TimeTravelBar screen={screen} route={route} />}
    </>
  );
}

/** Page switch and class tabs (also written by the server into the page's first view, ssr.tsx). */
export function Nav({ screen, route }: { screen: Pick<Screen, 'shown'>; route: Route }) {
  const classes = useDerived(screen.shown, (shown) => (shown === null ? [] : classesOf(shown.state)), sameList);
  const tabPage = route.page === 'car' ? 'timing' : route.page;
  // The charts show one class at a time (the first until one is picked): that tab is the one lit, and there is no "All".
  const charts = route.page === 'charts';
  const selected = charts ? (route.className ?? classes[0] ?? null) : route.className;
  return (
    <nav class="tabs" aria-label="Pages and classes">
      <div class="pages">
        <a href={withRoute(route, { page: 'timing', car: null })} class={route.page === 'timing' ? 'on' : ''}>
          Timing
        </a>
        <a href={withRoute(route, { page: 'charts', car: null })} class={route.page === 'charts' ? 'on' : ''} data-testid="charts-link">
          Charts
        </a>
        {route.page === 'car' && <span class="on">Car {route.car}</span>}
      </div>
      <div class="classes" role="tablist">
        {!charts && (
          <a role="tab" aria-selected={selected === null} class={selected === null ? 'on' : ''} href={withRoute(route, { page: tabPage, car: null, className: null })}>
            All
          </a>
        )}
        {classes.map((name) => {
          const style = classStyle(name);
          return (
            <a
              key={name}
              role="tab"
              aria-selected={selected === name}
              class={selected === name ? 'on' : ''}
              href={withRoute(route, { page: tabPage, car: null, className: name })}
              style={`--cls:${style.colour}`}
              data-testid={`class-tab-${name}`}
            >
              <i />
              {name}
            </a>
          );
        })}
      </div>
    </nav>
  );
}

type PageModule = { default: ComponentType<PageProps> };
const loadCarPage = (): Promise<PageModule> => import('./car/car-page.js');
const loadChartsPage = (): Promise<PageModule> => import('./charts/charts-page.js');

const loaded = new Map<() => Promise<PageModule>, ComponentType<PageProps>>();

/** A page whose code is fetched the first time it is opened. */
function Lazy({ load, ...props }: PageProps & { load: () => Promise<PageModule> }) {
  const [Page, setPage] = useState<ComponentType<PageProps> | null>(() => loaded.get(load) ?? null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (Page !== null && loaded.get(load) === Page) return;
    let current = true;
    load().then(
      (module) => {
        loaded.set(load, module.default);
        if (current) setPage(() => module.default);
      },
      () => current && setFailed(true),
    );
    return () => {
      current = false;
    };
  }, [load]);
  if (failed) return <p class="notice">This page failed to load; reload to try again.</p>;
  if (Page === null) return <p class="notice">Loading…</p>;
  return <Page {...props} />;
}
