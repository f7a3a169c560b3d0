/**
 * The data the server inlines in the app's page (src/server/web.ts
 * bootPage): the race list and the newest race's live snapshot with its SSE
 * id, so the first rows are drawn as soon as the script runs. Absent when
 * the page comes from elsewhere (Vite's dev server): the app then asks.
 */
import type { LiveSnapshot, RaceInfo } from '../../model/live.js';

export interface BootLive {
  race: string;
  /** The snapshot's SSE id, `<seq>-<epoch>`: the stream carries on from it (?lastEventId=). */
  eventId: string;
  snapshot: LiveSnapshot;
}

interface Boot {
  races: RaceInfo[];
  live?: BootLive;
}

let boot: Boot | null | undefined;

function read(): Boot | null {
  if (boot === undefined) {
    const text = document.getElementById('sarthe-boot')?.textContent ?? '';
    try {
      boot = text === '' ? null : (JSON.parse(text) as Boot);
    } catch {
      boot = null;
    }
  }
  return boot;
}

/** The race list the page came with, or null. */
export function bootRaces(): RaceInfo[] | null {
  return read()?.races ?? null;
}

/** The page's snapshot of this race, once: a later screen of the same race would show an old state. */
export function takeBootLive(race: string): BootLive | null {
  const live = read()?.live;
  if (live === undefined || live.race !== race) return null;
  delete boot!.live;
  return live;
}

/**
 * The timing table the server wrote into the page (server/web.ts, markup.ts),
 * kept aside when the app takes over the page so that the timing screen
 * adopts it instead of drawing its rows again (table.ts).
 */
let serverTable: HTMLElement | null = null;

/**
 * Takes the server's table out of `root` (the page's `#app`) before the app
 * renders there. Not when the page hid its first view (server/web.ts
 * FIRST_VIEW_GATE): its rows are the newest race live, and the URL asked for
 * something else (another race's rows would show under its header) or the
 * viewer has a delay (the live rows would show ahead of the delayed clock
 * until the delay had passed).
 */
export function keepServerTable(root: HTMLElement): void {
  const table = root.querySelector<HTMLElement>('.first-view .timing');
  if (table === null || document.documentElement.classList.contains('no-first-view')) return;
  table.remove();
  serverTable = table;
}

/** The server's table, once: the first timing screen adopts it; a later one draws its own. */
export function takeServerTable(): HTMLElement | null {
  const table = serverTable;
  serverTable = null;
  return table;
}

/** An element of the first view by identity (identityKey) and rank among the view's elements of that identity: what finds its twin in the app's page. */
interface Identity {
  key: string;
  /** 0 for the first element of the view with this key, 1 for the second… */
  rank: number;
}

/**
 * What the viewer did in the server's first view before the app took it
 * over: the element that had the keyboard focus, and the inputs whose value
 * was changed (the delay typed, the slider dragged). Taking the view out of
 * the page drops both: the focus falls to the body, and a keyboard user
 * starts again from the top (issue 15).
 */
export interface FirstViewState {
  focus: (Identity & { element: HTMLElement }) | null;
  edited: Array<Identity & { value: string }>;
}

/**
 * What tells an element from its neighbours, whatever its place: its tag,
 * link, test id, label, name, type and text. The brand, the Timing page and
 * the "All" tab all link to `#/`; the delay box and the time slider are both
 * text-less inputs.
 */
function identityKey(el: Element): string {
  return [el.tagName, el.getAttribute('href'), el.getAttribute('data-testid'), el.getAttribute('aria-label'), el.getAttribute('name'), el.getAttribute('type'), el.textContent?.trim() ?? ''].join('\u0000');
}

/** The elements of `root` with this tag and identity key, in document order. */
function alike<T extends HTMLElement>(root: HTMLElement, tag: string, key: string): T[] {
  return [...root.querySelectorAll<T>(tag)].filter((el) => identityKey(el) === key);
}

function identify(root: HTMLElement, el: HTMLElement): Identity {
  const key = identityKey(el);
  return { key, rank: Math.max(0, alike(root, el.tagName, key).indexOf(el)) };
}

/** The element of this identity in `root` now, if displayed. */
function twin<T extends HTMLElement>(root: HTMLElement, tag: string, identity: Identity): T | null {
  const found = alike<T>(root, tag, identity.key)[identity.rank] ?? null;
  return found !== null && found.getClientRects().length > 0 ? found : null;
}

/** The focused element inside `root` (null when the focus is elsewhere or nowhere) and the inputs the viewer changed there. */
export function captureFirstView(root: HTMLElement): FirstViewState {
  const active = document.activeElement;
  const focus = active instanceof HTMLElement && root.contains(active) ? { ...identify(root, active), element: active } : null;
  const edited = [...root.querySelectorAll('input')].filter((input) => input.value !== input.defaultValue).map((input) => ({ ...identify(root, input), value: input.value }));
  return { focus, edited };
}

/**
 * Gives back what the viewer did after the takeover:
 * - each changed input's value, to its twin in the app's page (the element
 *   of the same identity and rank), with the `input` and `change` events
 *   the viewer's own edit would have sent, so that the app acts on it;
 * - the focus, unless something else took it meanwhile: to the same element
 *   when the app kept it (a link in the adopted table), else to its twin,
 *   displayed, without scrolling. No twin: it stays where the browser put it.
 */
export function restoreFirstView(root: HTMLElement, state: FirstViewState): void {
  for (const edit of state.edited) {
    const input = twin<HTMLInputElement>(root, 'INPUT', edit);
    if (input === null || input.value === edit.value) continue;
    input.value = edit.value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }
  const focus = state.focus;
  if (focus === null) return;
  const active = document.activeElement;
  if (active !== null && active !== document.body) return;
  const target = root.contains(focus.element) ? focus.element : twin(root, focus.element.tagName, focus);
  target?.focus({ preventScroll: true });
}

/** The longest the app waits for the server's first view to reach the screen before taking the page over (ms). */
export const FIRST_VIEW_WAIT_MS = 1000;

/**
 * Resolves once the server's first view in `root` has been presented: the
 * frame that painted its first row reached the screen (its Element Timing
 * entry, markup.ts FIRST_ROW_TIMING). Only then does the app take the page
 * over: taking the table out of the page and back in before that frame was
 * presented made the browser drop the row's paint, and paint it again after
 * the app's own first frame (bench:web first paint 1,100 ms against the
 * ~780 ms at which the server's rows were on screen). Resolves at once when
 * there is no first view or it is hidden (FIRST_VIEW_GATE, a background
 * tab); after two animation frames where the browser has no Element Timing;
 * after FIRST_VIEW_WAIT_MS at the latest.
 */
export function firstViewShown(root: HTMLElement, identifier: string): Promise<void> {
  const first = root.querySelector(`.first-view [elementtiming="${identifier}"]`);
  if (first === null || document.documentElement.classList.contains('no-first-view') || document.visibilityState === 'hidden') return Promise.resolve();
  return new Promise<void>((resolve) => {
    let observer: PerformanceObserver | null = null;
    const finish = (): void => {
      clearTimeout(timer);
      observer?.disconnect();
      document.removeEventListener('visibilitychange', finish);
      resolve();
    };
    const timer = setTimeout(finish, FIRST_VIEW_WAIT_MS);
    document.addEventListener('visibilitychange', finish);
    if (PerformanceObserver.supportedEntryTypes?.includes('element')) {
      observer = new PerformanceObserver((list) => {
        if (list.getEntries().some((entry) => (entry as PerformanceEntry & { identifier?: string }).identifier === identifier)) finish();
      });
      observer.observe({ type: 'element', buffered: true });
    } else {
      requestAnimationFrame(() => requestAnimationFrame(finish));
    }
  });
}
