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
import { NatsBus, RETENTION, decodeMessage, encodeMessage, messageId } from '../src/bus/nats/index.js';
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
    assert.throws(() => decodeMessage(Buffer.from('{"race":"r","seq":-1,"previousSeq":0,"data":""}')), /seq: expected a whole number/);
    assert.equal(messageId(message), 'r:3');
    const status = { race: 'r', seq: 3, previousSeq: 3, data: '{"feed":1}' };
    assert.match(messageId(status), /^r:3:feed:[0-9a-f]{16}$/);
    assert.notEqual(messageId(status), messageId({ ...status, data: '{"feed":2}' }));
  });

  test('the stream is one subject per race, with the 24-hour retention', async () => {
    const bus = await NatsBus.open(nats.url, { stream: 'RETAIN', subjectPrefix: 'retain' });
    try {
      const nc = await connect({ servers: nats.url });
      const info = await (await nc.jetstreamManager()).streams.info('RETAIN');
      await nc.close();
      assert.deepEqual(info.config.subjects, ['retain.*']);
      assert.equal(info.config.max_age, RETENTION.maxAgeMs * 1_000_000);
      assert.equal(info.config.max_bytes, RETENTION.maxBytes);
      assert.equal(info.config.duplicate_window, RETENTION.duplicateWindowMs * 1_000_000);
      // Opening again (another process starting) keeps the stream and its messages.
      await bus.share(commit('a', 1, 0));
      const again = await NatsBus.open(nats.url, { stream: 'RETAIN', subjectPrefix: 'retain' });
      const nc2 = await connect({ servers: nats.url });
      assert.equal((await (await nc2.jetstreamManager()).streams.info('RETAIN')).state.messages, 1);
      await nc2.close();
      await again.close();
    } finally {
      await bus.close();
    }
  });

  test('a follower gets every race from now on, in order; a commit shared twice arrives once', async () => {
    const publisher = await NatsBus.open(nats.url, { stream: 'ORDER', subjectPrefix: 'order' });
    const followerBus = await NatsBus.open(nats.url, { stream: 'ORDER', subjectPrefix: 'order' });
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
    const publisher = await NatsBus.open(nats.url, { stream: 'RESTART', subjectPrefix: 'restart' });
    const followerBus = await NatsBus.open(nats.url, { stream: 'RESTART', subjectPrefix: 'restart' });
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

  test('a bad address is an error naming it', async () => {
    await assert.rejects(NatsBus.open('nats://127.0.0.1:1'), /bus nats:\/\/127\.0\.0\.1:1: cannot connect to NATS/);
  });
});
