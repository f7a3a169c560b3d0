/**
 * The checker that reads the words (issue 11, Deliver 1): for each fault kind
 * of the report audit, words changed in a real report make the checker fail,
 * naming the sentence and the token (or the fact whose meaning the laps do not
 * bear out). And the claim kind added last, `gap-ahead` (claims/gap-ahead.ts),
 * on a made-up race.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldEvents, type RaceTimeline } from '../src/engine/timeline.js';
import { standingsAt } from '../src/engine/standings.js';
import { buildReport } from '../src/report/build.js';
import { checkReport, formatProblem } from '../src/report/check.js';
import { CLAIM_KINDS, CLAIMS, MEANINGS } from '../src/report/claims/index.js';
import { renderMarkdown } from '../src/report/render.js';
import type { Report, ReportFact } from '../src/report/types.js';
import { gapWords } from '../src/report/words.js';
import type { TimingEvent } from '../src/model/events.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { join } from 'node:path';
import { loadRace } from '../src/cli/load.js';
import { entry, lap, realData, realFile, resultCasesDir, session, steadyLaps } from './helpers.js';

const HOUR = 3_600_000;

const loaded = new Map<string, Promise<RaceTimeline>>();
function load(name: string): Promise<RaceTimeline> {
  let t = loaded.get(name);
  if (t === undefined) loaded.set(name, (t = importAnalysisFiles([realFile(name)]).then((r) => foldEvents(r.events))));
  return t;
}

/** Every text of a report with its facts, in reading order (the units the checker reads). */
function units(report: Report): Array<{ text: string; facts: ReportFact[]; set: (text: string) => void }> {
  return [
    { text: report.headline, facts: report.headlineFacts, set: (t: string) => (report.headline = t) },
    { text: report.standfirst, facts: report.standfirstFacts, set: (t: string) => (report.standfirst = t) },
    ...report.sections.flatMap((s) => s.paragraphs.map((p) => ({ text: p.text, facts: p.facts, set: (t: string) => (p.text = t) }))),
  ];
}

/** The report with `from` replaced by `to` in the first text that has it (which must exist). */
function tamper(report: Report, from: string, to: string): Report {
  const copy: Report = structuredClone(report);
  const unit = units(copy).find((u) => u.text.includes(from));
  assert.ok(unit !== undefined, `no text has "${from}"`);
  unit.set(unit.text.replace(from, to));
  return copy;
}

function problems(timeline: RaceTimeline, report: Report): string[] {
  return checkReport(timeline, report).problems.map(formatProblem);
}

/** The true report passes; the tampered one fails on the token, quoting the sentence. */
function assertCaught(timeline: RaceTimeline, report: Report, from: string, to: string, token: string): void {
  assert.deepEqual(problems(timeline, report), [], 'the true report passes');
  const found = problems(timeline, tamper(report, from, to));
  assert.ok(
    found.some((p) => p.includes(`"${token}" in the text is not given by its facts`) && p.includes(to)),
    `"${from}" → "${to}" not caught:\n${found.join('\n')}`,
  );
}

describe('the checker reads the words: a tampered sentence per fault kind', realData(), () => {
  it('1. a battle for a place the cars did not hold (Le Mans 2024 hour 3: "sixth place" → "second")', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 3);
    assertCaught(timeline, report, 'disputed sixth place in LMP2', 'disputed second place in LMP2', 'second');
    // The fact itself, claimed for third: the laps show the places they held at each swap.
    const copy: Report = structuredClone(report);
    const para = copy.sections.flatMap((s) => s.paragraphs).find((p) => p.facts.some((f) => f.kind === 'swaps' && f.cars.includes('38')))!;
    const swaps = para.facts.find((f) => f.kind === 'swaps')!;
    assert.ok(swaps.kind === 'swaps');
    para.facts.push({ kind: 'swap-place', class: swaps.class, cars: swaps.cars, place: 3, fromMs: swaps.fromMs, toMs: swaps.toMs });
    assert.ok(problems(timeline, copy).some((p) => /the #38 and #8 held P\d+ and P\d+ in HYPERCAR, not P3 and P4/.test(p)));
  });

  it('2. the wrong driver pits (Daytona 2019 hour 12: Pagenaud drove the in-lap, not Montoya)', async () => {
    const timeline = await load('imsa-2019-daytona-24h-race-timecards.csv');
    const report = buildReport(timeline, 12);
    // The headline names the car that pits; a driver named as pitting must be the in-lap's (the pitted fact's).
    assertCaught(timeline, report, 'as #6 pits', 'as Juan Pablo Montoya pits', 'Juan Pablo Montoya');
  });

  it('3. a margin from a pit-lane crossing (Le Mans 2024 hour 3: the #5 last crossed on its in-lap)', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 3);
    assert.doesNotMatch(report.headline, /at bay|28\.3s/, 'the real headline no longer states the margin');
    const five = standingsAt(timeline, report.atMs).cars.find((c) => c.number === '5')!;
    assert.ok(five.status === 'in-pit' || five.status === 'out-lap', five.status);
    assert.ok(five.classGap !== null && 'ms' in five.classGap);
    const copy: Report = structuredClone(report);
    copy.standfirst += ` The #5 was ${gapWords(five.classGap)} behind.`;
    copy.standfirstFacts.push({ kind: 'gap', car: '5', class: five.class, gap: five.classGap, atMs: report.atMs });
    const found = problems(timeline, copy);
    assert.ok(found.some((p) => /no gap on the road from #\w+ to #5: #5 was in the pit lane/.test(p)), found.join('\n'));
  });

  it('4. a neutralised stop called a loss (Le Mans 2024 hour 15: every stop under the safety car)', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 15);
    assert.doesNotMatch(renderMarkdown(report), /lost [\d.ms]+ on its stop|stop on lap \d+, [^.]*cost the|in the pits in the 15th hour/, 'no stop of hour 15 is told as a loss');
    // The #12's stop of the hour (4m37s under the safety car) claimed as a loss against its own usual stop (1m15s).
    const atMs = report.atMs;
    const car = timeline.cars.get('12')!;
    const inLap = car.laps.find((l) => l.inPit && l.crossingMs > 14 * HOUR)!;
    const pitLaneMs = car.laps.find((l) => l.lap === inLap.lap + 1)!.pitLaneMs!;
    const own = car.laps.filter((l) => l.crossingMs <= atMs && l.pitLaneMs !== null).map((l) => l.pitLaneMs!).sort((a, b) => a - b);
    const usualMs = own.length % 2 === 1 ? own[own.length >> 1]! : Math.round((own[own.length / 2 - 1]! + own[own.length / 2]!) / 2);
    const copy: Report = structuredClone(report);
    const para = copy.sections[0]!.paragraphs[0]!;
    para.facts.push({ kind: 'long-stop', car: car.number, inLap: inLap.lap, inMs: inLap.crossingMs, pitLaneMs, usualMs, lostMs: pitLaneMs - usualMs, atMs });
    const found = problems(timeline, copy);
    assert.ok(found.length > 0);
    assert.ok(found.some((p) => /HYPERCAR stops made about then took \d+ ms: this one was not long/.test(p)), found.join('\n'));
  });

  it('5. safety-car timing (Le Mans 2024 hour 9: the period began at 6:37)', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 9);
    assert.match(renderMarkdown(report), /The safety car period that began at 6:37 race time/);
    assertCaught(timeline, report, 'began at 6:37', 'began at 7:37', '7:37');
  });

  it('6. laps led (Spa 2019 hour 6: the #8 led 71 of 133 laps; Alonso drove 33 of them)', async () => {
    const timeline = await load('wec-2019-spa-6h-race-analysis.csv');
    const report = buildReport(timeline, 6);
    assertCaught(timeline, report, '71 of the 133 laps', '33 of the 133 laps', '33');
  });

  it('6. laps led told as a driver\'s (Spa 2019 hour 6: "With Alonso at the wheel, the #8 has headed LMP1 … 71 of the 133 laps")', async () => {
    const timeline = await load('wec-2019-spa-6h-race-analysis.csv');
    const report = buildReport(timeline, 6);
    assert.deepEqual(problems(timeline, report), [], 'the true report passes');
    const text = renderMarkdown(report);
    assert.doesNotMatch(text, /With \S+ at the wheel, the #8/);
    // The record is the car's; who drives now is a clause of its own.
    const told = /The #8 has headed LMP1 since the 3rd hour, and 71 of the 133 laps so far; Alonso [^.]+\./.exec(text);
    assert.ok(told !== null, text);
    // The old words put back, with every fact they had: the record read as Alonso's.
    const old = 'With Alonso at the wheel, the #8 has headed LMP1 since the 3rd hour, and 71 of the 133 laps so far.';
    const found = problems(timeline, tamper(report, told[0], old));
    assert.ok(found.some((p) => p.includes("gives the #8's record in the lead to Alonso, not to its crew of 3")), found.join('\n'));
    // Named with the whole crew, the record is the crew's: that passes.
    const crew = 'The #8, shared by Alonso, Sébastien Buemi and Kazuki Nakajima, has headed LMP1 since the 3rd hour, and 71 of the 133 laps so far.';
    const shared = tamper(report, told[0], crew);
    units(shared).find((u) => u.text.includes(crew))!.facts.push({ kind: 'crew', car: '8', drivers: timeline.cars.get('8')!.entry.drivers.map((d) => d.name) });
    assert.deepEqual(problems(timeline, shared), []);
  });

  it('6d. a margin at the hour\'s end told as the doing of a driver who had handed over (WEC Spa 2020 hour 2: Conway, then Kobayashi)', async () => {
    const timeline = await load('wec-2020-spa-6h-race-analysis.csv');
    const report = buildReport(timeline, 2);
    assert.deepEqual(problems(timeline, report), [], 'the true report passes');
    // Conway took the lead at 1:20; Kobayashi was driving after two hours: the margin is the car's.
    assert.match(report.standfirst, /^Mike Conway took the #7 Toyota into the lead at 1:20 race time when the sister #8 car pitted; after two hours the #7 was 1m01s ahead of Brendon Hartley\.$/);
    const found = problems(timeline, tamper(report, '; after two hours the #7 was 1m01s ahead', ', and after two hours was 1m01s ahead'));
    assert.ok(found.some((p) => p.includes('"Mike Conway" is the subject of what the car led by (1m01s) at the report\'s instant, but was not at the wheel then')), found.join('\n'));
  });

  it('6e. "X led" names the driver at the wheel at the report\'s instant (Le Mans 2024 hour 18: Kobayashi, not de Vries)', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 18);
    assert.deepEqual(problems(timeline, report), [], 'the true report passes');
    assert.equal(report.standfirst, 'Kamui Kobayashi led the Le Mans 24 Hours 2024 in the #7 Toyota after 18 hours.');
    // De Vries took the #7 into the lead during the hour, and is in its crew: only the instant is wrong.
    const copy = tamper(report, 'Kamui Kobayashi led', 'Nyck de Vries led');
    copy.standfirstFacts.push({ kind: 'crew', car: '7', drivers: ['Nyck DE VRIES'] });
    const found = problems(timeline, copy);
    assert.ok(found.some((p) => p.includes('"Nyck de Vries" is the subject of what the car was doing at the report\'s instant, but was not at the wheel then')), found.join('\n'));
  });

  it('6b. a lead change told as caused by a stop the new leader was making too (Le Mans 2024 hour 12, lap 171)', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 12);
    assert.deepEqual(problems(timeline, report), [], 'the true report passes');
    const text = renderMarkdown(report);
    assert.doesNotMatch(text, /as #8 pits|when the #8 (?:made its stop|pitted)/);
    // The #6 completed lap 171 in the pit lane; the #8 was on its out-lap. The old words put back:
    for (const [from, to] of [
      ['ahead of #8 through the stops', 'goes ahead as #8 pits'],
      ['took the lead on lap 171, crossing the line in the pit lane.', 'took the lead on lap 171, when the #8 made its stop.'],
    ] as const) {
      const found = problems(timeline, tamper(report, from, to));
      assert.ok(found.some((p) => p.includes("ties a change to the #8's stop, but no fact says its stop lost it the lead") && p.includes(to)), `"${to}" not caught:\n${found.join('\n')}`);
    }
    // And with the fact the words need, its meaning fails on whose crossing was in the pit lane.
    const copy = tamper(report, 'ahead of #8 through the stops', 'goes ahead as #8 pits');
    const change = copy.headlineFacts.find((f) => f.kind === 'lead-change')!;
    assert.ok(change.kind === 'lead-change' && change.lap === 171);
    copy.headlineFacts.push({ kind: 'lead-lost-in-stop', car: '6', from: '8', class: change.class, lap: 171, inLap: 170, atMs: change.atMs });
    const found = problems(timeline, copy);
    assert.ok(found.some((p) => p.includes('#6 completed lap 171 in the pit lane, making its own stop')), found.join('\n'));
  });

  it('6c. a lead really lost to a stop is told, and its meaning holds (Daytona 2019 hour 12: the #31 on track, the #6 in the pits)', async () => {
    const timeline = await load('imsa-2019-daytona-24h-race-timecards.csv');
    const report = buildReport(timeline, 12);
    assert.match(report.headline, /goes ahead as #6 pits/);
    const lost = report.headlineFacts.find((f) => f.kind === 'lead-lost-in-stop');
    assert.ok(lost !== undefined && lost.kind === 'lead-lost-in-stop');
    assert.deepEqual([lost.car, lost.from, lost.lap], ['31', '6', 378]);
    assert.deepEqual(problems(timeline, report), []);
    // The same words about another car fail: no fact says the #31 lost the lead in a stop.
    const found = problems(timeline, tamper(report, 'as #6 pits', 'as #31 pits'));
    assert.ok(found.some((p) => p.includes("ties a change to the #31's stop")), found.join('\n'));
  });

  it('the count of lead changes leaves out the first leader (Daytona 2019 hour 1: three changes, once written "four")', async () => {
    const timeline = await load('imsa-2019-daytona-24h-race-timecards.csv');
    const report = buildReport(timeline, 1);
    assert.deepEqual(problems(timeline, report), [], 'the true report passes');
    assert.match(renderMarkdown(report), /The lead swapped three times\./);
    const found = problems(timeline, tamper(report, 'The lead swapped three times.', 'The lead swapped four times.'));
    assert.ok(found.some((p) => p.includes('"lead swapped four times" counts 4 lead changes, but no fact gives that count')), found.join('\n'));
    // The fact itself, made to say four: the laps give three.
    const copy: Report = structuredClone(report);
    const count = units(copy).flatMap((u) => u.facts).find((f) => f.kind === 'lead-changes');
    assert.ok(count !== undefined && count.kind === 'lead-changes' && count.changes === 3);
    count.changes = 4;
    assert.ok(problems(timeline, copy).some((p) => p.includes('the lead changed hands 3 times, not 4')));
  });

  it('7. results: an unclassified car written as a finisher, a time margin given to a lapped car', async () => {
    // The leader stopped on the final lap and never took the flag (shared/cases/results): the #2 won.
    const { timeline: stopped } = await loadRace([join(resultCasesDir, 'leader-stops-on-final-lap-20m.csv')], { duration: '20m' });
    const result = buildReport(stopped, 1);
    assert.deepEqual(problems(stopped, result), [], 'the true report passes');
    const winner: Report = structuredClone(result);
    const first = units(winner).flatMap((u) => u.facts).find((f) => f.kind === 'position' && f.position === 1 && f.car === '2');
    assert.ok(first !== undefined && first.kind === 'position', 'the report states the #2 first');
    first.car = '1';
    assert.ok(problems(stopped, winner).some((p) => p.includes('#1 was P')), problems(stopped, winner).join('\n'));
    // Le Mans 2024's finish: the podium of a class one or more laps down is told in laps, never in time.
    const timeline = await load('lemans-2024-race-analysis.csv');
    const finish = buildReport(timeline, 24);
    assert.deepEqual(problems(timeline, finish), [], 'the true report passes');
    const margin: Report = structuredClone(finish);
    const lapped = units(margin).flatMap((u) => u.facts).find((f) => f.kind === 'gap' && f.gap !== null && 'laps' in f.gap);
    assert.ok(lapped !== undefined && lapped.kind === 'gap', 'the finish names a lapped car');
    lapped.gap = { ms: 45_000 };
    assert.ok(problems(timeline, margin).some((p) => p.includes(`#${lapped.car}`)), problems(timeline, margin).join('\n'));
  });

  it('8. gaps are rounded, never cut (Le Mans 2024 hour 9: 8.1s)', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 9);
    assertCaught(timeline, report, 'held third, 8.1s clear', 'held third, 8.0s clear', '8.0s');
  });

  it('a team or driver no fact is about', async () => {
    const timeline = await load('lemans-2024-race-analysis.csv');
    const report = buildReport(timeline, 9);
    assertCaught(timeline, report, '8.1s clear of the #2 Cadillac', '8.1s clear of the #2 Cadillac of Kévin Estre', 'Kévin Estre');
  });
});

describe('the claim registry', () => {
  it('has every part of every kind, and a meaning for every fact kind', () => {
    for (const kind of CLAIM_KINDS) {
      const def = CLAIMS[kind];
      assert.equal(typeof def.find, 'function', kind);
      assert.equal(typeof def.words, 'function', kind);
      assert.equal(typeof def.verify, 'object', kind);
    }
    for (const meaning of Object.values(MEANINGS)) assert.equal(typeof meaning, 'function');
    assert.ok(Object.keys(MEANINGS).includes('swap-place') && Object.keys(MEANINGS).includes('long-stop'));
  });
});

/**
 * One class of six, two hours at steady paces: car n laps in 100 s + (n − 1)
 * × 1 s: after an hour the #4 has 34 laps, 34.0 s behind the #3 on the same
 * lap. `pitFor`: that car's 35th lap (its last before the hour) ends in the pit lane.
 */
function chaseRace(pitFor: string | null = null): TimingEvent[] {
  const events: TimingEvent[] = [session({ name: 'Velmont 2 Hours', scheduledDurationMs: 2 * HOUR })];
  const teams = ['Hadley', 'Corvan', 'Marsh', 'Orrin', 'Vale', 'Kessel'];
  for (let n = 1; n <= 6; n++) {
    events.push(entry(String(n), 'PROTO', { team: `${teams[n - 1]} Racing`, manufacturer: 'Oreca', drivers: [{ number: 1, name: `Driver ${teams[n - 1]!.toUpperCase()}` }] }));
  }
  for (let n = 1; n <= 6; n++) {
    const lapMs = 100_000 + (n - 1) * 1_000;
    const car = String(n);
    for (const l of steadyLaps(car, Math.floor((2 * HOUR + 600_000) / lapMs), lapMs)) {
      const inPit = car === pitFor && l.lap === 35;
      events.push(lap(car, l.lap, l.crossingMs, { lapMs, inPit, driverName: `Driver ${teams[n - 1]!.toUpperCase()}` }));
    }
  }
  return events;
}

describe('gap-ahead: the gap to the car ahead on the same lap (the kind added last)', () => {
  it('names the fourth car with its margin to the third, and the checker passes it', () => {
    const timeline = foldEvents(chaseRace());
    const report = buildReport(timeline, 1);
    const text = renderMarkdown(report);
    const s = standingsAt(timeline, HOUR).cars;
    const third = s[2]!;
    const fourth = s[3]!;
    assert.equal(fourth.number, '4');
    // 34 laps each by the hour: 34 × (103 − 102) s = 34.0 s.
    assert.equal(third.number, '3');
    assert.deepEqual(fourth.classInterval, { ms: 34_000 });
    assert.match(text, /The #4 Orrin Oreca ran fourth, 34\.0s behind the #3\./);
    assert.deepEqual(problems(timeline, report), []);
    assertCaught(timeline, report, '34.0s behind the #3', '34.1s behind the #3', '34.1s');
  });

  it('says nothing of a margin to a car in the pit lane', () => {
    const timeline = foldEvents(chaseRace('3'));
    const report = buildReport(timeline, 1);
    assert.doesNotMatch(renderMarkdown(report), /behind the #3\b/);
    assert.deepEqual(problems(timeline, report), []);
  });

  it('the meaning fails a margin the laps do not give', () => {
    const timeline = foldEvents(chaseRace());
    const report: Report = structuredClone(buildReport(timeline, 1));
    const para = report.sections[0]!.paragraphs.find((p) => p.text.includes('34.0s behind the #3'))!;
    para.text = para.text.replace('34.0s', '36.0s');
    const fact = para.facts.find((f) => f.kind === 'interval' && f.car === '4')!;
    assert.ok(fact.kind === 'interval');
    fact.gap = { ms: 36_000 };
    const found = problems(timeline, report);
    assert.ok(found.some((p) => p.includes('the laps give #4 34.0s behind #3, not 36.0s')), found.join('\n'));
  });
});

/**
 * Two cars of one class near the end of the first hour. The #1 (100 s laps)
 * leads until its stop: lap 34 ends in the pit lane at 3,400 s, and its
 * out-lap (150 s in the pit lane) ends at 3,650 s. The #2 (101 s laps)
 * completes lap 35 first, at 3,535 s: out on track, or, with
 * `newLeaderStopsToo`, in the pit lane as it makes its own stop (the Le Mans
 * 2024 lap 171 case), its out-lap ending at 3,836 s.
 */
function pitCycleRace(newLeaderStopsToo: boolean): TimingEvent[] {
  const events: TimingEvent[] = [session({ name: 'Velmont 2 Hours', scheduledDurationMs: 2 * HOUR })];
  for (const [car, team, name] of [
    ['1', 'Hadley Racing', 'Ana FERREIRA'],
    ['2', 'Corvan Racing', 'Jonas LINDQVIST'],
  ] as const) {
    events.push(entry(car, 'PROTO', { team, manufacturer: 'Oreca', drivers: [{ number: 1, name }] }));
  }
  let t = 0;
  for (let n = 1; n <= 70; n++) {
    const lapMs = n === 35 ? 250_000 : 100_000;
    t += lapMs;
    events.push(lap('1', n, t, { lapMs, inPit: n === 34, pitLaneMs: n === 35 ? 150_000 : null, driverName: 'Ana FERREIRA' }));
  }
  t = 0;
  for (let n = 1; n <= 70; n++) {
    const lapMs = newLeaderStopsToo && n === 36 ? 301_000 : 101_000;
    t += lapMs;
    events.push(lap('2', n, t, { lapMs, inPit: newLeaderStopsToo && n === 35, pitLaneMs: newLeaderStopsToo && n === 36 ? 200_000 : null, driverName: 'Jonas LINDQVIST' }));
  }
  return events;
}

describe('a lead lost to a stop (lead-lost-in-stop), on a made-up race', () => {
  it('the #2 goes ahead on track while the #1 is in the pits: the stop is told as the cause, and the checker passes it', () => {
    const timeline = foldEvents(pitCycleRace(false));
    const report = buildReport(timeline, 1);
    const text = renderMarkdown(report);
    assert.equal(standingsAt(timeline, HOUR).cars[0]!.number, '2');
    assert.match(report.headline, /as #1 pits/);
    assert.match(text, /took the lead on lap 35, when the #1 made its stop|went ahead, when the #1 made its stop|took the lead, when the #1 made its stop|has led from lap 35, when the #1 made its stop/);
    const lost = report.headlineFacts.find((f) => f.kind === 'lead-lost-in-stop');
    assert.deepEqual(lost, { kind: 'lead-lost-in-stop', car: '2', from: '1', class: 'PROTO', lap: 35, inLap: 34, atMs: 3_535_000 });
    // One change of hands in the hour: the #1 leading from lap 1 is not one.
    assert.doesNotMatch(text, /lead (?:swapped|changed hands)|lead changes/);
    assert.deepEqual(problems(timeline, report), []);
  });

  it('the #2 goes ahead with a crossing in the pit lane: no stop is told as the cause, and the checker fails the old words', () => {
    const timeline = foldEvents(pitCycleRace(true));
    const report = buildReport(timeline, 1);
    const text = renderMarkdown(report);
    assert.equal(standingsAt(timeline, HOUR).cars[0]!.number, '2', 'the #2 leads by the timing rule: lap 35 completed first');
    assert.doesNotMatch(text, /as #1 pits|when the #1 (?:made its stop|pitted)|when the sister #1 car pitted/);
    // Told as a lead taken in the stops, not as a pass (LeadChangeFact.newLeaderInPitLane).
    assert.match(report.headline, /ahead of #1 through the stops/);
    assert.deepEqual(problems(timeline, report), []);
    const headline = report.headline.replace(/ahead of #1 through the stops/, 'goes ahead as #1 pits');
    const tampered: Report = { ...structuredClone(report), headline };
    assert.ok(problems(timeline, tampered).some((p) => p.includes("ties a change to the #1's stop")));
    // The fact the words need does not hold: the #2's own crossing of lap 35 was in the pit lane.
    tampered.headlineFacts.push({ kind: 'lead-lost-in-stop', car: '2', from: '1', class: 'PROTO', lap: 35, inLap: 34, atMs: 3_535_000 });
    assert.ok(problems(timeline, tampered).some((p) => p.includes('#2 completed lap 35 in the pit lane, making its own stop')));
  });
});
