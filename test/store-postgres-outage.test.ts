/**
 * Postgres down (issue 14, item 4), with real processes and a real restart:
 * a private PostgreSQL (private-postgres.ts) is crashed (pg_ctl -m immediate)
 * in the middle of an ingest burst to a real `sarthe serve --store …` process.
 * While it is down, ingest answers 503 problem+json with Retry-After at once
 * (no hang, no crash) and /api/ready is not ready; when it is back the server
 * recovers by itself (its pool reconnects), the sender's resends complete,
 * and the store holds every acknowledged event exactly once, gap-free, with
 * the live state equal to the store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { TimingEvent } from '../src/model/events.js';
import { entry, lap, session } from './helpers.js';
import { privatePostgresProblem, startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';
import { startServerProcess, stopServerProcess, type ServerProcess } from './server-process.js';

const TOKEN = 'outage-token';
const problem = privatePostgresProblem();
const skip = problem === null ? false : process.env.CI === 'true' ? false : `private PostgreSQL impossible here: ${problem}`;

interface Answer {
  status: number;
  ms: number;
  retryAfter: string | null;
  type: string | null;
  body: Record<string, unknown>;
}

async function send(base: string, race: string, events: TimingEvent[]): Promise<Answer> {
  const started = Date.now();
  const response = await fetch(`${base}/api/races/${race}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(events),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, ms: Date.now() - started, retryAfter: response.headers.get('retry-after'), type: response.headers.get('content-type'), body };
}

describe('Postgres restarted under a running ingest process', { skip }, () => {
  let postgres: PrivatePostgres;
  let server: ServerProcess;
  const dir = mkdtempSync(join(tmpdir(), 'sarthe-outage-'));

  before(async () => {
    postgres = await startPrivatePostgres();
    const admin = new pg.Client({ connectionString: postgres.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE sarthe');
    await admin.end();
    server = await startServerProcess({ db: join(dir, 'unused.db'), token: TOKEN, env: { SARTHE_STORE: postgres.url('sarthe') } });
  });

  after(async () => {
    if (server !== undefined) await stopServerProcess(server);
    if (postgres !== undefined) await postgres.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 while it is down, loses nothing acknowledged, doubles nothing, and recovers by itself', async () => {
    const race = 'outage';
    const first = [session(), entry('7', 'LMP1'), entry('8', 'LMP1'), ...Array.from({ length: 50 }, (_, i) => lap('7', i + 1, (i + 1) * 100_000))];
    const opening = await send(server.base, race, first);
    assert.equal(opening.status, 200, JSON.stringify(opening.body));
    assert.equal(opening.body.accepted, 53);

    // The burst: 40 batches of 5 laps, each resent until acknowledged, as a timing feed would.
    const batches = Array.from({ length: 40 }, (_, b) => Array.from({ length: 5 }, (_, i) => lap('8', b * 5 + i + 1, (b * 5 + i + 1) * 100_000)));
    const unavailable: Answer[] = [];
    let acknowledged = 0;
    const deadline = Date.now() + 120_000;
    const burst = (async () => {
      for (const batch of batches) {
        for (;;) {
          assert.ok(Date.now() < deadline, 'the server did not recover within 120 s of the burst starting');
          let answer: Answer;
          try {
            answer = await send(server.base, race, batch);
          } catch (error) {
            assert.fail(`ingest did not answer: ${(error as Error).message} (${String((error as Error).cause)}; server exit ${server.child.exitCode} ${server.child.signalCode})`);
          }
          if (answer.status === 200) {
            acknowledged++;
            break;
          }
          assert.equal(answer.status, 503, JSON.stringify(answer.body));
          unavailable.push(answer);
          await new Promise((r) => setTimeout(r, 200));
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    // Crash Postgres a few batches in; keep it down while the burst runs into it.
    let burstFailed: unknown = null;
    burst.catch((error: unknown) => (burstFailed = error));
    /** Waits for `done`, failing (not hanging) if the burst failed or it takes over 60 s. */
    const waitFor = async (done: () => boolean, what: string) => {
      const until = Date.now() + 60_000;
      while (!done()) {
        if (burstFailed !== null) throw burstFailed;
        assert.ok(Date.now() < until, `waited 60 s for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await waitFor(() => acknowledged >= 5, 'five acknowledged batches');
    await postgres.stop('immediate');
    const downAt = Date.now();
    await waitFor(() => unavailable.length >= 3, 'three 503 answers');
    const ready = await fetch(`${server.base}/api/ready`);
    assert.equal(ready.status, 503, 'not ready while the store does not answer');
    assert.match(JSON.stringify(await ready.json()), /store: the Postgres store does not answer/);
    assert.equal(server.child.exitCode, null, 'the server is still running');
    while (Date.now() - downAt < 3000) await new Promise((r) => setTimeout(r, 100));
    await postgres.start();
    await burst;

    assert.ok(unavailable.length >= 3);
    for (const answer of unavailable) {
      assert.equal(answer.retryAfter, '2');
      assert.match(answer.type ?? '', /^application\/problem\+json/);
      assert.equal(answer.body.status, 503);
      assert.match(String(answer.body.detail), /the event store does not answer/);
      assert.ok(answer.ms < 10_000, `answered in ${answer.ms} ms, not left hanging`);
    }
    assert.equal((await fetch(`${server.base}/api/ready`)).status, 200, 'ready again without a restart');

    // Every acknowledged event, once, gap-free; the live state is the store's.
    const expected = 53 + 200;
    const stored = (await (await fetch(`${server.base}/api/races/${race}/events?limit=10000`)).json()) as { events: Array<{ seq: number; key: string }> };
    assert.deepEqual(stored.events.map((e) => e.seq), Array.from({ length: expected }, (_, i) => i + 1));
    const keys = new Set(stored.events.map((e) => e.key));
    assert.equal(keys.size, expected);
    for (const batch of batches) for (const l of batch) assert.ok(keys.has(`lap:8:${l.type === 'lap' ? l.lap : 0}`));
    const summary = (await (await fetch(`${server.base}/api/races/${race}`)).json()) as { seq: number; events: number };
    assert.deepEqual([summary.seq, summary.events], [expected, expected], 'the live race applied every stored event (commits it never heard back from included)');
    const direct = new pg.Client({ connectionString: postgres.url('sarthe') });
    await direct.connect();
    const { rows } = await direct.query<{ n: string; last: string }>("SELECT count(*) AS n, (SELECT last_seq FROM races WHERE id = 'outage') AS last FROM events WHERE race = 'outage'");
    await direct.end();
    assert.deepEqual([Number(rows[0]!.n), Number(rows[0]!.last)], [expected, expected]);
  });
});
