/**
 * The claim kind added last, `penalty` (src/report/claims/penalty.ts): one
 * file with its finder, words and meaning, registered in claims/index.ts. A
 * made-up race where race control gives the #2 a drive-through at 0:30 and
 * the #3 a 30-second stop-and-go at 0:45 (with a reason naming a driver,
 * which the sentence must leave out); a warning is no news.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldEvents } from '../src/engine/timeline.js';
import type { DecisionEvent, LapEvent, TimingEvent } from '../src/model/events.js';
import { buildReport } from '../src/report/build.js';
import { plainReason } from '../src/report/claims/penalty.js';
import { checkReport, formatProblem } from '../src/report/check.js';
import type { Report } from '../src/report/types.js';
import { entry, lap, session } from './helpers.js';

const MIN = 60_000;

function decision(over: Partial<DecisionEvent> & Pick<DecisionEvent, 'id' | 'atMs' | 'kind'>): DecisionEvent {
  return { type: 'decision', car: null, penaltyMs: null, lap: null, laps: null, reason: '', text: '', ...over };
}

function race(): TimingEvent[] {
  const events: TimingEvent[] = [session({ name: 'Velmont 6 Hours' })];
  const paces = { '1': 100_000, '2': 101_000, '3': 102_000, '4': 103_000 } as const;
  for (const car of Object.keys(paces)) {
    events.push(entry(car, 'PROTO', { team: `Team ${car}`, manufacturer: 'Hadley', drivers: [{ number: 1, name: `Driver ${car}` }] }));
  }
  for (const [car, lapMs] of Object.entries(paces)) {
    for (let n = 1; n * lapMs <= 90 * MIN; n++) {
      events.push(lap(car, n, n * lapMs, { lapMs, sectorsMs: [lapMs * 0.3, lapMs * 0.4, lapMs * 0.3], driverName: `Driver ${car}` }) satisfies LapEvent);
    }
  }
  events.push(
    decision({ id: 'rc-1', atMs: 30 * MIN, kind: 'drive-through', car: '2', reason: 'Unsafe release' }),
    decision({ id: 'rc-2', atMs: 45 * MIN, kind: 'stop-and-go', car: '3', penaltyMs: 30_000, reason: 'Contact with Driver 4' }),
    decision({ id: 'rc-3', atMs: 50 * MIN, kind: 'warning', car: '4', reason: 'track limits' }),
  );
  return events;
}

function prose(report: Report): string {
  return report.sections.flatMap((s) => s.paragraphs.map((p) => p.text)).join(' ');
}

describe('a penalty reason in plain words', () => {
  const names = new Set(['kubica', 'hadley']);
  it('race control capitals in lower case; never a digit, a car number or a name of the race', () => {
    assert.equal(plainReason('YELLOW FLAG INFRINGEMENT', names), 'yellow flag infringement');
    assert.equal(plainReason('Unsafe release', names), 'unsafe release');
    assert.equal(plainReason('INCIDENT AT T2 AT 1606', names), null);
    assert.equal(plainReason('CONTACT WITH KUBICA', names), null);
    assert.equal(plainReason('Contact with Driver', names), null, 'a capitalised word inside mixed case may be a name');
    assert.equal(plainReason('collision with #8', names), null);
    assert.equal(plainReason('post-race decision (no reason given)', names), null, 'an aside in brackets is no reason');
    assert.equal(plainReason('', names), null);
  });
});

describe('claim kind: penalty', () => {
  const timeline = foldEvents(race());
  const report = buildReport(timeline, 1);
  const text = prose(report);

  it('tells each penalty of the hour with the car, what and when; the plain reason only', () => {
    assert.match(text, /(The #2[^.]* was given a drive-through penalty at 0:30 race time, for unsafe release\.|Race control handed the #2[^.]* a drive-through penalty at 0:30 race time \(unsafe release\)\.)/);
    assert.match(text, /#3[^.]* a stop-and-go penalty of 30 seconds at 0:45 race time[.\s]/);
    assert.doesNotMatch(text, /Contact with|Driver 4/, 'a reason naming a driver is left out');
    assert.doesNotMatch(text, /warning|track limits/, 'a warning is no news');
    assert.deepEqual(checkReport(timeline, report).problems.map(formatProblem), []);
  });

  it('no penalty in the next hour', () => {
    assert.doesNotMatch(prose(buildReport(timeline, 2)), /penalty/);
  });

  it('the checker refuses a wrong time in the words, and a decision race control did not announce', () => {
    const words: Report = structuredClone(report);
    const para = words.sections.flatMap((s) => s.paragraphs).find((p) => p.text.includes('0:30'))!;
    para.text = para.text.replace('0:30', '0:35');
    const wrong = checkReport(timeline, words).problems.map(formatProblem);
    assert.ok(wrong.some((p) => p.includes('"0:35" in the text is not given by its facts')), wrong.join('\n'));

    const fact: Report = structuredClone(report);
    const f = fact.sections.flatMap((s) => s.paragraphs).flatMap((p) => p.facts).find((x) => x.kind === 'decision' && x.car === '2')!;
    assert.ok(f.kind === 'decision');
    f.decision = 'stop-and-go';
    assert.ok(checkReport(timeline, fact).problems.map(formatProblem).some((p) => p.includes('race control announced no stop-and-go for #2')));
  });
});

describe('a disqualification: the checker reads race control\'s word, not only the laps', () => {
  // The #1 leads every lap of a 1-hour race and is disqualified after the flag: the #2 wins.
  const events: TimingEvent[] = [session({ name: 'Velmont 1 Hour', scheduledDurationMs: 60 * MIN })];
  const paces = { '1': 100_000, '2': 101_000, '3': 102_000 } as const;
  for (const car of Object.keys(paces)) events.push(entry(car, 'PROTO', { team: `Team ${car}`, manufacturer: 'Hadley', drivers: [{ number: 1, name: `Driver ${car}` }] }));
  for (const [car, lapMs] of Object.entries(paces)) {
    for (let n = 1; (n - 1) * lapMs <= 60 * MIN; n++) events.push(lap(car, n, n * lapMs, { lapMs, sectorsMs: [lapMs * 0.3, lapMs * 0.4, lapMs * 0.3], driverName: `Driver ${car}` }));
  }
  events.push(decision({ id: 'rc-dsq', atMs: 62 * MIN, kind: 'disqualified', car: '1', reason: 'technical infringement' }));
  const timeline = foldEvents(events);
  const report = buildReport(timeline, 1);

  it('a decision announced after the flag is told "after the race", not at an instant the data may not hold', () => {
    const text = prose(report);
    assert.match(text, /disqualified the #1[^.]* after the race/);
    assert.doesNotMatch(text, /1:02 race time/);
  });

  it('the final report names the #2 the winner, and every fact checks', () => {
    assert.match(report.headline, /#2/);
    assert.doesNotMatch(report.headline, /#1\b/);
    assert.deepEqual(checkReport(timeline, report).problems.map(formatProblem), []);
  });

  it('a report that still calls the #1 the winner is false by race control\'s word', () => {
    const wrong: Report = structuredClone(report);
    const f = [...wrong.headlineFacts, ...wrong.sections.flatMap((s) => s.paragraphs).flatMap((p) => p.facts)].find((x) => x.kind === 'position' && x.car === '2' && x.position === 1);
    assert.ok(f !== undefined && f.kind === 'position', 'the report states the #2 first');
    f.car = '1';
    const problems = checkReport(timeline, wrong).problems.map(formatProblem);
    assert.ok(problems.some((p) => p.includes('#1 was P3')), problems.join('\n'));
  });
});
