/**
 * Reports on results (issue 10): unclassified cars are written as such, the
 * podium is of classified cars, and no heading names an hour the race did
 * not reach.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadRace } from '../src/cli/load.js';
import { buildReport } from '../src/report/build.js';
import { checkReport } from '../src/report/check.js';
import { renderMarkdown } from '../src/report/render.js';
import { sharedSurnames } from '../src/report/words.js';
import { realData, realFile, resultCases, resultCasesDir } from './helpers.js';

const casesDir = resultCasesDir;

describe('reports of a result', resultCases(), () => {
  it('leader-stops-on-final-lap-20m: #1 is neither the leader nor on the podium, and is NC in the table', async () => {
    const { timeline } = await loadRace([join(casesDir, 'leader-stops-on-final-lap-20m.csv')], { duration: '20m' });
    const report = buildReport(timeline, 1);
    assert.deepEqual(checkReport(timeline, report).problems, []);
    const prose = [report.headline, report.standfirst, ...report.sections.flatMap((s) => s.paragraphs.map((p) => p.text))].join(' ');
    assert.doesNotMatch(prose, /#1\b/, 'the stopped car is not in the story of the finish');
    assert.match(report.headline, /#2/);
    const row = report.tables[0]!.rows.find((r) => r.car === '1')!;
    assert.deepEqual([row.result, row.reason], ['NC', 'did not take the chequered flag']);
    assert.match(renderMarkdown(report), /\| NC \| #1 \|.*did not take the chequered flag \|/);
  });

  it('short-distance-20m: #20 is NC with its reason, and not "completing the podium"', async () => {
    const { timeline } = await loadRace([join(casesDir, 'short-distance-20m.csv')], { duration: '20m' });
    const report = buildReport(timeline, 1);
    const md = renderMarkdown(report);
    assert.doesNotMatch(md, /podium/);
    assert.match(md, /\| NC \| #20 \|.*covered less than 70% of the winner's distance \\?\(4 of 7 laps\\?\) \|/);
  });
});

describe('drivers who share a surname (kind)', resultCases(), () => {
  it('same-surname-crew-2h: every mention says which Magnussen, never the bare surname', async () => {
    const { timeline } = await loadRace([join(casesDir, 'same-surname-crew-2h.csv')], { duration: '2h' });
    const report = buildReport(timeline, 1);
    assert.deepEqual(checkReport(timeline, report).problems, []);
    const prose = [report.headline, report.standfirst, ...report.sections.flatMap((s) => s.paragraphs.map((p) => p.text))].join(' ');
    assert.match(prose, /Kevin Magnussen taking over/);
    const mentions = [...prose.matchAll(/(\S+) Magnussen/g)].map((m) => m[1]);
    assert.ok(mentions.length >= 2);
    assert.ok(mentions.every((first) => first === 'Jan' || first === 'Kevin'), `bare "Magnussen" in: ${prose}`);
  });

  it('sharedSurnames: only surnames two different drivers carry', () => {
    const shared = sharedSurnames([
      { name: 'Jan MAGNUSSEN', surname: 'Magnussen' },
      { name: 'Kevin MAGNUSSEN', surname: 'Magnussen' },
      { name: 'Kevin MAGNUSSEN', surname: 'Magnussen' },
      { name: 'Fernando ALONSO', surname: 'Alonso' },
    ]);
    assert.deepEqual([...shared], ['magnussen']);
  });
});

describe('reports of races stopped under red flag', realData(), () => {
  for (const [file, hour, title] of [
    ['wec-2019-spa-6h-race-analysis.csv', 6, 'Result, declared at 5:45, when the race was stopped'],
    ['imsa-2019-daytona-24h-race-timecards.csv', 23, 'Result, declared at 22:01, when the race was stopped'],
  ] as const) {
    it(`${file}: the last hour's tables are the declared result, not "after ${hour} hours"`, async () => {
      const { timeline } = await loadRace([realFile(file)], {});
      const report = buildReport(timeline, hour);
      assert.equal(report.tablesTitle, title);
      assert.doesNotMatch(renderMarkdown(report), new RegExp(`after ${hour} hours`));
    });
  }
});
