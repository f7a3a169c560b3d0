/**
 * The weather in the reports (issue 11, Deliver 3): IMSA's weather CSV read
 * into `weather` events at race time (sources/weather/), and the `weather`
 * claim kind (report/claims/weather.ts) said and checked. The expected
 * readings come from a second path: the CSV read here with its own
 * conversion and the UTC offset of the US Eastern time zone written out.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadRace, loadWeather } from '../src/cli/load.js';
import { foldEvents } from '../src/engine/timeline.js';
import { buildReport } from '../src/report/build.js';
import { checkReport, formatProblem } from '../src/report/check.js';
import { renderMarkdown } from '../src/report/render.js';
import { phraseRepetition } from '../src/report/repetition.js';
import type { Report, ReportFact } from '../src/report/types.js';
import type { TimingEvent } from '../src/model/events.js';
import { imsaWeatherEvents, WeatherError, zoneOffsetMs } from '../src/sources/weather/index.js';
import { entry, realData, realFile, session, steadyLaps, lap } from './helpers.js';

const HOUR = 3_600_000;

/** The CSV's reading in force at `utcSeconds` (the last row at or before it): air and track in whole °C. */
function rawReading(file: string, utcSeconds: number): { air: number; track: number; utc: number } {
  const rows = readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(','));
  let found: string[] | undefined;
  for (const r of rows) if (Number(r[0]) <= utcSeconds) found = r;
  assert.ok(found !== undefined);
  const c = (f: string) => Math.round(((Number(f) - 32) * 5) / 9);
  return { air: c(found[2]!), track: c(found[3]!), utc: Number(found[0]) };
}

const RACES = [
  {
    laps: 'imsa/imsa-2024-petit-le-mans-10h-race-laps.csv',
    weather: 'imsa/imsa-2024-petit-le-mans-10h-race-weather.csv',
    // Green at 12:10:44.575 local on Saturday 12 October 2024, EDT (UTC−4): the first crossing's HOUR minus its ELAPSED.
    startUtc: Date.UTC(2024, 9, 12, 16, 10, 44, 575),
    hours: 10,
  },
  {
    laps: 'imsa/imsa-2025-sebring-12h-race-laps.csv',
    weather: 'imsa/imsa-2025-sebring-12h-race-weather.csv',
    // Saturday 15 March 2025, EDT since 9 March (UTC−4).
    startUtc: null,
    hours: 12,
  },
];

describe('weather: IMSA station readings in the hourly reports', realData(), () => {
  for (const race of RACES) {
    it(`${race.laps}: every hour says the air and track at the hour mark, as the station read them, and the checker passes`, async () => {
      const { timeline, events } = await loadRace([realFile(race.laps)], { weather: realFile(race.weather) });
      assert.ok(timeline.weather.length > 500, 'a reading a minute');
      const zero = events.find((e) => e.type === 'session')!;
      assert.equal(zero.type, 'session');
      // Race time zero in UTC, by the second path: local time of day + 4 h (EDT), on the date of the first reading.
      const startUtc = race.startUtc ?? Date.UTC(2025, 2, 15) + zero.zeroTimeOfDayMs! + 4 * HOUR;
      if (race.startUtc !== null) assert.equal(Date.UTC(2024, 9, 12) + zero.zeroTimeOfDayMs! + 4 * HOUR, race.startUtc);
      // The station's last reading is within minutes of the scheduled end.
      const last = rawReading(realFile(race.weather), Number.MAX_SAFE_INTEGER).utc * 1000;
      assert.ok(Math.abs(last - (startUtc + race.hours * HOUR)) < 10 * 60_000, `last reading ${new Date(last).toISOString()}`);
      const reports: Report[] = [];
      for (let hour = 1; hour <= race.hours; hour++) {
        const report = buildReport(timeline, hour);
        reports.push(report);
        const text = renderMarkdown(report);
        const expected = rawReading(realFile(race.weather), Math.floor((startUtc + hour * HOUR) / 1000));
        const said = /(?:At \d+ hours?|At the flag): air (-?\d+) °C, track (-?\d+) °C\./.exec(text);
        const change = /(?:The track (?:cooled|warmed up)|Track temperature (?:fell|rose)) from (-?\d+) °C to (-?\d+) °C (?:over|in) the hour(?:, with the air at|; air) (-?\d+) °C\./.exec(text);
        assert.ok(said !== null || change !== null, `hour ${hour}: no weather sentence`);
        if (said !== null) assert.deepEqual([Number(said[1]), Number(said[2])], [expected.air, expected.track], `hour ${hour}`);
        else assert.deepEqual([Number(change![2]), Number(change![3])], [expected.track, expected.air], `hour ${hour}`);
        assert.deepEqual(checkReport(timeline, report).problems.map(formatProblem), [], `hour ${hour}`);
      }
      // A sentence every hour, and still no 4-word phrase over the budget (report/repetition.ts).
      assert.deepEqual(phraseRepetition(reports).overBudget, []);
    });
  }

  it('the checker fails a temperature the reading does not give, in the words or in the fact', async () => {
    const { timeline } = await loadRace([realFile(RACES[0]!.laps)], { weather: realFile(RACES[0]!.weather) });
    const report = buildReport(timeline, 1);
    const para = report.sections.flatMap((s) => s.paragraphs).find((p) => / °C/.test(p.text));
    assert.ok(para !== undefined);
    const air = /air (\d+) °C/.exec(para.text)![1]!;
    const words: Report = structuredClone(report);
    const p1 = words.sections.flatMap((s) => s.paragraphs).find((p) => / °C/.test(p.text))!;
    p1.text = p1.text.replace(`air ${air} °C`, `air ${Number(air) + 3} °C`);
    const found = checkReport(timeline, words).problems.map(formatProblem);
    assert.ok(found.some((p) => p.includes(`"${Number(air) + 3}" in the text is not given by its facts`)), found.join('\n'));
    const fact: Report = structuredClone(report);
    const p2 = fact.sections.flatMap((s) => s.paragraphs).find((p) => / °C/.test(p.text))!;
    p2.text = p2.text.replace(`air ${air} °C`, `air ${Number(air) + 3} °C`);
    const w = p2.facts.find((f): f is Extract<ReportFact, { kind: 'weather' }> => f.kind === 'weather')!;
    w.airTempC = Number(air) + 3;
    const wrong = checkReport(timeline, fact).problems.map(formatProblem);
    assert.ok(wrong.some((p) => p.includes(`air was`) && p.includes(`not ${Number(air) + 3}`)), wrong.join('\n'));
  });
});

/** Two cars, three hours; weather readings every 10 minutes from `readings`. */
function weatherRace(readings: Array<{ atMs: number; air: number; track: number; rain: boolean | null }>): TimingEvent[] {
  const events: TimingEvent[] = [session({ name: 'Velmont 3 Hours', scheduledDurationMs: 3 * HOUR })];
  for (const car of ['1', '2']) {
    events.push(entry(car, 'PROTO', { team: `Team ${car === '1' ? 'Hadley' : 'Corvan'}`, manufacturer: 'Oreca', drivers: [{ number: 1, name: `Driver ${car}` }] }));
    for (const l of steadyLaps(car, 110, 100_000 + Number(car) * 500)) events.push(lap(car, l.lap, l.crossingMs, { lapMs: 100_000 + Number(car) * 500 }));
  }
  for (const r of readings) events.push({ type: 'weather', atMs: r.atMs, airTempC: r.air, trackTempC: r.track, humidityPct: null, pressureHpa: null, rain: r.rain, conditions: '' });
  return events;
}

describe('weather claim on a made-up race', () => {
  it('says rain when the readings turn from dry to rain, a track that cooled by 4 °C or more, and nothing of rain the source does not state', () => {
    const readings = [];
    for (let t = 0; t <= 3 * HOUR; t += 10 * 60_000) {
      const hour = Math.floor(t / HOUR);
      readings.push({ atMs: t, air: 20, track: hour >= 1 ? 30 - (t - HOUR) / (10 * 60_000) : 30, rain: t <= HOUR ? null : t >= HOUR + 30 * 60_000 });
    }
    const timeline = foldEvents(weatherRace(readings));
    const h1 = renderMarkdown(buildReport(timeline, 1));
    assert.match(h1, /At 1 hour: air 20 °C, track 30 °C\./);
    assert.doesNotMatch(h1, /dry|rain/i, 'rain is not stated in hour 1');
    const h2report = buildReport(timeline, 2);
    const h2 = renderMarkdown(h2report);
    assert.match(h2, /Rain was reported from 1:30 race time\./);
    assert.match(h2, /(?:The track cooled|Track temperature fell) from 30 °C to 24 °C (?:over|in) the hour(?:, with the air at|; air) 20 °C\./);
    assert.deepEqual(checkReport(timeline, h2report).problems.map(formatProblem), []);
  });

  it('a stale reading (more than 10 minutes old at the hour mark) is not "the weather at the hour mark"', () => {
    const timeline = foldEvents(weatherRace([{ atMs: 0, air: 20, track: 30, rain: false }]));
    assert.doesNotMatch(renderMarkdown(buildReport(timeline, 1)), /°C/);
  });
});

describe('weather source: IMSA weather CSV', () => {
  const header = 'TIME_UTC_SECONDS,TIME_UTC_STR,AIR_TEMP,TRACK_TEMP,HUMIDITY,PRESSURE,WIND_SPEED,WIND_DIRECTION,RAIN,';
  // Race time zero at 10:10:00 local, Sebring, 15 March 2025 (EDT: UTC−4) = 14:10:00 UTC = 1742047800.
  const clock = { zeroTimeOfDayMs: (10 * 3600 + 10 * 60) * 1000, timeZone: 'America/New_York' };

  it('°F → °C, inHg → hPa, UTC → race time through the time zone, the grid left out, RAIN -1 as no reading', () => {
    const text = [header, '1742047740,x,68,77,50,29.92,1,1,-1,', '1742047860,x,68,77,50,29.92,1,1,-1,', '1742051400,x,77,86,40,30.00,1,1,1,'].join('\n');
    const events = imsaWeatherEvents(text, clock, 'w.csv');
    assert.deepEqual(
      events.map((e) => [e.atMs, e.airTempC, e.trackTempC, e.pressureHpa, e.rain]),
      [
        [60_000, 20, 25, 1013.2, null],
        [3_600_000, 25, 30, 1015.9, true],
      ],
    );
    assert.equal(zoneOffsetMs(Date.UTC(2025, 2, 15, 14), 'America/New_York'), -4 * HOUR, 'EDT from 9 March 2025');
    assert.equal(zoneOffsetMs(Date.UTC(2025, 2, 8, 14), 'America/New_York'), -5 * HOUR, 'EST before');
  });

  it('a bad cell names the file, line and column, and the header must be a weather header', () => {
    assert.throws(() => imsaWeatherEvents([header, '1742047860,x,sixty,77,50,29.92,1,1,-1,'].join('\n'), clock, 'w.csv'), (e: unknown) => e instanceof WeatherError && /^w\.csv:2 \(AIR_TEMP\): expected a number, got "sixty"/.test(e.message));
    assert.throws(() => imsaWeatherEvents([header, '1742047860,x,500,77,50,29.92,1,1,-1,'].join('\n'), clock, 'w.csv'), /w\.csv:2 \(airTempC\)/);
    assert.throws(() => imsaWeatherEvents('NUMBER,LAP\n1,2', clock, 'laps.csv'), /laps\.csv:1 \(TIME_UTC_SECONDS\): no TIME_UTC_SECONDS column/);
  });

  it('--weather needs the race\'s time zone: a race no circuit profile names is refused, saying why', async () => {
    const events: TimingEvent[] = [session({ name: 'Velmont 3 Hours', scheduledDurationMs: 3 * HOUR, zeroTimeOfDayMs: 0 })];
    await assert.rejects(loadWeather(realFile(RACES[0]!.weather), events), /--weather: no time zone for "Velmont 3 Hours" \(no circuit profile in rules\/circuits names this race\)/);
    await assert.rejects(loadWeather('/nonexistent/w.csv', events), /--weather: cannot read \/nonexistent\/w\.csv: no such file/);
  });
});
