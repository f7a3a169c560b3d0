/**
 * The parser- and schema-level behaviour of each file in ../shared/cases/hardening
 * (copied to test/fixtures/hardening), as ../shared/cases/README.md says it
 * must be, and the rest of each class (issue 13, items 1, 5 and 6).
 * markup-in-names.csv is in report-markup.test.ts; the HTTP side of
 * ingest-far-future-lap.json is the server's.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { foldEvents } from '../src/engine/timeline.js';
import { LapEventSchema, MAX_RACE_HOURS, MAX_RACE_TIME_MS, TimingEventSchema, type EntryEvent, type LapEvent, type TimingEvent } from '../src/model/events.js';
import { parseRaceTime } from '../src/model/time.js';
import { reportHours } from '../src/report/build.js';
import { HourlyDesk } from '../src/server/site/hourly-desk.js';
import { ImportError, parseAnalysis, type ParsedAnalysis } from '../src/sources/alkamel/parse.js';
import { casesDir, LAP_FILES, realData, realFile, repoRoot } from './helpers.js';

const run = promisify(execFile);
const caseFile = (name: string) => join(casesDir, 'hardening', name);
const read = (name: string) => readFileSync(caseFile(name), 'utf8');

function parseCase(name: string, lenient = false): ParsedAnalysis {
  return parseAnalysis(read(name), { file: name, lenient });
}

function refused(fn: () => unknown): ImportError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ImportError, `expected an ImportError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the input to be refused');
}

const laps = (events: TimingEvent[]) => events.filter((e): e is LapEvent => e.type === 'lap');

describe('hardening cases: the Analysis parser', () => {
  it('parse-wide-header.csv: more than 64 columns still gives the right cells', () => {
    const parsed = parseCase('parse-wide-header.csv');
    const entry = parsed.events.find((e): e is EntryEvent => e.type === 'entry')!;
    assert.equal(entry.team, 'Rebellion Racing');
    assert.equal(entry.manufacturer, 'Rebellion');
    assert.equal(laps(parsed.events).length, 40);
  });

  it('parse-lap-gap.csv: an error naming the line, a warning under --lenient, never silence', () => {
    const error = refused(() => parseCase('parse-lap-gap.csv'));
    assert.equal(error.issues.length, 1, 'only the line after the gap is named, not every one after it');
    assert.equal(error.issues[0]!.line, 6);
    assert.equal(error.issues[0]!.column, 'LAP_NUMBER (3)');
    assert.match(error.message, /lap 6 of car #1 follows lap 4 \(line 5\): lap 5 is missing/);
    const lenient = parseCase('parse-lap-gap.csv', true);
    assert.deepEqual(lenient.warnings.map((w) => w.line), [6]);
    assert.deepEqual(lenient.skipped, []);
    assert.deepEqual(laps(lenient.events).map((l) => l.lap), [1, 2, 3, 4, 6, 7, 8, 9, 10], 'the laps read are kept');
  });

  it('parse-laptime-infinity.csv: the same error as the JSON ingest API gives', () => {
    const error = refused(() => parseCase('parse-laptime-infinity.csv'));
    const issue = error.issues.find((i) => i.line === 7)!;
    assert.equal(issue.column, 'LAP_TIME (4)');
    const api = LapEventSchema.safeParse({ type: 'lap', car: '1', lap: 6, crossingMs: 1, lapMs: Infinity, sectorsMs: [null, null, null], driverNumber: 1 });
    assert.ok(!api.success);
    assert.equal(issue.message, `lapMs: ${api.error.issues.find((i) => i.path[0] === 'lapMs')!.message}`);
    // Lenient: the line is skipped, no lap is stored with a null or infinite time.
    const lenient = parseCase('parse-laptime-infinity.csv', true);
    assert.deepEqual(lenient.skipped.map((s) => s.line), [7]);
    for (const lap of laps(lenient.events)) assert.ok(Number.isSafeInteger(lap.lapMs) && lap.lapMs > 0);
  });

  it('parse-duplicate-row-different-driver.csv: a conflict naming both lines', () => {
    const error = refused(() => parseCase('parse-duplicate-row-different-driver.csv'));
    assert.equal(error.issues.length, 1);
    assert.equal(error.issues[0]!.line, 7);
    assert.match(error.message, /lap 5 of car #1 is on line 6 and again on line 7 with a different DRIVER_NAME, HOUR/);
  });

  it('a lap time of 1e23 ms, a 1,000,000-character team, a tab in a name: the ingest schema\'s limits, naming the column', () => {
    const text = read('parse-lap-gap.csv').split('\n').slice(0, 5);
    const withTeam = [text[0], text[1]!.replace('Rebellion Racing', 'R'.repeat(1_000_000))].join('\n');
    const team = refused(() => parseAnalysis(withTeam, { file: 'team.csv' }));
    assert.equal(team.issues[0]!.column, 'TEAM (24)');
    assert.match(team.message, /team: Too big: expected string to have <=120 characters/);
    const withTab = [text[0], text[1]!.replace('Neel JANI', 'Neel\tJANI')].join('\n');
    assert.match(refused(() => parseAnalysis(withTab, { file: 'tab.csv' })).message, /DRIVER_NAME \(20\): driverName: control characters/);
    const far = [text[0], text[1]!.replace(/;2:06\.349;13:33:09\.911;/, ';99999999:00:00.000;13:33:09.911;')].join('\n');
    const farError = refused(() => parseAnalysis(far, { file: 'far.csv' }));
    assert.equal(farError.issues[0]!.column, 'ELAPSED (14)');
    assert.match(farError.message, new RegExp(`crossingMs: Too big: expected number to be <=${MAX_RACE_TIME_MS}`));
  });
});

describe('hardening cases: race time is bounded, and so is every loop it drives', () => {
  const events = JSON.parse(read('ingest-far-future-lap.json')) as unknown[];

  it('ingest-far-future-lap.json: the schema refuses the lap 11,000 years in, naming the field and the limit', () => {
    const results = events.map((e) => TimingEventSchema.safeParse(e));
    assert.deepEqual(results.map((r) => r.success), [true, true, true, false]);
    const issue = results[3]!.error!.issues[0]!;
    assert.deepEqual(issue.path, ['crossingMs']);
    assert.match(issue.message, new RegExp(`<=${MAX_RACE_TIME_MS}`));
  });

  it('a timeline folded from such events anyway (a store written before the bound) drives no loop past the bound', () => {
    const unbounded = events.map((raw): TimingEvent => {
      const e = raw as { type: string; crossingMs?: number };
      if (e.type !== 'lap') return TimingEventSchema.parse(e);
      return { ...LapEventSchema.parse({ ...e, crossingMs: 1 }), crossingMs: e.crossingMs! };
    });
    const timeline = foldEvents(unbounded);
    assert.equal(timeline.lastEventMs, 360_000_000_000_000);
    assert.equal(reportHours(timeline).length, MAX_RACE_HOURS);
    assert.equal(HourlyDesk.hoursPassed(timeline.lastEventMs, null), MAX_RACE_HOURS);
    assert.equal(HourlyDesk.hoursPassed(timeline.lastEventMs, 6 * 3_600_000), 6);
  });

  it('a person\'s race time past the bound is refused', () => {
    assert.equal(parseRaceTime(`${MAX_RACE_HOURS}h`), MAX_RACE_TIME_MS);
    assert.throws(() => parseRaceTime('99999999h'), /past 168h/);
    assert.throws(() => parseRaceTime('99999999:00:00'), /past 168h/);
  });

  it('`sarthe report --all` on a CSV whose ELAPSED is 99999999:00:00.000 fails at once with the line and column', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-far-'));
    try {
      const lines = read('parse-lap-gap.csv').split('\n').slice(0, 5);
      lines.push(lines[4]!.replace(/^1;1;4;3:10\.094/, '1;1;5;3:10.094').replace('9:34.138', '99999999:00:00.000'));
      const file = join(dir, 'far.csv');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const started = performance.now();
      const error = await run(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), 'report', file, '--all'], { timeout: 30_000 }).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      assert.ok(error !== null, 'the command fails');
      assert.match(error.stderr, /far\.csv:6: column ELAPSED \(14\): crossingMs: Too big/);
      assert.ok(performance.now() - started < 30_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the consistency checks pass every real race as it is', realData(), () => {
  it('the 20 Al Kamel races and the demo file: strict import, no warning, no line skipped', () => {
    const files = [...LAP_FILES.map(realFile), join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv')];
    for (const file of files) {
      const parsed = parseAnalysis(readFileSync(file, 'utf8'), { file, lenient: true });
      assert.deepEqual([...parsed.skipped, ...parsed.warnings], [], file);
      assert.ok(parsed.rows > 1000, file);
    }
  });
});
