/**
 * `npm run bench:store`: durable ingest into the Postgres event store against
 * the same run's SQLite figure (issue 14, item 6). Prints one JSON object.
 *
 * The whole Le Mans 2019 race (demo/lemans-2019-race-analysis.csv, sorted as
 * it happened) is appended to each store in batches of 1,000 and of 50, one
 * batch at a time as a feed sends them (it needs each answer to know what to
 * resend). Each append is acknowledged only after COMMIT: SQLite WAL with
 * synchronous=FULL, Postgres with synchronous_commit=on. Per batch size and
 * store: a warm-up race, then three races, interleaved SQLite/Postgres so
 * machine noise hits both alike; the median events/s is reported with the
 * runs. Target: ≥ 20,000 events/s to Postgres.
 *
 * Postgres: a fresh database `sarthe_bench_<random>` on the server of
 * SARTHE_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432), dropped
 * at the end. `measureStoreIngest` is exported for bench:scale (bench/scale.ts).
 *
 *   node dist/bench/store.js [--file demo/lemans-2019-race-analysis.csv] [--batches 1000,50] [--runs 3]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { compareEvents } from '../src/model/events.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { toAppendEvent, type AppendEvent, type EventStore } from '../src/store/index.js';
import { openStores } from '../src/store/open.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { median } from './stats.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
export const DEMO_FILE = join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv');
export const POSTGRES_TARGET_EVENTS_PER_SEC = 20_000;

export interface StoreIngestOptions {
  /** Lap file(s) of one race (default: the demo race, Le Mans 2019). */
  files?: string[];
  /** Events per append (default [1000, 50]). */
  batches?: number[];
  /** Counted runs per batch size and store, after one warm-up (default 3). */
  runs?: number;
  /** Postgres server without a database name (default SARTHE_BENCH_POSTGRES or postgres://postgres@127.0.0.1:5432). */
  postgresServer?: string;
}

export interface StoreFigure {
  /** Median events stored per second, acknowledged after commit. */
  eventsPerSec: number;
  runs: number[];
  /** Median wall time (ms) of one append. */
  appendMedianMs: number;
}

export interface StoreIngestResult {
  events: number;
  byBatch: Array<{ batch: number; postgres: StoreFigure; sqlite: StoreFigure; postgresToSqlite: number }>;
  targetEventsPerSec: number;
  /** Whether every batch size of at least 1,000 met the target (50-event batches are reported, not targeted). */
  met: boolean;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Appends every batch to race `race`, one at a time; events/s and the append times (ms). */
async function appendAll(store: EventStore, race: string, batches: AppendEvent[][]): Promise<{ eventsPerSec: number; appendMs: number[] }> {
  const appendMs: number[] = [];
  let stored = 0;
  const started = performance.now();
  for (const batch of batches) {
    const t0 = performance.now();
    const outcome = await store.append(race, batch);
    appendMs.push(performance.now() - t0);
    stored += outcome.results.filter((r) => r.status === 'accepted').length;
  }
  const seconds = (performance.now() - started) / 1000;
  const total = batches.reduce((n, b) => n + b.length, 0);
  if (stored !== total) throw new Error(`bench: ${stored} of ${total} events stored in ${race}: the race must be fresh`);
  return { eventsPerSec: stored / seconds, appendMs };
}

function figure(runs: Array<{ eventsPerSec: number; appendMs: number[] }>): StoreFigure {
  return {
    eventsPerSec: Math.round(median(runs.map((r) => r.eventsPerSec))),
    runs: runs.map((r) => Math.round(r.eventsPerSec)),
    appendMedianMs: Math.round(median(runs.flatMap((r) => r.appendMs)) * 100) / 100,
  };
}

/** Measures durable ingest into Postgres and SQLite in one run (see the file comment). */
export async function measureStoreIngest(options: StoreIngestOptions = {}): Promise<StoreIngestResult> {
  const batchSizes = options.batches ?? [1000, 50];
  const runs = options.runs ?? 3;
  const server = options.postgresServer ?? process.env.SARTHE_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
  const { events } = await importAnalysisFiles(options.files ?? [DEMO_FILE]);
  const appendEvents = [...events].sort(compareEvents).map(toAppendEvent);

  const database = `sarthe_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const dir = mkdtempSync(join(tmpdir(), 'sarthe-bench-store-'));
  try {
    const postgres = await openStores({ url: `${server}/${database}`, file: 'unused' });
    const byBatch: StoreIngestResult['byBatch'] = [];
    try {
      for (const size of batchSizes) {
        const batches = chunks(appendEvents, size);
        const pgRuns = [];
        const sqliteRuns = [];
        for (let run = 0; run <= runs; run++) {
          // Run 0 warms up (JIT, caches, Postgres' plan cache) and is not counted. A fresh race each run.
          const pgRun = await appendAll(postgres.events, `b${size}-r${run}`, batches);
          const sqlite = new SqliteEventStore({ file: join(dir, `b${size}-r${run}.db`), synchronous: 'full' });
          const sqliteRun = await appendAll(sqlite, 'r', batches);
          await sqlite.close();
          if (run > 0) {
            pgRuns.push(pgRun);
            sqliteRuns.push(sqliteRun);
          }
        }
        const pgFigure = figure(pgRuns);
        const sqliteFigure = figure(sqliteRuns);
        byBatch.push({ batch: size, postgres: pgFigure, sqlite: sqliteFigure, postgresToSqlite: Math.round((pgFigure.eventsPerSec / sqliteFigure.eventsPerSec) * 100) / 100 });
      }
    } finally {
      await postgres.events.close();
      await postgres.content.close();
    }
    const targeted = byBatch.filter((b) => b.batch >= 1000);
    return {
      events: appendEvents.length,
      byBatch,
      targetEventsPerSec: POSTGRES_TARGET_EVENTS_PER_SEC,
      met: targeted.length > 0 && targeted.every((b) => b.postgres.eventsPerSec >= POSTGRES_TARGET_EVENTS_PER_SEC),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { file: { type: 'string' }, batches: { type: 'string' }, runs: { type: 'string' } } });
  const loadAtStart = loadavg()[0]!;
  const result = await measureStoreIngest({
    files: values.file === undefined ? undefined : [resolve(values.file)],
    batches: values.batches?.split(',').map(Number),
    runs: values.runs === undefined ? undefined : Number(values.runs),
  });
  console.log(JSON.stringify({ bench: 'store', node: process.version, loadAtStart: Math.round(loadAtStart * 100) / 100, loadAtEnd: Math.round(loadavg()[0]! * 100) / 100, ...result }, null, 2));
}
