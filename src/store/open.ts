/**
 * Opens the event store and the content store a server runs on, from its
 * configuration (`--store` / SARTHE_STORE, src/cli/config.ts):
 * - no store URL: the embedded SQLite file (`--db`), both stores in it, the
 *   event store's appends and reads done on a worker thread (sqlite/worker.ts:
 *   a commit does not hold the event loop);
 * - `postgres://user@host:port/db`: both stores in that Postgres database
 *   (never `postgres`, `template0` or `template1`: postgres/url.ts; throws naming it),
 *   on one shared connection pool, after the numbered migrations have run
 *   (postgres/migrations.ts; safe when several processes start together).
 * The pool ends when both stores are closed.
 */
import { resolve } from 'node:path';
import type { ContentStore } from './content.js';
import type { EventStore } from './index.js';
import { PostgresContentStore } from './postgres/content.js';
import { PostgresEventStore } from './postgres/index.js';
import { migrate } from './postgres/migrations.js';
import { openPool } from './postgres/pool.js';
import { refusedDatabase } from './postgres/url.js';
import { SqliteContentStore } from './sqlite/content.js';
import { WorkerSqliteEventStore } from './sqlite/worker.js';

export interface OpenStoresOptions {
  /** postgres:// URL; null or undefined = the SQLite file. */
  url?: string | null;
  /** The SQLite file (used when there is no URL). */
  file: string;
  /** SQLite only: 'full' (default) or 'normal'. Postgres always commits with synchronous_commit on. */
  synchronous?: 'full' | 'normal';
  /** Postgres only: connections at most (default 10). */
  maxConnections?: number;
  /** Postgres only: the schema holding the tables (default: the user's search_path). */
  schema?: string;
  /** Told when an idle Postgres connection fails (Postgres restarted); the pool replaces it. */
  onIdleError?: (error: Error) => void;
  /** SQLite only: modules whose methods run in the event store's thread (sqlite/worker-thread.ts; the hourly desk's drafting). */
  threadExtensions?: string[];
}

export interface OpenedStores {
  events: EventStore;
  content: ContentStore;
  /** What the stores are, for the start log: a file path or the URL without its password. */
  where: string;
}

export async function openStores(options: OpenStoresOptions): Promise<OpenedStores> {
  if (options.url === undefined || options.url === null) {
    const file = resolve(options.file);
    return {
      events: await WorkerSqliteEventStore.open({ file, synchronous: options.synchronous }, options.threadExtensions ?? []),
      // The news site's articles and users live in the same database file.
      content: new SqliteContentStore({ file }),
      where: file,
    };
  }
  // Before connecting: the schema would otherwise be migrated silently into the cluster's own database.
  const refused = refusedDatabase(options.url);
  if (refused !== null) throw new Error(`cannot open the Postgres store at ${redactUrl(options.url)}: ${refused}`);
  const pool = openPool({ url: options.url, max: options.maxConnections, schema: options.schema, onIdleError: options.onIdleError });
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw new Error(`cannot open the Postgres store at ${redactUrl(options.url)}: ${(error as Error).message}`, { cause: error });
  }
  let open = 2;
  const release = async () => {
    open--;
    if (open === 0) await pool.end();
  };
  return { events: new PostgresEventStore(pool, release), content: new PostgresContentStore(pool, release), where: redactUrl(options.url) };
}

/** The URL with its password replaced: safe for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unreadable URL';
  }
}
