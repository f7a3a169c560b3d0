/**
 * A real server with a real race replayed "as live", for the browser tests
 * (test/web-*.test.ts) and bench:web:
 *
 * - serveReplay: `sarthe serve` itself, in a child process, on a free port
 *   and a temporary store (what `npm start` runs, with the news site at `/`
 *   and the web app at `/timing/`);
 * - startReplayServer: the server factory in this process, web app at `/`,
 *   the race posted through the ingest API.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { compareEvents, eventTimeMs, type TimingEvent } from '../src/model/events.js';
import { buildServer } from '../src/server/app.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';

const TOKEN = 'web-test-token';

export interface ReplayServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  race: string;
  app: FastifyInstance;
  /** Race time replayed so far. */
  replayedMs(): number;
  /** Waits until the replay has reached race time t. */
  reach(t: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ReplayOptions {
  file: string;
  race: string;
  /** Race time already known when the server starts. */
  fromMs: number;
  speed: number;
  webRoot: string;
  /** How often the replay posts the events due (ms of wall time). */
  tickMs?: number;
}

export async function startReplayServer(options: ReplayOptions): Promise<ReplayServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sarthe-web-'));
  const store = new SqliteEventStore({ file: join(dir, 'sarthe.db') });
  const app = await buildServer({ store, ingestToken: TOKEN, webRoot: resolve(options.webRoot), logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;

  const { events } = await importAnalysisFiles([options.file], { lenient: false });
  const sorted = [...events].sort(compareEvents);
  let next = 0;
  let replayed = options.fromMs;
  const post = async (batch: TimingEvent[]): Promise<void> => {
    if (batch.length === 0) return;
    const response = await app.inject({
      method: 'POST',
      url: `/api/races/${options.race}/events`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify(batch),
    });
    if (response.statusCode >= 300) throw new Error(`ingest: HTTP ${response.statusCode} ${response.body.slice(0, 300)}`);
  };
  const due = (t: number): TimingEvent[] => {
    const start = next;
    while (next < sorted.length && eventTimeMs(sorted[next]!) <= t) next++;
    return sorted.slice(start, next);
  };
  await post(due(options.fromMs));

  const startedAt = Date.now();
  let stopped = false;
  let ticking: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    ticking = ticking.then(async () => {
      if (stopped) return;
      replayed = options.fromMs + (Date.now() - startedAt) * options.speed;
      await post(due(replayed));
    });
  }, options.tickMs ?? 250);

  return {
    origin,
    race: options.race,
    app,
    replayedMs: () => replayed,
    async reach(t: number) {
      while (replayed < t) await new Promise((r) => setTimeout(r, 100));
      await ticking;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await ticking.catch(() => undefined);
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ServeProcess {
  origin: string;
  /** Where the web app is served: `${origin}/timing/` next to the news site. */
  appUrl: string;
  race: string;
  stop(): Promise<void>;
}

/**
 * `node bin/sarthe.js serve --port 0 --db <tmp> --replay <file> --speed <x>
 * --from <t>`; resolves once it listens and the replay has stored `fromMs`.
 */
export async function serveReplay(options: { root: string; file: string; race: string; fromMs: number; speed: number }): Promise<ServeProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'sarthe-serve-'));
  const child = spawn(
    process.execPath,
    [
      join(options.root, 'bin', 'sarthe.js'),
      'serve',
      '--port', '0',
      '--host', '127.0.0.1',
      '--db', join(dir, 'sarthe.db'),
      '--replay', options.file,
      '--race', options.race,
      '--speed', String(options.speed),
      '--from', `${options.fromMs / 1000}s`,
      '--log-level', 'info',
    ],
    { cwd: options.root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SARTHE_INGEST_TOKEN: '' } },
  );
  // Never outlive the test or bench that started it.
  const orphanGuard = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', orphanGuard);
  const stop = async (): Promise<void> => {
    process.off('exit', orphanGuard);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const origin = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`sarthe serve did not start in 30 s:\n${log}`)), 30_000);
    child.once('exit', (code) => fail(new Error(`sarthe serve exited (${code}):\n${log}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /Sarthe listening on (http:\/\/[^\s"]+)/.exec(log);
      if (match !== null) {
        clearTimeout(timer);
        done(match[1]!.replace(/\s*\(.*$/, ''));
      }
    });
  });
  try {
    // Wait for the events before `fromMs` to be stored.
    for (let i = 0; ; i++) {
      const response = await fetch(`${origin}/api/races`).catch(() => null);
      const body = response?.ok ? ((await response.json()) as { races: Array<{ id: string; raceTimeMs: number }> }) : null;
      if ((body?.races.find((r) => r.id === options.race)?.raceTimeMs ?? 0) >= options.fromMs - 60_000) break;
      if (i > 300) throw new Error(`the replay did not reach ${options.fromMs} ms:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, appUrl: `${origin}/timing/`, race: options.race, stop };
}
