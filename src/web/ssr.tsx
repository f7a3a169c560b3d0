/**
 * The app's first view, written by the server into the page it serves
 * (server/web.ts bootPage): the header, the class tabs and the live timing
 * table of the race the page carries, drawn by the same components as the
 * app (Header, Nav, TimingScreen; the rows by markup.ts), with
 * preact-render-to-string.
 *
 * Why: the page's rows are painted before its script has loaded (bench:web
 * firstPaintMs), and the page reads without JavaScript, as a snapshot. Why
 * not Preact's hydrate: the table is driven by hand (timing/table.ts), and
 * the app takes the page over in one task (main.tsx) in which the table
 * adopts the server's rows (table.ts `adopt`) and the header and tabs are
 * rendered again from the same snapshot, so nothing visible changes and no
 * frame is painted in between.
 *
 * Built by Vite as a server module (`vite build --ssr`, dist/web-ssr/ssr.js),
 * loaded by the server at start when present.
 */
import { renderToString } from 'preact-render-to-string';
import type { RaceInfo } from '../model/live.js';
import { Nav } from './app.js';
import type { BootLive } from './lib/boot.js';
import { RaceClock } from './lib/clock.js';
import { emptyChange, carsInOrder, fromSnapshot } from './lib/live-state.js';
import { parseRoute, withRoute } from './lib/route.js';
import type { Shown } from './lib/screen.js';
import { Store } from './lib/store.js';
import type { ConnectionStatus } from './lib/live-client.js';
import type { InferredFlag } from './live/race-strip.js';
import { Header } from './shell/header.js';
import { bestsOf } from './timing/cells.js';
import { tableMarkup } from './timing/markup.js';
import { TimingScreen } from './timing/timing-screen.js';
import { TimeTravelBar } from './shell/time-travel.js';
import { MINUTE } from '../model/time.js';

/**
 * The first view of `live` (the race's snapshot the page carries), as HTML
 * for the page's `#app`: `<div class="first-view">` holding the header, the
 * tabs, the overall live table (its first row marked for Element Timing) and
 * the time-travel bar.
 * The same parts, in the same order, as App (app.tsx) draws at `#/`, live;
 * the time-travel bar's buttons work once the script runs. The page hides it (server/web.ts
 * FIRST_VIEW_GATE) when the URL asks for another page, class, instant or
 * race, or the viewer has a delay set.
 */
export function renderFirstView(race: RaceInfo, live: BootLive): string {
  const state = fromSnapshot(live.snapshot);
  const shown = new Store<Shown | null>({ state, change: emptyChange(), atMs: null });
  const clock = new RaceClock();
  clock.observe(state.raceTimeMs, performance.now());
  const header = {
    race,
    shown,
    connection: new Store<ConnectionStatus | 'snapshot'>('snapshot'),
    inferred: new Store<InferredFlag | null>(null),
    delaySeconds: new Store(0),
    clock,
    // As Screen sets it: the live race time to the whole minute (the slider's end).
    liveRaceTimeMs: new Store(Math.floor(state.raceTimeMs / MINUTE) * MINUTE),
    travel: new Store<{ loading: boolean; error: string | null }>({ loading: false, error: null }),
  };
  const route = parseRoute('');
  const table = tableMarkup(carsInOrder(state, null), {
    context: { classView: false, bests: bestsOf(state.cars.values()) },
    carHref: (car) => withRoute(route, { page: 'car', car }),
    timed: true,
  });
  return renderToString(
    <div class="first-view">
      <Header screen={header} />
      <Nav screen={header} route={route} />
      <main class="page-timing">
        <TimingScreen screen={{ shown, race }} route={route} serverTable={table} />
      </main>
      <TimeTravelBar screen={header} route={route} />
    </div>,
  );
}
