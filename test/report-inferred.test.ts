/**
 * Neutralisations inferred in a file without flags, in the reports (issue 17
 * Deliver 2, claims/inferred-flag.ts): said as inferred, and checked from
 * the raw sector times, not from the inference.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRace } from '../src/cli/load.js';
import { buildReport } from '../src/report/build.js';
import { checkReport, formatProblem } from '../src/report/check.js';
import { renderMarkdown } from '../src/report/render.js';
import type { Report, ReportFact } from '../src/report/types.js';
import { realData, realFile } from './helpers.js';

describe('inferred neutralisations in the reports', realData(), () => {
  it('Le Mans 2019 hour 21 tells the safety car of the 21st hour as inferred, and the checker reads the sectors', async () => {
    const { timeline } = await loadRace([realFile('lemans-2019-race-analysis.csv')], {});
    assert.equal(timeline.hasFlags, false);
    const report = buildReport(timeline, 21);
    assert.match(renderMarkdown(report), /a safety car[^.]* at 20:23 race time, for about \d+ minutes[^.]*\(inferred[^.]*\./);
    assert.deepEqual(checkReport(timeline, report).problems.map(formatProblem), []);
    // The same sentence moved to a green stretch (19:00–19:10: no inferred period there) fails on the sectors.
    const moved: Report = structuredClone(report);
    const fact = moved.sections.flatMap((s) => s.paragraphs).flatMap((p) => p.facts).find((f): f is Extract<ReportFact, { kind: 'inferred-neutralisation' }> => f.kind === 'inferred-neutralisation')!;
    fact.startMs = 19 * 3_600_000;
    fact.endMs = 19 * 3_600_000 + 10 * 60_000;
    const problems = checkReport(timeline, moved).problems.map(formatProblem);
    assert.ok(problems.some((p) => /their best: no slowdown/.test(p)), problems.join('\n'));
  });

  it('a period running past the hour mark gets no length there, and its end is told the next hour (Daytona 2019, 15:29 to the halt at 16:44)', async () => {
    const { timeline } = await loadRace([realFile('imsa-2019-daytona-24h-race-timecards.csv')], {});
    const h16 = buildReport(timeline, 16);
    const t16 = renderMarkdown(h16);
    assert.match(t16, /at 15:29 race time as under a safety car \\?\(inferred\\?\)\./);
    assert.doesNotMatch(t16, /15:29[^.]*for about/);
    const h17 = buildReport(timeline, 17);
    assert.match(renderMarkdown(h17), /The slowdown that began at 15:29 race time ended after about 1 hour 15 minutes in all \\?\(inferred\\?\)\./);
    for (const r of [h16, h17]) assert.deepEqual(checkReport(timeline, r).problems.map(formatProblem), []);
  });

  it('a file with race control\'s flags tells its flags, never an inferred period', async () => {
    const { timeline } = await loadRace([realFile('lemans-2024-race-analysis.csv')], {});
    for (const hour of [7, 9]) assert.doesNotMatch(renderMarkdown(buildReport(timeline, hour)), /\(inferred/);
  });
});
