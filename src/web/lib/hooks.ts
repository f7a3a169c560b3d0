/** Preact glue: read a Store, follow the URL hash. */
import { useEffect, useState } from 'preact/hooks';
import { afterFirstFrame, firstFrameDone } from './first-frame.js';
import { formatRoute, parseRoute, type Route } from './route.js';
import type { Readable } from './store.js';

export function useStore<T>(store: Readable<T>): T {
  const [value, setValue] = useState(store.get());
  useEffect(() => {
    setValue(store.get());
    return store.subscribe(setValue);
  }, [store]);
  return value;
}

/**
 * The route in the URL hash, followed. The hash is read again when the
 * listener is added: Preact adds it after the first paint, and a change
 * before that was lost, the page showing one route while the hash said
 * another (the time-travel slider dragged in the server's first view, which
 * the takeover passes on at once: boot.ts restoreFirstView).
 */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = (): void => {
      const next = parseRoute(location.hash);
      setRoute((shown) => (formatRoute(shown) === formatRoute(next) ? shown : next));
    };
    onChange();
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/**
 * False until the page's first frame is painted (first-frame.ts), then true:
 * a panel that is not the timing table draws its content a frame later.
 */
export function useAfterFirstFrame(): boolean {
  const [ready, setReady] = useState(firstFrameDone);
  useEffect(() => {
    if (ready) return;
    let mounted = true;
    void afterFirstFrame.then(() => mounted && setReady(true));
    return () => {
      mounted = false;
    };
  }, []);
  return ready;
}

/** Re-renders every `ms` while mounted (clocks). */
export function useTick(ms: number): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(id);
  }, [ms]);
  return tick;
}

/**
 * A value derived from a store, re-rendering only when it changes by `equal`
 * (the live store emits at every frame; most views care about much less).
 */
export function useDerived<T, U>(
  store: Readable<T>,
  select: (value: T) => U,
  equal: (a: U, b: U) => boolean = Object.is,
  /** What `select` reads besides the store (props). */
  deps: readonly unknown[] = [],
): U {
  const [value, setValue] = useState(() => select(store.get()));
  useEffect(() => {
    let current = select(store.get());
    setValue(() => current);
    return store.subscribe((next) => {
      const derived = select(next);
      if (!equal(current, derived)) {
        current = derived;
        setValue(() => derived);
      }
    });
  }, [store, ...deps]);
  return value;
}

export function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

/**
 * Goes to a route. `replace` for continuous input (the time slider) so the
 * back button does not step through every position it passed.
 */
export function navigate(hash: string, replace = false): void {
  if (hash === location.hash) return;
  if (replace) {
    history.replaceState(history.state, '', hash);
    dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

/**
 * Runs `load` when `deps` change, and every `refreshMs` while given; the
 * previous data stays on screen while the next load runs.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[], refreshMs: number | null): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, loading: true });
  useEffect(() => {
    let abort = new AbortController();
    const run = (): void => {
      abort.abort();
      abort = new AbortController();
      const signal = abort.signal;
      setState((s) => ({ ...s, loading: true }));
      load(signal).then(
        (data) => !signal.aborted && setState({ data, error: null, loading: false }),
        (error: unknown) => !signal.aborted && setState((s) => ({ ...s, error: error instanceof Error ? error.message : String(error), loading: false })),
      );
    };
    run();
    const timer = refreshMs === null ? undefined : setInterval(run, refreshMs);
    return () => {
      abort.abort();
      clearInterval(timer);
    };
  }, [...deps, refreshMs]);
  return state;
}
