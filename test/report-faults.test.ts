/**
 * The report audit's fault kinds (issue 11), each with its real example and
 * a tampered fact the checker must catch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldEvents, type RaceTimeline } from '../src/engine/timeline.js';
import { buildReport } from '../src/report/build.js';
import { checkReport, formatProblem } from '../src/report/check.js';
import type { Report, ReportFact } from '../src/report/types.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { realData, realFile } from './helpers.js';

const loaded = new Map<string, Promise<RaceTimeline>>();
function load(name: string): Promise<RaceTimeline> {
  let t = loaded.get(name);
  if (t === undefined) loaded.set(name, (t = importAnalysisFiles([realFile(name)]).then((r) => foldEvents(r.events))));
  return t;
}

function allFacts(report: Report): ReportFact[] {
  return [...report.headlineFacts, ...report.standfirstFacts, ...report.sections.flatMap((s) => s.paragraphs.flatMap((p) => p.facts))];
}

describe('the driver who pits is the one on the in-lap', realData(), () => {
  it('Daytona 2019 hour 12: Pagenaud drove the #6 in (lap 377), Montoya took over', async () => {
    const timeline = await load('imsa-2019-daytona-24h-race-timecards.csv');
    const report = buildReport(timeline, 12);
    // The headline names cars and the leader's crew (issue 11, Deliver 5); the stop is the #6's.
    assert.match(report.headline, /as #6 pits/);
    assert.doesNotMatch(report.headline, /Montoya|Pagenaud/);
    const pitted = allFacts(report).find((f) => f.kind === 'pitted');
    assert.deepEqual(pitted && { car: pitted.car, driver: pitted.driver, inLap: pitted.inLap }, { car: '6', driver: 'Simon Pagenaud', inLap: 377 });
    assert.deepEqual(checkReport(timeline, report).problems.map(formatProblem), []);
  });

  it('the checker refuses the driver who took over as the one who pitted', async () => {
    const timeline = await load('imsa-2019-daytona-24h-race-timecards.csv');
    const report = buildReport(timeline, 12);
    const tampered: Report = structuredClone(report);
    const fact = tampered.headlineFacts.find((f) => f.kind === 'pitted');
    assert.ok(fact !== undefined && fact.kind === 'pitted');
    fact.driver = 'Juan Pablo Montoya';
    const problems = checkReport(timeline, tampered).problems.map(formatProblem);
    // The meaning fails: the fact behind "#6 pits" names who drove the in-lap.
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /drove the in-lap of #6, not Juan Pablo Montoya/);
  });
});

describe('laps led belong to the car, not to a driver', realData(), () => {
  for (const name of ['wec-2019-spa-6h-race-analysis.csv', 'lemans-2019-race-analysis.csv', 'lemans-2024-race-analysis.csv']) {
    it(`${name}: every "has led" sentence has a car as its subject, with no driver at the wheel attached`, async () => {
      const { reportHours } = await import('../src/report/build.js');
      const timeline = await load(name);
      let seen = 0;
      for (const hour of reportHours(timeline)) {
        const report = buildReport(timeline, hour);
        const sentences = report.sections.flatMap((s) => s.paragraphs.flatMap((p) => p.text.split(/(?<=\.)\s+(?=[A-Z])/)));
        for (const sentence of sentences) {
          const m = /\b(?:has|have) (?:led|been in front|been the [\w ]+ leader|headed)\b/.exec(sentence);
          if (m === null) continue;
          seen++;
          assert.match(sentence.slice(0, m.index), /#\w+/, `${name} hour ${hour}: "${sentence}"`);
          assert.doesNotMatch(sentence.slice(0, m.index), /\bhave\b|, \w+ $/, `${name} hour ${hour}: "${sentence}"`);
          // Nor is a driver at the wheel attached to the record (Spa 2019 hour 6: "With Alonso at the wheel, the #8 has headed …").
          const clause = sentence.split(';')[0]!;
          assert.doesNotMatch(clause, /\bat the wheel\b|\bdriving\b/, `${name} hour ${hour}: "${sentence}"`);
        }
      }
      assert.ok(seen > 3, `${name}: ${seen} sentences about laps led`);
    });
  }
});

describe('a neutralisation is dated by when it began', realData(), () => {
  it('Le Mans 2024 hour 9: the safety car began at 6:37, in hour 7, not "in the previous hour"', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 9);
    const text = report.sections.flatMap((s) => s.paragraphs.map((p) => p.text)).join(' ');
    assert.doesNotMatch(text, /previous hour/);
    assert.match(text, /safety car period that began at 6:37 race time/);
    assert.deepEqual(checkReport(timeline, report).problems.map(formatProblem), []);
    // An independent reading of the laps: the first crossing under the safety car is at 6:37.
    const first = Math.min(...[...timeline.cars.values()].flatMap((c) => c.laps.filter((l) => l.flag === 'safety-car').map((l) => l.crossingMs)).filter((t) => t > 6 * 3_600_000));
    assert.equal(Math.floor(first / 60_000), 6 * 60 + 37);
  });
});

describe('a time margin is never read off a pit-lane crossing', realData(), () => {
  /** From the raw laps: the car's last crossing by t ended in the pit lane (it is in the pits or on its out-lap). */
  function inPitLane(timeline: RaceTimeline, car: string, t: number): boolean {
    const laps = timeline.cars.get(car)!.laps.filter((l) => l.crossingMs <= t);
    return laps.length > 0 && laps[laps.length - 1]!.inPit;
  }

  it('Le Mans 2024 hour 3: the #5 was in the pit lane, so no "28.3s" and no "keeps Christensen at bay"', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    assert.ok(inPitLane(timeline, '5', 3 * 3_600_000), 'the #5 was in the pit lane at 3:00');
    const report = buildReport(timeline, 3);
    assert.doesNotMatch(report.headline, /Christensen|at bay/);
    assert.doesNotMatch(`${report.standfirst}`, /28\.\ds/);
  });

  for (const name of ['lemans-2024-race-analysis.csv', 'wec-2019-spa-6h-race-analysis.csv', 'lemans-2023-race-analysis.csv']) {
    it(`${name}: every time gap a sentence states is between two cars on track`, async () => {
      const { reportHours } = await import('../src/report/build.js');
      const { standingsAt } = await import('../src/engine/standings.js');
      const timeline = await load(name);
      let checked = 0;
      for (const hour of reportHours(timeline)) {
        const report = buildReport(timeline, hour);
        for (const f of allFacts(report)) {
          if (f.kind !== 'gap' || f.gap === null || !('ms' in f.gap) || f.class === null) continue;
          const leader = standingsAt(timeline, f.atMs).cars.find((c) => c.class === f.class)!;
          checked++;
          assert.ok(!inPitLane(timeline, f.car, f.atMs), `${name} hour ${hour}: #${f.car} in the pit lane`);
          assert.ok(!inPitLane(timeline, leader.number, f.atMs), `${name} hour ${hour}: leader #${leader.number} in the pit lane`);
        }
      }
      assert.ok(checked > 20, `${checked} time gaps`);
    });
  }
});

describe('which driver: shared surnames and "at the wheel"', realData(), () => {
  it('same-surname-crew-2h: every Magnussen is named with his first name', async () => {
    const { importAnalysisFiles: load2 } = await import('../src/sources/alkamel/import.js');
    const { resolve } = await import('node:path');
    const { repoRoot } = await import('./helpers.js');
    const events = (await load2([resolve(repoRoot, '..', 'shared', 'cases', 'results', 'same-surname-crew-2h.csv')])).events;
    const timeline = foldEvents(events.map((e) => (e.type === 'session' ? { ...e, scheduledDurationMs: 2 * 3_600_000 } : e)));
    const report = buildReport(timeline, 1);
    const text = [report.headline, report.standfirst, ...report.sections.flatMap((s) => s.paragraphs.map((p) => p.text))].join(' ');
    assert.match(text, /Kevin Magnussen taking over/);
    assert.doesNotMatch(text.replace(/(Jan|Kevin) Magnussen/g, ''), /Magnussen/, text);
  });
});

describe('"with X at the wheel" never follows a rival', realData(), () => {
  it('Le Mans 2024: no sentence puts the leader\'s driver after the rival it names', async () => {
    const { reportHours } = await import('../src/report/build.js');
    const timeline = await load('lemans-2024-race-analysis.csv');
    for (const hour of reportHours(timeline)) {
      const text = buildReport(timeline, hour).sections.flatMap((s) => s.paragraphs.map((p) => p.text)).join(' ');
      assert.doesNotMatch(text, /from [^.]+ in the [^.]+, with [^.]+ at the wheel\./, `hour ${hour}`);
    }
  });
});

describe('a battle is for a place only when every swap was for it', realData(), () => {
  it('Le Mans 2024 hour 3: the #38 and #8 swapped as P10/P8, P5/P6 and P6/P4 — no "fight for third"', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 3);
    const text = report.sections.flatMap((s) => s.paragraphs.map((p) => p.text)).join(' ');
    assert.match(text, /#38 [^.]*and the #8 (?:swapped|traded|changed|exchanged) places three times/);
    assert.doesNotMatch(text, /fight for third[^.]*#38|#38[^.]*third place/);
    assert.deepEqual(checkReport(timeline, report).problems.map(formatProblem), []);
  });

  it('the checker refuses a place the two cars did not hold at every swap', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 3);
    const tampered: Report = structuredClone(report);
    const para = tampered.sections.flatMap((s) => s.paragraphs).find((p) => p.facts.some((f) => f.kind === 'swaps' && f.cars.includes('38')))!;
    const swaps = para.facts.find((f) => f.kind === 'swaps')!;
    assert.ok(swaps.kind === 'swaps');
    para.facts.push({ kind: 'swap-place', class: swaps.class, cars: swaps.cars, place: 3, fromMs: swaps.fromMs, toMs: swaps.toMs });
    const problems = checkReport(timeline, tampered).problems.map(formatProblem);
    assert.ok(problems.some((p) => /held P\d+ and P\d+ in HYPERCAR, not P3 and P4/.test(p)), problems.join('\n'));
  });

  it('the place named at Le Mans 2024 hour 3 in LMP2 (sixth) is one the engine shows at every swap', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 3);
    const places = allFacts(report).filter((f) => f.kind === 'swap-place');
    assert.ok(places.length >= 1);
    assert.deepEqual(checkReport(timeline, report).problems, []);
  });
});
