/**
 * Fuzz: the RMonitor record parser and decoder (src/sources/rmonitor/), the
 * parser a live TCP feed reaches with whatever the wire carries.
 *
 * Properties (issue 13, "a fuzz suite"):
 * - parseRecord never throws anything but a RecordError (with a message), and
 *   never returns a non-finite number;
 * - a record written from numbers reads back to the same numbers;
 * - the decoder, fed a real capture with one line mutated, never throws; every
 *   event it emits passes the ingest schema (TimingEventSchema); a line it
 *   refuses is reported with its own line number and text; and the events of
 *   cars the line does not name are exactly those of the clean capture.
 *
 * `npm test` runs a bounded number of cases, `npm run fuzz` FUZZ_RUNS each.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, TimingEventSchema, type TimingEvent } from '../src/model/events.js';
import { MAX_RACE_TIME_MS } from '../src/model/time.js';
import { captureLines, decodeBytes } from '../src/sources/rmonitor/capture.js';
import { RMonitorDecoder } from '../src/sources/rmonitor/decoder.js';
import { parseRecord, RecordError, splitFields } from '../src/sources/rmonitor/parse.js';
import type { BadInput } from '../src/sources/source.js';
import { fuzzRuns, realData, realFile } from './helpers.js';

/** Characters a corrupted RMonitor line is made of: record punctuation, digits, quotes, letters. */
const recordChars = fc.string({ unit: fc.constantFrom(...'$ABCEFGHIJLOMPR0123456789:.,"- \t'.split('')), maxLength: 60 });

function finiteOrNull(record: object): void {
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'number') assert.ok(Number.isFinite(value), `${key} = ${value}`);
  }
}

describe('fuzz: RMonitor records', () => {
  it('parseRecord: any line is a record or a RecordError with a message, never another throw or a non-finite number', () => {
    fc.assert(
      fc.property(fc.oneof(recordChars, fc.string({ maxLength: 80 }), recordChars.map((s) => `$${s}`)), (line) => {
        try {
          finiteOrNull(parseRecord(line));
        } catch (error) {
          assert.ok(error instanceof RecordError, `${JSON.stringify(line)} threw ${String(error)}`);
          assert.ok(error.message.length > 0);
        }
      }),
      { numRuns: fuzzRuns(3000) },
    );
  });

  it('a $J and $G written from numbers read back to the same numbers', () => {
    const clock = (ms: number) => {
      const h = Math.floor(ms / 3_600_000);
      const m = Math.floor(ms / 60_000) % 60;
      const s = Math.floor(ms / 1000) % 60;
      return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
    };
    const regNo = fc.stringMatching(/^[0-9A-Za-z]{1,6}$/);
    fc.assert(
      fc.property(regNo, fc.integer({ min: 1, max: 3_599_998 }), fc.integer({ min: 1, max: MAX_RACE_TIME_MS }), fc.integer({ min: 1, max: 999 }), fc.nat({ max: 9999 }), (reg, lapMs, totalMs, position, laps) => {
        const j = parseRecord(`$J,"${reg}","${clock(lapMs)}","${clock(totalMs)}"`);
        assert.deepEqual(j, { kind: 'J', regNo: reg, lapMs, totalMs: totalMs === 3_599_999 ? null : totalMs });
        const g = parseRecord(`$G,${position},"${reg}",${laps},"${clock(totalMs)}"`);
        assert.deepEqual(g, { kind: 'G', position, regNo: reg, laps, totalMs: totalMs === 3_599_999 ? null : totalMs });
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});

/** The car a line names (registration number of $J/$G/$H/$COR, number of $A/$COMP, car of $L), or null. */
function carsNamed(line: string): string[] {
  let fields: string[];
  try {
    fields = splitFields(line.trim());
  } catch {
    fields = line.split(',').map((f) => f.replace(/"/g, '').trim());
  }
  return fields.slice(1, 3).filter((f) => f !== '');
}

function carOf(event: TimingEvent): string | null {
  return 'car' in event && typeof event.car === 'string' ? event.car : null;
}

function decodeAll(lines: string[]): { events: TimingEvent[]; bad: BadInput[] } {
  const bad: BadInput[] = [];
  const decoder = new RMonitorDecoder({ source: 'fuzz' }, (b) => bad.push(b));
  const events: TimingEvent[] = [];
  for (const line of lines) for (const batch of decoder.push(line)) events.push(...batch.events);
  return { events, bad };
}

type Mutation =
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'replace-field'; field: number; text: string }
  | { kind: 'truncate'; at: number };

function mutate(line: string, m: Mutation): string {
  const at = (n: number) => n % (line.length + 1);
  switch (m.kind) {
    case 'delete':
      return line.slice(0, at(m.at)) + line.slice(at(m.at) + m.count);
    case 'insert':
      return line.slice(0, at(m.at)) + m.text + line.slice(at(m.at));
    case 'truncate':
      return line.slice(0, at(m.at));
    case 'replace-field': {
      const fields = line.split(',');
      fields[m.field % fields.length] = m.text;
      return fields.join(',');
    }
  }
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(recordChars, fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant('replace-field' as const), field: fc.nat(), text: fc.oneof(recordChars, fc.constantFrom('', '""', '"-1"', '"99:99:99"', '"00:00:00.000"', '1e9', '"NaN"', '"\u00e9"')) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

describe('found by the long fuzz run (npm run fuzz)', { ...realData() }, () => {
  it('a car\'s line garbled into a reset ($I,H,2,"58",…) is refused and named, and the board is not cleared', () => {
    assert.throws(() => parseRecord('$I,H,2,"58",129,"00:01:29.259"'), (e: Error) => e instanceof RecordError && /"H" is not a time/.test(e.message));
    // The resets real captures send still read (with and without a space, "0/0/0000" dates).
    assert.deepEqual(parseRecord('$I,"15:39:57","25 Apr 25"'), { kind: 'I', timeOfDay: '15:39:57', date: '25 Apr 25' });
    assert.equal(parseRecord('$I, "00:00:00", "0/0/0000"').kind, 'I');
    assert.equal(parseRecord('$I,"16:36:08.000","12 jan 01"').kind, 'I');
    // Through the decoder, in the capture the fuzz run used: one bad line, the others' events unchanged.
    const all = captureLines(decodeBytes(readFileSync(realFile('rmonitor/barber-2025-8h-finish-stopped-cars.log'))));
    const i = all.findIndex((l) => /^\$H,/.test(l) && all.slice(all.indexOf(l) + 1).some((m) => /^\$[GHJ],/.test(m)));
    assert.ok(i > 0);
    const garbled = `$I,${all[i]!.slice(1)}`;
    const clean = decodeAll(all);
    const copy = all.slice();
    copy[i] = garbled;
    const got = decodeAll(copy);
    assert.deepEqual(got.bad.map((b) => b.line), [i + 1]);
    assert.equal(got.events.filter((e) => e.type === 'board').length, clean.events.filter((e) => e.type === 'board').length);
  });
});

describe('fuzz: RMonitor decoder on a mutated real capture', { ...realData() }, () => {
  it('never throws; every event passes the ingest schema; a refused line is named; other cars are untouched', () => {
    // A short real capture: its entry list, then its last 600 lines (passings, board refreshes, the
    // finish, a second session): small enough for thousands of cases.
    const all = captureLines(decodeBytes(readFileSync(realFile('rmonitor/barber-2025-8h-finish-stopped-cars.log'))));
    const header = all.findIndex((line) => /^\$[GJ],/.test(line));
    const lines = [...all.slice(0, header), ...all.slice(-600)];
    const clean = decodeAll(lines);
    assert.equal(clean.bad.length, 0, 'the clean capture decodes without a bad line');
    assert.ok(clean.events.filter((e) => e.type === 'lap').length > 20, 'the clean capture holds laps');
    // Only records that name a car: a $B, $C, $F or $I line changes the session for every car.
    const carLines = lines.map((line, i) => ({ line, i })).filter(({ line }) => /^\$(J|G|H|A|COMP|COR|L),/.test(line));
    fc.assert(
      fc.property(fc.constantFrom(...carLines), mutation, ({ line, i }, m) => {
        const changed = mutate(line, m);
        fc.pre(changed !== line && !changed.includes('\n') && !changed.includes('\r'));
        const copy = lines.slice();
        copy[i] = changed;
        const { events, bad } = decodeAll(copy);
        for (const event of events) {
          const parsed = TimingEventSchema.safeParse(event);
          assert.ok(parsed.success, `line ${i + 1} ${JSON.stringify(changed)} gave an event the schema refuses: ${JSON.stringify(event)}`);
        }
        for (const b of bad) {
          assert.equal(b.line, i + 1, `a bad line other than the mutated one was reported: ${JSON.stringify(b)}`);
          assert.equal(b.text, changed.replace(/^\uFEFF/, '').trim().slice(0, 200));
          assert.ok(b.reason.length > 0);
        }
        // A car's line turned into a well-formed record about every car ($B a new session, $C a class
        // renamed, $E, $F a flag, $I a reset) touches them all by its meaning: only the checks above hold.
        const typeOf = (l: string) => /^\$([A-Z]+),/.exec(l.replace(/^\uFEFF/, '').trim())?.[1] ?? null;
        if (bad.length === 0 && typeOf(changed) !== typeOf(line) && ['B', 'C', 'E', 'F', 'I'].includes(typeOf(changed) ?? '')) return;
        // A total moves the session clock, and a board row's instant (atMs) is that clock: it may move
        // by the lead a total is allowed over the $F clock (TOTAL_CLOCK_LEAD_MS, 10 s), nothing else may.
        const touched = new Set([...carsNamed(line), ...carsNamed(changed)]);
        const others = (list: TimingEvent[]) => list.filter((e) => carOf(e) !== null && !touched.has(carOf(e)!));
        const got = others(events);
        const want = others(clean.events);
        const what = `line ${i + 1} ${JSON.stringify(line)} → ${JSON.stringify(changed)}`;
        assert.equal(got.length, want.length, `${what} changed the number of another car's events`);
        got.forEach((event, k) => {
          const expected = want[k]!;
          if (event.type === 'board' && expected.type === 'board') {
            assert.ok(Math.abs(event.atMs - expected.atMs) <= 10_000, `${what} moved #${event.car}'s board row by ${event.atMs - expected.atMs} ms`);
            assert.equal(canonicalJson({ ...event, atMs: 0 }), canonicalJson({ ...expected, atMs: 0 }), what);
          } else assert.equal(canonicalJson(event), canonicalJson(expected), `${what} changed another car's event`);
        });
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});
