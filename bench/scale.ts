/**
 * `npm run bench:scale`: Sarthe scaled out on one machine (issue 14, item 6),
 * loopback only, bounded in time, stops by itself. Prints one JSON object:
 *
 * - topologies: the viewers held and the delivery p50/p99 — from the commit
 *   time the ingest answer states (the acknowledgement) to the delta read by
 *   the viewer, both Date.now() on this machine — for one `--role all`
 *   process (the same run's baseline), then `--role ingest` + N × `--role
 *   edge` (N = 1, 2, 4) sharing one SQLite `--db` and the NATS bus
 *   (`--bus`), the viewers spread over the edges round-robin. Le Mans 2019
 *   replayed as live at `--speed` (60×) from `--from` through the ingest API,
 *   one commit per `--tick` (250 ms), as bench/live.ts does, with its viewer
 *   processes (bench/live-client.ts). When this build has no `--role`, the
 *   edge figures are null with the reason.
 * - rssMbPer1000Viewers: (peak − idle) RSS of the serving processes over the
 *   viewers they held, per 1,000.
 * - bytesPerViewerPerRaceHour: what one viewer receives for one race hour
 *   (its snapshot at `--from`, then the hour's deltas at the 60×/250 ms
 *   cadence, so the same deltas as live), uncompressed and gzip (wire.ts),
 *   counted on the socket after the HTTP head.
 * - ingest: the whole race POSTed in batches of 1,000 (durable), median of 3
 *   after a warm-up, to SQLite and, when this build has `--store`, to a
 *   fresh Postgres database (created and dropped here).
 *
 *   node dist/bench/scale.js [--viewers 2000] [--edges 1,2,4] [--seconds 20] [--bus nats://127.0.0.1:4222]
 *                            [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--workers 4]
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { compareEvents, eventTimeMs, type TimingEvent } from '../src/model/events.js';
import { HOUR, parseRaceTime } from '../src/model/time.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { chunks, collectDeliveries, openViewers, post, postBody, replayCursor, root, rssMb, startServer, stopServer, type Server } from './live-harness.js';
import { median, round } from './stats.js';
import { measureStoreIngest } from './store.js';

const { values: args } = parseArgs({
  options: {
    viewers: { type: 'string', default: '2000' },
    edges: { type: 'string', default: '1,2,4' },
    workers: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '20' },
    speed: { type: 'string', default: '60' },
    from: { type: 'string', default: '1h' },
    tick: { type: 'string', default: '250' },
    bus: { type: 'string', default: process.env.SARTHE_BUS ?? 'nats://127.0.0.1:4222' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    file: { type: 'string', default: resolve('demo', 'lemans-2019-race-analysis.csv') },
  },
});
/** 20,000: the target, and the default file-descriptor limit of one process (each edge has its own). */
const VIEWERS = Math.min(Math.max(1, Number(args.viewers)), 20_000);
const EDGES = args.edges
  .split(',')
  .filter((n) => n !== '')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n >= 1 && n <= 8);
const WORKERS = Math.max(1, Number(args.workers));
const SECONDS = Math.min(Number(args.seconds), 120);
const SPEED = Number(args.speed);
const FROM_MS = parseRaceTime(args.from) ?? 0;
const TICK_MS = Number(args.tick);
const INGEST_BATCH = 1000;
const suffix = randomBytes(4).toString('hex');
/** This run's own stream and subjects on the shared NATS server (other engineers' runs and servers use it too); deleted at the end. */
const DEPLOYMENT = `bench-${suffix}`;

const dir = mkdtempSync(join(tmpdir(), 'sarthe-bench-scale-'));
const children: ChildProcess[] = [];
const cleanup = () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const loadAtStart = loadavg()[0]!;
const { events } = await importAnalysisFiles([args.file]);
const sorted: TimingEvent[] = [...events].sort(compareEvents);
const fdSoft = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
const fdHard = Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim());

// What this build of `sarthe serve` can do: roles and the bus (issue 14 part B), a Postgres store (part A).
const help = execFileSync(process.execPath, [join(root, 'bin', 'sarthe.js'), 'serve', '--help'], { encoding: 'utf8' });
const hasRoles = /--role\b/.test(help) && /--bus\b/.test(help);
const hasStore = /--store\b/.test(help);
const hasDeployment = /--deployment\b/.test(help);
/** The flags that put a process on this run's bus. */
const busArgs = (): string[] => ['--bus', args.bus, ...(hasDeployment ? ['--deployment', DEPLOYMENT] : [])];

// 1. Bytes one viewer receives for one race hour, uncompressed and gzip.

/** One raw viewer: counts the body bytes on the socket and reads the seq of every message (gunzipped when asked). */
function countingViewer(port: number, race: string, gzip: boolean) {
  const socket = connect({ port, host: '127.0.0.1' });
  const state = { wireBytes: 0, decodedBytes: 0, lastSeq: -1, encoding: null as string | null };
  let head = Buffer.alloc(0);
  let inBody = false;
  const gunzip = gzip ? createGunzip() : null;
  let carry = '';
  const read = (text: string) => {
    state.decodedBytes += Buffer.byteLength(text);
    const all = carry + text;
    for (const m of all.matchAll(/id: (\d+)-[0-9a-f]+\n/g)) state.lastSeq = Number(m[1]);
    carry = all.slice(-64);
  };
  gunzip?.on('data', (chunk: Buffer) => read(chunk.toString('utf8')));
  socket.on('connect', () => socket.write(`GET /api/races/${race}/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n${gzip ? 'Accept-Encoding: gzip\r\n' : ''}\r\n`));
  socket.on('data', (chunk: Buffer) => {
    let body = chunk;
    if (!inBody) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      inBody = true;
      state.encoding = /content-encoding: *(\S+)/i.exec(head.subarray(0, end).toString('latin1'))?.[1] ?? null;
      body = head.subarray(end + 4);
    }
    state.wireBytes += body.length;
    if (gunzip !== null) gunzip.write(body);
    else read(body.toString('utf8'));
  });
  return { state, close: () => socket.destroy() };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out (${timeoutMs} ms) waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function bytesPerRaceHour() {
  const server = await startServer(['--no-replay', '--no-site', '--db', join(dir, 'bytes.db')]);
  children.push(server.child);
  const race = `bytes-${suffix}`;
  const cursor = replayCursor(sorted, eventTimeMs);
  for (const batch of chunks(cursor.due(FROM_MS), 5000)) await post(server, race, batch);
  const plain = countingViewer(server.port, race, false);
  const gzip = countingViewer(server.port, race, true);
  let seq = 0;
  await until(() => plain.state.lastSeq >= 0 && gzip.state.lastSeq >= 0, 10_000, 'the snapshots');
  const snapshot = { uncompressed: plain.state.wireBytes, gzip: gzip.state.wireBytes };
  // The hour as live at SPEED× with one commit per TICK_MS: one batch per TICK_MS × SPEED of race time.
  let deltas = 0;
  for (let clock = FROM_MS + TICK_MS * SPEED; clock <= FROM_MS + HOUR; clock += TICK_MS * SPEED) {
    const batch = cursor.due(clock);
    if (batch.length === 0) continue;
    const reply = await post(server, race, batch);
    seq = reply.commitSeq ?? reply.seq;
    deltas++;
  }
  await until(() => plain.state.lastSeq === seq && gzip.state.lastSeq === seq, 30_000, `both viewers at seq ${seq}`);
  const result = {
    raceHour: { fromMs: FROM_MS, toMs: FROM_MS + HOUR },
    deltas,
    uncompressed: plain.state.wireBytes,
    gzip: gzip.state.wireBytes,
    gzipToUncompressed: round(gzip.state.wireBytes / plain.state.wireBytes, 3),
    // The gzip viewer decoded exactly the bytes the plain one read: compression lost nothing.
    gzipDecodedBytes: gzip.state.decodedBytes,
    gzipEncoding: gzip.state.encoding,
    snapshotBytes: snapshot,
    per24HoursMb: { uncompressed: round((24 * (plain.state.wireBytes - snapshot.uncompressed)) / 1e6, 1), gzip: round((24 * (gzip.state.wireBytes - snapshot.gzip)) / 1e6, 1) },
  };
  plain.close();
  gzip.close();
  await stopServer(server);
  return result;
}

// 2. Delivery with viewers on one process, then on N edges.

interface Topology {
  processes: string;
  edges: number;
  /** The viewers asked for gzip (Accept-Encoding, as browsers do) and decoded it. */
  gzip: boolean;
  viewers: number;
  viewersConnected: number | null;
  viewersHeld: number | null;
  deliveryP50Ms: number | null;
  deliveryP99Ms: number | null;
  deliveryMaxMs: number | null;
  deliveriesMeasured?: number;
  deliveriesExpected?: number;
  deltas?: number;
  /** Every serving process had the last commit within 20 s of the replay's end (else `viewersHeld` counts only those that did). */
  servingCaughtUp?: boolean;
  connectSeconds?: number;
  servingRssMb?: { idle: number; peak: number };
  rssMbPer1000Viewers?: number | null;
  reason?: string;
}

async function ready(server: Server, race: string, seq: number): Promise<boolean> {
  try {
    const r = await fetch(`${server.base}/api/races/${race}`);
    if (r.status !== 200) return false;
    return ((await r.json()) as { seq: number }).seq === seq;
  } catch {
    return false;
  }
}

async function topology(edges: number, gzip: boolean): Promise<Topology> {
  const label = edges === 0 ? 'one --role all process' : `--role ingest + ${edges} × --role edge, --bus ${args.bus}`;
  if (edges > 0 && !hasRoles) {
    return { processes: label, edges, gzip, viewers: VIEWERS, viewersConnected: null, viewersHeld: null, deliveryP50Ms: null, deliveryP99Ms: null, deliveryMaxMs: null, reason: 'this build of `sarthe serve` has no --role/--bus (issue 14 part B not merged)' };
  }
  const db = join(dir, `topology-${edges}${gzip ? '-gz' : ''}.db`);
  const race = `scale-${suffix}-${edges}${gzip ? '-gz' : ''}`;
  const common = ['--no-replay', '--no-site', '--db', db];
  const ingest = await startServer(edges === 0 ? [...common, ...(hasRoles ? ['--role', 'all'] : [])] : [...common, '--role', 'ingest', ...busArgs()]);
  children.push(ingest.child);
  const cursor = replayCursor(sorted, eventTimeMs);
  let seq = 0;
  for (const batch of chunks(cursor.due(FROM_MS), 5000)) seq = (await post(ingest, race, batch)).seq;
  // Edges start after the race exists: each catches up from the store and the stream, then serves.
  const edgeServers: Server[] = [];
  for (let i = 0; i < edges; i++) {
    const edge = await startServer([...common, '--role', 'edge', ...busArgs()]);
    children.push(edge.child);
    edgeServers.push(edge);
  }
  for (const edge of edgeServers) await until(() => ready(edge, race, seq), 30_000, `edge ${edge.base} caught up with ${race} at seq ${seq}`);
  const serving = edges === 0 ? [ingest] : edgeServers;
  const servingRss = () => serving.reduce((mb, s) => mb + rssMb(s.child.pid!), 0);
  const idle = servingRss();

  const fleet = await openViewers(
    serving.map((s) => s.port),
    race,
    VIEWERS,
    WORKERS,
    children,
    gzip,
  );
  const commits: Array<[number, number]> = [];
  let peak = servingRss();
  const replayStart = performance.now();
  while (performance.now() - replayStart < SECONDS * 1000 && cursor.sent < sorted.length) {
    const tickStart = performance.now();
    const batch = cursor.due(FROM_MS + (tickStart - replayStart) * SPEED);
    if (batch.length > 0) {
      const reply = await post(ingest, race, batch);
      if (reply.commitSeq !== null && reply.committedAtMs !== null) commits.push([reply.commitSeq, reply.committedAtMs]);
    }
    peak = Math.max(peak, servingRss());
    await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - (performance.now() - tickStart))));
  }
  // The serving processes reach the last commit (bounded: a saturated edge may not), then their sockets drain.
  const lastSeq = commits.at(-1)?.[0] ?? seq;
  const caughtUp = await until(async () => (await Promise.all(serving.map((s) => ready(s, race, lastSeq)))).every(Boolean), 20_000, 'the edges').then(
    () => true,
    () => false,
  );
  await new Promise((r) => setTimeout(r, 1500));
  peak = Math.max(peak, servingRss());
  const deliveries = await collectDeliveries(fleet, commits);
  for (const s of [ingest, ...edgeServers]) await stopServer(s);
  if (edges > 0) await purgeBus(race);
  return {
    processes: label,
    edges,
    gzip,
    viewers: VIEWERS,
    viewersConnected: fleet.connected,
    viewersHeld: deliveries.held,
    deliveryP50Ms: deliveries.p50,
    deliveryP99Ms: deliveries.p99,
    deliveryMaxMs: deliveries.max,
    deliveriesMeasured: deliveries.samples,
    deliveriesExpected: commits.length * fleet.connected,
    deltas: commits.length,
    servingCaughtUp: caughtUp,
    connectSeconds: fleet.connectSeconds,
    servingRssMb: { idle: round(idle, 1), peak: round(peak, 1) },
    rssMbPer1000Viewers: deliveries.held > 0 ? round(((peak - idle) / deliveries.held) * 1000, 1) : null,
  };
}

/** Deletes this run's messages from the shared stream (other engineers use the same NATS server). */
async function purgeBus(race: string): Promise<void> {
  try {
    const { connect: natsConnect } = await import('nats');
    const nc = await natsConnect({ servers: args.bus.replace(/^nats:\/\//, '') });
    const jsm = await nc.jetstreamManager();
    // This run's stream (its own deployment) goes whole; a build without --deployment shared the default one: purge the race.
    if (hasDeployment) await jsm.streams.delete(`${DEPLOYMENT.toUpperCase()}_LIVE`).catch(() => undefined);
    for (const stream of hasDeployment ? [] : await jsm.streams.names().next()) {
      await jsm.streams.purge(stream, { filter: `*.*.${race}` }).catch(() => undefined);
      await jsm.streams.purge(stream, { filter: `*.${race}` }).catch(() => undefined);
    }
    await nc.close();
  } catch {
    // Nothing to purge, or no bus: the stream's own retention ages the messages out.
  }
}

// 3. Ingest: the whole race, durable, to SQLite and to Postgres.

async function ingestRate(storeArgs: string[]): Promise<{ eventsPerSec: number; runs: number[] }> {
  const server = await startServer(['--no-replay', '--no-site', ...storeArgs]);
  children.push(server.child);
  const bodies = chunks(sorted, INGEST_BATCH).map((b) => b.map((e) => JSON.stringify(e)).join('\n'));
  const runs: number[] = [];
  for (let run = 0; run <= 3; run++) {
    const started = performance.now();
    let accepted = 0;
    for (const body of bodies) accepted += (await postBody(server, `ingest-${suffix}-${run}`, body)).accepted;
    // Run 0 warms up (JIT, page cache) and is not counted.
    if (run > 0) runs.push(accepted / ((performance.now() - started) / 1000));
  }
  await stopServer(server);
  return { eventsPerSec: Math.round(median(runs)), runs: runs.map(Math.round) };
}

async function postgresIngest(): Promise<{ eventsPerSec: number | null; runs?: number[]; reason?: string }> {
  if (!hasStore) return { eventsPerSec: null, reason: 'this build of `sarthe serve` has no --store (issue 14 part A not merged)' };
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: args.postgres });
  await admin.connect();
  const database = `sarthe_bench_scale_${suffix}`;
  await admin.query(`CREATE DATABASE ${database}`);
  try {
    const url = new URL(args.postgres);
    url.pathname = `/${database}`;
    return await ingestRate(['--store', url.toString()]);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * The stores alone, in process (no HTTP): bench/store.ts's durable ingest of
 * the demo race into Postgres against SQLite in the same run, batches of
 * INGEST_BATCH, medians of 3 (issue 14 part A).
 */
async function storeOnlyIngest(): Promise<unknown> {
  return measureStoreIngest({ batches: [INGEST_BATCH], runs: 3 });
}

const bytes = await bytesPerRaceHour();
// The single process twice, viewers plain (as bench:live) then gzip (as browsers): the baselines of the edges, which serve gzip.
const topologies: Topology[] = [await topology(0, false), await topology(0, true)];
for (const edges of EDGES) topologies.push(await topology(edges, true));
const sqlite = await ingestRate(['--db', join(dir, 'ingest.db')]);
const postgres = await postgresIngest();

const result = {
  viewers: VIEWERS,
  topologies,
  rssMbPer1000Viewers: { plain: topologies[0]!.rssMbPer1000Viewers, gzip: topologies[1]!.rssMbPer1000Viewers },
  bytesPerViewerPerRaceHour: bytes,
  ingest: {
    batchEvents: INGEST_BATCH,
    sqliteEventsPerSec: sqlite.eventsPerSec,
    sqliteRuns: sqlite.runs,
    postgresEventsPerSec: postgres.eventsPerSec,
    ...(postgres.runs === undefined ? {} : { postgresRuns: postgres.runs }),
    ...(postgres.reason === undefined ? {} : { postgresReason: postgres.reason }),
    storeOnly: await storeOnlyIngest(),
  },
  build: { roles: hasRoles, postgresStore: hasStore, bus: hasRoles ? args.bus : null },
  replay: { speed: SPEED, fromMs: FROM_MS, seconds: SECONDS, tickMs: TICK_MS },
  clientWorkers: WORKERS,
  // Viewers per process are capped by its descriptors (the servers raise theirs to the hard limit).
  fdLimit: { soft: fdSoft, hard: fdHard },
  loadAverage: { atStart: round(loadAtStart, 1), atEnd: round(loadavg()[0]!, 1) },
  targets: { viewersHeld: 20_000, deliveryP99Ms: 250, postgresIngestEventsPerSec: 20_000, gzipToUncompressed: 0.2 },
  node: process.version,
  measuredAt: new Date().toISOString(),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
