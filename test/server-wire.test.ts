import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EventEmitter } from 'node:events';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import type { FastifyBaseLogger } from 'fastify';
import { MemoryBus } from '../src/bus/memory/index.js';
import { frame, LivePush } from '../src/server/live-push.js';
import { LiveRace } from '../src/server/live-race.js';
import type { FastifyInstance } from 'fastify';
import type { TimingEvent } from '../src/model/events.js';
import type { LiveDelta, LiveSnapshot } from '../src/model/live.js';
import { applyDelta } from '../src/engine/delta.js';
import { MESSAGE_LIMIT } from '../src/server/live-race.js';
import { ASSET_CACHE_CONTROL, cacheControlFor, FINAL_MAX_AGE_S, FINAL_QUIET_MS, SSE_DICTIONARY_BYTES, sseEncoding } from '../src/server/wire.js';
import { entry, lap, session } from './helpers.js';
import { freshSnapshot, post, SseParser, testServer, type SseMessage } from './server-helpers.js';

async function listening(options: Parameters<typeof testServer>[0] = {}): Promise<{ app: FastifyInstance; base: string }> {
  const app = await testServer(options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

const MIN = 60_000;
/** Three cars lapping every 2 minutes up to `untilMs` of race time. */
function race(untilMs: number): TimingEvent[] {
  const events: TimingEvent[] = [session(), entry('1', 'A'), entry('2', 'A'), entry('3', 'B')];
  for (let n = 1; n * 2 * MIN <= untilMs; n++) {
    for (const [i, car] of ['1', '2', '3'].entries()) events.push(lap(car, n, n * 2 * MIN - 3000 + i * 1000, { lapMs: n === 1 ? 2 * MIN - 3000 + i * 1000 : 2 * MIN }));
  }
  return events;
}

/** A real HTTP GET: status, headers and the body as sent (not decoded). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

/**
 * A shared cache that does what the headers allow (RFC 9111): serves a
 * stored answer without asking while it is fresh (`max-age`, not
 * `no-cache`/`no-store`), else revalidates it with If-None-Match and keeps
 * its body on a 304. What a CDN in front of an edge does.
 */
class HonouringCache {
  private readonly stored = new Map<string, { body: string; headers: IncomingMessage['headers']; storedAtMs: number }>();

  async get(url: string): Promise<{ status: number; headers: IncomingMessage['headers']; body: string; fromCache: 'fresh' | 'revalidated' | 'no' }> {
    const held = this.stored.get(url);
    if (held !== undefined) {
      const control = String(held.headers['cache-control'] ?? '');
      const maxAge = /(?:^|,)\s*max-age=(\d+)/.exec(control);
      const fresh = maxAge !== null && !/no-cache|no-store/.test(control) && Date.now() - held.storedAtMs < Number(maxAge[1]) * 1000;
      if (fresh) return { status: 200, headers: held.headers, body: held.body, fromCache: 'fresh' };
    }
    const answer = await rawGet(url, held?.headers.etag === undefined ? {} : { 'if-none-match': String(held.headers.etag) });
    if (answer.status === 304 && held !== undefined) {
      held.storedAtMs = Date.now();
      return { status: 200, headers: held.headers, body: held.body, fromCache: 'revalidated' };
    }
    const body = answer.body.toString('utf8');
    if (answer.status === 200 && !/no-store|private/.test(String(answer.headers['cache-control'] ?? ''))) this.stored.set(url, { body, headers: answer.headers, storedAtMs: Date.now() });
    return { status: answer.status, headers: answer.headers, body, fromCache: 'no' };
  }
}

/** A live viewer that asks for gzip: messages as decoded, with when each arrived. */
function gzipViewer(base: string, raceId: string, lastEventId: string | null = null) {
  const messages: Array<SseMessage & { atMs: number }> = [];
  let wireBytes = 0;
  let encoding: string | undefined;
  const headers: Record<string, string> = { 'accept-encoding': 'gzip', ...(lastEventId === null ? {} : { 'last-event-id': lastEventId }) };
  const request = httpGet(`${base}/api/races/${raceId}/live`, { headers }, (response) => {
    encoding = response.headers['content-encoding'];
    const parser = new SseParser();
    const gunzip = createGunzip();
    response.on('data', (c: Buffer) => (wireBytes += c.length));
    response.pipe(gunzip);
    gunzip.setEncoding('utf8');
    gunzip.on('data', (text: string) => {
      for (const m of parser.push(text)) messages.push({ ...m, atMs: Date.now() });
    });
    gunzip.on('error', () => undefined);
  });
  request.on('error', () => undefined);
  return {
    messages,
    get encoding() {
      return encoding;
    },
    get wireBytes() {
      return wireBytes;
    },
    close: () => request.destroy(),
    /** The snapshot and every delta after it, applied; `before`: what a reconnecting viewer had already read. */
    state(before: SseMessage[] = []): LiveSnapshot {
      const all = [...before, ...messages];
      let state = JSON.parse(all[0]!.data) as LiveSnapshot;
      for (const m of all.slice(1)) if (m.event === 'delta') state = applyDelta(state, JSON.parse(m.data) as LiveDelta, MESSAGE_LIMIT);
      return state;
    },
    async waitFor(count: number, timeoutMs = 5000): Promise<void> {
      const until = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > until) throw new Error(`gzip viewer has ${messages.length} messages, waiting for ${count}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

describe('the wire: compression', () => {
  it('gzips the live stream when asked, and each delta arrives decodable at once (flushed per message)', async () => {
    const { app, base } = await listening();
    await post(app, 'r', race(20 * MIN));
    const viewer = gzipViewer(base, 'r');
    try {
      await viewer.waitFor(1);
      assert.equal(viewer.encoding, 'gzip');
      assert.equal(viewer.messages[0]!.event, 'snapshot');
      // Deltas are a few hundred bytes: without a flush per message zlib would hold them (it emits 16 KB blocks).
      for (let n = 11; n <= 15; n++) {
        const sentAt = Date.now();
        assert.equal((await post(app, 'r', ['1', '2', '3'].map((car, i) => lap(car, n, n * 2 * MIN - 3000 + i * 1000, { lapMs: 2 * MIN })))).statusCode, 200);
        await viewer.waitFor(n - 9, 2000);
        const delta = viewer.messages.at(-1)!;
        assert.equal(delta.event, 'delta');
        assert.ok(delta.atMs - sentAt < 500, `delta of lap ${n} took ${delta.atMs - sentAt} ms`);
      }
      // The decoded stream ends in the state a fresh (uncompressed) viewer gets.
      const fresh = await freshSnapshot(base, 'r');
      assert.deepStrictEqual(viewer.state(), fresh);
      assert.ok(viewer.wireBytes < JSON.stringify(fresh).length, `${viewer.wireBytes} bytes on the wire for a ${JSON.stringify(fresh).length}-byte snapshot and 5 deltas`);
    } finally {
      viewer.close();
      await app.close();
    }
  });

  it('a gzip viewer that joins late, or catches up with Last-Event-ID, decodes the same state as one there from the start', async () => {
    const { app, base } = await listening();
    await post(app, 'r', race(20 * MIN));
    const early = gzipViewer(base, 'r');
    const viewers = [early];
    try {
      await early.waitFor(1);
      // 60 commits: more than the race's gzip tail (SSE_DICTIONARY_BYTES) of broadcast bytes after the late viewers join.
      for (let n = 11; n <= 70; n++) {
        await post(app, 'r', ['1', '2', '3'].map((car, i) => lap(car, n, n * 2 * MIN - 3000 + i * 1000, { lapMs: 2 * MIN - (n % 7) * 100 * i })));
        if (n === 30) {
          await early.waitFor(21);
          viewers.push(gzipViewer(base, 'r'));
          // Reconnects from a delta two commits back: the missed deltas, each compressed on its own, then the broadcast.
          viewers.push(gzipViewer(base, 'r', early.messages[18]!.id));
          await Promise.all(viewers.slice(1).map((v) => v.waitFor(1)));
        }
      }
      const fresh = await freshSnapshot(base, 'r');
      await early.waitFor(61);
      for (const [i, viewer] of viewers.entries()) {
        const until = Date.now() + 5000;
        while (viewer.messages.at(-1)?.id?.split('-')[0] !== String(fresh.seq) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
        assert.deepStrictEqual(viewer.state(i === 2 ? early.messages.slice(0, 19) : []), fresh, `viewer ${i}`);
      }
      assert.equal(viewers[2]!.messages[0]!.event, 'delta', 'the reconnecting viewer caught up through deltas, not a snapshot');
    } finally {
      for (const v of viewers) v.close();
      await app.close();
    }
  });

  it('sends the live stream uncompressed to a client that does not ask for gzip', async () => {
    const { app, base } = await listening();
    await post(app, 'r', race(10 * MIN));
    const snapshot: LiveSnapshot = await freshSnapshot(base, 'r');
    assert.equal(snapshot.cars.length, 3);
    await app.close();
  });

  it('compresses REST answers by Accept-Encoding, to the same JSON', async () => {
    const { app, base } = await listening();
    await post(app, 'r', race(40 * MIN));
    const plain = await rawGet(`${base}/api/races/r/laps`);
    const gzipped = await rawGet(`${base}/api/races/r/laps`, { 'accept-encoding': 'gzip' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(gzipped.headers['content-encoding'], 'gzip');
    assert.match(String(gzipped.headers.vary), /accept-encoding/i);
    assert.deepEqual(JSON.parse(gunzipSync(gzipped.body).toString('utf8')), JSON.parse(plain.body.toString('utf8')));
    assert.ok(gzipped.body.length * 4 < plain.body.length, `${gzipped.body.length} gzipped bytes for ${plain.body.length}`);
    // Two codings, two strong tags, one hash.
    assert.notEqual(gzipped.headers.etag, plain.headers.etag);
    assert.equal(gzipped.headers.etag, String(plain.headers.etag).replace(/"$/, '-gzip"'));
    await app.close();
  });
});

describe('the wire: Vary', () => {
  /** The Vary header's values, lowercased. */
  const vary = (headers: IncomingMessage['headers']) =>
    String(headers.vary ?? '')
      .split(',')
      .map((v) => v.trim().toLowerCase())
      .filter((v) => v !== '');
  /** The head of a live stream: its headers, then the connection is dropped. */
  const liveHead = (url: string, headers: Record<string, string>) =>
    new Promise<IncomingMessage['headers']>((resolve, reject) => {
      const request = httpGet(url, { headers }, (response) => {
        resolve(response.headers);
        request.destroy();
      });
      request.on('error', reject);
    });

  it('every compressible answer says Vary: accept-encoding, compressed or not, once, next to Origin', async () => {
    const { app, base } = await listening();
    try {
      await post(app, 'r', race(40 * MIN));
      const cases: Array<[string, Record<string, string>, string | undefined]> = [
        // big and asked for: compressed; big and not asked for; small (under the 1 KB threshold) either way; a 304; a 404 problem
        ['/api/races/r/laps', { 'accept-encoding': 'gzip' }, 'gzip'],
        ['/api/races/r/laps', {}, undefined],
        ['/api/races/r/laps', { 'accept-encoding': 'identity' }, undefined],
        ['/api/races/r/laps?format=csv', {}, undefined],
        ['/api/health', { 'accept-encoding': 'gzip' }, undefined],
        ['/api/races/r', {}, undefined],
        ['/api/races/nope/standings', { 'accept-encoding': 'gzip' }, undefined],
      ];
      for (const [path, headers, coding] of cases) {
        const answer = await rawGet(`${base}${path}`, headers);
        assert.equal(answer.headers['content-encoding'], coding, path);
        assert.deepEqual(vary(answer.headers).filter((v) => v === 'accept-encoding'), ['accept-encoding'], `${path} ${JSON.stringify(headers)}: vary ${answer.headers.vary}`);
      }
      const first = await rawGet(`${base}/api/races/r/standings`);
      const notModified = await rawGet(`${base}/api/races/r/standings`, { 'if-none-match': first.headers.etag! });
      assert.equal(notModified.status, 304);
      assert.ok(vary(notModified.headers).includes('accept-encoding'), 'a 304 carries the Vary of the answer it stands for');
      // A browser's cross-origin read: Origin and accept-encoding both kept.
      const cors = await rawGet(`${base}/api/races/r/laps`, { origin: 'https://site.example', 'accept-encoding': 'gzip' });
      assert.ok(vary(cors.headers).includes('accept-encoding') && vary(cors.headers).includes('origin'), `vary ${cors.headers.vary}`);
      for (const headers of [{}, { 'accept-encoding': 'gzip' }] as Array<Record<string, string>>) {
        const head = await liveHead(`${base}/api/races/r/live`, headers);
        assert.equal(head['content-type'], 'text/event-stream; charset=utf-8');
        assert.ok(vary(head).includes('accept-encoding'), `live stream ${JSON.stringify(headers)}: vary ${head.vary}`);
      }
    } finally {
      await app.close();
    }
  });
});

describe('the wire: ETags and cache headers', () => {
  it('answers 304 to a matching If-None-Match, and 200 with a new tag once the answer changed', async () => {
    const { app, base } = await listening();
    await post(app, 'r', race(20 * MIN));
    const first = await rawGet(`${base}/api/races/r/standings`);
    assert.equal(first.status, 200);
    assert.match(String(first.headers.etag), /^"[A-Za-z0-9_-]{27}"$/);
    const again = await rawGet(`${base}/api/races/r/standings`, { 'if-none-match': first.headers.etag! });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, first.headers.etag);
    // A tag the client got gzipped matches the same body too, for a request that accepts gzip;
    // not for one that does not, since a cache would hand it the stored gzip bytes (review of issue 14).
    const gzTag = String(first.headers.etag).replace(/"$/, '-gzip"');
    const gzipped = await rawGet(`${base}/api/races/r/standings`, { 'if-none-match': `"nope", ${gzTag}`, 'accept-encoding': 'br, gzip' });
    assert.deepEqual([gzipped.status, gzipped.headers.etag], [304, gzTag]);
    for (const acceptEncoding of ['identity', 'br', 'gzip;q=0, br']) {
      const other = await rawGet(`${base}/api/races/r/standings`, { 'if-none-match': gzTag, 'accept-encoding': acceptEncoding });
      assert.equal(other.status, 200, `Accept-Encoding: ${acceptEncoding}`);
    }
    await post(app, 'r', ['1', '2', '3'].map((car, i) => lap(car, 11, 22 * MIN - 3000 + i * 1000, { lapMs: 2 * MIN })));
    const changed = await rawGet(`${base}/api/races/r/standings`, { 'if-none-match': first.headers.etag! });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.etag, first.headers.etag);
    await app.close();
  });

  it('a live race: every answer, past instants included, is no-cache with an ETag, so a late correction to a past instant reaches a client that honours the headers', async () => {
    const { app, base } = await listening();
    try {
      // Head at 64 min: 20 min is 44 min of race time behind it, hour 1 is done (the first version cached both for an hour).
      await post(app, 'r', race(64 * MIN));
      const cache = new HonouringCache();
      const paths = ['standings?at=20m', 'cars/1?at=20m', 'history?at=20m', 'reports/1?format=md', 'facts?hour=1', 'standings'];
      for (const path of paths) {
        const answer = await cache.get(`${base}/api/races/r/${path}`);
        assert.equal(answer.status, 200, path);
        assert.equal(answer.headers['cache-control'], 'no-cache', path);
        assert.match(String(answer.headers.etag), /^"/, path);
        assert.ok(answer.body.includes('Team 1'), path);
      }
      for (const path of ['/api/races', '/api/races/r', '/api/races/r/events']) {
        assert.equal((await rawGet(`${base}${path}`)).headers['cache-control'], 'no-cache', path);
      }
      // Errors are never stored: a 404 for a race that does not exist yet (heuristically cacheable otherwise), a 400.
      for (const [path, status] of [['/api/races/not-yet/standings', 404], ['/api/nowhere', 404], ['/api/races/r/standings?at=banana', 400]] as const) {
        const answer = await rawGet(`${base}${path}`);
        assert.equal(answer.status, status, path);
        assert.equal(answer.headers['cache-control'], 'no-store', path);
      }
      // Unchanged: the cache revalidates and the edge answers 304.
      assert.equal((await cache.get(`${base}/api/races/r/standings?at=20m`)).fromCache, 'revalidated');
      // A late correction: car 1's entry gets its real team name; it holds at every instant, 20 min included.
      assert.equal((await post(app, 'r', [entry('1', 'A', { team: 'Team Corrected' })])).statusCode, 200);
      for (const path of paths) {
        const answer = await cache.get(`${base}/api/races/r/${path}`);
        assert.equal(answer.fromCache, 'no', `${path}: a new body, not the stored one`);
        assert.ok(answer.body.includes('Team Corrected') && !answer.body.includes('"Team 1"'), `${path} shows the correction`);
      }
    } finally {
      await app.close();
    }
  });

  it('a finished race, quiet for FINAL_QUIET_MS: its answers are public for FINAL_MAX_AGE_S; before the quiet, and before the flag, no-cache', async () => {
    const { app, base } = await listening();
    try {
      // A one-hour race: the leader's first crossing after 60 min is the chequered flag.
      await post(app, 'r', [session({ scheduledDurationMs: 60 * MIN }), ...race(64 * MIN).slice(1)]);
      const live = app.sarthe.hub.get('r')!;
      assert.notEqual(live.timeline.chequeredMs(), null, 'the flag has fallen');
      const paths = ['standings?at=20m', 'messages?at=20m', 'laps', 'reports/1?format=md', 'facts?hour=1', 'standings'];
      for (const path of paths) assert.equal((await rawGet(`${base}/api/races/r/${path}`)).headers['cache-control'], 'no-cache', `${path}: just finished`);
      // Half an hour later with nothing new (the last commit's clock moved back rather than the test waiting).
      live.lastCommitAtMs = Date.now() - FINAL_QUIET_MS;
      for (const path of paths) {
        const answer = await rawGet(`${base}/api/races/r/${path}`);
        assert.equal(answer.status, 200, path);
        assert.equal(answer.headers['cache-control'], `public, max-age=${FINAL_MAX_AGE_S}`, path);
        assert.match(String(answer.headers.etag), /^"/, path);
      }
      assert.equal((await rawGet(`${base}/api/races`)).headers['cache-control'], 'no-cache', 'the race list is never final');
      // A post-race decision is a commit: no-cache again until the race is quiet once more.
      await post(app, 'r', [entry('1', 'A', { team: 'Team Corrected' })]);
      assert.equal((await rawGet(`${base}/api/races/r/standings?at=20m`)).headers['cache-control'], 'no-cache');
      // A race without a flag (the 6-hour session of race()) is never final, however quiet.
      await post(app, 'six', race(64 * MIN));
      app.sarthe.hub.get('six')!.lastCommitAtMs = 0;
      assert.equal((await rawGet(`${base}/api/races/six/standings?at=20m`)).headers['cache-control'], 'no-cache');
    } finally {
      await app.close();
    }
  });

  it('cacheControlFor: final only with the flag fallen and FINAL_QUIET_MS without a commit', () => {
    const now = 1_800_000_000_000;
    assert.equal(cacheControlFor(null, now), 'no-cache');
    assert.equal(cacheControlFor({ chequeredMs: null, lastCommitAtMs: 0 }, now), 'no-cache');
    assert.equal(cacheControlFor({ chequeredMs: 86_400_000, lastCommitAtMs: now - FINAL_QUIET_MS + 1 }, now), 'no-cache');
    assert.equal(cacheControlFor({ chequeredMs: 86_400_000, lastCommitAtMs: now - FINAL_QUIET_MS }, now), `public, max-age=${FINAL_MAX_AGE_S}`);
  });

  it('marks hashed build assets immutable, and not the page that names them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sarthe-wire-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><script src="./assets/main-Cw4i17fR.js"></script>');
    writeFileSync(join(root, 'assets', 'main-Cw4i17fR.js'), 'console.log("timing");\n'.repeat(100));
    writeFileSync(join(root, 'assets', 'notes.js'), 'console.log(1);');
    const { app, base } = await listening({ webRoot: root });
    const asset = await rawGet(`${base}/assets/main-Cw4i17fR.js`, { 'accept-encoding': 'gzip' });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers['cache-control'], ASSET_CACHE_CONTROL);
    assert.equal(asset.headers['content-encoding'], 'gzip');
    const page = await rawGet(`${base}/`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(String(page.headers['cache-control']), /immutable/);
    assert.doesNotMatch(String((await rawGet(`${base}/assets/notes.js`)).headers['cache-control']), /immutable/);
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });
});

describe('the app page', () => {
  it('carries the race list and the newest race\'s snapshot, and the stream carries on from its id with deltas (first paint)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sarthe-boot-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><head><link rel="preload" href="/api/races" as="fetch" crossorigin="anonymous" /></head><div id="app"></div>');
    const { app, base } = await listening({ webRoot: root });
    try {
      await post(app, 'r', race(20 * MIN));
      const page = await rawGet(`${base}/`);
      assert.equal(page.status, 200);
      assert.equal(page.headers['cache-control'], 'no-cache', 'a page with live data is never cached');
      const match = /<script id="sarthe-boot" type="application\/json">(.*?)<\/script>/s.exec(page.body.toString('utf8'));
      assert.ok(match, 'boot data in the page');
      assert.doesNotMatch(page.body.toString('utf8'), /rel="preload"/, 'the race list preload is replaced, not fetched twice');
      assert.doesNotMatch(match[1]!, /[<>&]/, 'nothing in the JSON can close the script');
      const boot = JSON.parse(match[1]!) as { races: unknown[]; live: { race: string; eventId: string; snapshot: LiveSnapshot } };
      // Against the API's own answers: the race list, and the stream's first event.
      assert.deepEqual(boot.races, ((await (await fetch(`${base}/api/races`)).json()) as { races: unknown[] }).races);
      const fresh = await freshSnapshot(base, 'r');
      assert.equal(boot.live.race, 'r');
      assert.deepEqual(boot.live.snapshot, fresh);
      assert.match(boot.live.eventId, new RegExp(`^${fresh.seq}-[0-9a-f]{8}$`));

      // The app connects with ?lastEventId=: the next commit comes as a delta on top of the page's snapshot.
      const first = new Promise<SseMessage>((resolve, reject) => {
        const parser = new SseParser();
        const request = httpGet(`${base}/api/races/r/live?lastEventId=${encodeURIComponent(boot.live.eventId)}`, (response) => {
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            const [message] = parser.push(chunk);
            if (message !== undefined) {
              request.destroy();
              resolve(message);
            }
          });
        });
        request.on('error', reject);
      });
      await new Promise((r) => setTimeout(r, 100));
      await post(app, 'r', [lap('1', 11, 22 * MIN - 3000, { lapMs: 2 * MIN })]);
      const message = await first;
      assert.equal(message.event, 'delta');
      assert.equal((JSON.parse(message.data) as LiveDelta).previousSeq, fresh.seq);
    } finally {
      await app.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** A socket that keeps what is written, as Buffers. */
class RecordingSocket extends EventEmitter {
  written: Buffer[] = [];
  writableLength = 0;
  destroyed = false;
  write(bytes: Buffer) {
    this.written.push(bytes);
    return true;
  }
  end() {
    this.emit('close');
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
  /** The body after the HTTP head, gunzipped (a live stream has no trailer). */
  decoded(): string {
    const all = Buffer.concat(this.written);
    const body = all.subarray(all.indexOf('\r\n\r\n') + 4);
    return gunzipSync(body, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8');
  }
}

describe('the wire: the live stream is compressed once per race', () => {
  it('gives every gzip viewer that holds the race tail the same piece, and a late one its own until it does', () => {
    const bus = new MemoryBus();
    const push = new LivePush(bus, { debug: () => undefined } as unknown as FastifyBaseLogger, { heartbeatMs: 60_000 });
    const live = new LiveRace('r');
    const start = race(0);
    live.applyCommit(start.length, start);
    const [a, b, late] = [new RecordingSocket(), new RecordingSocket(), new RecordingSocket()];
    push.attach(live, a, null, '', 'gzip');
    push.attach(live, b, null, '', 'gzip');
    let seq = start.length;
    let broadcastBytes = 0;
    const commit = (n: number) => {
      seq += 3;
      const delta = live.applyCommit(seq, ['1', '2', '3'].map((car, i) => lap(car, n, n * 2 * MIN + i * 1000, { lapMs: n === 1 ? 2 * MIN + i * 1000 : 2 * MIN - (n % 5) * 100 * i })));
      bus.publish({ race: 'r', ...delta });
      return Buffer.byteLength(frame('delta', delta.seq, live.epoch, delta.data));
    };
    for (let n = 1; n <= 10; n++) commit(n);
    // The same Buffer object: compressed once, written to both.
    assert.equal(a.written.at(-1), b.written.at(-1));
    push.attach(live, late, null, '', 'gzip');
    const lateStart = late.written.length;
    let n = 11;
    for (; broadcastBytes <= SSE_DICTIONARY_BYTES; n++) {
      const before = a.written.length;
      broadcastBytes += commit(n);
      assert.equal(a.written.length, before + 1);
      if (n === 11) assert.notEqual(late.written.at(-1), a.written.at(-1), 'a viewer that joined now cannot decode a piece compressed against bytes it never had');
    }
    commit(n);
    assert.equal(late.written.at(-1), a.written.at(-1), 'once it decoded a whole tail, the late viewer shares the pieces');
    assert.ok(late.written.length > lateStart);
    // Every one of them decodes to the same frames a plain viewer reads.
    const plain = new RecordingSocket();
    push.attach(live, plain, null, '');
    const snapshot = plain.written.map((w) => w.toString('utf8')).join('').split('\r\n\r\n')[1]!;
    for (const viewer of [a, b, late]) {
      const text = viewer.decoded();
      const lastFrame = text.slice(text.lastIndexOf('id: '));
      assert.equal(lastFrame.split('\n')[0], snapshot.slice(snapshot.indexOf('id: ')).split('\n')[0], 'ends at the seq of a fresh snapshot');
    }
    assert.equal(a.decoded(), b.decoded());
    push.closeAll();
  });
});

describe('sseEncoding', () => {
  it('picks gzip when accepted with q > 0, and nothing otherwise', () => {
    assert.equal(sseEncoding('gzip, deflate, br, zstd'), 'gzip');
    assert.equal(sseEncoding('br;q=1.0, gzip;q=0.5'), 'gzip');
    assert.equal(sseEncoding('gzip;q=0'), null);
    assert.equal(sseEncoding('br'), null);
    assert.equal(sseEncoding(undefined), null);
  });
});
