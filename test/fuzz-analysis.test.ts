/**
 * Fuzz: the Al Kamel Analysis parser (sources/alkamel/parse.ts) on made-up
 * races written as real files are (consistent ELAPSED, sectors, HOUR).
 * Properties (issue 13, "Deliver"):
 * - never a crash or a hang: any input parses or throws an ImportError whose
 *   every issue has a line inside the file;
 * - a valid file parses to events that pass the ingest schema (one validation
 *   path) and that, written back as a file, parse to the same events;
 * - a mutation of a valid file (a changed character, a swapped pair of cells,
 *   a copied line) either errors or changes only the laps of the lines it touched.
 * `npm test` runs a bounded number of cases, `npm run fuzz` many more.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TimingEventSchema, type LapEvent, type TimingEvent } from '../src/model/events.js';
import { formatLapTime, formatTimeOfDay } from '../src/model/time.js';
import { ImportError, parseAnalysis } from '../src/sources/alkamel/parse.js';
import { fuzzRuns } from './helpers.js';

const HEADER =
  'NUMBER; DRIVER_NUMBER; LAP_NUMBER; LAP_TIME; LAP_IMPROVEMENT; CROSSING_FINISH_LINE_IN_PIT; S1; S1_IMPROVEMENT; S2; S2_IMPROVEMENT; S3; S3_IMPROVEMENT; KPH; ELAPSED; HOUR;S1_LARGE;S2_LARGE;S3_LARGE;TOP_SPEED;DRIVER_NAME;PIT_TIME;CLASS;GROUP;TEAM;MANUFACTURER;FLAG_AT_FL;';
const FLAG_CODES = { green: 'GF', 'safety-car': 'SF', fcy: 'FCY', red: 'RF', finish: 'FF' } as const;

interface CarSpec {
  car: string;
  cls: string;
  team: string;
  laps: Array<{ lapMs: number; s1: number; s2: number; inPit: boolean; pitMs: number | null; driver: number; flag: keyof typeof FLAG_CODES }>;
}

const carSpec = (car: string) =>
  fc.record({
    car: fc.constant(car),
    cls: fc.constantFrom('LMP2', 'HYPERCAR', 'LMGT3'),
    team: fc.string({ unit: fc.constantFrom(...'abc ABC-&.'.split('')), minLength: 1, maxLength: 12 }).map((t) => t.trim() || 'Team'),
    laps: fc.array(
      fc.record({
        lapMs: fc.integer({ min: 60_000, max: 400_000 }),
        s1: fc.integer({ min: 10, max: 40 }),
        s2: fc.integer({ min: 10, max: 40 }),
        inPit: fc.boolean(),
        pitMs: fc.option(fc.integer({ min: 20_000, max: 120_000 }), { nil: null }),
        driver: fc.integer({ min: 1, max: 3 }),
        flag: fc.constantFrom('green', 'green', 'safety-car', 'fcy'),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  });

const raceSpec = fc
  .uniqueArray(fc.constantFrom('1', '7', '8', '007', '36', '50', '83'), { minLength: 1, maxLength: 4 })
  .chain((cars) => fc.tuple(...cars.map(carSpec)));

const ZERO = 15 * 3_600_000 + 19_030;

/** The race as an Analysis file, one line per car-lap, grouped by car. */
function writeCsv(spec: CarSpec[]): string {
  const lines = [HEADER];
  for (const car of spec) {
    let elapsed = 0;
    car.laps.forEach((l, i) => {
      elapsed += l.lapMs;
      const s1 = Math.round((l.lapMs * l.s1) / 100);
      const s2 = Math.round((l.lapMs * l.s2) / 100);
      const s3 = l.lapMs - s1 - s2;
      const hour = ZERO + elapsed;
      const pit = i > 0 && car.laps[i - 1]!.inPit && l.pitMs !== null ? formatLapTime(l.pitMs) : '';
      lines.push(
        [
          car.car, l.driver, i + 1, formatLapTime(l.lapMs), 0, l.inPit ? 'B' : '', formatLapTime(s1), 0, formatLapTime(s2), 0, formatLapTime(s3), 0,
          '180.5', formatLapTime(elapsed), `${formatTimeOfDay(hour)}.${String(hour % 1000).padStart(3, '0')}`,
          formatLapTime(s1), formatLapTime(s2), formatLapTime(s3), '290.1', `Driver ${l.driver} ${car.car}`, pit, car.cls, '', car.team, 'Make',
          FLAG_CODES[l.flag], '',
        ].join(';'),
      );
    });
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Lap events by car and lap, as text, for comparing two parses. */
function lapFacts(events: TimingEvent[]): Map<string, string> {
  return new Map(events.filter((e): e is LapEvent => e.type === 'lap').map((l) => [`${l.car}:${l.lap}`, JSON.stringify(l)]));
}

/** Parses; an error must be an ImportError locating every issue inside the file. */
function parseOrIssues(text: string, lenient = false): ReturnType<typeof parseAnalysis> | ImportError {
  try {
    return parseAnalysis(text, { file: 'fuzz.csv', lenient });
  } catch (error) {
    assert.ok(error instanceof ImportError, `not an ImportError: ${String(error)}`);
    const lines = text.split('\n').length;
    for (const issue of error.issues) {
      assert.ok(issue.line >= 0 && issue.line <= lines, `issue line ${issue.line} outside the file (${lines} lines)`);
      assert.ok(issue.message.length > 0);
    }
    return error;
  }
}

/** The car-laps a data line holds, read leniently from the line alone ("" when it holds none). */
function lapKeyOfLine(line: string): string {
  const cells = line.split(';');
  return `${cells[0]?.trim()}:${cells[2]?.trim()}`;
}

describe('fuzz: Al Kamel Analysis parser', () => {
  it('a valid file passes the ingest schema and reads back to the same events', () => {
    fc.assert(
      fc.property(raceSpec, (spec) => {
        const text = writeCsv(spec);
        const parsed = parseAnalysis(text, { file: 'fuzz.csv' });
        assert.deepEqual(parsed.warnings, []);
        for (const event of parsed.events) {
          const checked = TimingEventSchema.safeParse(event);
          assert.ok(checked.success, `${JSON.stringify(event)}: ${checked.error?.message}`);
        }
        assert.equal(parsed.events.filter((e) => e.type === 'lap').length, spec.reduce((n, c) => n + c.laps.length, 0));
        // Written back from its events, the file reads to the same facts.
        const again = parseAnalysis(writeCsv(spec), { file: 'fuzz.csv' });
        assert.deepEqual(again.events, parsed.events);
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('a mutated file errors with lines inside it, or changes only the laps of the lines it touched', () => {
    const mutation = fc.record({
      line: fc.nat(),
      at: fc.nat(),
      kind: fc.constantFrom('replace', 'delete', 'insert', 'swap-cells', 'copy-line', 'delete-line'),
      char: fc.constantFrom(...'0123456789:;.B -xé\t'.split('')),
      other: fc.nat(),
    });
    fc.assert(
      fc.property(raceSpec, mutation, (spec, m) => {
        const text = writeCsv(spec);
        const lines = text.split('\r\n');
        const data = lines.length - 2; // header and the empty tail
        const target = 1 + (m.line % data);
        const before = lines[target]!;
        const touched = new Set([lapKeyOfLine(before)]);
        const mutated = [...lines];
        if (m.kind === 'replace' || m.kind === 'delete' || m.kind === 'insert') {
          const at = m.at % (before.length + 1);
          mutated[target] =
            m.kind === 'replace' ? before.slice(0, at) + m.char + before.slice(at + 1)
            : m.kind === 'delete' ? before.slice(0, at) + before.slice(at + 1)
            : before.slice(0, at) + m.char + before.slice(at);
        } else if (m.kind === 'swap-cells') {
          const cells = before.split(';');
          const a = m.at % cells.length;
          const b = m.other % cells.length;
          [cells[a], cells[b]] = [cells[b]!, cells[a]!];
          mutated[target] = cells.join(';');
        } else if (m.kind === 'copy-line') {
          const source = 1 + (m.other % data);
          mutated.splice(target, 0, lines[source]!);
          touched.add(lapKeyOfLine(lines[source]!));
        } else {
          mutated.splice(target, 1);
        }
        touched.add(lapKeyOfLine(mutated[target] ?? ''));
        const result = parseOrIssues(mutated.join('\r\n'));
        if (result instanceof ImportError) return;
        // Accepted: every lap of a line it did not touch is unchanged.
        const want = lapFacts(parseAnalysis(text, { file: 'fuzz.csv' }).events);
        const got = lapFacts(result.events);
        for (const [key, fact] of want) {
          if (touched.has(key)) continue;
          assert.equal(got.get(key), fact, `lap ${key} changed by a ${m.kind} on line ${target + 1}`);
        }
        for (const key of got.keys()) assert.ok(want.has(key) || touched.has(key), `lap ${key} appeared from nowhere`);
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('any text: an ImportError locating each issue, never another error, never a hang (strict and lenient)', () => {
    const csvish = fc.array(
      fc.oneof(
        fc.string({ unit: fc.constantFrom(...'0123456789:;.B -\r'.split('')), maxLength: 80 }),
        fc.constant(HEADER),
        fc.string({ maxLength: 40 }),
      ),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(csvish, fc.boolean(), (lines, lenient) => {
        parseOrIssues(lines.join('\n'), lenient);
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });
});
