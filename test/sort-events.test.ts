/**
 * sortEvents (model/events.ts), the import's sort without a comparator call
 * per pair, gives exactly the order of `events.sort(compareEvents)`: the
 * same objects in the same places, ties kept in arrival order as the stable
 * sort keeps them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { compareEvents, sortEvents, type TimingEvent } from '../src/model/events.js';
import { parseAnalysis } from '../src/sources/alkamel/parse.js';
import { entry, lap, pitOut, repoRoot, session } from './helpers.js';

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  const next = () => ((s = (s * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Both sorts of a copy each; the same objects in the same order (identity, not just equal values). */
function assertSameOrder(events: readonly TimingEvent[], label: string): void {
  const expected = [...events].sort(compareEvents);
  const actual = sortEvents([...events]);
  assert.equal(actual.length, expected.length, label);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) assert.fail(`${label}: position ${i} differs: ${JSON.stringify(actual[i])} against ${JSON.stringify(expected[i])}`);
  }
}

describe('sortEvents', () => {
  it('a whole 24-hour import, in any order, sorts as compareEvents does', () => {
    const file = resolve(repoRoot, 'demo', 'lemans-2019-race-analysis.csv');
    const events = parseAnalysis(readFileSync(file, 'utf8'), { file }).events;
    assert.ok(events.length > 20_000);
    assertSameOrder(events, 'as parsed');
    assertSameOrder([...events].reverse(), 'reversed');
    for (const seed of [1, 2]) assertSameOrder(shuffled(events, seed), `shuffled ${seed}`);
  });

  it('ties of instant and kind (entries, cars crossing in the same ms, decisions, boards) keep the stable order', () => {
    const events: TimingEvent[] = [session(), { ...session(), name: 'Second session fact' }];
    for (let c = 0; c < 40; c++) events.push(entry(String((c * 7) % 23), 'LMP2', { team: `Team ${c}` }));
    for (let c = 0; c < 30; c++) {
      // Several cars on one millisecond, repeats of one car-lap (a correction), pit exits at a crossing's instant.
      events.push(lap(String(c % 9), 1 + (c % 4), 100_000 + (c % 3) * 1000));
      events.push(lap(String(c % 9), 1 + (c % 4), 100_000 + (c % 3) * 1000, { lapMs: 99_000 + c }));
      events.push(pitOut(String(c % 5), 2, 100_000, 30_000));
    }
    for (let k = 0; k < 30; k++) {
      events.push({ type: 'decision', id: `d${k % 7}`, atMs: 200_000 + (k % 2), car: String(k % 4), kind: 'drive-through', seconds: null, lap: null, laps: null, reason: '', text: '' } as unknown as TimingEvent);
      events.push({ type: 'message', id: `m${(k * 3) % 5}`, atMs: 200_000, text: `message ${k}` } as TimingEvent);
      events.push({ type: 'weather', atMs: 150_000, airTempC: k, trackTempC: null, humidityPct: null, pressureHpa: null, rain: null } as TimingEvent);
      events.push({ type: 'sector', car: String(k % 3), lap: 2, sector: 1 + (k % 2), crossingMs: 120_000 } as unknown as TimingEvent);
      events.push({
        type: 'board', car: String(k % 3), atMs: 180_000, laps: 3, crossingMs: 170_000 + (k % 2), bestLap: null, bestLapMs: k % 4 === 0 ? null : 90_000 + (k % 3), position: k % 5 === 0 ? null : 1 + (k % 2), refresh: k % 2,
      } as unknown as TimingEvent);
    }
    assertSameOrder(events, 'as built');
    for (const seed of [3, 4, 5, 6]) assertSameOrder(shuffled(events, seed), `shuffled ${seed}`);
  });

  it('times that are not whole ms, or too large to pack exactly, fall back to compareEvents', () => {
    const base = Array.from({ length: 100 }, (_, k) => lap(String(k % 7), 1 + Math.floor(k / 7), 50_000 + ((k * 7919) % 3000)));
    assertSameOrder(shuffled([...base, lap('1', 99, 60_000.5)], 7), 'a fractional ms');
    assertSameOrder(shuffled([...base, lap('1', 99, 2 ** 45)], 8), 'a time too large to pack with the index');
  });
});
