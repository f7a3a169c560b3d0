/**
 * Drive-time rules on made-up races small enough to check by hand: a driver
 * exactly at the minimum, just under it, over the rolling-window maximum (and
 * exactly at it), at risk, and a Bronze driver completing the minimum in the
 * middle of an hour. Also the shipped profiles and the entry list formats.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { foldEvents } from '../src/engine/timeline.js';
import type { LapEvent, TimingEvent } from '../src/model/events.js';
import { parseEntryList, EntryListError } from '../src/analysis/entry-list.js';
import { checkDriveTimes, parseRegulationProfile, rulesForClass, RegulationError, type RegulationProfileInput } from '../src/analysis/rules.js';
import { maxDriveInWindow } from '../src/analysis/drive-time.js';
import { hourFactsFromTimeline, factsOfKind } from '../src/analysis/hour-facts.js';
import { entry, lap, repoRoot, session } from './helpers.js';

const H = 3_600_000;
const M = 60_000;

/** Laps of one driver at 100 s each, continuing from lap `from` crossing at `startMs`. */
function stint(car: string, driverNumber: number, from: number, count: number, startMs: number, lapMs = 100_000): LapEvent[] {
  return Array.from({ length: count }, (_, i) =>
    lap(car, from + i, startMs + (i + 1) * lapMs, { lapMs, driverNumber, driverName: `Driver ${driverNumber} ${car.toUpperCase()}` }),
  );
}

function profile(rules: RegulationProfileInput['rules'], classes: RegulationProfileInput['classes'] = {}) {
  return parseRegulationProfile({ name: 'Test', year: 2024, rules, classes });
}

function race(laps: LapEvent[], durationMs = 6 * H): TimingEvent[] {
  return [session({ scheduledDurationMs: durationMs }), entry('1', 'GT'), ...laps];
}

describe('minimum drive time', () => {
  it('a driver exactly at the minimum is done, reached on the lap that got there', () => {
    // 36 laps × 100 s = exactly 1 h.
    const timeline = foldEvents(race([...stint('1', 1, 1, 36, 0), ...stint('1', 2, 37, 5, 36 * 100_000)]));
    const [d1, d2] = checkDriveTimes(timeline, { profile: profile({ minDrive: '1h' }), at: 41 * 100_000 });
    assert.equal(d1!.driver.number, 1);
    assert.equal(d1!.driveMs, H);
    assert.equal(d1!.status, 'done');
    assert.equal(d1!.toMinimumMs, 0);
    assert.deepEqual(d1!.minimumReached, { lap: 36, atMs: H, crossingMs: H });
    assert.equal(d2!.status, 'on-track');
  });

  it('just under the minimum (one millisecond short) is not done', () => {
    const laps = stint('1', 1, 1, 36, 0);
    laps[35] = { ...laps[35]!, lapMs: 99_999, crossingMs: H - 1 };
    const timeline = foldEvents(race(laps));
    const [d1] = checkDriveTimes(timeline, { profile: profile({ minDrive: '1h' }), at: H - 1 });
    assert.equal(d1!.driveMs, H - 1);
    assert.equal(d1!.toMinimumMs, 1);
    assert.equal(d1!.status, 'on-track', '5 hours left to drive 1 ms');
    assert.equal(d1!.minimumReached, null);
  });

  it('at risk when the time left cannot cover it, counting what the co-driver still needs', () => {
    // At 4h10m of a 5 h race: driver 1 has done 4h08m20s, driver 2 one lap; each needs 1 h.
    const crewOfTwo = [
      ...stint('1', 1, 1, 36, 0),
      ...stint('1', 2, 37, 1, 36 * 100_000),
      ...stint('1', 1, 38, 113, 37 * 100_000),
    ];
    const two = foldEvents(race(crewOfTwo, 5 * H));
    const at = 4 * H + 10 * M;
    const checks = checkDriveTimes(two, { profile: profile({ minDrive: '1h' }), at });
    const d2 = checks.find((c) => c.driver.number === 2)!;
    assert.equal(d2.driveMs, 100_000);
    assert.equal(d2.raceLeftMs, 50 * M);
    assert.equal(d2.availableMs, 50 * M);
    assert.equal(d2.status, 'at-risk', `needs ${d2.toMinimumMs} ms, ${d2.availableMs} ms left`);
    assert.equal(checks.find((c) => c.driver.number === 1)!.status, 'done');
    // Half an hour earlier the 50 minutes were still there to drive.
    const earlier = checkDriveTimes(two, { profile: profile({ minDrive: '1h' }), at: 3 * H + 40 * M });
    assert.equal(earlier.find((c) => c.driver.number === 2)!.status, 'on-track');
  });

  it('missed once the chequered flag has fallen', () => {
    const laps = [...stint('1', 1, 1, 200, 0), ...stint('1', 2, 201, 20, 200 * 100_000)];
    // 220 laps × 100 s = 6h06m40s: the leader's first crossing after 6 h is the flag.
    const checks = checkDriveTimes(foldEvents(race(laps)), { profile: profile({ minDrive: '1h' }) });
    const d2 = checks.find((c) => c.driver.number === 2)!;
    assert.equal(d2.raceLeftMs, 0);
    assert.equal(d2.status, 'missed');
  });
});

describe('maximum drive time', () => {
  it('over the rolling-window maximum: 1h40m without a break, 1h30m allowed in any 2 h', () => {
    const timeline = foldEvents(race(stint('1', 1, 1, 60, 0)));
    const [d1] = checkDriveTimes(timeline, { profile: profile({ window: { length: '2h', maxDrive: '1h30m' } }), at: 2 * H });
    assert.equal(d1!.window!.worstMs, 100 * M);
    assert.equal(d1!.overMax, 'window');
    assert.equal(d1!.status, 'over-max');
  });

  it('exactly at the window maximum across two stints is not over: 50 min, 30 min out, 50 min', () => {
    const laps = [...stint('1', 1, 1, 30, 0), ...stint('1', 2, 31, 18, 3_000_000), ...stint('1', 1, 49, 30, 4_800_000)];
    const timeline = foldEvents(race(laps));
    const [d1] = checkDriveTimes(timeline, { profile: profile({ window: { length: '2h', maxDrive: '1h30m' } }), at: 3 * H });
    // Best window: [0:10, 2:10] or [0:00, 2:00] holds 40 + 50 = 90 min exactly.
    assert.equal(d1!.window!.worstMs, 90 * M);
    assert.equal(d1!.overMax, null);
    assert.notEqual(d1!.status, 'over-max');
  });

  it('the window only counts driving up to the instant asked', () => {
    const intervals = [{ startMs: 0, endMs: 100 * M }];
    assert.deepEqual(maxDriveInWindow(intervals, 2 * H, 30 * M), { driveMs: 30 * M, windowEndMs: 30 * M });
  });

  it('over the total maximum', () => {
    const timeline = foldEvents(race(stint('1', 1, 1, 37, 0)));
    const [d1] = checkDriveTimes(timeline, { profile: profile({ maxDrive: '1h' }), at: 2 * H });
    assert.equal(d1!.overMax, 'total');
    assert.equal(d1!.status, 'over-max');
  });
});

describe('a Bronze driver completes the minimum in the middle of an hour', () => {
  // LMGTE Am under the shipped WEC 6 h 2021 profile: Gold 45 min, Bronze 1h45m.
  // Gold drives laps 1–36 (0–1 h) and pits; the Bronze driver goes out (60 s in
  // the pit lane on a 160 s out-lap) and drives 100 s laps from lap 37.
  const laps: LapEvent[] = [
    ...stint('1', 1, 1, 36, 0).map((l, i) => (i === 35 ? { ...l, inPit: true } : l)),
    lap('1', 37, H + 160_000, { lapMs: 160_000, pitLaneMs: 60_000, driverNumber: 2, driverName: 'Driver 2 1' }),
    ...stint('1', 2, 38, 80, H + 160_000),
  ];
  const events: TimingEvent[] = [session(), entry('1', 'LMGTE Am'), ...laps];
  const entryList = parseEntryList(
    'car,team_short,driver,driver_number,display_name,category\n1,Hadley,Driver 1 1,1,Ana Ferreira,Gold\n1,Hadley,Driver 2 1,2,Tom Okafor,Bronze\n',
    'entry.csv',
  );
  const rules = parseRegulationProfile(readFileSync(join(repoRoot, 'rules', 'wec-6h-2021.json'), 'utf8'));

  it('the out-lap drive time excludes the 60 s in the pit lane', () => {
    const checks = checkDriveTimes(foldEvents(events), { profile: rules, entryList, at: H + 160_000 });
    assert.equal(checks.find((c) => c.driver.number === 2)!.driveMs, 100_000);
  });

  it('hour 3 reports it at 2:46:00, 46 minutes in; hours 1 and 2 do not', () => {
    // 63 laps × 100 s = 1h45m, completed on lap 99: 1 h + 160 s + 62 × 100 s = 2:46:00.
    const timeline = foldEvents(events);
    const facts = (hour: number) => factsOfKind(hourFactsFromTimeline(timeline, hour, { rules, entryList }).facts, 'drive-time-minimum');
    const bronze = facts(3);
    assert.equal(bronze.length, 1);
    const [f] = bronze;
    assert.equal(f!.driver.displayName, 'Tom Okafor');
    assert.equal(f!.driver.category, 'Bronze');
    assert.equal(f!.car.teamShort, 'Hadley');
    assert.equal(f!.minimumMs, 105 * M);
    assert.equal(f!.minimumBasis, 'category');
    assert.equal(f!.lap, 99);
    assert.equal(f!.atMs, 2 * H + 46 * M);
    assert.equal(f!.reachedAtMs, 2 * H + 46 * M, 'exactly on the line: 63 laps of 100 s');
    assert.equal(f!.minutesIntoHour, 46);
    assert.deepEqual(facts(2), []);
    // The Gold driver's 45 minutes came in hour 1 (lap 27, at 0:45:00).
    assert.deepEqual(
      facts(1).map((x) => [x.driver.displayName, x.minimumMs, x.lap, x.minutesIntoHour]),
      [['Ana Ferreira', 45 * M, 27, 45]],
    );
  });

  it('without an entry list nobody is known to be Bronze: the class minimum applies', () => {
    const checks = checkDriveTimes(foldEvents(events), { profile: rules, at: 2 * H });
    const d2 = checks.find((c) => c.driver.number === 2)!;
    assert.equal(d2.driver.category, null);
    assert.equal(d2.minimumMs, 45 * M);
    assert.equal(d2.minimumBasis, 'general');
  });
});

describe('regulation profiles', () => {
  it('the shipped Le Mans profile: 2019 values, 6 h min, 14 h max, 4 h in any 6 h, no Bronze minimum guessed', () => {
    const lemans = parseRegulationProfile(readFileSync(join(repoRoot, 'rules', 'lemans.json'), 'utf8'), 'rules/lemans.json');
    assert.equal(lemans.year, 2019);
    const rules = rulesForClass(lemans, 'LMGTE Am');
    assert.equal(rules.minDrive, 6 * H);
    assert.equal(rules.maxDrive, 14 * H);
    assert.deepEqual(rules.window, { length: 6 * H, maxDrive: 4 * H });
    assert.deepEqual(rules.minDriveByCategory, {});
  });

  it('class rules override the general ones, class names matched loosely', () => {
    const p = profile({ minDrive: '1h', maxDrive: '4h' }, { 'LMGTE Am': { minDrive: '1h45m' } });
    assert.equal(rulesForClass(p, 'lmgte-am').minDrive, 105 * M);
    assert.equal(rulesForClass(p, 'lmgte-am').maxDrive, 4 * H);
    assert.equal(rulesForClass(p, 'LMP2').minDrive, H);
  });

  it('broken profiles say what is wrong', () => {
    assert.throws(() => parseRegulationProfile('{"name":"x","year":2024,"rules":{"minDrive":"six hours"}}', 'p.json'), (e: unknown) => {
      assert.ok(e instanceof RegulationError);
      assert.match(e.message, /p\.json: rules\.minDrive: expected a duration like "6h", "1h45m", "40m" or whole milliseconds, got "six hours"/);
      return true;
    });
    assert.throws(() => parseRegulationProfile('{"name":"x"}', 'p.json'), /year/);
    assert.throws(() => parseRegulationProfile('{', 'p.json'), /not valid JSON/);
  });
});

describe('entry lists', () => {
  it('JSON and CSV give the same list; categories by name or letter', () => {
    const json = parseEntryList(
      JSON.stringify({
        cars: [{ number: '007', teamShort: 'Aston', drivers: [{ name: 'Harry TINCKNELL', category: 'gold' }, { name: 'Ross GUNN', category: 'P' }] }],
      }),
    );
    const csv = parseEntryList('\uFEFFCar;Team short;Driver;Category\r\n007;Aston;Harry TINCKNELL;Gold\r\n007;Aston;Ross GUNN;Platinum\r\n');
    assert.deepEqual(csv, json);
    assert.equal(json.cars[0]!.number, '007', 'car numbers stay text');
  });

  it('names match loosely and display names default to tamed capitals', async () => {
    const events: TimingEvent[] = [
      session(),
      entry('8', 'LMP1'),
      lap('8', 1, 200_000, { driverName: 'Fernando ALONSO', driverNumber: 3 }),
      lap('8', 2, 400_000, { driverName: 'Sébastien BUEMI', driverNumber: 1 }),
    ];
    const list = parseEntryList('car,driver,category,surname\n8,fernando alonso,Platinum,Alonso\n');
    const checks = checkDriveTimes(foldEvents(events), { profile: profile({ minDrive: '1h' }), entryList: list });
    const alonso = checks.find((c) => c.driver.number === 3)!.driver;
    assert.equal(alonso.category, 'Platinum');
    assert.equal(alonso.displayName, 'Fernando Alonso');
    const buemi = checks.find((c) => c.driver.number === 1)!.driver;
    assert.equal(buemi.category, null);
    assert.equal(buemi.displayName, 'Sébastien Buemi');
    assert.equal(buemi.surname, 'Buemi');
  });

  it('bad entry lists say where', () => {
    assert.throws(() => parseEntryList('car,driver,category\n8,Someone,Gold\n7,Someone Else,Diamond\n', 'e.csv'), (e: unknown) => {
      assert.ok(e instanceof EntryListError);
      assert.match(e.message, /^e\.csv: line 3, column 3 \(category\): /);
      return true;
    });
    assert.throws(() => parseEntryList('driver;car\nSomeone;7 7\n', 'e.csv'), / e\.csv: line 2, column 2 \(car\): a car number is letters and digits/);
    // An Al Kamel results file: the line and the DRIVERn_… column of the bad licence.
    const results = 'POSITION,NUMBER,TEAM,DRIVER1_FIRSTNAME,DRIVER1_SECONDNAME,DRIVER1_LICENSE\n1,01,Team,Ann,Driver,Gold\n2,02,Team,Bob,Driver,Tin\n';
    assert.throws(() => parseEntryList(results, 'r.csv'), / r\.csv: line 3, column 6 \(DRIVER1_LICENSE\): expected Platinum, Gold, Silver or Bronze, got "Tin"/);
    assert.throws(() => parseEntryList('team,name\nX,Y\n', 'e.csv'), /needs at least the columns "car" and "driver"/);
    assert.throws(() => parseEntryList('{"cars":[{"number":"7 7"}]}', 'e.json'), /e\.json: cars\.0\.number/);
  });
});
