import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDelta, diffStandings } from '../src/engine/delta.js';
import { foldEvents } from '../src/engine/timeline.js';
import { standingsAt } from '../src/engine/standings.js';
import { compareEvents, eventTimeMs, type TimingEvent } from '../src/model/events.js';
import type { LiveDelta, LiveSnapshot } from '../src/model/live.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { LiveRace, MESSAGE_LIMIT } from '../src/server/live-race.js';
import { join } from 'node:path';
import { entry, lap, repoRoot, session, steadyLaps } from './helpers.js';

/** Feeds `events` to a LiveRace in commits and checks every delta against the next snapshot. */
function checkCommits(commits: TimingEvent[][]): { deltas: number; bytes: number; snapshotBytes: number; messages: number } {
  const race = new LiveRace('r');
  let snapshot: LiveSnapshot = race.snapshot();
  let seq = 0;
  let bytes = 0;
  let messages = 0;
  for (const events of commits) {
    seq += events.length;
    const recent = race.applyCommit(seq, events);
    const delta = JSON.parse(recent.data) as LiveDelta;
    bytes += recent.data.length;
    messages += delta.messages?.length ?? 0;
    const applied = applyDelta(snapshot, delta, MESSAGE_LIMIT);
    snapshot = JSON.parse(race.snapshotData()) as LiveSnapshot;
    assert.deepStrictEqual(applied, snapshot, `delta ${delta.previousSeq}→${delta.seq}`);
  }
  return { deltas: commits.length, bytes, snapshotBytes: race.snapshotData().length, messages };
}

describe('live deltas', () => {
  it('carry only the changed cars and fields, and the order only when it changed', () => {
    const a = standingsAt(foldEvents([session(), entry('1', 'A'), entry('2', 'A'), ...steadyLaps('1', 3, 100_000), ...steadyLaps('2', 3, 101_000)]), null);
    const events2 = [session(), entry('1', 'A'), entry('2', 'A'), ...steadyLaps('1', 3, 100_000), ...steadyLaps('2', 3, 101_000), lap('1', 4, 400_000)];
    const b = standingsAt(foldEvents(events2), 400_000);
    const change = diffStandings(a, b);
    assert.equal(change.order, undefined);
    assert.equal(change.flag, undefined);
    // Car 2's gap holds until it crosses again (DESIGN.md): only car 1 changed.
    assert.deepEqual(change.cars.map((c) => c.number), ['1']);
    const car1 = change.cars[0]!;
    assert.equal(car1.laps, 4);
    assert.equal(car1.lastCrossingMs, 400_000);
    assert.equal(car1.class, undefined, 'unchanged fields are left out');
    assert.equal(car1.position, undefined);
    const c = standingsAt(foldEvents([...events2, ...steadyLaps('2', 5, 70_000).slice(3)]), 400_000);
    assert.deepEqual(diffStandings(b, c).order, ['2', '1']);
  });

  it('applied to the previous snapshot give exactly the next snapshot (made-up race, out of order)', () => {
    const events: TimingEvent[] = [session(), entry('1', 'A'), entry('2', 'A'), entry('3', 'B'), ...steadyLaps('1', 30, 100_000), ...steadyLaps('2', 30, 99_000), ...steadyLaps('3', 25, 120_000)];
    const shuffled = events.map((e, i) => ({ e, k: (i * 31) % 17 })).sort((x, y) => x.k - y.k).map((x) => x.e);
    const commits: TimingEvent[][] = [];
    for (let i = 0; i < shuffled.length; i += 5) commits.push(shuffled.slice(i, i + 5));
    checkCommits(commits);
  });

  it('applied to the previous snapshot give exactly the next snapshot (Le Mans 2019, replayed in 15 s ticks)', async () => {
    const { events } = await importAnalysisFiles([join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv')]);
    const sorted = [...events].sort(compareEvents);
    const commits: TimingEvent[][] = [];
    let tick = -1;
    for (const event of sorted) {
      const t = Math.floor(eventTimeMs(event) / 15_000);
      if (t !== tick || commits.length === 0) commits.push([]);
      tick = t;
      commits[commits.length - 1]!.push(event);
    }
    const stats = checkCommits(commits);
    assert.ok(stats.messages > 1000, `a 24-hour race makes a busy feed (${stats.messages} messages)`);
    // Small deltas: on average well under a tenth of a snapshot.
    assert.ok(stats.bytes / stats.deltas < stats.snapshotBytes / 10, `mean delta ${Math.round(stats.bytes / stats.deltas)} B, snapshot ${stats.snapshotBytes} B`);
  });

  it('refuses a delta that does not follow the snapshot', () => {
    const race = new LiveRace('r');
    race.applyCommit(1, [session()]);
    const snapshot = race.snapshot();
    const delta = JSON.parse(race.applyCommit(3, [entry('1', 'A'), lap('1', 1, 100_000)]).data) as LiveDelta;
    assert.throws(() => applyDelta({ ...snapshot, seq: 0 }, delta, MESSAGE_LIMIT), /follows 1, but the snapshot is at 0/);
  });
});

describe('race control on the live path', () => {
  const decision = (id: string, atMs: number, kind: 'drive-through' | 'result-declared', car: string | null) =>
    ({ type: 'decision', id, atMs, kind, car, penaltyMs: null, lap: null, laps: null, reason: '', text: '' }) as const;

  it('a decision stamped before the last classification (announced "now", arriving after later laps) is told once', () => {
    const race = new LiveRace('r');
    race.applyCommit(1, [session({ scheduledDurationMs: 3_600_000 }), entry('1', 'A'), entry('2', 'A'), ...steadyLaps('1', 3, 100_000), ...steadyLaps('2', 3, 101_000)]);
    // Laps to 303 s are told; the decision, stamped 295 s, arrives with the next commit.
    const told = (seq: number, events: TimingEvent[]) => (JSON.parse(race.applyCommit(seq, events).data) as LiveDelta).messages?.filter((m) => m.kind === 'race-control') ?? [];
    const first = told(2, [decision('rc-1', 295_000, 'drive-through', '2'), lap('1', 4, 400_000)]);
    assert.deepEqual(first.map((m) => [m.raceTimeMs, m.car, m.text]), [[295_000, '2', '#2: drive-through penalty']]);
    assert.deepEqual(told(3, [decision('rc-1', 295_000, 'drive-through', '2'), lap('2', 4, 404_000)]), [], 'a resend is not told again');
  });

  it('result-declared stands at the last crossing before it: laps that come after it do not move it', () => {
    const events: TimingEvent[] = [session({ scheduledDurationMs: 3_600_000 }), entry('1', 'A'), entry('2', 'A'), ...steadyLaps('1', 10, 100_000), ...steadyLaps('2', 10, 101_000)];
    const timeline = foldEvents([...events, decision('rd', 505_000, 'result-declared', null)]);
    const result = standingsAt(timeline, null);
    assert.deepEqual(result.result?.declared, 'red-flag');
    assert.equal(result.result?.atMs, 505_000, "#2's fifth crossing, the last at or before 505 s");
    assert.deepEqual(result.cars.map((c) => [c.number, c.laps]), [['1', 5], ['2', 5]]);
  });
});
