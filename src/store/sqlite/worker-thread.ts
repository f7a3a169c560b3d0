/**
 * The thread behind WorkerSqliteEventStore (worker.ts): one SqliteEventStore,
 * answering the calls posted to it in the order they come. Every message is
 * `{ id, method, args }`; every answer `{ id, value }` or `{ id, error }`, the
 * error as name, message and code (SQLite's, such as SQLITE_BUSY). The first
 * answer, id 0, says whether the store opened.
 *
 * Extensions (`extensions`: module URLs, each exporting `threadMethods(store)`)
 * add methods that run here, next to the store: work that reads the store and
 * must not hold the server's event loop (the hourly desk's drafting:
 * server/site/desk-thread.ts). The store layer knows nothing of what they do.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EventStore } from '../index.js';
import { SqliteEventStore, type SqliteStoreOptions } from './index.js';

export type StoreMethod = 'append' | 'readSince' | 'races' | 'race' | 'close';

/** What the thread is started with: the store's options and the extensions' module URLs. */
export interface StoreThreadData extends SqliteStoreOptions {
  extensions?: string[];
}

/** What an extension module exports: its methods, given the thread's store. */
export type ThreadMethods = (store: EventStore) => Record<string, (...args: never[]) => Promise<unknown>>;

export interface StoreCall {
  id: number;
  /** A store method, or an extension's. */
  method: string;
  args: unknown[];
}

export interface StoreAnswer {
  id: number;
  value?: unknown;
  error?: { name: string; message: string; code?: string };
}

function describe(error: unknown): NonNullable<StoreAnswer['error']> {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
}

const port = parentPort!;
const data = workerData as StoreThreadData;
let store: SqliteEventStore;
const extra: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
try {
  store = new SqliteEventStore({ file: data.file, ...(data.synchronous === undefined ? {} : { synchronous: data.synchronous }) });
  for (const url of data.extensions ?? []) {
    const methods = ((await import(url)) as { threadMethods: ThreadMethods }).threadMethods(store);
    Object.assign(extra, methods);
  }
  port.postMessage({ id: 0, value: Object.keys(extra) } satisfies StoreAnswer);
} catch (error) {
  port.postMessage({ id: 0, error: describe(error) } satisfies StoreAnswer);
  process.exit(0);
}

port.on('message', (call: StoreCall) => {
  // The store's methods do their work synchronously (better-sqlite3): answers go back in call order.
  const method = extra[call.method] ?? (store[call.method as StoreMethod] as (...args: unknown[]) => Promise<unknown>).bind(store);
  Promise.resolve()
    .then(() => method(...call.args))
    .then(
      (value) => port.postMessage({ id: call.id, value } satisfies StoreAnswer),
      (error: unknown) => port.postMessage({ id: call.id, error: describe(error) } satisfies StoreAnswer),
    );
});
