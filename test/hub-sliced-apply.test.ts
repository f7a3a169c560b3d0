/**
 * An ingested commit is applied over several turns of the event loop
 * (server/races.ts applyInSlices; issue 13, bulk ingest): the fold, each
 * car's timing points, then the classification. These check that this is
 * only a matter of when: the deltas and the snapshot are those of
 * `LiveRace.applyCommit` in one piece, in order, reversed and shuffled, with
 * reads of the race's timeline landing between the slices, and a restart
 * (which builds the timing points over turns too) loads the same.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { MemoryBus } from '../src/bus/memory/index.js';
import { classificationAt } from '../src/engine/session-standings.js';
import type { TimingEvent } from '../src/model/events.js';
import { LiveRace } from '../src/server/live-race.js';
import { RaceHub } from '../src/server/races.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { entry, lap, session } from './helpers.js';

const log = pino({ level: 'silent' });
const CARS = 30;
const LAPS = 60;
const BATCH = 300;

function raceLaps(): TimingEvent[] {
  const out: TimingEvent[] = [];
  for (let n = 1; n <= LAPS; n++) {
    for (let c = 1; c <= CARS; c++) {
      const lapMs = 100_000 + c * 37 + ((n * 7919 + c * 31) % 3000);
      out.push(lap(String(c), n, n * 101_000 + c * 290 + (n % 5) * c, { lapMs, sectorsMs: [30_000, 40_000, lapMs - 70_000], inPit: n % 17 === c % 17 }));
    }
  }
  return out;
}

function shuffled<T>(items: readonly T[], seed = 13): T[] {
  const out = [...items];
  let s = seed;
  const next = () => (s = (s * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const header = (): TimingEvent[] => [session({ name: 'Sliced 6 Hours', scheduledDurationMs: 6 * 3_600_000 }), ...Array.from({ length: CARS }, (_, i) => entry(String(i + 1), i % 2 === 0 ? 'A' : 'B'))];

describe('an ingested commit applied over several turns (issue 13)', () => {
  for (const [order, arrange] of [
    ['in order', (e: TimingEvent[]) => e],
    ['reversed', (e: TimingEvent[]) => [...e].reverse()],
    ['shuffled', (e: TimingEvent[]) => shuffled(e)],
  ] as const) {
    it(`${order}: the same deltas and snapshot as applying each commit in one piece, reads between slices included; a restart loads the same`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sarthe-sliced-'));
      try {
        const file = join(dir, 'store.db');
        const store = new SqliteEventStore({ file });
        const bus = new MemoryBus();
        const hub = new RaceHub(store, bus, log);
        const deltas: string[] = [];
        bus.subscribe('r', (m) => deltas.push(m.data));
        const reference = new LiveRace('r');
        const expected: string[] = [];
        const events = arrange(raceLaps());
        // A reader asking for the classification at every turn, as GET standings would between the slices.
        let reads = 0;
        let reading = true;
        const reader = async () => {
          while (reading) {
            const race = hub.get('r');
            if (race !== undefined) {
              classificationAt(race.timeline, race.instantAt(null), { gaps: 'timing-points' });
              reads++;
            }
            await new Promise((r) => setImmediate(r));
          }
        };
        const readerDone = reader();
        const batches = [header(), ...Array.from({ length: Math.ceil(events.length / BATCH) }, (_, i) => events.slice(i * BATCH, (i + 1) * BATCH))];
        try {
          for (const batch of batches) {
            const outcome = await hub.ingest('r', structuredClone(batch));
            assert.equal(outcome.accepted, batch.length);
            expected.push(reference.applyCommit(outcome.commitSeq!, structuredClone(batch)).data);
          }
        } finally {
          reading = false;
          await readerDone;
        }
        assert.ok(reads > batches.length, `reads ${reads}`);
        assert.deepEqual(deltas, expected);
        const live = hub.get('r')!;
        reference.epoch = live.epoch;
        assert.equal(live.snapshotData(), reference.snapshotData());
        await store.close();
        const reopened = new SqliteEventStore({ file });
        const restarted = new RaceHub(reopened, new MemoryBus(), log);
        await restarted.loadAll();
        assert.equal(restarted.get('r')!.snapshotData(), live.snapshotData());
        assert.equal(restarted.get('r')!.lastDelta()!.data, live.lastDelta()!.data);
        await reopened.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
