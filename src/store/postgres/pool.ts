/**
 * One connection pool per process for both Postgres stores (events and
 * content), with the settings the stores' guarantees rest on:
 * - `synchronous_commit = on` for every session: COMMIT returns only once the
 *   WAL is flushed, so "accepted" means durable, whatever the server default;
 * - bigint (int8) columns come back as numbers: seqs and ms timestamps stay
 *   far below 2^53;
 * - connecting gives up after connectTimeoutMs and a query after
 *   queryTimeoutMs, so a Postgres that is down turns into an error (503 at
 *   the HTTP edge) instead of a request that hangs;
 * - an idle connection that dies (Postgres restarted) is dropped and logged,
 *   never an uncaught 'error' event: the pool opens new ones when Postgres is
 *   back.
 */
import pg from 'pg';
import { StoreUnavailableError } from '../index.js';

export interface PostgresPoolOptions {
  /** postgres://user[:password]@host[:port]/database */
  url: string;
  /** Connections at most (default 10). */
  max?: number;
  /** Time (ms) to open a connection before giving up (default 3000). */
  connectTimeoutMs?: number;
  /** Time (ms) a query may take before the client gives up on it (default 15000). */
  queryTimeoutMs?: number;
  /** Schema the tables live in (default: the user's search_path, normally `public`); tests use one per test. */
  schema?: string;
  /** Called when an idle connection fails (default: ignored; the pool replaces it). */
  onIdleError?: (error: Error) => void;
}

const INT8 = 20;

/** Type parsers of this pool only: the process-wide pg.types stay untouched. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 && format !== 'binary') return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function openPool(options: PostgresPoolOptions): pg.Pool {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new Error(`Postgres schema: expected lowercase letters, digits and _ (got ${JSON.stringify(options.schema)})`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
    query_timeout: options.queryTimeoutMs ?? 15_000,
    idleTimeoutMillis: 30_000,
    application_name: 'sarthe',
    options: `-c synchronous_commit=on${options.schema === undefined ? '' : ` -c search_path=${options.schema}`}`,
    types,
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}

/**
 * SQLSTATE classes and driver errors that mean "Postgres does not answer now"
 * (PostgreSQL docs, Appendix A): 08 connection exception, 57P01–57P03
 * shutdown / cannot connect now, 53300 too many connections; plus the socket
 * errors and timeouts of node-postgres.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(code)) return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection ended|connection timeout/i.test(
    error.message,
  );
}

/** Rethrows a Postgres outage as StoreUnavailableError (503 at the edge), anything else as it is. */
export function storeError(error: unknown, what: string): Error {
  if (isUnavailable(error)) {
    return new StoreUnavailableError(`the Postgres store does not answer (${what}): ${(error as Error).message}`, { cause: error });
  }
  return error as Error;
}

/**
 * Runs `work` in one transaction on one connection: COMMIT on success,
 * ROLLBACK on error. `opening`, a statement without parameters (values
 * escaped by the caller), is sent with BEGIN in one round trip and its rows
 * handed to `work`. A connection that failed is destroyed, not returned to
 * the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  what: string,
  work: (client: pg.PoolClient, opened: pg.QueryResultRow[]) => Promise<T>,
  opening?: string,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw storeError(error, what);
  }
  let broken: Error | undefined;
  // A checked-out client has no 'error' listener of the pool's: without this one, Postgres going away
  // mid-transaction would be an uncaught 'error' event (a crash) instead of the failed query it also is.
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  try {
    let opened: pg.QueryResultRow[] = [];
    if (opening === undefined) await client.query('BEGIN');
    else {
      // Two statements in one simple query: pg answers with one result per statement.
      const results = (await client.query(`BEGIN; ${opening}`)) as unknown as pg.QueryResult[];
      opened = results[1]!.rows;
    }
    const result = await work(client, opened);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (isUnavailable(error)) broken = error as Error;
    else await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
    throw storeError(error, what);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** One query outside a transaction, with the outage mapped to StoreUnavailableError. */
export async function query<R extends pg.QueryResultRow>(pool: pg.Pool, what: string, text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
  try {
    return await pool.query<R>(text, values);
  } catch (error) {
    throw storeError(error, what);
  }
}
