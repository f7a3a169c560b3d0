import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { MemoryBus } from '../src/bus/memory/index.js';
import { LivePush } from '../src/server/live-push.js';
import { LiveRace } from '../src/server/live-race.js';
import type { TimingEvent } from '../src/model/events.js';
import { entry, lap, session } from './helpers.js';
import { freshSnapshot, LiveViewer, post, testServer } from './server-helpers.js';

async function listening(options: Parameters<typeof testServer>[0] = {}): Promise<{ app: FastifyInstance; base: string }> {
  const app = await testServer(options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

/** Lap `n` of three cars, as one batch. */
function lapBatch(n: number): TimingEvent[] {
  return ['1', '2', '3'].map((car, i) => lap(car, n, n * 100_000 + i * 700, { lapMs: n === 1 ? 100_000 + i * 700 : 100_000 - (n % 3) * 10 * i }));
}

const start: TimingEvent[] = [session(), entry('1', 'A'), entry('2', 'A'), entry('3', 'B')];

describe('live push (SSE)', () => {
  it('sends a snapshot, then one delta per commit with id = seq, ending in the same state as a fresh viewer', async () => {
    const { app, base } = await listening();
    await post(app, 'r', start);
    const viewer = new LiveViewer(base, 'r');
    await viewer.waitForSeq(4);
    for (let n = 1; n <= 10; n++) assert.equal((await post(app, 'r', lapBatch(n))).statusCode, 200);
    await viewer.waitForSeq(34);
    assert.deepEqual(viewer.deltas, [7, 10, 13, 16, 19, 22, 25, 28, 31, 34]);
    assert.equal(viewer.snapshots, 1);
    assert.deepStrictEqual(viewer.state, await freshSnapshot(base, 'r'));
    viewer.close();
    await app.close();
  });

  it('keeps the whole feed for time travel: /messages?at= gives what live viewers had seen by then', async () => {
    const app = await testServer({});
    await post(app, 'r', start);
    // Car 3 pits on lap 3 and leaves the pits during lap 4.
    for (let n = 1; n <= 6; n++) {
      const batch = lapBatch(n).map((e) => (e.type === 'lap' && e.car === '3' && n === 3 ? { ...e, inPit: true } : e));
      await post(app, 'r', batch);
    }
    const all = (await app.inject({ method: 'GET', url: '/api/races/r/messages' })).json();
    assert.ok(all.messages.length > 0);
    assert.ok(all.messages.some((m: { kind: string; car?: string }) => m.kind === 'pit-in' && m.car === '3'));
    const times = all.messages.map((m: { raceTimeMs: number }) => m.raceTimeMs);
    assert.deepEqual(times, [...times].sort((a: number, b: number) => a - b), 'oldest first');
    const early = (await app.inject({ method: 'GET', url: '/api/races/r/messages?at=250s' })).json();
    assert.equal(early.at.raceTimeMs, 250_000);
    assert.ok(early.messages.every((m: { raceTimeMs: number }) => m.raceTimeMs <= 250_000));
    assert.ok(!early.messages.some((m: { kind: string }) => m.kind === 'pit-in'), 'the stop on lap 3 (300 s) is not known at 250 s');
    const last = (await app.inject({ method: 'GET', url: '/api/races/r/messages?limit=1' })).json();
    assert.deepEqual(last.messages, all.messages.slice(-1));
    assert.equal((await app.inject({ method: 'GET', url: '/api/races/r/messages?limit=0' })).statusCode, 400);
    await app.close();
  });

  it('a viewer that reconnects with Last-Event-ID gets exactly the deltas it missed, in order, no duplicate', async () => {
    const { app, base } = await listening();
    await post(app, 'r', start);
    const viewer = new LiveViewer(base, 'r', 300);
    await viewer.waitForSeq(4);
    await post(app, 'r', lapBatch(1));
    await viewer.waitForSeq(7);
    viewer.cut();
    // While it is away: three commits, one of them a re-sent batch that changes nothing.
    await post(app, 'r', lapBatch(2));
    await post(app, 'r', lapBatch(2));
    await post(app, 'r', lapBatch(3));
    await viewer.waitForSeq(13);
    assert.deepEqual(viewer.deltas, [7, 10, 13]);
    assert.equal(viewer.snapshots, 1, 'caught up from deltas, no new snapshot');
    assert.equal(viewer.connections, 2);
    assert.deepStrictEqual(viewer.state, await freshSnapshot(base, 'r'));
    viewer.close();
    await app.close();
  });

  it('a viewer too far behind for the kept deltas gets a fresh snapshot', async () => {
    const { app, base } = await listening({ ring: { deltas: 2 } });
    await post(app, 'r', start);
    const viewer = new LiveViewer(base, 'r', 300);
    await viewer.waitForSeq(4);
    viewer.cut();
    for (let n = 1; n <= 4; n++) await post(app, 'r', lapBatch(n));
    await viewer.waitForSeq(16);
    assert.equal(viewer.snapshots, 2);
    assert.deepEqual(viewer.deltas, []);
    assert.deepStrictEqual(viewer.state, await freshSnapshot(base, 'r'));
    // An id the server never sent (or from another server's store) is treated the same way.
    const other = await fetch(`${base}/api/races/r/live?lastEventId=999`, { signal: AbortSignal.timeout(2000) });
    const reader = other.body!.getReader();
    let text = '';
    while (!text.includes('event: snapshot')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    viewer.close();
    await app.close();
  });

  it('an unknown race is a 404, a bad race id a 400', async () => {
    const app = await testServer();
    assert.equal((await app.inject({ method: 'GET', url: '/api/races/nope/live' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/api/races/NO%20PE/live' })).statusCode, 400);
    await app.close();
  });
});

/** A response that records what is written and lets the test decide how much is still unsent. */
class FakeResponse extends EventEmitter {
  written: string[] = [];
  writableLength = 0;
  destroyed = false;
  /** The socket's idle timeout (ms; 0: none), as the server's connectionTimeout set it. */
  timeoutMs = 75_000;
  setTimeout(ms: number) {
    this.timeoutMs = ms;
  }
  write(bytes: Buffer) {
    this.written.push(bytes.toString());
    return true;
  }
  end() {
    this.emit('close');
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}

const silentLog = { debug: () => undefined, info: () => undefined } as unknown as FastifyBaseLogger;

describe('live push: slow viewers', () => {
  it('a stream has no idle timeout: the heartbeat keeps it alive, and a write does not re-arm a timer', () => {
    const push = new LivePush(new MemoryBus(), silentLog, { heartbeatMs: 60_000 });
    const race = new LiveRace('r');
    race.applyCommit(4, start);
    const viewer = new FakeResponse();
    push.attach(race, viewer, null);
    assert.equal(viewer.timeoutMs, 0);
    push.closeAll();
  });

  it('a viewer past its buffer bound is dropped; the others keep receiving every delta', () => {
    const bus = new MemoryBus();
    const push = new LivePush(bus, silentLog, { maxBufferedBytes: 1000, heartbeatMs: 60_000, retryMs: 1000 });
    const race = new LiveRace('r');
    race.applyCommit(4, start);
    const fast = new FakeResponse();
    const slow = new FakeResponse();
    push.attach(race, fast, null);
    push.attach(race, slow, null);
    assert.equal(push.viewers, 2);
    let seq = 4;
    for (let n = 1; n <= 5; n++) {
      seq += 3;
      bus.publish({ race: 'r', ...race.applyCommit(seq, lapBatch(n)) });
      // The slow one's socket stops draining after the second delta.
      if (n === 2) slow.writableLength = 5000;
    }
    assert.equal(fast.written.length, 2 + 5, 'head, snapshot and five deltas');
    assert.equal(slow.written.length, 2 + 2, 'head, snapshot and the deltas sent before it stalled');
    assert.equal(slow.destroyed, true);
    assert.equal(push.dropped, 1);
    assert.equal(push.viewers, 1);
    push.closeAll();
  });
});
