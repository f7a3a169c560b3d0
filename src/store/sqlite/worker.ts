/**
 * The embedded SQLite event store run on a thread of its own: the same store
 * (index.ts: same file, same transactions, same durability, same contract),
 * its appends and reads done by a worker thread, so that the event loop
 * answers requests while a batch is committed (issue 13: a 1,000-event append
 * holds a thread for 25–50 ms of CPU, 90–280 ms on a busy 2-core machine,
 * and better-sqlite3 cannot yield inside a transaction).
 *
 * What crosses threads is copied (structured clone): a batch's events on the
 * way in (~1 ms per 1,000), the results and read events on the way out. Calls
 * are answered in the order they were made. An error of the store comes back
 * as an Error with SQLite's name, message and code. A thread that dies fails
 * every pending call with StoreUnavailableError (503 with Retry-After at the
 * edge; a resend stores nothing twice), and is started again after
 * RESTART_DELAYS_MS (1 s, then 2, 5, 10, 30 s while opening fails); calls
 * made meanwhile get the same error. State an extension keeps in the thread
 * (the desk's timeline) is rebuilt from the store by the new thread.
 *
 * The thread does not keep the process alive while idle (`unref`), only while
 * a call is pending.
 */
import { Worker } from 'node:worker_threads';
import { StoreUnavailableError, type AppendEvent, type AppendOptions, type AppendOutcome, type EventStore, type StoredEvent, type StoredRace } from '../index.js';
import type { SqliteStoreOptions } from './index.js';
import type { StoreAnswer, StoreThreadData } from './worker-thread.js';

/** Waits before each start of a thread that died (ms); the last repeats. */
export const RESTART_DELAYS_MS = [1000, 2000, 5000, 10_000, 30_000] as const;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class WorkerSqliteEventStore implements EventStore {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set while the thread is down (died, not yet started again): every call is refused with it. */
  private dead: Error | null = null;
  private closed = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | null = null;

  private constructor(
    private worker: Worker,
    private readonly data: StoreThreadData,
    /** The extensions' methods the thread offers (callExtension). */
    readonly extensionMethods: readonly string[],
  ) {
    this.attach(worker);
  }

  /** Threads the store has started again after one died (for operators and tests). */
  get restartCount(): number {
    return this.restarts;
  }

  /**
   * Starts the thread and opens the store in it; rejects with the store's own
   * error (a file that cannot be opened). `extensions`: module URLs whose
   * `threadMethods` run in the thread (worker-thread.ts).
   */
  static async open(options: SqliteStoreOptions, extensions: string[] = []): Promise<WorkerSqliteEventStore> {
    const data: StoreThreadData = { ...options, extensions };
    const { worker, methods } = await startThread(data);
    return new WorkerSqliteEventStore(worker, data, methods);
  }

  append(race: string, events: readonly AppendEvent[], options: AppendOptions = {}): Promise<AppendOutcome> {
    if (events.length === 0) return Promise.resolve({ results: [], commitSeq: null, committedAtMs: Date.now() });
    return this.call('append', [race, events, options]) as Promise<AppendOutcome>;
  }

  readSince(race: string, afterSeq: number, limit?: number): Promise<StoredEvent[]> {
    return this.call('readSince', limit === undefined ? [race, afterSeq] : [race, afterSeq, limit]) as Promise<StoredEvent[]>;
  }

  races(): Promise<StoredRace[]> {
    return this.call('races', []) as Promise<StoredRace[]>;
  }

  race(id: string): Promise<StoredRace | null> {
    return this.call('race', [id]) as Promise<StoredRace | null>;
  }

  /** Closes the store in its thread, then ends the thread (also when the close fails or the thread died meanwhile). */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    try {
      if (this.dead === null) await this.call('close', []);
    } finally {
      this.closed = true;
      await this.worker.terminate();
    }
  }

  /** Calls an extension's method in the thread (after every call made before it); rejects naming it when no extension offers it. */
  callExtension(method: string, args: unknown[]): Promise<unknown> {
    if (!this.extensionMethods.includes(method)) return Promise.reject(new Error(`the event store thread for ${this.file} has no method ${method}`));
    return this.call(method, args);
  }

  private get file(): string {
    return this.data.file;
  }

  private attach(worker: Worker): void {
    this.worker = worker;
    worker.on('message', (answer: StoreAnswer) => this.settle(answer));
    worker.on('error', (error) => this.fail(worker, new StoreUnavailableError(`the event store thread for ${this.file} failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => this.fail(worker, new StoreUnavailableError(`the event store thread for ${this.file} exited (code ${code})`)));
    worker.unref();
  }

  private call(method: string, args: unknown[]): Promise<unknown> {
    if (this.closed && method !== 'close') return Promise.reject(new Error(`the event store for ${this.file} is closed`));
    if (this.dead !== null) return Promise.reject(this.dead);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  private settle(answer: StoreAnswer): void {
    const waiting = this.pending.get(answer.id);
    if (waiting === undefined) return;
    this.pending.delete(answer.id);
    if (this.pending.size === 0) this.worker.unref();
    if (answer.error !== undefined) waiting.reject(toError(answer.error));
    else waiting.resolve(answer.value);
  }

  private fail(worker: Worker, error: Error): void {
    if (this.closed || worker !== this.worker) return;
    this.dead ??= error;
    for (const waiting of this.pending.values()) waiting.reject(this.dead);
    this.pending.clear();
    this.scheduleRestart(0);
  }

  /** Starts a new thread after RESTART_DELAYS_MS[attempt]; the store stays refused (StoreUnavailableError) until it has opened the file. */
  private scheduleRestart(attempt: number): void {
    if (this.closed || this.restartTimer !== null) return;
    const delay = RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)]!;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closed) return;
      void this.worker.terminate().catch(() => undefined);
      startThread(this.data).then(
        ({ worker }) => {
          if (this.closed) {
            void worker.terminate();
            return;
          }
          this.attach(worker);
          this.dead = null;
          this.restarts++;
        },
        (error: unknown) => {
          this.dead = new StoreUnavailableError(`the event store thread for ${this.file} could not be started again: ${(error as Error).message}`, { cause: error });
          this.scheduleRestart(attempt + 1);
        },
      );
    }, delay);
    this.restartTimer.unref();
  }
}

/** A thread with the store opened in it, and the extension methods it offers; rejects with the store's own error. */
async function startThread(data: StoreThreadData): Promise<{ worker: Worker; methods: string[] }> {
  // A small young generation: the thread's garbage is a batch at a time, and its memory counts in the server's RSS.
  const worker = new Worker(new URL('./worker-thread.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  const first = await new Promise<StoreAnswer>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the event store thread for ${data.file} exited (code ${code}) before opening it`)));
  });
  if (first.error !== undefined) {
    await worker.terminate();
    throw toError(first.error);
  }
  return { worker, methods: first.value as string[] };
}

function toError(described: NonNullable<StoreAnswer['error']>): Error {
  const error = new Error(described.message);
  error.name = described.name;
  if (described.code !== undefined) (error as Error & { code: string }).code = described.code;
  return error;
}
