/**
 * The JetStream bus against a private nats-server (test/nats-server.ts):
 * what is shared reaches a follower once, in order; a commit shared twice is
 * stored once; a follower resumes after the server restarts without losing
 * a message; and the stream's retention is what the docstring says.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { connect } from 'nats';
import type { BusMessage } from '../src/bus/index.js';
import { DEFAULT_DEPLOYMENT, NatsBus, RETENTION, decodeMessage, deploymentNames, encodeMessage, messageId } from '../src/bus/nats/index.js';
import { natsServerAvailable, PrivateNats } from './nats-server.js';
import { lap } from './helpers.js';

const commit = (race: string, seq: number, previousSeq: number): BusMessage => ({
  race,
  seq,
  previousSeq,
  epoch: 'abcd1234',
  data: JSON.stringify({ seq, previousSeq, cars: [] }),
  events: [lap('7', seq, seq * 200_000)],
});

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

describe('NATS JetStream bus', natsServerAvailable(), () => {
  let nats: PrivateNats;
  before(async () => {
    nats = await PrivateNats.start();
  });
  after(async () => {
    await nats?.stop();
  });

  test('a message survives encoding; a bad one is refused naming its field', () => {
    const message = commit('r', 3, 1);
    assert.deepEqual(decodeMessage(encodeMessage(message)), message);
    // A sector crossing (issue 10) travels with its commit like any timing event.
    const withSector: BusMessage = { ...message, events: [{ type: 'sector', car: '7', lap: 4, sector: 1, crossingMs: 630_000 }, lap('7', 4, 800_000)] };
    assert.deepEqual(decodeMessage(encodeMessage(withSector)), withSector);
    assert.throws(() => decodeMessage(Buffer.from('{"race":"r","seq":-1,"previousSeq":0,"data":""}')), /seq: expected a whole number/);
    assert.equal(messageId(message), 'r:3');
    const status = { race: 'r', seq: 3, previousSeq: 3, data: '{"feed":1}' };
    assert.match(messageId(status), /^r:3:feed:[0-9a-f]{16}$/);
    assert.notEqual(messageId(status), messageId({ ...status, data: '{"feed":2}' }));
  });

  test('the stream is one subject per race, with the 24-hour retention', async () => {
    const bus = await NatsBus.open(nats.url, { deployment: 'retain' });
    try {
      const nc = await connect({ servers: nats.url });
      const info = await (await nc.jetstreamManager()).streams.info('RETAIN_LIVE');
      await nc.close();
      assert.deepEqual(info.config.subjects, ['retain.live.*']);
      assert.equal(info.config.max_age, RETENTION.maxAgeMs * 1_000_000);
      assert.equal(info.config.max_bytes, RETENTION.maxBytes);
      assert.equal(info.config.duplicate_window, RETENTION.duplicateWindowMs * 1_000_000);
      // Opening again (another process starting) keeps the stream and its messages.
      await bus.share(commit('a', 1, 0));
      const again = await NatsBus.open(nats.url, { deployment: 'retain' });
      const nc2 = await connect({ servers: nats.url });
      assert.equal((await (await nc2.jetstreamManager()).streams.info('RETAIN_LIVE')).state.messages, 1);
      await nc2.close();
      await again.close();
    } finally {
      await bus.close();
    }
  });

  test('a follower gets every race from now on, in order; a commit shared twice arrives once', async () => {
    const publisher = await NatsBus.open(nats.url, { deployment: 'order' });
    const followerBus = await NatsBus.open(nats.url, { deployment: 'order' });
    try {
      await publisher.share(commit('before', 1, 0));
      const got: BusMessage[] = [];
      const follow = await followerBus.follow((m) => got.push(m));
      const sent: BusMessage[] = [];
      for (let seq = 1; seq <= 200; seq++) {
        const m = commit(seq % 2 === 0 ? 'even' : 'odd', seq, Math.max(0, seq - 2));
        sent.push(m);
        void publisher.share(m);
      }
      await publisher.share(sent[10]!);
      await until('200 messages', () => got.length >= 200);
      await delay(300);
      // Nothing from before it followed, nothing twice, the publish order kept.
      assert.deepEqual(got.map((m) => `${m.race}:${m.seq}`), sent.map((m) => `${m.race}:${m.seq}`));
      assert.deepEqual(got[5], sent[5]);
      await follow.stop();
    } finally {
      await publisher.close();
      await followerBus.close();
    }
  });

  test('the server restarts mid-stream: sharing waits and retries, the follower resumes and misses nothing', async () => {
    const publisher = await NatsBus.open(nats.url, { deployment: 'restart' });
    const followerBus = await NatsBus.open(nats.url, { deployment: 'restart' });
    try {
      const got: number[] = [];
      const follow = await followerBus.follow((m) => got.push(m.seq));
      const acked: Promise<void>[] = [];
      for (let seq = 1; seq <= 50; seq++) acked.push(publisher.share(commit('r', seq, seq - 1)));
      await until('the first 50', () => got.length >= 50);
      await nats.kill();
      // Shared while the server is down: queued, not lost.
      for (let seq = 51; seq <= 100; seq++) acked.push(publisher.share(commit('r', seq, seq - 1)));
      await delay(500);
      await nats.run();
      for (let seq = 101; seq <= 150; seq++) acked.push(publisher.share(commit('r', seq, seq - 1)));
      await Promise.all(acked);
      await until('all 150 after the restart', () => got.length >= 150, 40_000);
      await delay(300);
      assert.deepEqual(got, Array.from({ length: 150 }, (_, i) => i + 1));
      await follow.stop();
    } finally {
      await publisher.close();
      await followerBus.close();
    }
  });

  test('two deployments on one server: separate streams and subjects, a follower gets only its own races', async () => {
    assert.deepEqual(deploymentNames(DEFAULT_DEPLOYMENT), { stream: 'SARTHE_LIVE', subjectPrefix: 'sarthe.live' }, 'the first version\'s names');
    assert.deepEqual(deploymentNames('prod-eu_2'), { stream: 'PROD-EU_2_LIVE', subjectPrefix: 'prod-eu_2.live' });
    for (const bad of ['', 'Prod', 'a.b', 'a*', 'a>', 'a b', 'a/b', 'x'.repeat(33)]) assert.throws(() => deploymentNames(bad), /expected lowercase letters/, bad);
    await assert.rejects(NatsBus.open(nats.url, { deployment: 'a.b' }), /deployment "a\.b"/);
    const prod = await NatsBus.open(nats.url, { deployment: 'prod' });
    const staging = await NatsBus.open(nats.url, { deployment: 'staging' });
    try {
      const toProd: BusMessage[] = [];
      const toStaging: BusMessage[] = [];
      const follows = [await prod.follow((m) => toProd.push(m)), await staging.follow((m) => toStaging.push(m))];
      // The same race id in both, as two test runs or staging and production would have.
      for (let seq = 1; seq <= 20; seq++) {
        await prod.share({ ...commit('lemans', seq, seq - 1), data: `prod ${seq}` });
        await staging.share({ ...commit('lemans', seq, seq - 1), data: `staging ${seq}` });
      }
      await until('20 each', () => toProd.length >= 20 && toStaging.length >= 20);
      await delay(300);
      assert.deepEqual(toProd.map((m) => m.data), Array.from({ length: 20 }, (_, i) => `prod ${i + 1}`));
      assert.deepEqual(toStaging.map((m) => m.data), Array.from({ length: 20 }, (_, i) => `staging ${i + 1}`));
      assert.notEqual(prod.stream, staging.stream);
      for (const f of follows) await f.stop();
    } finally {
      await prod.close();
      await staging.close();
    }
  });

  test('a bad address is an error naming it', async () => {
    await assert.rejects(NatsBus.open('nats://127.0.0.1:1'), /bus nats:\/\/127\.0\.0\.1:1: cannot connect to NATS/);
  });
});
