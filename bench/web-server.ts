/**
 * The real server (src/server) on a temporary SQLite store, serving the
 * built web app, with a real race replayed into it "as live" through the
 * ingest API: everything up to `fromMs` at once, then the rest at `speed`×.
 * Shared by the browser tests (test/web-*.test.ts) and bench:web.
 */
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
