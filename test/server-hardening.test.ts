/**
 * Issue 13, server side, at the level where each happens (real HTTP on
 * loopback, or the push class on a fake socket): a token checked before a
 * body is read, per-route body limits, request/head/idle timeouts and the
 * connection cap, catch-up bounded under backpressure, SSE ids with an epoch,
 * security headers and trustProxy. The whole server process under abuse:
 * server-abuse.test.ts.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { MemoryBus } from '../src/bus/memory/index.js';
import { eventKey, type TimingEvent } from '../src/model/events.js';
import { loadWaitMs } from '../src/server/app.js';
import { HSTS } from '../src/server/limits.js';
import { LivePush, parseEventId } from '../src/server/live-push.js';
import { LiveRace, raceEpoch } from '../src/server/live-race.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { entry, lap, session } from './helpers.js';
import { post, testServer, TOKEN } from './server-helpers.js';
import { siteServer } from './site-helpers.js';

const start: TimingEvent[] = [session(), entry('1', 'A'), entry('2', 'A')];
const lapBatch = (n: number): TimingEvent[] => [lap('1', n, n * 100_000), lap('2', n, n * 100_000 + 500)];

async function listening(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as { port: number }).port;
}

/** A raw loopback connection that records what the server sends and when it closes. */
class RawClient {
  readonly socket: Socket;
  received = '';
  readonly closed: Promise<number>;
  private readonly opened = performance.now();

  constructor(port: number) {
    this.socket = connect({ port, host: '127.0.0.1' });
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => (this.received += chunk));
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve(performance.now() - this.opened)));
  }

  write(text: string): boolean {
    return this.socket.destroyed ? false : this.socket.write(text);
  }

  get status(): number | null {
    const m = /^HTTP\/1\.1 (\d{3})/.exec(this.received);
    return m === null ? null : Number(m[1]);
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('ingest: the token is checked before the body is read', () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    app = await testServer({ ingest: { bodyLimit: 2 * 1024 * 1024, importBodyLimit: 256 * 1024 } });
    port = await listening(app);
  });
  after(() => app.close());

  for (const [route, auth] of [
    ['events', ''],
    ['import', ''],
    ['events', 'Authorization: Bearer wrong\r\n'],
  ] as const) {
    it(`a 57 MB POST /${route} ${auth === '' ? 'without a token' : 'with a wrong token'} is refused from its head, and its connection closed after a short linger`, async () => {
      const client = new RawClient(port);
      // The head announces 57 MB; only 1 KB of it is ever sent.
      client.write(`POST /api/races/r/${route} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: ${57 * 1024 * 1024}\r\n\r\n[`);
      client.write('{"type":"lap"},'.repeat(64));
      await within(client.closed, 3000, 'the connection was not closed');
      assert.equal(client.status, 401, client.received);
      assert.match(client.received, /www-authenticate: Bearer/i);
    });
  }

  it('each ingest route has its own body limit, told before the body is read', async () => {
    // Events: 2 MB here; import: 256 KB; any other route: the server's 1 MiB.
    const big = JSON.stringify(Array.from({ length: 6000 }, (_, i) => lap('7', i + 1, (i + 1) * 100_000)));
    assert.ok(big.length > 1024 * 1024 && big.length < 2 * 1024 * 1024, `${big.length} bytes`);
    assert.equal((await post(app, 'big', big.length > 0 ? JSON.parse(big) : [])).statusCode, 200, 'a 1.5 MB batch fits the events limit');
    const client = new RawClient(port);
    client.write(`POST /api/races/r/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: text/csv\r\nContent-Length: ${300 * 1024}\r\n\r\nNUMBER;`);
    await within(client.closed, 3000, 'the import over its limit was not answered');
    assert.equal(client.status, 413, client.received);
    const other = await app.inject({ method: 'POST', url: '/api/races/r/events', headers: { 'content-type': 'application/json' }, payload: '[]' });
    assert.equal(other.statusCode, 401, 'no token: 401 even for a small body');
  });
});

describe('timeouts and the connection cap', () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    app = await testServer({ limits: { headersTimeoutMs: 400, requestTimeoutMs: 800, idleTimeoutMs: 1500, maxConnections: 8 } });
    port = await listening(app);
  });
  after(() => app.close());

  it('a head sent one byte at a time is cut off after the head timeout', async () => {
    const client = new RawClient(port);
    const head = 'GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200);
    let i = 0;
    const drip = setInterval(() => client.write(head[i++ % head.length]!), 50);
    const ms = await within(client.closed, 3000, 'the slow head was never cut off');
    clearInterval(drip);
    assert.ok(ms >= 350 && ms < 2000, `closed after ${Math.round(ms)} ms`);
    assert.match(client.received, /^HTTP\/1\.1 408|^$/, 'a 408, or closed without an answer');
  });

  it('a body sent one byte at a time, with a valid token, is cut off after the request timeout', async () => {
    const client = new RawClient(port);
    client.write(`POST /api/races/slow/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[`);
    const drip = setInterval(() => client.write(' '), 50);
    const ms = await within(client.closed, 3000, 'the slow body was never cut off');
    clearInterval(drip);
    assert.ok(ms >= 700 && ms < 2500, `closed after ${Math.round(ms)} ms`);
    assert.equal(app.sarthe.hub.get('slow'), undefined, 'nothing stored');
  });

  it('past the cap a connection is closed at once; idle ones are closed after the idle timeout, and the server answers again', async () => {
    const idle = Array.from({ length: 8 }, () => new RawClient(port));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const extra = new RawClient(port);
    extra.write('GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n');
    const ms = await within(extra.closed, 1000, 'the connection past the cap was not closed');
    assert.equal(extra.received, '', 'no answer past the cap');
    assert.ok(ms < 1000);
    // Silent connections send no head: the head timeout (or the idle one) closes them.
    await within(Promise.all(idle.map((c) => c.closed)), 3000, 'idle connections were kept');
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    assert.equal(health.status, 200);
  });

  it('a live viewer is not cut off by the request or idle timeouts: heartbeats keep it open', async () => {
    const viewerApp = await testServer({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 500, idleTimeoutMs: 800 }, push: { heartbeatMs: 200 } });
    const viewerPort = await listening(viewerApp);
    await post(viewerApp, 'r', start);
    const client = new RawClient(viewerPort);
    client.write('GET /api/races/r/live HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(client.socket.destroyed, false, 'still connected after 2 s, past every timeout');
    assert.match(client.received, /event: snapshot/);
    assert.ok(client.received.split(':\n\n').length > 5, 'heartbeats arrived');
    client.socket.destroy();
    await viewerApp.close();
  });
});

describe('security headers and trustProxy', () => {
  it('CSP, X-Frame-Options and nosniff on the API, its docs, the web app and the site; HSTS only over HTTPS', async () => {
    const app = await siteServer();
    for (const url of ['/api/health', '/api/docs', '/api/docs/static/index.html', '/timing/', '/', '/login']) {
      const response = await app.inject({ method: 'GET', url });
      assert.ok(response.statusCode < 400, `${url}: ${response.statusCode}`);
      const csp = String(response.headers['content-security-policy'] ?? '');
      assert.match(csp, /default-src 'self'/, `${url} has a CSP`);
      assert.match(csp, /frame-ancestors 'self'/, `${url} may not be framed by another site`);
      assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/, `${url} runs no inline script`);
      assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN', url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(response.headers['strict-transport-security'], undefined, `${url}: no HSTS over plain HTTP`);
    }
    const forged = await app.inject({ method: 'GET', url: '/api/health', headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(forged.headers['strict-transport-security'], undefined, 'X-Forwarded-Proto is not believed without trustProxy');
    await app.close();
  });

  it('behind a trusted proxy, HTTPS requests get HSTS and Secure cookies; plain ones neither', async () => {
    const app = await siteServer({}, { limits: { trustProxy: '127.0.0.1' } });
    const https = await app.inject({ method: 'GET', url: '/login', headers: { 'x-forwarded-proto': 'https' }, remoteAddress: '127.0.0.1' });
    assert.equal(https.headers['strict-transport-security'], HSTS);
    const cookies = [https.headers['set-cookie'] ?? []].flat();
    assert.ok(cookies.length > 0, 'the log-in form sets its CSRF cookie');
    for (const cookie of cookies) assert.match(cookie, /;\s*Secure/i, cookie);
    const plain = await app.inject({ method: 'GET', url: '/login', remoteAddress: '127.0.0.1' });
    assert.equal(plain.headers['strict-transport-security'], undefined);
    for (const cookie of [plain.headers['set-cookie'] ?? []].flat()) assert.doesNotMatch(cookie, /;\s*Secure/i, cookie);
    // A client that is not the proxy cannot claim HTTPS.
    const spoofed = await app.inject({ method: 'GET', url: '/login', headers: { 'x-forwarded-proto': 'https' }, remoteAddress: '203.0.113.9' });
    assert.equal(spoofed.headers['strict-transport-security'], undefined);
    await app.close();
  });
});

const silentLog = { debug: () => undefined, info: () => undefined } as unknown as FastifyBaseLogger;

/** A socket that takes writes until its buffer is "full", then waits for the test to drain it. */
class FakeSocket extends EventEmitter {
  written: string[] = [];
  writableLength = 0;
  destroyed = false;
  constructor(private readonly highWater: number) {
    super();
  }
  write(bytes: Buffer) {
    this.written.push(bytes.toString());
    this.writableLength += bytes.length;
    return this.writableLength < this.highWater;
  }
  drain() {
    this.writableLength = 0;
    this.emit('drain');
  }
  end() {
    this.emit('close');
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}

function raceWithCommits(commits: number, epoch = 'abcd0123'): LiveRace {
  const race = new LiveRace('r');
  race.epoch = epoch;
  race.applyCommit(3, start);
  for (let n = 1; n <= commits; n++) race.applyCommit(3 + 2 * n, lapBatch(n));
  return race;
}

const frames = (socket: FakeSocket) => socket.written.join('').match(/^event: \w+$/gm) ?? [];

describe('live catch-up is bounded before a viewer proves it reads', () => {
  it('missed deltas are written one frame per drain, never all at once', () => {
    const race = raceWithCommits(30);
    const push = new LivePush(new MemoryBus(), silentLog, { heartbeatMs: 60_000 });
    // Behind by 3 deltas: lighter than the snapshot, so deltas.
    const socket = new FakeSocket(1);
    push.attach(race, socket, { seq: race.seq - 6, epoch: race.epoch });
    assert.deepEqual(frames(socket), ['event: delta'], 'one delta, then it waits for the socket to drain');
    socket.drain();
    socket.drain();
    assert.deepEqual(frames(socket), ['event: delta', 'event: delta', 'event: delta']);
    assert.match(socket.written.at(-1)!, new RegExp(`^id: ${race.seq}-${race.epoch}\n`));
    // Caught up: the next delta comes from the bus as for any viewer.
    push.closeAll();
  });

  it('a viewer whose missed deltas weigh more than a snapshot gets the snapshot', () => {
    const race = raceWithCommits(200);
    const push = new LivePush(new MemoryBus(), silentLog, { heartbeatMs: 60_000 });
    const socket = new FakeSocket(1 << 30);
    push.attach(race, socket, { seq: 5, epoch: race.epoch });
    assert.deepEqual(frames(socket), ['event: snapshot']);
    assert.equal(push.catchUpSnapshots, 1);
    const bytes = socket.written.join('').length;
    assert.ok(bytes < race.snapshotData().length + 1000, `${bytes} bytes written for a ${race.snapshotData().length}-byte snapshot`);
    push.closeAll();
  });

  it('a catching-up viewer that never drains is dropped after stallMs', async () => {
    const race = raceWithCommits(10);
    const push = new LivePush(new MemoryBus(), silentLog, { heartbeatMs: 60_000, stallMs: 50 });
    const socket = new FakeSocket(1);
    push.attach(race, socket, { seq: race.seq - 4, epoch: race.epoch });
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(socket.destroyed, true);
    assert.equal(push.dropped, 1);
    assert.equal(push.viewers, 0);
    push.closeAll();
  });

  it('live deltas published while a viewer catches up reach it once, in order', () => {
    const bus = new MemoryBus();
    const race = raceWithCommits(5);
    const push = new LivePush(bus, silentLog, { heartbeatMs: 60_000 });
    const socket = new FakeSocket(1);
    push.attach(race, socket, { seq: race.seq - 4, epoch: race.epoch });
    for (let n = 6; n <= 8; n++) bus.publish({ race: 'r', ...race.applyCommit(3 + 2 * n, lapBatch(n)) });
    for (let i = 0; i < 10; i++) socket.drain();
    const ids = socket.written.join('').match(/^id: \d+/gm)!.map((line) => Number(line.slice(4)));
    assert.deepEqual(ids, [11, 13, 15, 17, 19]);
    bus.publish({ race: 'r', ...race.applyCommit(21, lapBatch(9)) });
    assert.match(socket.written.at(-1)!, /^id: 21-/);
    push.closeAll();
  });
});

describe('SSE ids carry the race epoch', () => {
  it('reads <seq>-<epoch> and a bare <seq>; refuses the rest', () => {
    assert.deepEqual(parseEventId('42-abcd0123'), { seq: 42, epoch: 'abcd0123' });
    assert.deepEqual(parseEventId(' 42 '), { seq: 42, epoch: null });
    for (const bad of ['', 'x', '42-', '-1', '42-XYZ', '1'.repeat(16), undefined]) assert.equal(parseEventId(bad), null, String(bad));
  });

  it('an id of another epoch (another race, a reset store) or without one gets a snapshot, never deltas', () => {
    const race = raceWithCommits(30);
    const push = new LivePush(new MemoryBus(), silentLog, { heartbeatMs: 60_000 });
    for (const id of [{ seq: race.seq - 2, epoch: 'ffff0000' }, { seq: race.seq - 2, epoch: null }]) {
      const socket = new FakeSocket(1 << 30);
      push.attach(race, socket, id);
      assert.deepEqual(frames(socket), ['event: snapshot'], JSON.stringify(id));
    }
    push.closeAll();
  });

  it('the epoch survives a restart on the same store and changes when the store is reset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-epoch-'));
    try {
      const epochOf = async (file: string, ingest: boolean) => {
        const app = await testServer({ store: new SqliteEventStore({ file }) });
        if (ingest) assert.equal((await post(app, 'r', start)).statusCode, 200);
        const epoch = app.sarthe.hub.get('r')!.epoch;
        const stored = await app.sarthe.hub.store.race('r');
        await app.close();
        return { epoch, created: stored!.createdAtMs };
      };
      const first = await epochOf(join(dir, 'a.db'), true);
      assert.match(first.epoch, /^[0-9a-f]{8}$/);
      assert.equal(first.epoch, raceEpoch('r', first.created));
      assert.equal((await epochOf(join(dir, 'a.db'), false)).epoch, first.epoch, 'same after a restart');
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.notEqual((await epochOf(join(dir, 'b.db'), true)).epoch, first.epoch, 'a new store: a new epoch');
      assert.notEqual(raceEpoch('other', first.created), first.epoch, 'another race: another epoch');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loading the store after listening', () => {
  it('a race request made while the store loads waits for it, and /api/health answers at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-load-'));
    try {
      const file = join(dir, 'store.db');
      const seed = await testServer({ store: new SqliteEventStore({ file }) });
      const events: TimingEvent[] = [...start];
      for (let n = 1; n <= 1500; n++) events.push(...lapBatch(n));
      for (let i = 0; i < events.length; i += 20) await post(seed, 'r', events.slice(i, i + 20));
      await seed.close();
      const app = await testServer({ store: new SqliteEventStore({ file }), loadAfterListen: true });
      assert.equal(app.sarthe.hub.loading, true, 'nothing loaded before listen');
      const port = await listening(app);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      assert.equal(health.status, 200);
      const race = await fetch(`http://127.0.0.1:${port}/api/races/r`);
      assert.equal(race.status, 200, 'the race request waited for the load, no 404');
      assert.equal(((await race.json()) as { seq: number }).seq, events.length);
      await app.sarthe.loaded;
      await app.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a load longer than the idle timeout answers 503 with Retry-After before the connection is cut, then the race', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    await store.append('r', start.map((event) => ({ key: eventKey(event), event, revisable: true })));
    // The load is held until the test lets it go: a heavy store on a busy machine.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const races = store.races.bind(store);
    store.races = async () => {
      await gate;
      return races();
    };
    const idleTimeoutMs = 600;
    const app = await testServer({ store, loadAfterListen: true, limits: { idleTimeoutMs } });
    try {
      const port = await listening(app);
      const asked = performance.now();
      // Before this fix the request waited 10 s for the load and the idle timeout cut it: "fetch failed".
      const waiting = await fetch(`http://127.0.0.1:${port}/api/races/r`);
      const waitedMs = performance.now() - asked;
      assert.equal(waiting.status, 503, await waiting.text());
      assert.equal(waiting.headers.get('retry-after'), '5');
      assert.ok(waitedMs >= loadWaitMs(idleTimeoutMs) - 20 && waitedMs < idleTimeoutMs, `answered after ${Math.round(waitedMs)} ms`);
      assert.equal(app.sarthe.hub.loading, true);
      release();
      await app.sarthe.loaded;
      const race = await fetch(`http://127.0.0.1:${port}/api/races/r`);
      assert.equal(race.status, 200);
      assert.equal(((await race.json()) as { events: number }).events, start.length);
    } finally {
      release();
      await app.close();
    }
  });
});
