/** The timing screen: the table (driven by hand, see table.ts) and the race feed. */
import { Component } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { FeedMessage } from '../../model/live.js';
import { formatRaceTime } from '../../model/time.js';
import { navigate, sameList, useAfterFirstFrame, useDerived } from '../lib/hooks.js';
import { afterFirstFrame, firstFrameDone } from '../lib/first-frame.js';
import { carsInOrder, emptyChange } from '../lib/live-state.js';
import { withRoute, type Route } from '../lib/route.js';
import { takeServerTable } from '../lib/boot.js';
import type { Screen, Shown } from '../lib/screen.js';
import { bestsOf } from './cells.js';
import { TimingTable } from './table.js';
import { ROW_MIN_PX } from './markup.js';
import { ListedDrivers } from './listed-drivers.js';

/** What the timing screen reads: the page's Screen, or on the server (ssr.tsx) a store over the page's snapshot. */
export type TimingSource = Pick<Screen, 'shown' | 'race'>;

/**
 * `serverTable`: on the server only (ssr.tsx), the table's markup
 * (markup.ts tableMarkup) to write into the host; in the browser the host
 * gets a TimingTable, which adopts that markup when the page has it.
 */
export function TimingScreen({ screen, route, serverTable }: { screen: TimingSource; route: Route; serverTable?: string }) {
  return (
    <div class="timing-page">
      <section class="board" aria-label="Classification">
        <TableHost screen={screen} route={route} serverTable={serverTable} />
      </section>
      <Feed screen={screen} className={route.className} server={serverTable !== undefined} />
    </div>
  );
}

function TableHost({ screen, route, serverTable }: { screen: TimingSource; route: Route; serverTable: string | undefined }) {
  const host = useRef<HTMLDivElement>(null);
  const table = useRef<TimingTable | null>(null);
  const routeRef = useRef(route);
  routeRef.current = route;

  // Layout effects: the rows are in the DOM before the page is first painted (the snapshot may come with the page, boot.ts).
  useLayoutEffect(() => {
    const t = new TimingTable(
      {
        carHref: (car) => withRoute(routeRef.current, { page: 'car', car }),
        onSelect: (car) => navigate(withRoute(routeRef.current, { page: 'car', car })),
      },
      // The rows the server wrote into the page, when it did: taken over, not drawn again.
      takeServerTable(),
    );
    table.current = t;
    // (An element appended is taken out and put back even where it already is: the table is new here.)
    host.current!.append(t.element);
    return () => {
      t.dispose();
      t.element.remove();
      table.current = null;
    };
  }, []);

  useLayoutEffect(() => {
    const className = route.className;
    // Full names and categories from the race's entry list; a full redraw when they arrive.
    const listed = new ListedDrivers(screen.race.id, () => {
      const shown = screen.shown.get();
      if (shown !== null) draw({ ...shown, change: { ...shown.change, reset: true } });
    });
    const draw = (shown: Shown | null): void => {
      if (shown === null || table.current === null) return;
      let cars = carsInOrder(shown.state, className);
      // The page's first frame draws only the rows that can be on screen; the rest come in the next
      // (rows the server drew are all there already).
      if (!firstFrameDone() && !table.current.adopted) cars = cars.slice(0, firstFrameRows());
      const bests = bestsOf(shown.state.cars.values());
      const changed = shown.change.reset ? null : shown.change.cars;
      table.current.update(cars, { classView: className !== null, bests, listed }, `${className ?? '*'}@${shown.atMs ?? 'live'}`, changed);
      // Which instant the rows show: for people's tools and the browser tests.
      host.current!.dataset.at = shown.atMs === null ? 'live' : String(shown.atMs);
      // The race time the rows are computed at (ms): the header clock must keep with it, delay or not.
      host.current!.dataset.raceTime = String(shown.state.raceTimeMs);
      if (!firstRowsMarked && cars.length > 0) markFirstRows();
    };
    draw(screen.shown.get());
    let current = true;
    if (!firstFrameDone()) {
      // The rows left out of the first frame: only those are created (the others are unchanged).
      void afterFirstFrame.then(() => {
        const shown = screen.shown.get();
        if (current && shown !== null) draw({ ...shown, change: emptyChange() });
      });
    }
    installRedrawBaseline(screen, className);
    const unsubscribe = screen.shown.subscribe(draw);
    return () => {
      current = false;
      unsubscribe();
    };
  }, [screen, route.className]);

  return <div ref={host} class="table-host" data-testid="timing" dangerouslySetInnerHTML={serverTable === undefined ? undefined : { __html: serverTable }} />;
}

let firstRowsMarked = false;

/**
 * How many rows the first frame draws: as many as the window's height holds
 * at the smallest row height (styles.css --row-h, 26 px on a laptop; 34 on a
 * phone, where fewer are seen), so every row on screen is in it. At 1366×900
 * that is 35 of Le Mans' 61: the others, the feed and everything below the
 * fold cost the first frame's style, layout and paint without being seen.
 */
function firstFrameRows(): number {
  return Math.ceil(window.innerHeight / ROW_MIN_PX);
}

/**
 * Performance marks for bench:web: rows in the DOM, then painted (a frame
 * later: the second animation frame starts after the first one's paint).
 */
function markFirstRows(): void {
  firstRowsMarked = true;
  performance.mark('sarthe:first-rows');
  requestAnimationFrame(() => requestAnimationFrame(() => performance.mark('sarthe:rows-painted')));
}

/**
 * bench:web's baselines, measured in the same page: what one update costs a
 * screen that redraws the whole table (a fresh table of every car, laid
 * out), and what an update that changes nothing costs on the same path as a
 * live frame (the shown store re-emitted, table and Preact views, style and
 * layout forced): the floor under every update.
 */
function installRedrawBaseline(screen: TimingSource, className: string | null): void {
  if (!new URLSearchParams(location.search).has('metrics')) return;
  (window as unknown as { __sartheNoopUpdate: () => Promise<number> }).__sartheNoopUpdate = async () => {
    const shown = screen.shown.get();
    if (shown === null) return 0;
    const started = performance.now();
    screen.shown.set({ ...shown, change: emptyChange() });
    // Preact's re-renders run as microtasks after the store's listeners.
    await Promise.resolve();
    void document.body.offsetHeight;
    return performance.now() - started;
  };
  (window as unknown as { __sartheFullRedraw: () => number }).__sartheFullRedraw = () => {
    const shown = screen.shown.get();
    if (shown === null) return 0;
    const started = performance.now();
    const table = new TimingTable({ carHref: (car) => `#/car/${car}`, onSelect: () => undefined });
    table.update(carsInOrder(shown.state, className), { classView: className !== null, bests: bestsOf(shown.state.cars.values()) }, 'baseline');
    document.body.append(table.element);
    void document.body.offsetHeight;
    const ms = performance.now() - started;
    table.element.remove();
    table.dispose();
    return ms;
  };
}

const FEED_SHOWN = 60;

/**
 * The race feed: its heading in the page's first frame, its messages from the
 * next one (not the table: it can wait). `server`: written by the server into
 * the page's first view (ssr.tsx), where it is the heading alone (the page's
 * first frame again; the app brings the messages).
 */
function Feed({ screen, className, server }: { screen: TimingSource; className: string | null; server: boolean }) {
  const ready = useAfterFirstFrame() && !server;
  return (
    <aside class="feed" aria-label="Race feed">
      <h2>Race feed</h2>
      {ready && <FeedMessages screen={screen} className={className} />}
    </aside>
  );
}

function FeedMessages({ screen, className }: { screen: TimingSource; className: string | null }) {
  const messages = useDerived(
    screen.shown,
    (shown) => {
      const all = shown?.state.messages ?? [];
      const picked: FeedMessage[] = [];
      for (let i = all.length - 1; i >= 0 && picked.length < FEED_SHOWN; i--) {
        const m = all[i]!;
        if (className === null || m.class === undefined || m.class === className) picked.push(m);
      }
      return picked;
    },
    sameList,
    [className],
  );
  const travelling = useDerived(screen.shown, (shown) => shown?.atMs != null);
  return messages.length === 0 ? (
    <p class="muted">{travelling ? 'No message up to this instant.' : 'No messages yet.'}</p>
  ) : (
    <ol data-testid="feed">
      {messages.map((m) => (
        <FeedItem key={`${m.raceTimeMs}:${m.kind}:${m.car ?? ''}:${m.text}`} message={m} />
      ))}
    </ol>
  );
}

/**
 * One message of the feed. A message never changes once received (the
 * state keeps the same object), so a live frame renders only the new ones,
 * not the 60 shown.
 */
class FeedItem extends Component<{ message: FeedMessage }> {
  override shouldComponentUpdate(next: { message: FeedMessage }): boolean {
    return next.message !== this.props.message;
  }

  override render() {
    const m = this.props.message;
    return (
      <li class={`k-${m.kind}`}>
        <time>{formatRaceTime(m.raceTimeMs)}</time>
        <span>{m.text}</span>
      </li>
    );
  }
}
