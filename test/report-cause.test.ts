/**
 * The cause of a neutralisation when race control states one (issue 11,
 * Deliver 3): report/claims/flag.ts `causeOf`, on made-up messages and on the
 * IMSA Detroit 2026 replay, whose race control published "DEBRIS ON TRACK,
 * TURN 3" 7 s into one full course yellow and "CAR 77 STOPPED ON COURSE,
 * TURN 5" 5 s into the next (read here straight from the archive's messages).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRace } from '../src/cli/load.js';
import { buildReport } from '../src/report/build.js';
import { checkReport, formatProblem } from '../src/report/check.js';
import { causeOf } from '../src/report/claims/flag.js';
import { renderMarkdown } from '../src/report/render.js';
import type { Report } from '../src/report/types.js';
import type { MessageEvent } from '../src/model/events.js';
import { realData, realFile } from './helpers.js';

const message = (atMs: number, text: string): MessageEvent => ({ type: 'message', id: `m${atMs}`, atMs, text });

describe('causeOf: a whole race-control message next to the start, never part of one', () => {
  it('takes the nearest cause in the window, and reads turn and car as written', () => {
    const start = 100_000;
    const messages = [
      message(start - 40_000, 'DEBRIS ON TRACK, TURN 9'), // before the window
      message(start - 10_000, 'CAR 60 MECHANICAL BLACK FLAG'), // not a cause
      message(start + 5_000, 'CAR 007 STOPPED ON COURSE, TURN 5'),
      message(start + 20_000, 'DEBRIS ON TRACK, TURN 3'),
    ];
    const cause = causeOf(messages, start);
    assert.deepEqual(cause && [cause.words, cause.car, cause.turn], ['after the #007 stopped at turn 5', '007', 5]);
    assert.equal(causeOf([message(start, 'DEBRIS T6 T11')], start), null, 'two places: not read');
    assert.equal(causeOf([message(start + 120_000, 'DEBRIS ON TRACK, TURN 3')], start), null, 'too late to be this period\'s');
    assert.equal(causeOf([message(start, 'IMPACT AT TURN 5')], start)?.words, 'after an accident at turn 5');
  });
});

describe('neutralisation causes in the Detroit 2026 report', realData(), () => {
  it('hour 2 names both causes, the checker passes them, and fails a turn or a car changed', async () => {
    const { timeline } = await loadRace([realFile('timing71/imsa-2026-detroit-race-replay.zip')], {});
    const debris = timeline.messages.find((m) => m.text === 'DEBRIS ON TRACK, TURN 3');
    const stopped = timeline.messages.find((m) => m.text === 'CAR 77 STOPPED ON COURSE, TURN 5');
    assert.ok(debris !== undefined && stopped !== undefined, 'the archive holds both messages');
    const report = buildReport(timeline, 2);
    const text = renderMarkdown(report);
    assert.match(text, /A full course yellow period began at 1:20 race time, lasting \d+ minutes, for debris on track at turn 3\./);
    assert.match(text, /after the #77 stopped at turn 5\./);
    assert.deepEqual(checkReport(timeline, report).problems.map(formatProblem), []);

    const tampered = (from: string, to: string): string[] => {
      const copy: Report = structuredClone(report);
      const para = copy.sections.flatMap((s) => s.paragraphs).find((p) => p.text.includes(from))!;
      para.text = para.text.replace(from, to);
      return checkReport(timeline, copy).problems.map(formatProblem);
    };
    assert.ok(tampered('at turn 3.', 'at turn 4.').some((p) => p.includes('"4" in the text is not given by its facts')));
    assert.ok(tampered('the #77 stopped', 'the #78 stopped').some((p) => p.includes('#78')));
  });
});
