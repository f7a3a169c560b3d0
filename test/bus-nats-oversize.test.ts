/**
 * Found by the review of issue 14: one commit larger than the NATS server's
 * max_payload (1 MB by default) wedged the ingest's publisher.
 * `POST /api/races/:race/import` of the demo race (20,484 events, one commit)
 * makes such a message; JetStream refused it with MAX_PAYLOAD_EXCEEDED,
 * NatsBus.pump retried it forever with a backoff growing to 5 s, and every
 * later commit of every race waited that backoff: edges delivered live deltas
 * 2–5 s late (or only from the 10 s store catch-up) until the ingest restarted.
 *
 * Now such a commit is published as its head (seq, previousSeq, no events):
 * a follower reads it from the store, and the messages after it are not held.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { BusMessage } from '../src/bus/index.js';
import { NatsBus } from '../src/bus/nats/index.js';
import { natsServerAvailable, PrivateNats } from './nats-server.js';
import { lap } from './helpers.js';

const commit = (race: string, seq: number, previousSeq: number, data = JSON.stringify({ seq, previousSeq, cars: [] })): BusMessage => ({
  race,
  seq,
  previousSeq,
  epoch: 'abcd1234',
  data,
  events: [lap('7', seq, seq * 200_000)],
});

describe('NATS JetStream bus: a commit over max_payload', natsServerAvailable(), () => {
  let nats: PrivateNats;
  before(async () => {
    nats = await PrivateNats.start();
  });
  after(async () => {
    await nats?.stop();
  });

  test('does not delay the commits shared after it', async () => {
    const publisher = await NatsBus.open(nats.url, { deployment: 'oversize' });
    const followerBus = await NatsBus.open(nats.url, { deployment: 'oversize' });
    try {
      const got: { message: BusMessage; atMs: number }[] = [];
      const follow = await followerBus.follow((message) => got.push({ message, atMs: performance.now() }));
      // A bulk import's commit: 2 MB of delta, over the default max_payload of 1 MB.
      void publisher.share(commit('import', 1, 0, JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) })));
      await delay(3000); // the publisher has failed a few times: its backoff is at ~1.6 s and growing
      const latencies: number[] = [];
      for (let seq = 1; seq <= 5; seq++) {
        const sentAt = performance.now();
        void publisher.share(commit('live', seq, seq - 1));
        const deadline = sentAt + 10_000;
        while (!got.some((g) => g.message.race === 'live' && g.message.seq === seq) && performance.now() < deadline) await delay(10);
        const arrived = got.find((g) => g.message.race === 'live' && g.message.seq === seq);
        latencies.push(arrived === undefined ? Infinity : Math.round(arrived.atMs - sentAt));
      }
      await follow.stop();
      // On a healthy bus each arrives in a few ms; 500 ms is generous for a loaded machine.
      assert.ok(Math.max(...latencies) < 500, `live commits after an oversize one arrived after ${latencies.join(', ')} ms`);
      // The oversize commit itself arrived as its head: no events, so a follower reads it from the store.
      const head = got.find((g) => g.message.race === 'import');
      assert.ok(head !== undefined, 'the oversize commit is announced');
      assert.deepEqual([head.message.seq, head.message.previousSeq, head.message.events], [1, 0, undefined]);
    } finally {
      await publisher.close(100);
      await followerBus.close(100);
    }
  });
});
