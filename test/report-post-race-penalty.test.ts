/**
 * Race control's decisions that change the result after the flag (time
 * added to a car's race time, a drive-through or stop-and-go converted to
 * time, laps deducted) in the final report and in its checker. Time added
 * matters only between cars on the same lap (endurance-rules.md §6: equal
 * laps go by total time): the checker reads the decisions itself
 * (claims/raw.ts penaltiesAt), not the standings the report was written from.
 *
 * A made-up 1-hour race, all cars on one lap count at the finish: PROTO #1
 * (100.0 s laps), #2 (100.2 s), #3 (100.4 s); GT #11 (110.0 s), #12 (110.3 s).
 * The flag falls on #1's lap 37 at 1:01:40.000; #2 finishes 7.4 s behind,
 * #3 14.8 s; in GT #12 finishes 10.2 s behind #11 (lap 34).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadRace } from '../src/cli/load.js';
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents, type RaceTimeline } from '../src/engine/timeline.js';
import type { DecisionEvent, TimingEvent } from '../src/model/events.js';
import { buildReport } from '../src/report/build.js';
import { RawRace } from '../src/report/claims/raw.js';
import { checkReport, formatProblem } from '../src/report/check.js';
import type { Report, ReportFact } from '../src/report/types.js';
import { entry, lap, realData, realFile, repoRoot, session } from './helpers.js';

const MIN = 60_000;
/** After the last crossing (#12's lap 34 at 1:02:30.200): a post-race decision. */
const AFTER = 65 * MIN;

function decision(over: Partial<DecisionEvent> & Pick<DecisionEvent, 'id' | 'atMs' | 'kind'>): DecisionEvent {
  return { type: 'decision', car: null, penaltyMs: null, lap: null, laps: null, reason: '', text: '', ...over };
}

function race(decisions: DecisionEvent[]): RaceTimeline {
  const events: TimingEvent[] = [session({ name: 'Velmont 1 Hour', scheduledDurationMs: 60 * MIN })];
  const cars = [
    ['1', 'PROTO', 100_000, 37],
    ['2', 'PROTO', 100_200, 37],
    ['3', 'PROTO', 100_400, 37],
    ['11', 'GT', 110_000, 34],
    ['12', 'GT', 110_300, 34],
  ] as const;
  for (const [car, cls] of cars) events.push(entry(car, cls, { team: `Team ${car}`, manufacturer: cls === 'GT' ? 'Brixton' : 'Hadley', drivers: [{ number: 1, name: `Driver ${car}` }] }));
  for (const [car, , lapMs, laps] of cars) {
    for (let n = 1; n <= laps; n++) events.push(lap(car, n, n * lapMs, { lapMs, sectorsMs: [lapMs * 0.3, lapMs * 0.4, lapMs * 0.3], driverName: `Driver ${car}` }));
  }
  events.push(...decisions);
  return foldEvents(events);
}

function text(report: Report): string {
  return [report.headline, report.standfirst, ...report.sections.flatMap((s) => [s.heading ?? '', ...s.paragraphs.map((p) => p.text)])].join('\n');
}

function allFacts(report: Report): ReportFact[] {
  return [...report.headlineFacts, ...report.standfirstFacts, ...report.sections.flatMap((s) => [...s.headingFacts, ...s.paragraphs.flatMap((p) => p.facts)])];
}

function problems(timeline: RaceTimeline, report: Report): string[] {
  return checkReport(timeline, report).problems.map(formatProblem);
}

/** Car → [class position, class gap] of the final report's tables. */
function tableOf(report: Report): Map<string, [number, string]> {
  return new Map(report.tables.flatMap((t) => t.rows.map((r) => [r.car, [r.position, JSON.stringify(r.gap)]] as const)));
}

describe('the made-up race without decisions: the road order', () => {
  it('#1 wins by 7.4s, #11 wins GT by 10.2s', () => {
    const timeline = race([]);
    assert.equal(timeline.chequeredMs(), 3_700_000);
    const report = buildReport(timeline, 1);
    assert.match(report.standfirst, /#1\b.*7\.4s ahead of the #2/);
    assert.deepEqual(problems(timeline, report), []);
  });
});

describe('time added after the finish', () => {
  // #1 +10 s: 3,710,000 against #2's 3,707,400, so #2 wins by 2.6 s, #1 2.6 s down, #3 7.4 s.
  // #11 +15 s: 3,755,000 against #12's 3,750,200 (lap 34), so #12 wins GT by 4.8 s.
  const timeline = race([
    decision({ id: 'rc-1', atMs: AFTER, kind: 'time-added', car: '1', penaltyMs: 10_000, reason: 'track limits' }),
    decision({ id: 'rc-11', atMs: AFTER, kind: 'time-added', car: '11', penaltyMs: 15_000, reason: 'track limits' }),
  ]);
  const report = buildReport(timeline, 1);

  it('the report gives the order and gaps with the time added, overall and in class', () => {
    assert.equal(report.atMs, AFTER);
    assert.match(report.headline, /#2\b/);
    assert.match(report.standfirst, /#2\b.*2\.6s ahead of the #1\b/);
    assert.match(text(report), /#12\b[^.]*4\.8s ahead of the #11\b/);
    const table = tableOf(report);
    assert.deepEqual(table.get('2'), [1, 'null']);
    assert.deepEqual(table.get('1'), [2, '{"ms":2600}']);
    assert.deepEqual(table.get('3'), [3, '{"ms":7400}']);
    assert.deepEqual(table.get('12'), [1, 'null']);
    assert.deepEqual(table.get('11'), [2, '{"ms":4800}']);
  });

  it('the checker finds every fact true (it read #1 P1, #2 2.6s behind #1, before it read time added)', () => {
    assert.deepEqual(problems(timeline, report), []);
  });

  it('the checker refuses the road order and the road margin', () => {
    const wrong: Report = structuredClone(report);
    const place = allFacts(wrong).find((f) => f.kind === 'position' && f.car === '2' && f.position === 1)!;
    assert.ok(place.kind === 'position');
    place.car = '1';
    assert.ok(problems(timeline, wrong).some((p) => p.includes('by the laps, #1 was P2')), problems(timeline, wrong).join('\n'));
    const margin: Report = structuredClone(report);
    const gap = allFacts(margin).find((f) => f.kind === 'gap' && f.car === '1' && f.gap !== null)!;
    assert.ok(gap.kind === 'gap');
    gap.gap = { ms: 7_400 };
    assert.ok(problems(timeline, margin).some((p) => p.includes('the laps give #1 2.6s behind #2')), problems(timeline, margin).join('\n'));
  });

  it('a penalty too small to change the order changes the gap: #1 +5 s still wins, by 2.4s', () => {
    const small = race([decision({ id: 'rc-1', atMs: AFTER, kind: 'time-added', car: '1', penaltyMs: 5_000 })]);
    const r = buildReport(small, 1);
    assert.match(r.standfirst, /#1\b.*2\.4s ahead of the #2/);
    assert.deepEqual(problems(small, r), []);
  });
});

describe('time added during the race counts at the finish', () => {
  const timeline = race([decision({ id: 'rc-1', atMs: 30 * MIN, kind: 'time-added', car: '1', penaltyMs: 10_000, reason: 'track limits' })]);
  const report = buildReport(timeline, 1);

  it('the final report and its checker both put #2 first by 2.6s', () => {
    assert.match(report.standfirst, /#2\b.*2\.6s ahead of the #1\b/);
    assert.deepEqual(problems(timeline, report), []);
  });
});

describe('time added during the race, in the hours before the finish', () => {
  // A 2-hour race at the same paces. At 1:00:00.000 the #1 has just completed lap 36; the #2 (lap 35 at
  // 58:27.000) and the #3 (lap 35 at 58:34.000) are not a lap down yet (endurance-rules.md §7).
  function twoHours(car: string): RaceTimeline {
    const events: TimingEvent[] = [session({ name: 'Velmont 2 Hours', scheduledDurationMs: 120 * MIN })];
    const paces = [['1', 100_000], ['2', 100_200], ['3', 100_400]] as const;
    for (const [c] of paces) events.push(entry(c, 'PROTO', { team: `Team ${c}`, manufacturer: 'Hadley', drivers: [{ number: 1, name: `Driver ${c}` }] }));
    for (const [c, lapMs] of paces) for (let n = 1; n <= 73; n++) events.push(lap(c, n, n * lapMs, { lapMs, sectorsMs: [lapMs * 0.3, lapMs * 0.4, lapMs * 0.3], driverName: `Driver ${c}` }));
    events.push(decision({ id: 'rc', atMs: 30 * MIN, kind: 'time-added', car, penaltyMs: 10_000 }));
    return foldEvents(events);
  }
  const gaps = (timeline: RaceTimeline, t: number) => standingsAt(timeline, t).cars.map((c) => `#${c.number} ${JSON.stringify(c.gap)}`);

  it('+10 s to the #2: 17.0s behind the #1 after one hour (7 s on the road and its 10 s), not "one lap"', () => {
    const timeline = twoHours('2');
    assert.deepEqual(gaps(timeline, 60 * MIN), ['#1 null', '#3 {"ms":14000}', '#2 {"ms":17000}']);
    assert.deepEqual(problems(timeline, buildReport(timeline, 1)), []);
  });

  it('+10 s to the leader #1: the #3 4.0s behind it, the #2 ahead of it in race time (no gap), and no lap down', () => {
    const timeline = twoHours('1');
    assert.deepEqual(gaps(timeline, 60 * MIN), ['#1 null', '#2 null', '#3 {"ms":4000}']);
    assert.deepEqual(problems(timeline, buildReport(timeline, 1)), []);
  });
});

describe('a drive-through or stop-and-go announced after the finish is converted to time', () => {
  it('a drive-through converted to 10 s: #2 wins by 2.6s, told as converted', () => {
    const timeline = race([decision({ id: 'rc-1', atMs: AFTER, kind: 'drive-through', car: '1', penaltyMs: 10_000, reason: 'unsafe release' })]);
    const report = buildReport(timeline, 1);
    assert.match(report.standfirst, /#2\b.*2\.6s ahead of the #1\b/);
    assert.match(text(report), /#1\b[^.]*a drive-through penalty converted to 10 seconds added to its race time after the race/);
    assert.deepEqual(problems(timeline, report), []);
  });

  it('a stop-and-go converted to 20 s: #1 third, 5.2s behind #3 and 12.6s behind the winner', () => {
    const timeline = race([decision({ id: 'rc-1', atMs: AFTER, kind: 'stop-and-go', car: '1', penaltyMs: 20_000 })]);
    const report = buildReport(timeline, 1);
    const table = tableOf(report);
    assert.deepEqual([table.get('2'), table.get('3'), table.get('1')], [[1, 'null'], [2, '{"ms":7400}'], [3, '{"ms":12600}']]);
    assert.deepEqual(problems(timeline, report), []);
  });

  it('one served during the race, with no time given, changes nothing', () => {
    const timeline = race([decision({ id: 'rc-1', atMs: 30 * MIN, kind: 'drive-through', car: '1' })]);
    assert.equal(standingsAt(timeline, null).cars[0]!.number, '1');
    assert.deepEqual(problems(timeline, buildReport(timeline, 1)), []);
  });
});

describe('laps deducted after the finish', () => {
  // #2 one lap down: 36 laps against #3's 37, so #3 is second and #2 third, one lap behind.
  const timeline = race([decision({ id: 'rc-2', atMs: AFTER, kind: 'laps-deducted', car: '2', laps: 1 })]);
  const report = buildReport(timeline, 1);

  it('the report and the checker agree: #3 second, #2 a lap down', () => {
    const table = tableOf(report);
    assert.deepEqual([table.get('1'), table.get('3'), table.get('2')], [[1, 'null'], [2, '{"ms":14800}'], [3, '{"laps":1}']]);
    assert.deepEqual(problems(timeline, report), []);
  });
});

describe('Le Mans 2025 with 30 s added to the #83 after the race', realData(), () => {
  // Hand-computed from the CSV's ELAPSED of each car's lap 387 (all three on 387 laps): #83 86573.332 s
  // (+30 s = 86603.332), #6 86587.416, #51 86601.819, #12 86711.971. So #6 wins, #51 14.403 s behind
  // (its own gap, not #83's old 14.084 s margin), #83 15.916 s, #12 2:04.555.
  // LMP2 #43 86649.023 s, #48 86764.776; LMGT3 #92 86602.925, #21 86636.184, #81 86674.635.
  const shipped = JSON.parse(readFileSync(join(repoRoot, 'decisions', 'lemans-2025-decisions.json'), 'utf8')) as unknown[];
  const load = async (extra: object[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-post-race-'));
    try {
      const file = join(dir, 'decisions.json');
      writeFileSync(file, JSON.stringify([...shipped, ...extra]));
      return (await loadRace([realFile('lemans-2025-race-analysis.csv')], { decisions: file })).timeline;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const t83 = { type: 'decision', id: 't-83', atMs: 88_200_000, kind: 'time-added', car: '83', penaltyMs: 30_000, reason: 'test', text: 'CAR 83 - 30 SECONDS ADDED TO RACE TIME' };

  it('hour 24: 0 false facts, and the gaps of the hand computation', async () => {
    const timeline = await load([t83]);
    const report = buildReport(timeline, 24);
    assert.deepEqual(problems(timeline, report), []);
    assert.match(report.standfirst, /#6 Porsche, 14\.4s ahead of the #51\b/);
    assert.match(text(report), /#83[^.]*15\.9s down/);
    const table = tableOf(report);
    assert.deepEqual(
      ['6', '51', '83', '12'].map((c) => table.get(c)),
      [
        [1, 'null'],
        [2, '{"ms":14403}'],
        [3, '{"ms":15916}'],
        [4, '{"ms":124555}'],
      ],
    );
  });

  it('decisions during the race (+60 s to the leading #6 at 12:00, +20 s to the #43 at 13:53, a lap off the #92 at 16:40): every fact of every hour is true', async () => {
    const timeline = await load([
      { ...t83, id: 't-6', atMs: 43_200_000, car: '6', penaltyMs: 60_000 },
      { ...t83, id: 't-43', atMs: 50_000_000, car: '43', penaltyMs: 20_000 },
      { ...t83, id: 't-92', atMs: 60_000_000, kind: 'laps-deducted', car: '92', penaltyMs: null, laps: 1 },
    ]);
    const found: string[] = [];
    for (let hour = 1; hour <= 24; hour++) for (const p of problems(timeline, buildReport(timeline, hour))) found.push(`hour ${hour}: ${p}`);
    assert.deepEqual(found, []);
  });

  it('class penalties: #43 +2 min hands LMP2 to #48 by 4.2s; #92 +40 s hands LMGT3 to #21 by 6.7s', async () => {
    const timeline = await load([
      { ...t83, id: 't-43', car: '43', penaltyMs: 120_000 },
      { ...t83, id: 't-92', car: '92', penaltyMs: 40_000 },
    ]);
    const report = buildReport(timeline, 24);
    assert.deepEqual(problems(timeline, report), []);
    const table = tableOf(report);
    // 86764.776 − (86649.023 + 120) = −4.247: #48 first, #43 4.247 s down; 86636.184 − (86602.925 + 40) = −6.741.
    assert.deepEqual([table.get('48'), table.get('43'), table.get('21'), table.get('92'), table.get('81')], [[1, 'null'], [2, '{"ms":4247}'], [1, 'null'], [2, '{"ms":6741}'], [3, '{"ms":38451}']]);
    assert.match(text(report), /#48\b[^.]*4\.2s ahead of the #43\b/);
    assert.match(text(report), /#21\b[^.]*6\.7s ahead of the #92\b/);
  });
});

/** Two cars of one class, #1 on the line at n × 100 s, #2 5 s behind it; the session 6 hours. */
function twoCars(lapsOf: (car: '1' | '2') => Array<[number, number, 'green' | 'red' | null]>, decisions: DecisionEvent[]): RaceTimeline {
  const events: TimingEvent[] = [session({ name: 'Velmont 6 Hours', scheduledDurationMs: 6 * 60 * MIN }), entry('1', 'PROTO'), entry('2', 'PROTO')];
  for (const car of ['1', '2'] as const) for (const [n, crossingMs, flag] of lapsOf(car)) events.push(lap(car, n, crossingMs, { flag }));
  events.push(...decisions);
  return foldEvents(events);
}

describe('penalties while the race runs (review of the time-added change)', () => {
  it('level on laps with the car behind standing still: the race times give the gap, never "0 laps"', () => {
    // #2 ahead on the road by 5 s with 30 s added; both silent for 11 minutes (a red flag the race resumes from).
    const timeline = twoCars(
      (car) => Array.from({ length: 5 }, (_, i) => [i + 1, (i + 1) * 100_000 + (car === '1' ? 5_000 : 0), null]),
      [decision({ id: 't2', atMs: 300_000, kind: 'time-added', car: '2', penaltyMs: 30_000 })],
    );
    const at = 505_000 + 11 * MIN;
    const standings = standingsAt(timeline, at);
    assert.deepEqual(standings.cars.map((c) => c.number), ['1', '2']);
    assert.deepEqual(standings.cars[1]!.gap, { ms: 25_000 });
    const raw = RawRace.of(timeline);
    const order = raw.order(null, at);
    assert.deepEqual(order.map((c) => c.car.number), ['1', '2']);
  });

  it('a stop-and-go announced under a red flag that is later lifted is served, not converted: the order at that instant does not depend on the laps after it', () => {
    const lapsOf = (resumed: boolean) => (car: '1' | '2') => {
      const out: Array<[number, number, 'green' | 'red' | null]> = [];
      for (let n = 1; n <= 5; n++) out.push([n, n * 100_000 + (car === '2' ? 5_000 : 0), car === '2' && n === 5 ? 'red' : 'green']);
      if (resumed) for (let n = 6; n <= 7; n++) out.push([n, 30 * MIN + n * 100_000 + (car === '2' ? 5_000 : 0), 'green']);
      return out;
    };
    const stopAndGo = [decision({ id: 'sg1', atMs: 520_000, kind: 'stop-and-go', car: '1', penaltyMs: 60_000 })];
    const live = twoCars(lapsOf(false), stopAndGo);
    const resumed = twoCars(lapsOf(true), stopAndGo);
    for (const timeline of [live, resumed]) {
      const standings = standingsAt(timeline, 530_000);
      assert.deepEqual(standings.cars.map((c) => c.number), ['1', '2'], 'the stop-and-go is to be served: #1 still leads');
      assert.deepEqual(RawRace.of(timeline).order(null, 530_000).map((c) => c.car.number), ['1', '2']);
    }
  });
});
