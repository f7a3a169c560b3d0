/**
 * `npm run bench:live`: the live server under load, on loopback, bounded in
 * time and client count. Prints one JSON object:
 *
 * - ingestEventsPerSec: the full Le Mans 2019 race POSTed as NDJSON batches
 *   to a real server process (durable: SQLite WAL, synchronous=FULL), next to
 *   its baseline measured in the same run: the store alone, in process.
 * - clients / clientsHeld / deliveryP50Ms / deliveryP99Ms / serverRssMb: one
 *   race replayed as live at 60× into the server through the ingest API while
 *   `clients` SSE viewers in separate processes (bench/live-client.ts) note
 *   when each delta arrives; delivery = arrival − the server's commit time
 *   (both Date.now() on this machine).
 *
 *   node dist/bench/live.js [--clients 10000] [--workers 4] [--seconds 30] [--speed 60] [--from 1h]
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compareEvents, eventTimeMs, type TimingEvent } from '../src/model/events.js';
import { parseRaceTime } from '../src/model/time.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { toAppendEvent } from '../src/store/index.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { median, round } from './stats.js';
import { chunks, collectDeliveries, openViewers, post, postBody, replayCursor, rssMb, startServer, stopServer, type Server } from './live-harness.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '30' },
    speed: { type: 'string', default: '60' },
    from: { type: 'string', default: '1h' },
    tick: { type: 'string', default: '250' },
    batch: { type: 'string', default: '1000' },
    'in-flight': { type: 'string', default: '1' },
    file: { type: 'string', default: resolve('demo', 'lemans-2019-race-analysis.csv') },
  },
});
const CLIENTS = Math.min(Number(args.clients), 18_000);
const WORKERS = Math.max(1, Number(args.workers));
const SECONDS = Math.min(Number(args.seconds), 120);
const SPEED = Number(args.speed);
const FROM_MS = parseRaceTime(args.from) ?? 0;
const TICK_MS = Number(args.tick);
const BATCH = Number(args.batch);
const INGEST_IN_FLIGHT = Math.max(1, Number(args['in-flight']));
const BASELINE_CLIENTS = 100;

/** The real server process (--no-site: the news desk drafts 24 reports for every race imported whole, which is its cost, not ingest's). */
function startBenchServer(db: string, synchronous: 'full' | 'normal' = 'full'): Promise<Server> {
  return startServer(['--no-replay', '--no-site', '--synchronous', synchronous, '--db', db]);
}

const dir = mkdtempSync(join(tmpdir(), 'sarthe-bench-live-'));
const children: ChildProcess[] = [];
const cleanup = () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const loadAtStart = loadavg()[0]!;
const { events } = await importAnalysisFiles([args.file]);
const sorted = [...events].sort(compareEvents);
const ulimit = Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim());

// 1. Ingest: the whole race, batched, three races in a row after a warm-up one, per
// configuration; the store alone (in this process, same batches) as the baseline.
interface IngestRun {
  batch: number;
  inFlight: number;
  synchronous: 'full' | 'normal';
  eventsPerSec: number;
  runs: number[];
  storeOnlyEventsPerSec: number;
}

async function ingestRun(batch: number, synchronous: 'full' | 'normal', name: string, inFlight = INGEST_IN_FLIGHT): Promise<IngestRun> {
  const ingestRuns: number[] = [];
  const storeRuns: number[] = [];
  const server = await startBenchServer(join(dir, `${name}.db`), synchronous);
  children.push(server.child);
  const batches = chunks(sorted, batch);
  // Bodies serialized before the clock starts: the client's JSON work is not the server's.
  const bodies = batches.map((b) => b.map((e) => JSON.stringify(e)).join('\n'));
  for (let run = -1; run <= 3; run++) {
    const started = performance.now();
    let accepted = 0;
    // One batch at a time by default, as a feed sends them (it needs each answer to know what to resend).
    let nextBody = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (nextBody < bodies.length) accepted += (await postBody(server, `ingest-${run}`, bodies[nextBody++]!)).accepted;
      }),
    );
    // Runs -1 and 0 warm the server up (JIT, SQLite page cache) and are not counted.
    if (run > 0) ingestRuns.push(accepted / ((performance.now() - started) / 1000));
    // Baseline, interleaved: the same batches appended to a store in this process (no HTTP, no JSON, no engine).
    const store = new SqliteEventStore({ file: join(dir, `${name}-store-${run}.db`), synchronous });
    const appendBatches = batches.map((b) => b.map(toAppendEvent));
    const t0 = performance.now();
    for (const b of appendBatches) await store.append('r', b);
    if (run > 0) storeRuns.push(sorted.length / ((performance.now() - t0) / 1000));
    await store.close();
  }
  await stopServer(server);
  return { batch, inFlight, synchronous, eventsPerSec: Math.round(median(ingestRuns)), runs: ingestRuns.map(Math.round), storeOnlyEventsPerSec: Math.round(median(storeRuns)) };
}

const ingest = await ingestRun(BATCH, 'full', 'ingest');
const ingestBigBatches = await ingestRun(BATCH * 5, 'full', 'ingest-big');
const ingestNormal = await ingestRun(BATCH, 'normal', 'ingest-normal');
const ingestTwoInFlight = await ingestRun(BATCH, 'full', 'ingest-two', 2);

// 2. Live: one race replayed at SPEED× through the ingest API to `clients` viewers,
// first to BASELINE_CLIENTS (the same-run baseline), then to CLIENTS.
interface LiveRun {
  clients: number;
  connected: number;
  held: number;
  dropped: number;
  connectSeconds: number;
  p50: number;
  p99: number;
  max: number;
  samples: number;
  expected: number;
  deltas: number;
  eventsSent: number;
  idleRssMb: number;
  peakRssMb: number;
}

async function liveRun(clients: number, seconds: number, db: string): Promise<LiveRun> {
  const server = await startBenchServer(db);
  children.push(server.child);
  const race = 'live';
  const cursor = replayCursor(sorted, eventTimeMs);
  for (const batch of chunks(cursor.due(FROM_MS), 5000)) await post(server, race, batch);
  const idleRssMb = rssMb(server.child.pid!);

  const fleet = await openViewers([server.port], race, clients, WORKERS, children);

  const commits: Array<[number, number]> = [];
  let peakRssMb = rssMb(server.child.pid!);
  const replayStart = performance.now();
  while (performance.now() - replayStart < seconds * 1000 && cursor.sent < sorted.length) {
    const tickStart = performance.now();
    const batch = cursor.due(FROM_MS + (tickStart - replayStart) * SPEED);
    if (batch.length > 0) {
      const reply = await post(server, race, batch);
      if (reply.commitSeq !== null && reply.committedAtMs !== null) commits.push([reply.commitSeq, reply.committedAtMs]);
    }
    peakRssMb = Math.max(peakRssMb, rssMb(server.child.pid!));
    await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - (performance.now() - tickStart))));
  }
  // Let the last deltas land.
  await new Promise((r) => setTimeout(r, 1000));
  peakRssMb = Math.max(peakRssMb, rssMb(server.child.pid!));
  const health = (await (await fetch(`${server.base}/api/health`)).json()) as { viewers: number; viewersDropped: number };

  const deliveries = await collectDeliveries(fleet, commits);
  await stopServer(server);
  return {
    clients,
    connected: fleet.connected,
    held: deliveries.held,
    dropped: health.viewersDropped,
    connectSeconds: fleet.connectSeconds,
    p50: deliveries.p50,
    p99: deliveries.p99,
    max: deliveries.max,
    samples: deliveries.samples,
    expected: commits.length * fleet.connected,
    deltas: commits.length,
    eventsSent: cursor.sent,
    idleRssMb,
    peakRssMb,
  };
}

const baseline = await liveRun(BASELINE_CLIENTS, Math.min(10, SECONDS), join(dir, 'baseline.db'));
const live = await liveRun(CLIENTS, SECONDS, join(dir, 'live.db'));

const result = {
  ingestEventsPerSec: ingest.eventsPerSec,
  ingestRunsEventsPerSec: ingest.runs,
  ingestBaselineStoreOnlyEventsPerSec: ingest.storeOnlyEventsPerSec,
  ingestToStoreOnly: round(ingest.eventsPerSec / ingest.storeOnlyEventsPerSec, 2),
  ingestBatchEvents: BATCH,
  ingestBatchesInFlight: INGEST_IN_FLIGHT,
  ingestSynchronous: 'full',
  ingestVariants: [ingestBigBatches, ingestNormal, ingestTwoInFlight],
  clients: CLIENTS,
  clientsConnected: live.connected,
  clientsHeld: live.held,
  clientsDroppedByServer: live.dropped,
  connectSeconds: live.connectSeconds,
  deliveryP50Ms: live.p50,
  deliveryP99Ms: live.p99,
  deliveryMaxMs: live.max,
  deliveriesMeasured: live.samples,
  deliveriesExpected: live.expected,
  deltas: live.deltas,
  // The same replay to a handful of viewers, same run: what the fan-out to thousands adds.
  baseline: { clients: baseline.connected, deliveryP50Ms: baseline.p50, deliveryP99Ms: baseline.p99, deliveries: baseline.samples, serverRssMb: baseline.peakRssMb },
  replay: { speed: SPEED, fromMs: FROM_MS, seconds: SECONDS, tickMs: TICK_MS, eventsSent: live.eventsSent },
  serverRssMb: live.peakRssMb,
  serverIdleRssMb: live.idleRssMb,
  clientWorkers: WORKERS,
  fdHardLimit: ulimit,
  // The machine is shared: the 1-minute load average (2 cores) says how much of it the bench had.
  loadAverage: { atStart: round(loadAtStart, 1), atEnd: round(loadavg()[0]!, 1) },
  targets: { clients: 10_000, deliveryP99Ms: 250, ingestEventsPerSec: 50_000 },
  node: process.version,
  measuredAt: new Date().toISOString(),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
