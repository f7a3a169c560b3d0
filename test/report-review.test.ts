/**
 * A journalist's review of the hourly reports (issue 11), each finding kept
 * as a test on the race and hour it came from. The raw facts named in each
 * test were read from the lap files by the reviewer's own script.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRace } from '../src/cli/load.js';
import { pitStops } from '../src/analysis/pits.js';
import { standingsAt } from '../src/engine/standings.js';
import { buildReport } from '../src/report/build.js';
import { checkReport, formatProblem } from '../src/report/check.js';
import { renderMarkdown } from '../src/report/render.js';
import type { RaceTimeline } from '../src/engine/timeline.js';
import { realData, realFile } from './helpers.js';

const HOUR = 3_600_000;
const cache = new Map<string, Promise<RaceTimeline>>();
const load = (name: string): Promise<RaceTimeline> => {
  let t = cache.get(name);
  if (t === undefined) cache.set(name, (t = loadRace([realFile(name)], {}).then((r) => r.timeline)));
  return t;
};

describe('review of the reports: findings kept as tests', realData(), () => {
  it('Le Mans 2024, 13 h: cars lapping behind the safety car in 10m49s are not "stopped"', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    // #83, #38, #3, #311 crossed at 12:49 and again at 13:00:04–13:00:12, under SF.
    const at13 = standingsAt(timeline, 13 * HOUR);
    for (const car of ['83', '38', '3', '311']) assert.equal(at13.cars.find((c) => c.number === car)?.status, 'running', `#${car}`);
    const text = renderMarkdown(buildReport(timeline, 13));
    assert.doesNotMatch(text, /#(83|38|311)\b[^.]*stopped after/);
  });

  it('Le Mans 2024, 7 h: a stop under the safety car is judged against the stops under the same safety car', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    // The #50's lap-105 stop took 2m58s; the 36 stops under the 6:37 safety car took a median 2m57s.
    const stop = pitStops(timeline, { at: 7 * HOUR, cars: ['50'] }).find((p) => p.inLap === 105)!;
    assert.equal(stop.pitLaneMs, 178_105);
    assert.equal(stop.usualFrom, 'safety-car');
    assert.equal(stop.long, false);
    for (const hour of [7, 10]) assert.doesNotMatch(renderMarkdown(buildReport(timeline, hour)), /#50[^.]*(cost|lost)[^.]*more than usual|lap-105 stop[^.]*more than usual/);
  });

  it('Le Mans 2024, 7 h: the #46 is in the pit lane at the hour mark, so no driver is said to lead in it', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 7);
    const text = renderMarkdown(report);
    assert.doesNotMatch(text, /Maxime Martin led/);
    assert.match(text, /The #46 WRT BMW led LMGT3/);
    assert.doesNotMatch(text, /its driver/);
    assert.deepEqual(checkReport(timeline, report).problems.map(formatProblem), []);
  });

  it('Le Mans 2019, 7 h: a lead taken in a pit cycle where both cars stopped is not "when the #51 pitted"', async () => {
    const timeline = await load('lemans-2019-race-analysis.csv');
    const text = renderMarkdown(buildReport(timeline, 7));
    assert.match(text, /#92 Porsche into the LMGTE Pro lead on lap 87/);
    assert.doesNotMatch(text, /when the #51 (AF Corse Ferrari )?pitted/);
  });

  it('Daytona 2019, 22 h: the #31 led from 21:03 to 21:54, so the #10 is "back in front", not "holds lead"', async () => {
    const timeline = await load('imsa-2019-daytona-24h-race-timecards.csv');
    const report = buildReport(timeline, 22);
    assert.match(report.headline, /#10 Cadillac[^:]* back in front with two hours to go$/);
    assert.doesNotMatch(report.headline, /holds lead|retains lead|keeps .* at bay|stays ahead|continues to lead/);
    assert.deepEqual(checkReport(timeline, report).problems.map(formatProblem), []);
  });

  it('Le Mans 2026, 9 h: a lead taken on the new leader\'s own in-lap is told as such, not as a pass', async () => {
    const timeline = await load('lemans-2026-race-analysis.csv');
    // #12 lap 144 ended in the pit lane at 8:58:55; the #8, which had stopped on lap 143, crossed lap 144 on track.
    const report = buildReport(timeline, 9);
    assert.match(report.headline, /#12 Cadillac[^:]* ahead of #8 through the stops after nine hours$/);
    const text = renderMarkdown(report);
    assert.match(text, /took the lead on lap 144, crossing the line in the pit lane\./);
    assert.doesNotMatch(text, /moves ahead of #8|takes lead from #8/);
    assert.deepEqual(checkReport(timeline, report).problems.map(formatProblem), []);
    // The in-lap is a checked fact: said of the #8, it fails.
    const wrong = structuredClone(report);
    const fact = wrong.sections.flatMap((x) => x.paragraphs).flatMap((p) => p.facts).find((f) => f.kind === 'pitted' && f.car === '12' && f.inLap === 144);
    assert.ok(fact !== undefined && fact.kind === 'pitted');
    fact.car = '8';
    assert.ok(checkReport(timeline, wrong).problems.map(formatProblem).some((p) => p.includes('#8 lap 144 did not end in the pit lane')));
  });

  it('Detroit 2026 (100 minutes): no "one hour to go" after the first hour, and no empty crew in the result', async () => {
    const timeline = await load('timing71/imsa-2026-detroit-race-replay.zip');
    assert.equal(timeline.session?.scheduledDurationMs, 100 * 60_000);
    assert.doesNotMatch(renderMarkdown(buildReport(timeline, 1)), /hours? to go/);
    const final = renderMarkdown(buildReport(timeline, 2));
    assert.doesNotMatch(final, /shared by ,|^ won |\n won /);
    assert.match(final, /finished second/);
  });
});
