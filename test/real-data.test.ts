/**
 * The importer and engine on every real lap file in ../shared/data/real/.
 * Counts come from SOURCES.md; results from the hand-compiled Le Mans table.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents } from '../src/engine/timeline.js';
import { eventTimeMs, type LapEvent, type TimingEvent } from '../src/model/events.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { LAP_FILES, realData, realFile } from './helpers.js';

const EXPECTED: Record<(typeof LAP_FILES)[number], { rows: number; cars: number; winner: string; winnerLaps: number }> = {
  'imsa-2019-daytona-24h-race-timecards.csv': { rows: 24_472, cars: 47, winner: '10', winnerLaps: 593 },
  'lemans-2019-race-analysis.csv': { rows: 18_765, cars: 61, winner: '8', winnerLaps: 385 },
  'lemans-2021-race-analysis.csv': { rows: 17_771, cars: 61, winner: '7', winnerLaps: 371 },
  'lemans-2023-race-analysis.csv': { rows: 15_030, cars: 62, winner: '51', winnerLaps: 342 },
  'lemans-2024-race-analysis.csv': { rows: 15_593, cars: 62, winner: '50', winnerLaps: 311 },
  'lemans-2025-race-analysis.csv': { rows: 20_182, cars: 62, winner: '83', winnerLaps: 387 },
  'lemans-2026-race-analysis.csv': { rows: 20_163, cars: 62, winner: '7', winnerLaps: 381 },
  'wec-2019-spa-6h-race-analysis.csv': { rows: 4_232, cars: 34, winner: '8', winnerLaps: 133 },
  'wec-2020-spa-6h-race-analysis.csv': { rows: 3_883, cars: 29, winner: '7', winnerLaps: 143 },
  'wec-2024-bahrain-8h-race-analysis.csv': { rows: 7_486, cars: 36, winner: '8', winnerLaps: 235 },
  'wec-2024-fuji-6h-race-analysis.csv': { rows: 7_042, cars: 36, winner: '6', winnerLaps: 213 },
  'wec-2025-cota-6h-race-analysis.csv': { rows: 3_964, cars: 36, winner: '6', winnerLaps: 120 },
  'wec-2025-fuji-6h-race-analysis.csv': { rows: 6_683, cars: 36, winner: '35', winnerLaps: 202 },
  'wec-2025-imola-6h-race-analysis.csv': { rows: 7_044, cars: 36, winner: '51', winnerLaps: 212 },
  'wec-2025-qatar-1812km-race-analysis.csv': { rows: 9_696, cars: 36, winner: '50', winnerLaps: 318 },
  'wec-2025-sao-paulo-6h-race-analysis.csv': { rows: 7_930, cars: 36, winner: '12', winnerLaps: 242 },
  'wec-2025-spa-6h-race-analysis.csv': { rows: 4_630, cars: 36, winner: '51', winnerLaps: 150 },
  'wec-2026-imola-6h-race-analysis.csv': { rows: 6_758, cars: 35, winner: '8', winnerLaps: 213 },
  'wec-2026-sao-paulo-6h-race-analysis.csv': { rows: 8_015, cars: 35, winner: '15', winnerLaps: 242 },
  'wec-2026-spa-6h-race-analysis.csv': { rows: 4_831, cars: 35, winner: '20', winnerLaps: 151 },
};

describe('every real lap file imports with zero errors', realData(), () => {
  for (const name of LAP_FILES) {
    it(name, async () => {
      const result = await importAnalysisFiles([realFile(name)]);
      const parsed = result.files[0]!;
      const expected = EXPECTED[name];
      assert.equal(result.skipped.length, 0);
      assert.equal(parsed.rows, expected.rows, 'rows as counted in SOURCES.md');
      assert.equal(parsed.duplicateRows, 0);
      assert.equal(parsed.cars, expected.cars);
      const laps = result.events.filter((e): e is LapEvent => e.type === 'lap');
      assert.equal(laps.length, expected.rows, 'one lap event per row: nothing dropped');
      const end = standingsAt(foldEvents(result.events), null);
      assert.equal(end.cars[0]!.number, expected.winner);
      assert.equal(end.cars[0]!.laps, expected.winnerLaps);
    });
  }

  it('Le Mans 2019: 1,664 in-laps, session zero 15:00:19.030, no flags (unknown, never green)', async () => {
    const { events } = await importAnalysisFiles([realFile('lemans-2019-race-analysis.csv')]);
    const laps = events.filter((e): e is LapEvent => e.type === 'lap');
    assert.equal(laps.filter((l) => l.inPit).length, 1_664);
    const session = events[0]!;
    assert.ok(session.type === 'session');
    assert.equal(session.zeroTimeOfDayMs, (15 * 3600 + 19) * 1000 + 30);
    assert.equal(session.scheduledDurationMs, 24 * 3_600_000);
    assert.ok(laps.every((l) => l.flag === null));
    assert.equal(standingsAt(foldEvents(events), 6 * 3_600_000).flag, 'unknown');
  });

  it('Le Mans 2024: 2,481 safety-car laps and one hh:mm:ss red-flag lap time', async () => {
    const { events } = await importAnalysisFiles([realFile('lemans-2024-race-analysis.csv')]);
    const laps = events.filter((e): e is LapEvent => e.type === 'lap');
    assert.equal(laps.filter((l) => l.flag === 'safety-car').length, 2_481);
    assert.ok(laps.some((l) => l.lapMs >= 3_600_000));
  });

  it('Le Mans 2025: 007 and 009 keep their leading zeros', async () => {
    const { events } = await importAnalysisFiles([realFile('lemans-2025-race-analysis.csv')]);
    const cars = new Set(events.filter((e) => e.type === 'entry').map((e) => (e.type === 'entry' ? e.car : '')));
    assert.ok(cars.has('007') && cars.has('009'));
    assert.ok(!cars.has('7') || cars.has('7'), 'a #7 if any is a separate car');
  });
});

describe('hourly exports imported one after another equal the last one alone', realData(), () => {
  it('Le Mans 2019 cut at 6 h and 12 h, then the full file', async () => {
    const source = realFile('lemans-2019-race-analysis.csv');
    const text = readFileSync(source, 'utf8');
    const lines = text.split('\r\n');
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-hourly-'));
    try {
      const paths = [6, 12].map((hour) => {
        // Keep the export's own bytes: header, then every row completed by that hour.
        const kept = lines.filter((line, i) => {
          if (i === 0 || line === '') return i === 0;
          const elapsed = line.split(';')[13]!;
          const parts = elapsed.split(':').map(Number);
          const seconds = parts.reduce((acc, v) => acc * 60 + v, 0);
          return seconds <= hour * 3600;
        });
        const sub = join(dir, `hour${hour}`);
        mkdirSync(sub);
        const path = join(sub, 'lemans-2019-race-analysis.csv');
        writeFileSync(path, `${kept.join('\r\n')}\r\n`);
        return path;
      });
      const alone = await importAnalysisFiles([source]);
      const merged = await importAnalysisFiles([...paths, source]);
      assert.ok(merged.files[0]!.rows < merged.files[1]!.rows && merged.files[1]!.rows < alone.files[0]!.rows);
      assert.deepEqual(merged.events, alone.events);
      // And the same file twice changes nothing.
      assert.deepEqual((await importAnalysisFiles([source, source])).events, alone.events);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('seeking uses only what was known at that instant', realData(), () => {
  it('Le Mans 2023: standings at 40 random instants equal a fresh fold of the events up to then', async () => {
    const { events } = await importAnalysisFiles([realFile('lemans-2023-race-analysis.csv')]);
    const timeline = foldEvents(events);
    const next = random(2023);
    for (let i = 0; i < 40; i++) {
      const t = Math.floor(next() * 25 * 3_600_000);
      const known = events.filter((e) => eventTimeMs(e) <= t);
      assert.deepEqual(standingsAt(timeline, t), standingsAt(foldEvents(known), t), `at ${t} ms`);
    }
  });

  it('no gap or interval is ever a negative time, in any race at any instant', async () => {
    const next = random(42);
    for (const name of LAP_FILES) {
      const { events } = await importAnalysisFiles([realFile(name)]);
      const timeline = foldEvents(events);
      for (let i = 0; i < 60; i++) {
        const t = Math.floor(next() * timeline.lastEventMs);
        for (const car of standingsAt(timeline, t).cars) {
          for (const gap of [car.gap, car.interval, car.classGap, car.classInterval]) {
            assert.ok(gap === null || !('ms' in gap) || gap.ms >= 0, `${name} #${car.number} at ${t}: ${JSON.stringify(gap)}`);
          }
        }
      }
    }
  });

  it('events arriving in any order fold to the same state', async () => {
    const { events } = await importAnalysisFiles([realFile('wec-2025-cota-6h-race-analysis.csv')]);
    const shuffled: TimingEvent[] = [...events];
    const next = random(7);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    // Session first: it carries the scheduled length the order of laps does not change.
    const inOrder = foldEvents(events);
    const anyOrder = foldEvents(shuffled);
    for (const t of [1_800_000, 7_200_000, 19_000_000, null]) {
      assert.deepEqual(standingsAt(anyOrder, t), standingsAt(inOrder, t));
    }
  });
});
