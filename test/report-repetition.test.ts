/**
 * The repetition budget (issue 11, Deliver 5): across one race's reports no
 * 4-word phrase other than names, numbers and flag names appears more than
 * REPETITION_BUDGET times. The measure on a hand-counted made-up report, then
 * the budget held on three real 24-hour races, each worst phrase recounted
 * in the plain text by another route (a regex over the words).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldEvents } from '../src/engine/timeline.js';
import { buildReport, reportHours } from '../src/report/build.js';
import { phraseRepetition, REPETITION_BUDGET, reportSentences, sentencePhrases } from '../src/report/repetition.js';
import type { Report } from '../src/report/types.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { realData, realFile } from './helpers.js';

function report(hour: number, paragraphs: string[]): Report {
  return {
    race: 'Velmont 6 Hours',
    hour,
    atMs: hour * 3_600_000,
    fromMs: (hour - 1) * 3_600_000,
    final: false,
    headline: `Velmont 6 Hours: #4 Hadley of Ferreira and Okafor holds lead over #5`,
    standfirst: 'Ana Ferreira kept the #4 Hadley in front, 41.2s clear of Li Wei in the sister #5 car.',
    sections: [{ heading: null, headingFacts: [], class: 'GT PRO', paragraphs: paragraphs.map((text) => ({ text, facts: [] })) }],
    headlineFacts: [],
    standfirstFacts: [],
    tablesTitle: `Positions after ${hour} hours`,
    tables: [
      {
        class: 'GT PRO',
        rows: [
          { position: 1, car: '4', team: 'Hadley Racing', make: 'Hadley', drivers: ['Ana Ferreira', 'Tom Okafor'], laps: 10, gap: null, status: 'running', result: '', reason: null },
          { position: 2, car: '5', team: 'Hadley Racing', make: 'Hadley', drivers: ['Li Wei'], laps: 10, gap: { ms: 41_200 }, status: 'running', result: '', reason: null },
        ],
      },
    ],
  };
}

describe('the repetition measure', () => {
  it('names, numbers, car numbers and flag names break a phrase; so do commas and full stops', () => {
    const names = new Set(['hadley', 'ferreira', 'okafor']);
    assert.deepEqual(sentencePhrases('The #4 is recovering after losing time', names), ['is recovering after losing', 'recovering after losing time']);
    assert.deepEqual(sentencePhrases('Ferreira kept the Hadley ahead of the rest', names), ['ahead of the rest']);
    assert.deepEqual(sentencePhrases('they swapped places three times during the hour', names), ['times during the hour']);
    assert.deepEqual(sentencePhrases('A safety car period began at 1:30 race time', names), []);
    assert.deepEqual(sentencePhrases("Hadley's lap-48 stop took far too long today", names), ['stop took far too', 'took far too long', 'far too long today']);
    // Clauses: a comma ends one.
    assert.deepEqual(reportSentences(report(1, ['In the end, it was close enough for them.'])).slice(-2), ['In the end,', 'it was close enough for them.']);
  });

  it('counts each phrase across the reports, the worst first, and what is over the budget', () => {
    const stock = 'The #5 is recovering after losing time.';
    const reports = [1, 2, 3, 4, 5, 6].map((h) => report(h, h <= 3 ? [stock, stock] : [stock, 'Nothing else happened this hour.']));
    const r = phraseRepetition(reports);
    // "is recovering after losing" and "recovering after losing time": 9 each; the headline and standfirst give none
    // ("holds lead over" is three words between names; "clear of" and "in the sister" end at a name or a car number).
    assert.deepEqual(r.worst, { phrase: 'is recovering after losing', count: 9 });
    assert.deepEqual(r.overBudget, [
      { phrase: 'is recovering after losing', count: 9 },
      { phrase: 'recovering after losing time', count: 9 },
    ]);
    assert.equal(r.phrases, 4, 'plus "nothing else happened this" and "else happened this hour", three times each');
    assert.equal(r.occurrences, 24);
  });
});

describe('the repetition budget holds on three real 24-hour races', realData(), () => {
  for (const name of ['lemans-2019-race-analysis.csv', 'lemans-2021-race-analysis.csv', 'lemans-2024-race-analysis.csv']) {
    it(`${name}: no 4-word phrase more than ${REPETITION_BUDGET} times in its 24 reports`, async () => {
      const timeline = foldEvents((await importAnalysisFiles([realFile(name)])).events);
      const reports = reportHours(timeline).map((h) => buildReport(timeline, h));
      assert.equal(reports.length, 24);
      const r = phraseRepetition(reports);
      assert.deepEqual(r.overBudget, [], `${name}: ${JSON.stringify(r.overBudget)}`);
      assert.ok(r.worst !== null && r.worst.count >= 2 && r.worst.count <= REPETITION_BUDGET, JSON.stringify(r.worst));
      // Most runs of ordinary words are cut short by a car, a driver or a number; some 4-word runs are left to count.
      assert.ok(r.occurrences > 20, `${name}: only ${r.occurrences} phrases counted: the measure would hold of anything`);
      // Another route: the worst phrase as words in a row in the reports' running text, counted by a regex.
      const text = reports.flatMap((x) => [x.headline, x.standfirst, ...x.sections.flatMap((s) => [s.heading ?? '', ...s.paragraphs.map((p) => p.text)])]).join('\n').toLowerCase();
      const words = r.worst!.phrase.split(' ').map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      const found = text.match(new RegExp(`(?<![\\p{L}\\p{N}'’-])${words.join('\\s+')}(?![\\p{L}\\p{N}'’-])`, 'gu'))?.length ?? 0;
      assert.equal(found, r.worst!.count, `"${r.worst!.phrase}" in the text`);
    });
  }
});
