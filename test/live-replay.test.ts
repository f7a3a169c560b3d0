import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TimingEvent } from '../src/model/events.js';
import { Replay, raceIdFromFile, type ReplayProgress } from '../src/sources/replay/index.js';
import { entry, session, steadyLaps } from './helpers.js';

/** A replay on a fake wall clock: each sleep advances it by exactly the tick. */
function fakeReplay(events: TimingEvent[], options: { speed: number; fromMs?: number; tickMs: number; catchUpChunk?: number }) {
  let wall = 0;
  const sends: Array<{ wallMs: number; events: TimingEvent[] }> = [];
  const progress: ReplayProgress[] = [];
  const replay = new Replay({
    events,
    ...options,
    now: () => wall,
    sleep: async (ms) => {
      wall += ms;
    },
    send: async (batch) => {
      sends.push({ wallMs: wall, events: batch });
    },
    onProgress: (p) => progress.push(p),
  });
  return { replay, sends, progress };
}

describe('replay as live', () => {
  const events = [session(), entry('1', 'A'), ...steadyLaps('1', 10, 100_000)].reverse();

  it('sends each event once the replay clock passes its race time, in race-time order', async () => {
    // 60×: one wall second is a minute of racing; a tick of 1 s sends what fell in that minute.
    const { replay, sends, progress } = fakeReplay(events, { speed: 60, tickMs: 1000 });
    const final = await replay.run();
    assert.equal(final.done, true);
    assert.equal(final.sent, 12);
    for (const send of sends) {
      for (const e of send.events) {
        const t = e.type === 'lap' ? e.crossingMs : 0;
        assert.ok(t <= send.wallMs * 60, `event at ${t} sent at clock ${send.wallMs * 60}`);
        assert.ok(t > (send.wallMs - 1000) * 60 || send.wallMs === 0, 'and not a tick later than due');
      }
    }
    assert.deepEqual(sends.flatMap((s) => s.events.map((e) => (e.type === 'lap' ? e.lap : 0))), [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(progress.at(-1)!.done, true);
  });

  it('--from: everything before the start instant goes at once, in chunks', async () => {
    const { replay, sends } = fakeReplay(events, { speed: 60, tickMs: 1000, fromMs: 550_000, catchUpChunk: 3 });
    await replay.run();
    assert.deepEqual(sends.slice(0, 3).map((s) => [s.wallMs, s.events.length]), [[0, 3], [0, 3], [0, 1]]);
    assert.equal(sends.reduce((n, s) => n + s.events.length, 0), 12);
  });

  it('stop() ends it between two ticks', async () => {
    const { replay, sends } = fakeReplay(events, { speed: 1, tickMs: 1000 });
    const running = replay.run();
    replay.stop();
    const final = await running;
    assert.equal(final.done, false);
    assert.ok(sends.length <= 1);
  });

  it('race ids from file names', () => {
    assert.equal(raceIdFromFile('demo/lemans-2019-race-analysis.csv'), 'lemans-2019');
    assert.equal(raceIdFromFile('imsa-2019-daytona-24h-race-timecards.csv'), 'imsa-2019-daytona-24h');
    assert.equal(raceIdFromFile('/x/23_Analysis_Race_Hour 24.CSV'), '23_analysis_race_hour-24');
  });
});
