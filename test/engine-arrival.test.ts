/**
 * Any arrival order gives the same timeline, at about the cost of in-order
 * arrival (issue 13, item 7). The cost ratio itself is bench/arrival.ts's
 * (≤ 2, measured interleaved); here only a loose guard against the old
 * quadratic placement (40,000 reversed laps took 24× in-order).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldAll, foldInCommits, raceEvents } from '../bench/arrival.js';
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents, RaceTimeline } from '../src/engine/timeline.js';
import type { LapEvent, TimingEvent } from '../src/model/events.js';
import { entry, lap } from './helpers.js';

/** Everything a reader can see of a timeline, as plain data. */
function picture(timeline: RaceTimeline, instants: number[]): unknown {
  return {
    cars: [...timeline.cars.values()]
      .sort((a, b) => (a.number < b.number ? -1 : 1))
      .map((car) => ({
        number: car.number,
        laps: car.laps.map((l) => `${l.lap}@${l.crossingMs}`),
        best: car.bestLapUpTo,
        sectors: car.bestSectorUpTo,
        pits: car.pitStopsUpTo,
        lastIn: car.lastInLapUpTo,
        pitOuts: car.pitOuts.map((p) => `${p.lap}@${p.atMs}`),
      })),
    flags: timeline.flagChanges(),
    standings: instants.map((t) => standingsAt(timeline, t)),
  };
}

function reorder(events: readonly TimingEvent[], seed: number): TimingEvent[] {
  const out = [...events];
  let s = seed;
  const next = () => ((s = (s * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('arrival order', () => {
  const events = raceEvents(6000, 12);
  const end = foldEvents(events).lastEventMs;
  const instants = [end / 4, end / 2, end].map(Math.round);
  const expected = picture(foldAll(events), instants);

  it('reversed, shuffled or in commits with reads between them: the same timeline', () => {
    assert.deepEqual(picture(foldAll([...events].reverse()), instants), expected);
    for (const seed of [1, 2, 3]) assert.deepEqual(picture(foldAll(reorder(events, seed)), instants), expected, `shuffle ${seed}`);
    assert.deepEqual(picture(foldInCommits([...events].reverse(), 50), instants), expected);
    assert.deepEqual(picture(foldInCommits(reorder(events, 9), 7), instants), expected);
  });

  it('a lap sent again replaces the first, wherever it arrives, and is placed once', () => {
    const laps = [lap('7', 1, 100_000), lap('7', 2, 200_000), lap('7', 3, 300_000, { flag: 'fcy' })];
    const fixed = lap('7', 2, 200_000, { lapMs: 99_000, flag: 'safety-car' });
    const timeline = foldEvents([entry('7', 'LMP1'), laps[2]!, laps[0]!, laps[1]!, fixed, fixed]);
    assert.deepEqual(timeline.cars.get('7')!.laps, [laps[0], fixed, laps[2]]);
    assert.deepEqual(timeline.cars.get('7')!.bestLapUpTo, [100_000, 99_000, 99_000]);
    assert.deepEqual(timeline.flagChanges(), [{ atMs: 200_000, flag: 'safety-car' }, { atMs: 300_000, flag: 'fcy' }]);
  });

  it('a late flag is merged at the next read; a lap replaced before that read counts its new flag only', () => {
    const timeline = foldEvents([entry('1', 'LMP2'), entry('2', 'LMP2'), lap('1', 2, 200_000, { flag: 'green' })]);
    assert.deepEqual(timeline.flagChanges(), [{ atMs: 200_000, flag: 'green' }]);
    timeline.apply(lap('2', 1, 150_000, { flag: 'fcy' }));
    timeline.apply(lap('1', 3, 300_000, { flag: 'green' }));
    assert.equal(timeline.flagAt(160_000), 'fcy');
    assert.deepEqual(timeline.flagChanges(), [{ atMs: 150_000, flag: 'fcy' }, { atMs: 200_000, flag: 'green' }]);
    // Late again, then replaced while still held: the held flag goes, the new one is placed.
    timeline.apply(lap('2', 2, 250_000, { flag: 'red' }));
    timeline.apply(lap('2', 1, 150_000, { flag: 'safety-car' }));
    timeline.apply(lap('2', 2, 250_000, { flag: 'green' }));
    assert.deepEqual(timeline.flagChanges(), [{ atMs: 150_000, flag: 'safety-car' }, { atMs: 200_000, flag: 'green' }]);
    assert.equal(timeline.flagAt(260_000), 'green');
  });

  it('the flag at any instant and the flag changes match a plain scan of the laps kept, after every commit of a shuffled race with corrections', () => {
    // Enough crossings that late flags go through every path of the keys' structure (held list, chunks cut, merges).
    const race = raceEvents(12_000, 20).filter((e): e is LapEvent => e.type === 'lap');
    const ranks = ['green', 'safety-car', 'fcy', 'red', 'finish'] as const;
    let s = 5;
    const next = () => ((s = (s * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32);
    // Corrections: the same car-lap again with another flag, at the same instant (a tie with its own old key) or a ms later; some laps lose their flag.
    const corrections = race.filter(() => next() < 0.08).map((l) => ({ ...l, flag: ranks[Math.floor(next() * 5)]!, crossingMs: l.crossingMs + (next() < 0.5 ? 0 : 1) }));
    const arrival = reorder([...race.map((l) => (next() < 0.03 ? { ...l, flag: null } : l)), ...corrections], 11) as LapEvent[];
    const timeline = new RaceTimeline();
    const kept = new Map<string, LapEvent>();
    const end = Math.max(...arrival.map((l) => l.crossingMs));
    for (let i = 0; i < arrival.length; i += 700) {
      for (const l of arrival.slice(i, i + 700)) {
        timeline.apply(l);
        kept.set(`${l.car}:${l.lap}`, l);
      }
      // The plain answer: every kept lap's flag, sorted by time then flag rank; a change wherever the flag differs from the one before.
      const keys = [...kept.values()].filter((l) => l.flag !== null).map((l) => ({ atMs: l.crossingMs, rank: ranks.indexOf(l.flag!) })).sort((a, b) => a.atMs - b.atMs || a.rank - b.rank);
      const flagAt = (t: number) => {
        let last: (typeof keys)[number] | undefined;
        for (const k of keys) if (k.atMs <= t) last = k;
        return last === undefined ? 'unknown' : ranks[last.rank];
      };
      for (let q = 0; q < 15; q++) {
        const t = Math.floor(next() * end);
        assert.equal(timeline.flagAt(t), flagAt(t), `flag at ${t} after ${i + 700} events`);
      }
      if (i % 2100 === 0 || i + 700 >= arrival.length) {
        const changes = keys.filter((k, j) => j === 0 || keys[j - 1]!.rank !== k.rank).map((k) => ({ atMs: k.atMs, flag: ranks[k.rank] }));
        assert.deepEqual(timeline.flagChanges(), changes, `changes after ${i + 700} events`);
      }
    }
  });

  it('one-lap reads (lapAtIndex, bestLapAt, indexAt, …) agree with the whole lists, with sparse lap numbers and repeats across block edges', () => {
    // Lap numbers around the edges of the 32-lap blocks, a gap of several blocks, in-laps and missing sectors; then repeats that change them.
    const numbers = [1, 2, 31, 32, 33, 34, 63, 64, 65, 200, 201, 224, 225, 1000, 1024, 1025];
    const first = numbers.map((n, k) =>
      lap('5', n, n * 100_000, { lapMs: 90_000 + ((k * 7919) % 20_000), sectorsMs: [k % 3 === 0 ? null : 30_000 - k, 40_000 + k, 25_000 + ((k * 31) % 900)], inPit: k % 4 === 1 }),
    );
    const repeats = [first[3]!, first[9]!, first[15]!].map((l) => ({ ...l, lapMs: 60_000, inPit: !l.inPit, sectorsMs: [null, null, 1_000] as LapEvent['sectorsMs'] }));
    // A run of 80 laps in blocks of their own after the sparse ones, which the repeats then arrive among.
    const filler = Array.from({ length: 80 }, (_, k) => lap('5', 2000 + k, (2000 + k) * 100_000));
    const all: TimingEvent[] = [entry('5', 'LMP2'), ...first, ...filler, ...repeats];
    const inOrderCar = foldEvents(all).cars.get('5')!;
    for (const [name, order] of [['in order', all], ['reversed', [...all].reverse()], ['shuffled', reorder(all, 4)]] as const) {
      // The repeats stay after the laps they repeat: a later one wins.
      const events = name === 'in order' ? order : [...order.filter((e) => !repeats.includes(e as LapEvent)), ...repeats];
      for (const commit of [1, 5, events.length]) {
        const car = foldInCommits(events, commit).cars.get('5')!;
        const laps = car.laps;
        assert.deepEqual(laps, inOrderCar.laps, `${name}, commits of ${commit}`);
        assert.equal(car.lapTotal, laps.length);
        for (let i = 0; i < laps.length; i++) {
          assert.equal(car.lapAtIndex(i), laps[i]);
          assert.equal(car.crossingAtIndex(i), car.crossings[i]);
          assert.equal(car.bestLapAt(i), car.bestLapUpTo[i], `best lap at ${i}`);
          for (const s of [0, 1, 2]) assert.equal(car.bestSectorAt(s, i), car.bestSectorUpTo[s]![i]);
          assert.equal(car.pitStopsAt(i), car.pitStopsUpTo[i]);
          assert.equal(car.lastInLapAt(i), car.lastInLapUpTo[i], `last in-lap at ${i}`);
          assert.equal(car.indexAt(laps[i]!.crossingMs), i + 1);
          assert.equal(car.indexAt(laps[i]!.crossingMs - 1), i);
          assert.equal(car.crossingOfLap(laps[i]!.lap), laps[i]!.crossingMs);
        }
        assert.equal(car.lapAtIndex(laps.length), undefined);
        assert.ok(Number.isNaN(car.crossingOfLap(3)));
        assert.equal(car.bestLapAt(laps.length - 1), 60_000);
      }
    }
    // Outside the schema's lap numbers there is no block: refused, not misplaced.
    for (const n of [0, 100_001, 2.5]) assert.throws(() => foldEvents([lap('5', n, 100_000)]), RangeError);
  });

  it('after every commit of a shuffled car with repeats, skipped and far lap numbers, one-lap reads match a plain scan of the laps kept', () => {
    // The blocks' slots (a lap number's own place), the laps' numbers kept in arrival order and a repeat taking its
    // predecessor's entry, checked against the plainest model: the latest lap per lap number, sorted, prefixes by a scan.
    let s = 17;
    const next = () => ((s = (s * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32);
    const numbers = Array.from({ length: 260 }, (_, k) => k + 1).filter((n) => n <= 64 || next() > 0.08);
    numbers.push(1000, 1001, 1031, 1032, 1033, 5000);
    const sent = numbers.map((n) => {
      const lapMs = 90_000 + Math.floor(next() * 20_000);
      return lap('3', n, n * 120_000, { lapMs, sectorsMs: [next() < 0.1 ? null : lapMs - 60_000, 35_000, 25_000], inPit: next() < 0.1 });
    });
    // Repeats with other times and in-laps, some sent twice; they arrive anywhere after what they repeat, so the later wins.
    const repeats = sent.filter(() => next() < 0.1).flatMap((l) => {
      const fixed = { ...l, lapMs: l.lapMs - 20_000, sectorsMs: [null, null, 1_000] as LapEvent['sectorsMs'], inPit: !l.inPit };
      return next() < 0.3 ? [fixed, { ...fixed, lapMs: fixed.lapMs + 1 }] : [fixed];
    });
    // Shuffled; and in lap order with the far laps sent among them (a block filled in order, its laps' indexes not consecutive).
    const far = sent.filter((l) => l.lap >= 1000);
    const near = sent.filter((l) => l.lap < 1000);
    const interleaved = near.flatMap((l, k) => (k % 7 === 3 && far.length > 0 ? [l, far.shift()!] : [l]));
    for (const arrival of [[...reorder(sent, 21), ...reorder(repeats, 22)], [...interleaved, ...far, ...repeats]] as LapEvent[][]) {
      const car = new RaceTimeline().car('3');
      const kept = new Map<number, LapEvent>();
      for (let i = 0; i < arrival.length; ) {
        const commit = 1 + Math.floor(next() * 40);
        for (const l of arrival.slice(i, i + commit)) {
          const before = kept.get(l.lap);
          assert.equal(car.addLap(l), before, `lap ${l.lap} replaces the one kept`);
          kept.set(l.lap, l);
        }
        i += commit;
        const laps = [...kept.values()].sort((a, b) => a.lap - b.lap);
        assert.equal(car.lapTotal, laps.length);
        let best = Infinity;
        const bestSector = [Infinity, Infinity, Infinity];
        let stops = 0;
        let lastIn = -1;
        for (let k = 0; k < laps.length; k++) {
          const l = laps[k]!;
          best = Math.min(best, l.lapMs);
          for (const x of [0, 1, 2]) bestSector[x] = Math.min(bestSector[x]!, l.sectorsMs[x] ?? Infinity);
          if (l.inPit) {
            stops++;
            lastIn = k;
          }
          // Every lap after the last commits, a sample before (the reads go through other blocks).
          if (k < laps.length - 40 && next() > 0.2) continue;
          assert.equal(car.lapAtIndex(k), l, `lap at ${k} after ${i} laps`);
          assert.equal(car.bestLapAt(k), best, `best lap at ${k} after ${i} laps`);
          for (const x of [0, 1, 2]) assert.equal(car.bestSectorAt(x, k), bestSector[x]);
          assert.equal(car.pitStopsAt(k), stops);
          assert.equal(car.lastInLapAt(k), lastIn);
          assert.equal(car.indexAt(l.crossingMs), k + 1);
          assert.equal(car.indexAt(l.crossingMs - 1), k);
          assert.equal(car.crossingOfLap(l.lap), l.crossingMs);
        }
        if (next() < 0.2) assert.deepEqual(car.laps, laps);
      }
      assert.deepEqual(car.laps, [...kept.values()].sort((a, b) => a.lap - b.lap));
    }
  });

  it('100,000 events reversed fold within a loose bound of in order (no quadratic placement)', () => {
    const many = raceEvents(100_000);
    const reversed = [...many].reverse();
    foldAll(many);
    foldAll(reversed);
    const time = (list: TimingEvent[]) => {
      const t = performance.now();
      foldAll(list);
      return performance.now() - t;
    };
    const inOrder = Math.min(time(many), time(many));
    const backwards = Math.min(time(reversed), time(reversed));
    assert.ok(backwards < 6 * inOrder + 200, `reversed ${backwards.toFixed(0)} ms against ${inOrder.toFixed(0)} ms in order`);
  });
});
