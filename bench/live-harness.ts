/**
 * What the live benches share (bench/live.ts, bench/scale.ts): a real
 * `sarthe serve` process, ingest over HTTP, viewer processes
 * (bench/live-client.ts) and the delivery histogram they report.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TimingEvent } from '../src/model/events.js';
import { round } from './stats.js';

export const TOKEN = 'bench-token';
export const root = fileURLToPath(new URL('../../', import.meta.url));

export interface Server {
  child: ChildProcess;
  base: string;
  port: number;
}

/**
 * A real server process on an ephemeral loopback port, its file-descriptor
 * limit raised to the hard limit for the viewers. `args` follow `serve`
 * (e.g. ['--no-replay', '--no-site', '--db', file]).
 */
export async function startServer(args: string[], env: Record<string, string> = {}): Promise<Server> {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const command = `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "${process.execPath}" "${join(root, 'bin', 'sarthe.js')}" serve --host 127.0.0.1 --port 0 --log-level info ${quoted}`;
  // SARTHE_RATE_LIMIT=0: every bench viewer comes from 127.0.0.1, which the per-address limit (1,200/min) would cap at 1,200 viewers.
  const child = spawn('sh', ['-c', command], { env: { ...process.env, SARTHE_INGEST_TOKEN: TOKEN, SARTHE_RATE_LIMIT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolvePort, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /Sarthe listening on http:\/\/[^:]+:(\d+)/.exec(line);
      if (m !== null) resolvePort(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): sarthe serve ${args.join(' ')}`)));
  });
  return { child, port, base: `http://127.0.0.1:${port}` };
}

export async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
}

/** Resident memory (MB) of a process, from /proc; NaN when it is gone. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? NaN : round(Number(m[1]) / 1024, 1);
  } catch {
    return NaN;
  }
}

export interface IngestReply {
  seq: number;
  commitSeq: number | null;
  committedAtMs: number | null;
  accepted: number;
}

/** node:http with a keep-alive agent: fetch (undici) costs the bench process several times more CPU, on the server's 2 cores. */
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

export function post(server: Server, race: string, events: TimingEvent[]): Promise<IngestReply> {
  return postBody(server, race, events.map((e) => JSON.stringify(e)).join('\n'));
}

export function postBody(server: Server, race: string, body: string): Promise<IngestReply> {
  return new Promise((resolveReply, reject) => {
    const req = httpRequest(
      {
        agent,
        host: '127.0.0.1',
        port: server.port,
        path: `/api/races/${race}/events`,
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) reject(new Error(`ingest: HTTP ${response.statusCode} ${text}`));
          else resolveReply(JSON.parse(text) as IngestReply);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The p-th percentile (ms) of a histogram with one bucket per millisecond. */
export function percentileOf(histogram: number[], total: number, p: number): number {
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (let ms = 0; ms < histogram.length; ms++) {
    seen += histogram[ms]!;
    if (seen >= rank) return ms;
  }
  return histogram.length - 1;
}

/** The events due by race time `clockMs`, from a cursor over the race in time order. */
export function replayCursor(sorted: TimingEvent[], eventTimeMs: (e: TimingEvent) => number) {
  let next = 0;
  return {
    get sent() {
      return next;
    },
    due(clockMs: number): TimingEvent[] {
      let end = next;
      while (end < sorted.length && eventTimeMs(sorted[end]!) <= clockMs) end++;
      const batch = sorted.slice(next, end);
      next = end;
      return batch;
    },
  };
}

export interface ViewerFleet {
  workers: ChildProcess[];
  /** Viewers that received their snapshot. */
  connected: number;
  connectSeconds: number;
}

/**
 * `clients` SSE viewers of one race in up to `workers` processes
 * (bench/live-client.ts), spread round-robin over `ports` (one per edge),
 * opened at about 2,000 a second in all; `gzip`: they ask for a compressed
 * stream (Accept-Encoding: gzip) and decode it.
 */
export async function openViewers(ports: number[], race: string, clients: number, workers: number, track: ChildProcess[], gzip = false): Promise<ViewerFleet> {
  const clientScript = fileURLToPath(new URL('./live-client.js', import.meta.url));
  const workerCount = Math.min(workers, Math.max(1, Math.ceil(clients / 500)));
  const started = performance.now();
  const children: ChildProcess[] = [];
  const opened = await Promise.all(
    Array.from({ length: workerCount }, (_, w) => {
      const count = Math.floor(clients / workerCount) + (w < clients % workerCount ? 1 : 0);
      const child = fork(clientScript, [], { execArgv: ['--max-old-space-size=1024'] });
      children.push(child);
      track.push(child);
      return new Promise<{ connected: number; snapshots: number; errors: number }>((resolveOpen) => {
        child.once('message', (m) => resolveOpen(m as { connected: number; snapshots: number; errors: number }));
        // Worker w starts at edge w: with as many workers as edges, each edge gets a share from the first second.
        child.send({ type: 'open', ports: [...ports.slice(w % ports.length), ...ports.slice(0, w % ports.length)], race, count, rampPerSecond: 2000 / workerCount, gzip });
      });
    }),
  );
  return { workers: children, connected: opened.reduce((n, o) => n + o.snapshots, 0), connectSeconds: round((performance.now() - started) / 1000, 1) };
}

export interface Deliveries {
  histogram: number[];
  samples: number;
  held: number;
  p50: number;
  p99: number;
  max: number;
}

/** Sends the commits to every viewer process and merges their delivery histograms (the processes exit after). */
export async function collectDeliveries(fleet: ViewerFleet, commits: Array<[number, number]>): Promise<Deliveries> {
  const reports = await Promise.all(
    fleet.workers.map(
      (child) =>
        new Promise<{ histogram: number[]; samples: number; held: number }>((resolveReport) => {
          child.once('message', (m) => resolveReport(m as never));
          child.send({ type: 'report', commits });
        }),
    ),
  );
  const histogram = new Array<number>(reports[0]!.histogram.length).fill(0);
  for (const r of reports) r.histogram.forEach((n, i) => (histogram[i]! += n));
  const samples = reports.reduce((n, r) => n + r.samples, 0);
  return {
    histogram,
    samples,
    held: reports.reduce((n, r) => n + r.held, 0),
    p50: percentileOf(histogram, samples, 50),
    p99: percentileOf(histogram, samples, 99),
    max: percentileOf(histogram, samples, 100),
  };
}
