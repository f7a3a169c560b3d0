/**
 * Reports on every real race in ../shared/data/real/: every hour's every fact
 * recomputed from the timing data, plus what an editor checks first.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents, type RaceTimeline } from '../src/engine/timeline.js';
import { buildReport, reportHours } from '../src/report/build.js';
import { checkReport, formatProblem } from '../src/report/check.js';
import { renderHtml, renderMarkdown } from '../src/report/render.js';
import type { Report } from '../src/report/types.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { loadRace } from '../src/cli/load.js';
import { LAP_FILES, realData, realFile } from './helpers.js';

const HOUR = 3_600_000;

/** As `sarthe report` loads a file: a whole race (a race whose timing stops early was stopped), its classification profile applied. */
async function load(name: string): Promise<RaceTimeline> {
  return (await loadRace([realFile(name)], {})).timeline;
}

/** The first sentence of the body after the standfirst is the standfirst itself: the opening sentence. */
function opening(report: Report): string {
  return report.standfirst;
}

describe('reports on the other real lap files: the IMSA laps files and a 30-minute sprint', realData(), () => {
  // The IMSA laps files (comma-separated, with official results beside them) and the Porsche Carrera
  // Cup race, through the CLI's own loading (classification profile, rules) as `report --all --check`.
  for (const name of ['imsa/imsa-2024-petit-le-mans-10h-race-laps.csv', 'imsa/imsa-2025-sebring-12h-race-laps.csv', 'porsche-carrera-cup-france-30min-race-analysis.csv']) {
    it(`${name}: every fact of every hour is true of the data`, async () => {
      const { timeline } = await loadRace([realFile(name)], {});
      const hours = reportHours(timeline);
      assert.ok(hours.length >= 1, `${name}: ${hours.length} hours`);
      let checked = 0;
      for (const hour of hours) {
        const result = checkReport(timeline, buildReport(timeline, hour));
        assert.deepEqual(result.problems.map(formatProblem), [], `${name} hour ${hour}`);
        checked += result.checked;
      }
      assert.ok(checked > 100 * hours.length, `${name}: ${checked} facts checked`);
    });
  }
});

describe('reports on every real race', realData(), () => {
  for (const name of LAP_FILES) {
    it(`${name}: every fact of every hour is true of the data`, async () => {
      const timeline = await load(name);
      const hours = reportHours(timeline);
      assert.ok(hours.length >= 4, `${name}: ${hours.length} hours`);
      let checked = 0;
      for (const hour of hours) {
        const report = buildReport(timeline, hour);
        const result = checkReport(timeline, report);
        assert.deepEqual(result.problems.map(formatProblem), [], `${name} hour ${hour}`);
        checked += result.checked;
        assert.ok(report.sections.length >= 2, `${name} hour ${hour}: a section per class`);
        assert.equal(report.tables.length, report.sections.length);
        // Nothing the data cannot show.
        const text = renderMarkdown(report);
        assert.doesNotMatch(text, /\b(tyres?|tires?|rain|weather|puncture|crash|engine failure|scheduled)\b/i, `${name} hour ${hour}`);
        // A negative number (a hyphen inside a word, "lap-27 stop", is none).
        assert.doesNotMatch(text, /undefined|NaN|null|(?<![\p{L}\p{N}])-\d/u, `${name} hour ${hour}`);
        // No flag is stated as race control's; an inferred one is said as such (claims/inferred-flag.ts).
        const stated = text.replace(/[^.]*(safety car|full course yellow)[^.]*\\?\(inferred[^)]*\\?\)\./g, '');
        if (!timeline.hasFlags) assert.doesNotMatch(stated, /safety car|full course yellow|\bred flag/i, `${name} hour ${hour}: no flags in this file`);
        else assert.doesNotMatch(text, /\(inferred/, `${name} hour ${hour}: flags in this file`);
      }
      assert.ok(checked > hours.length * 50, `${name}: ${checked} facts checked`);
    });
  }
});

describe('what an editor checks first', realData(), () => {
  for (const [name, winner] of [
    ['lemans-2019-race-analysis.csv', '8'],
    ['lemans-2023-race-analysis.csv', '51'],
  ] as const) {
    it(`${name}: no two of the 24 reports share a headline or an opening sentence`, async () => {
      const timeline = await load(name);
      const reports = reportHours(timeline).map((h) => buildReport(timeline, h));
      assert.equal(reports.length, 24);
      const headlines = reports.map((r) => r.headline);
      const openings = reports.map(opening);
      assert.equal(new Set(headlines).size, 24, headlines.join('\n'));
      assert.equal(new Set(openings).size, 24, openings.join('\n'));
      // Each section's first paragraph opens differently from the same section an hour earlier.
      for (let i = 1; i < reports.length; i++) {
        const now = reports[i]!.sections[0]!.paragraphs[0]?.text.split('. ')[0];
        const before = reports[i - 1]!.sections[0]!.paragraphs[0]?.text.split('. ')[0];
        if (now !== undefined && before !== undefined && now.length > 60) assert.notEqual(now, before, `hours ${i} and ${i + 1}`);
      }
    });

    it(`${name}: leader, gap and class leaders match the standings at 6, 12, 20 and 23 hours; the 24th is the result`, async () => {
      const timeline = await load(name);
      for (const hour of [6, 12, 20, 23]) {
        const report = buildReport(timeline, hour);
        const standings = standingsAt(timeline, hour * HOUR);
        const leader = standings.cars[0]!;
        assert.match(report.standfirst, new RegExp(`#${leader.number}\\b`), `hour ${hour}: ${report.standfirst}`);
        for (const section of report.sections.slice(1)) {
          const classLeader = standings.cars.find((c) => c.class === section.class && c.classPosition === 1)!;
          assert.match(`${section.heading} ${section.paragraphs[0]!.text}`, new RegExp(`#${classLeader.number}\\b`), `hour ${hour} ${section.class}`);
        }
        assert.equal(report.tablesTitle, `Positions after ${hour} hours`);
      }
      const final = buildReport(timeline, 24);
      assert.equal(final.final, true);
      assert.equal(final.tablesTitle, 'Final classification');
      assert.match(final.standfirst, new RegExp(`won the .* in the #${winner} `));
      for (const section of final.sections.slice(1)) {
        // A class of one (Garage 56, 2023) finishes rather than wins.
        const entries = final.tables.find((t) => t.class === section.class)!.rows.length;
        assert.match(section.heading!, entries === 1 ? / sees the flag$/ : / wins$/);
      }
      assert.ok(!renderHtml(final).includes('<script'));
    });
  }

  it('Daytona 2019: timing that stops without a chequered flag, and a halted field', async () => {
    const timeline = await load('imsa-2019-daytona-24h-race-timecards.csv');
    const hours = reportHours(timeline);
    assert.equal(hours[hours.length - 1], 23);
    const last = buildReport(timeline, 23);
    // The file is the whole race (loadRace): the result is declared as it stood (issue 10, Deliver 3).
    assert.match(last.headline, /#10 Cadillac[^:]* wins as the race is stopped in the 23rd hour/);
    assert.match(last.standfirst, /no chequered flag; the result is declared as it stood: .* won in the #10/);
    assert.doesNotMatch(last.headline + last.standfirst, /was then leading|in front/);
    assert.ok(last.standfirstFacts.some((f) => f.kind === 'data-ends'));
    const halted = buildReport(timeline, 17);
    assert.match(halted.headline, /field halted/);
    assert.doesNotMatch(renderMarkdown(halted), /has not been timed since|has not come back out/, 'no car-by-car retirements while the field is halted');
    // The same words do appear where a car retires alone (the check above can fail).
    assert.match(renderMarkdown(buildReport(timeline, 6)) + renderMarkdown(buildReport(timeline, 3)) + renderMarkdown(buildReport(timeline, 12)), /has not been timed since|has not come back out/);
    assert.throws(() => buildReport(timeline, 24), /hours 1 to 23/);
  });

  it('COTA 2025: the red flag makes its hour', async () => {
    const timeline = await load('wec-2025-cota-6h-race-analysis.csv');
    const report = buildReport(timeline, 2);
    assert.match(report.headline, /red flag stops the race/);
    assert.match(renderMarkdown(report), /The race was stopped under the red flag/);
  });
});

describe('a red-flag result with a decision announced after the stop', realData(), () => {
  it('Spa 2019, #8 disqualified at 5:59: #3 wins, and the race still stopped at 5:45 (not at the decision)', async () => {
    const { parseDecisionsFile } = await import('../src/cli/results.js');
    const timeline = (await loadRace([realFile('wec-2019-spa-6h-race-analysis.csv')], {})).timeline;
    for (const d of parseDecisionsFile('5:59:00 CAR 8 - DISQUALIFIED - TECHNICAL\n', 'rc.txt')) timeline.apply(d);
    const report = buildReport(timeline, 6);
    assert.match(report.headline, /#3 Rebellion[^:]* wins as the race is stopped in the 6th hour/);
    assert.match(report.standfirst, /^The timing stops at 5:45 race time, 45 minutes into the 6th hour/);
    assert.match(renderMarkdown(report), /## Result, declared at 5:45, when the race was stopped/);
    assert.deepEqual(checkReport(timeline, report).problems.map(formatProblem), []);
  });
});
