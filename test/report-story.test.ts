import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Flag, LapEvent, TimingEvent } from '../src/model/events.js';
import { foldEvents } from '../src/engine/timeline.js';
import { buildReport } from '../src/report/build.js';
import { checkReport } from '../src/report/check.js';
import { renderHtml, renderMarkdown, reportJson } from '../src/report/render.js';
import { entry, lap, session } from './helpers.js';
import { parseEntryList } from '../src/analysis/entry-list.js';
import { parseRegulationProfile } from '../src/analysis/rules.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const SC_FROM = HOUR + 30 * MIN;
const SC_TO = HOUR + 40 * MIN;

interface CarPlan {
  car: string;
  team: string;
  make: string;
  drivers: [string, string];
  /** Lap time at race time t. */
  pace: (t: number) => number;
  /** Pit lane time of the stop whose in-lap is lap n (every 12th lap). */
  stopMs?: (n: number) => number;
}

/**
 * A made-up 6-hour race: #1 leads hour 1 but slows in hour 2 and the sister
 * #2 passes it on track; a safety car from 1:30 to 1:40; #4 loses five
 * minutes in the pits at its 48th-lap stop. Every car stops every 12 laps.
 */
function madeUpRace(): TimingEvent[] {
  const plans: CarPlan[] = [
    { car: '1', team: 'Hadley Racing', make: 'Hadley', drivers: ['Ana FERREIRA', 'Tom OKAFOR'], pace: (t) => (t < HOUR ? 99_000 : 104_000) },
    { car: '2', team: 'Hadley Racing', make: 'Hadley', drivers: ['Jonas LINDQVIST', 'Li WEI'], pace: () => 100_000 },
    { car: '3', team: 'Corvan Motorsport', make: 'Corvan', drivers: ['Pavel HORAK', 'Sara MONTI'], pace: () => 101_500 },
    { car: '4', team: 'Marsh', make: 'Marsh', drivers: ['Ivo PETROV', 'Kai BRANDT'], pace: () => 102_500, stopMs: (n) => (n === 48 ? 360_000 : 60_000) },
  ];
  const events: TimingEvent[] = [session({ name: 'Velmont 6 Hours' })];
  for (const p of plans) {
    events.push(entry(p.car, 'PROTO', { team: p.team, manufacturer: p.make, drivers: p.drivers.map((name, i) => ({ number: i + 1, name })) }));
  }
  for (const p of plans) {
    let t = 0;
    let driver = 0;
    let pitNext: number | null = null;
    for (let n = 1; t < 6 * HOUR + 10 * MIN; n++) {
      const underSc = t >= SC_FROM && t < SC_TO;
      let lapMs = underSc ? 150_000 : p.pace(t);
      const pitLaneMs = pitNext;
      if (pitLaneMs !== null) {
        lapMs += pitLaneMs;
        driver = 1 - driver;
      }
      t += lapMs;
      const flag: Flag = t >= SC_FROM && t < SC_TO ? 'safety-car' : t >= 6 * HOUR ? 'finish' : 'green';
      const inPit = n % 12 === 0;
      const l: LapEvent = lap(p.car, n, t, {
        lapMs,
        driverNumber: driver + 1,
        driverName: p.drivers[driver]!,
        inPit,
        pitLaneMs,
        flag,
      });
      events.push(l);
      pitNext = inPit ? (p.stopMs?.(n) ?? 60_000) : null;
      if (flag === 'finish') break;
    }
  }
  return events;
}

describe('report on a made-up race', () => {
  const timeline = foldEvents(madeUpRace());
  const report = buildReport(timeline, 2);

  it('tells the lead change, the safety car and the long stop, in that order of importance', () => {
    const top = report.sections[0]!;
    const body = top.paragraphs.map((p) => p.text).join(' ');
    // The car and its crew, not whoever happens to be driving.
    assert.match(report.headline, /^Velmont 6 Hours: #2 Hadley of Lindqvist and Wei (takes lead from|moves ahead of) #1 after two hours$/);
    const leadChange = body.search(/took the lead on lap|went ahead|took the lead|has led from lap/);
    const safetyCar = body.indexOf('safety car');
    const longStop = body.search(/#4 Marsh lost 5m00s at its lap-48 stop|A 6m00s stop on lap 48, .* cost the #4 Marsh 5m00s|#4 Marsh's lap-48 stop, .* took 6m00s: 5m00s more than usual/);
    assert.ok(leadChange >= 0, `lead change told: ${body}`);
    assert.ok(safetyCar > leadChange, `safety car after the lead change: ${body}`);
    assert.ok(longStop > safetyCar, `long stop after the safety car: ${body}`);
    assert.match(body, /A safety car period began (around the half-hour|at mid-hour|at 1:\d\d race time), lasting 10 minutes\./);
    assert.match(report.standfirst, /^(Jonas Lindqvist|Li Wei) put the #2 Hadley in front/);
  });

  it('every fact it states is true of the data', () => {
    const result = checkReport(timeline, report);
    assert.deepEqual(result.problems, []);
    assert.ok(result.checked > 20);
  });

  it('the checker catches a false fact and a number the facts do not give', () => {
    const tampered = structuredClone(report);
    const paragraph = tampered.sections[0]!.paragraphs[0]!;
    const lapFact = paragraph.facts.find((f) => f.kind === 'lead-change');
    assert.ok(lapFact !== undefined && lapFact.kind === 'lead-change');
    lapFact.lap += 1;
    tampered.standfirst = tampered.standfirst.replace(/\d+m\d\ds|\d+\.\ds/, '99.9s');
    const problems = checkReport(timeline, tampered).problems;
    assert.ok(problems.some((p) => p.fact?.kind === 'lead-change'), 'wrong lap caught');
    assert.ok(problems.some((p) => p.where === 'standfirst' && p.message.includes('"99.9s"')), 'wrong gap in the text caught');
  });

  it('is reproducible and renders safely', () => {
    assert.deepEqual(buildReport(foldEvents(madeUpRace()), 2), report);
    const md = renderMarkdown(report);
    assert.match(md, /^# Velmont 6 Hours: /);
    assert.match(md, /## Positions after 2 hours/);
    const evil = structuredClone(report);
    evil.headline = '<script>alert(1)</script> & "quotes"';
    const html = renderHtml(evil);
    assert.ok(!html.includes('<script>'));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;'));
    const json = reportJson(report) as { headline: string; standfirst: string; sections: Array<{ heading: string | null; paragraphs: Array<{ text: string; facts: unknown[] }> }>; tables: unknown[] };
    assert.equal(json.headline, report.headline);
    assert.ok(json.sections[0]!.paragraphs.every((p) => p.facts.length > 0), 'each paragraph carries its facts');
  });

  it('the final hour is a result report', () => {
    const final = buildReport(timeline, 6);
    assert.equal(final.final, true);
    assert.match(final.headline, /#2 Hadley of Lindqvist and Wei/);
    assert.match(final.standfirst, / won the Velmont 6 Hours in the #2 Hadley, .* ahead of the (sister #1 car|#3 Corvan) after \d+ laps\.$/);
    assert.equal(final.tablesTitle, 'Final classification');
    assert.deepEqual(checkReport(timeline, final).problems, []);
  });

  it('a Bronze driver completing the minimum drive time, only with an entry list and rules', () => {
    const entryList = parseEntryList(JSON.stringify({ cars: [{ number: '4', drivers: [{ name: 'Kai BRANDT', number: 2, category: 'Bronze' }] }] }));
    const rules = parseRegulationProfile({ name: 'Velmont', year: 2026, rules: { minDrive: '20m', minDriveByCategory: { Bronze: '1h' } } });
    const reports = [1, 2, 3, 4, 5, 6].map((h) => buildReport(timeline, h, { entryList, rules }));
    const told = reports.filter((r) => renderMarkdown(r).includes('Kai Brandt, the Bronze-rated driver of the #4, completed the 1 hour minimum drive time'));
    assert.equal(told.length, 1, 'told once, in the hour it happened');
    assert.deepEqual(checkReport(timeline, told[0]!, { entryList, rules }).problems, []);
    assert.ok(checkReport(timeline, told[0]!).problems.some((p) => p.fact?.kind === 'drive-minimum'), 'not checkable without the rules');
    assert.ok(![1, 2, 3, 4, 5, 6].some((h) => renderMarkdown(buildReport(timeline, h)).includes('Bronze')), 'never without an entry list');
  });
});
