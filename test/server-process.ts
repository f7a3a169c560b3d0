/** Runs the real server (`node bin/sarthe.js serve`) as a child process, for the fault, serve and site browser tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { repoRoot } from './helpers.js';
import { compareEvents, type TimingEvent } from '../src/model/events.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  port: number;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

export interface ServerProcessOptions {
  db: string;
  port?: number;
  /** SARTHE_INGEST_TOKEN; unset: the one in the environment, if any. */
  token?: string;
  args?: string[];
  /** Replay the demo race (default: --no-replay). */
  replay?: boolean;
  /** Serve the news site (default: --no-site). */
  site?: boolean;
  /** More environment for the server. */
  env?: Record<string, string>;
  /** Node's own flags for the server process (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      join(repoRoot, 'bin', 'sarthe.js'),
      'serve',
      ...(options.replay === true ? [] : ['--no-replay']),
      ...(options.site === true ? [] : ['--no-site']),
      '--host',
      '127.0.0.1',
      '--port',
      String(options.port ?? 0),
      '--db',
      options.db,
      ...(options.args ?? []),
    ],
    {
      env: { ...process.env, ...(options.token === undefined ? {} : { SARTHE_INGEST_TOKEN: options.token }), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    // 60 s: on 2 shared cores under load a restart that reloads the store can take 20 s.
    // A server that never says it listens is killed, or the test runner would wait on its pipes forever.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 60 s: ${stderr}`));
    }, 60_000);
    lines.on('line', (line) => {
      const m = /Sarthe listening on http:\/\/[^:]+:(\d+)/.exec(line);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
  child.stdout!.resume();
  return { child, port, base: `http://127.0.0.1:${port}`, exited };
}

export async function kill(server: ServerProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  server.child.kill(signal);
  await server.exited;
}

/** SIGTERM, then SIGKILL after `graceMs` if it has not exited: what every suite's `after` does. */
export async function stopServerProcess(server: ServerProcess, graceMs = 5000): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  await Promise.race([server.exited, new Promise((r) => setTimeout(r, graceMs))]);
  if (server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

/** The first `count` events of the demo race (Le Mans 2019), in race order: the load the process tests replay. */
export async function demoEvents(count: number): Promise<TimingEvent[]> {
  const { events } = await importAnalysisFiles([join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv')]);
  return [...events].sort(compareEvents).slice(0, count);
}

/** `events` cut into ingest batches of `size`, in order. */
export function batches(events: TimingEvent[], size: number): TimingEvent[][] {
  const out: TimingEvent[][] = [];
  for (let i = 0; i < events.length; i += size) out.push(events.slice(i, i + size));
  return out;
}

/** Waits until GET /api/ready answers 200 (an edge: caught up from the store and the bus). */
export async function ready(server: ServerProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${server.base}/api/ready`).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${server.base} not ready in ${timeoutMs} ms (last status ${status})`);
    await delay(50);
  }
}

/** Collects a process's log lines from now on. */
export function logLines(server: ServerProcess): string[] {
  const lines: string[] = [];
  let rest = '';
  server.child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  return lines;
}
