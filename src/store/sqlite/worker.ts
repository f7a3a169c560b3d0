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
 * as an Error with SQLite's name, message and code; a thread that dies fails
 * every pending call and every later one, naming the file.
 *
 * The thread does not keep the process alive while idle (`unref`), only while
 * a call is pending.
 */
import { Worker } from 'node:worker_threads';
import type { AppendEvent, AppendOptions, AppendOutcome, EventStore, StoredEvent, StoredRace } from '../index.js';
import type { SqliteStoreOptions } from './index.js';
import type { StoreAnswer, StoreThreadData } from './worker-thread.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class WorkerSqliteEventStore implements EventStore {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set once the thread has failed or exited: every call is refused with it. */
  private dead: Error | null = null;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    private readonly file: string,
    /** The extensions' methods the thread offers (callExtension). */
    readonly extensionMethods: readonly string[],
  ) {
    worker.on('message', (answer: StoreAnswer) => this.settle(answer));
    worker.on('error', (error) => this.fail(new Error(`the event store thread for ${file} failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => this.fail(new Error(`the event store thread for ${file} exited (code ${code})`)));
    worker.unref();
  }

  /**
   * Starts the thread and opens the store in it; rejects with the store's own
   * error (a file that cannot be opened). `extensions`: module URLs whose
   * `threadMethods` run in the thread (worker-thread.ts).
   */
  static async open(options: SqliteStoreOptions, extensions: string[] = []): Promise<WorkerSqliteEventStore> {
    const data: StoreThreadData = { ...options, extensions };
    // A small young generation: the thread's garbage is a batch at a time, and its memory counts in the server's RSS.
    const worker = new Worker(new URL('./worker-thread.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    const first = await new Promise<StoreAnswer>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the event store thread for ${options.file} exited (code ${code}) before opening it`)));
    });
    if (first.error !== undefined) {
      await worker.terminate();
      throw toError(first.error);
    }
    return new WorkerSqliteEventStore(worker, options.file, first.value as string[]);
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

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.dead === null) await this.call('close', []);
    this.closed = true;
    await this.worker.terminate();
  }

  /** Calls an extension's method in the thread (after every call made before it); rejects naming it when no extension offers it. */
  callExtension(method: string, args: unknown[]): Promise<unknown> {
    if (!this.extensionMethods.includes(method)) return Promise.reject(new Error(`the event store thread for ${this.file} has no method ${method}`));
    return this.call(method, args);
  }

  private call(method: string, args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error(`the event store for ${this.file} is closed`));
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

  private fail(error: Error): void {
    if (this.closed) return;
    this.dead ??= error;
    for (const waiting of this.pending.values()) waiting.reject(this.dead);
    this.pending.clear();
  }
}

function toError(described: NonNullable<StoreAnswer['error']>): Error {
  const error = new Error(described.message);
  error.name = described.name;
  if (described.code !== undefined) (error as Error & { code: string }).code = described.code;
  return error;
}
