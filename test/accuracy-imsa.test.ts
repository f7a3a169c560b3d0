/**
 * IMSA official results as an oracle (issue 10, item 7): the final
 * classification computed from the comma-separated laps files must equal the
 * Al Kamel results export of the same race for every car — overall position,
 * class position, laps and classified status. The results file is read here
 * by its own small CSV reader, not by Sarthe's parsers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseEntryList } from '../src/analysis/entry-list.js';
import { applyClassificationProfile } from '../src/cli/results.js';
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents } from '../src/engine/timeline.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { parseAnalysis, separatorOf } from '../src/sources/alkamel/parse.js';
import { realData, realFile } from './helpers.js';

interface OfficialRow {
  position: number;
  number: string;
  status: string;
  laps: number;
  class: string;
  classPosition: number;
}

/** Cells of one line; double quotes protect commas ("Brasilia, Brazil"). */
function cellsOf(line: string): string[] {
  return [...line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').trim()).slice(0, -1);
}

function officialResults(name: string): OfficialRow[] {
  const lines = readFileSync(realFile(`imsa/${name}-results.csv`), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l !== '');
  const header = cellsOf(lines[0]!);
  const col = (h: string) => header.indexOf(h);
  const perClass = new Map<string, number>();
  return lines.slice(1).map((line) => {
    const c = cellsOf(line);
    const cls = c[col('CLASS')]!;
    perClass.set(cls, (perClass.get(cls) ?? 0) + 1);
    return {
      position: Number(c[col('POSITION')]),
      number: c[col('NUMBER')]!,
      status: c[col('STATUS')]!,
      laps: Number(c[col('LAPS')]),
      class: cls,
      classPosition: perClass.get(cls)!,
    };
  });
}

describe('IMSA final classification equals the official results', realData(), () => {
  for (const [race, cars] of [
    ['imsa-2024-petit-le-mans-10h-race', 53],
    ['imsa-2025-sebring-12h-race', 56],
  ] as const) {
    it(race, async () => {
      const { events } = await importAnalysisFiles([realFile(`imsa/${race}-laps.csv`)]);
      const timeline = foldEvents(events);
      const profile = applyClassificationProfile(timeline);
      assert.match(profile.name, /IMSA/);
      const final = standingsAt(timeline, null);
      const official = officialResults(race);
      assert.equal(official.length, cars);
      assert.equal(final.cars.length, cars, 'every car of the results is in the laps file, and no other');
      assert.equal(final.result?.declared, 'chequered');
      for (const row of official) {
        const car = final.cars.find((c) => c.number === row.number);
        assert.ok(car, `#${row.number} (as written, zero-padded numbers kept) is in the laps file`);
        const where = `#${row.number} (${row.class})`;
        assert.equal(car.position, row.position, `overall position of ${where}`);
        assert.equal(car.class, row.class, `class of ${where}`);
        assert.equal(car.classPosition, row.classPosition, `class position of ${where}`);
        assert.equal(car.laps, row.laps, `laps of ${where}`);
        assert.equal(car.classified, row.status === 'Classified', `status of ${where}: official ${row.status}, Sarthe ${car.reason ?? 'classified'}`);
      }
    });
  }

  it('the results file is an entry list: real driver categories', () => {
    const list = parseEntryList(readFileSync(realFile('imsa/imsa-2025-sebring-12h-race-results.csv'), 'utf8'), 'results');
    assert.equal(list.cars.length, 56);
    const seven = list.cars.find((c) => c.number === '7')!;
    assert.deepEqual(
      seven.drivers.map((d) => [d.name, d.category]),
      [
        ['Felipe Nasr', 'Platinum'],
        ['Nick Tandy', 'Platinum'],
        ['Laurens Vanthoor', 'Platinum'],
      ],
    );
    assert.ok(list.cars.some((c) => c.number === '023'), '023 stays 023');
    const categories = new Set(list.cars.flatMap((c) => c.drivers.map((d) => d.category)));
    assert.deepEqual([...categories].sort(), ['Bronze', 'Gold', 'Platinum', 'Silver']);
  });
});

describe('Al Kamel separator', () => {
  const header = 'NUMBER, DRIVER_NUMBER, LAP_NUMBER, LAP_TIME, LAP_IMPROVEMENT, CROSSING_FINISH_LINE_IN_PIT, S1, S1_IMPROVEMENT, S2, S2_IMPROVEMENT, S3, S3_IMPROVEMENT, KPH, ELAPSED, HOUR,S1_LARGE,S2_LARGE,S3_LARGE,TOP_SPEED,DRIVER_NAME,PIT_TIME,CLASS,GROUP,TEAM,MANUFACTURER,FLAG_AT_FL,';
  const row = (car: string, lap: number, elapsed: string) =>
    `${car},1,${lap},1:40.000,0,,30.000,0,40.000,0,30.000,0,190.0,${elapsed},12:00:00.000,0:30.000,0:40.000,0:30.000,,Ann Driver,,GTD,,Team,Make,GF,`;

  it('is read from the header: `,` for IMSA laps files, `;` for Analysis exports', () => {
    assert.equal(separatorOf(header), ',');
    assert.equal(separatorOf('NUMBER; DRIVER_NUMBER; LAP_NUMBER; LAP_TIME;TEAM, INC;'), ';');
    assert.equal(separatorOf('NUMBER DRIVER_NUMBER'), null);
  });

  it('keeps zero-padded car numbers exact: 07, 007 and 7 are three cars', () => {
    // Three consistent rows (the parser checks ELAPSED, sectors and HOUR against each other).
    const text = ['\uFEFF' + header, row('07', 1, '1:40.000'), row('007', 1, '1:40.000'), row('7', 1, '1:40.000')].join('\n');
    const parsed = parseAnalysis(text, { file: 'made-up-laps.csv' });
    assert.deepEqual(parsed.events.filter((e) => e.type === 'entry').map((e) => e.car).sort(), ['007', '07', '7']);
  });

  it('a comma file with a short line names the line', () => {
    const text = [header, row('01', 1, '1:40.000'), '01,1,2,1:40.000'].join('\n');
    assert.throws(() => parseAnalysis(text, { file: 'bad.csv' }), /bad\.csv:3\b.*fields/);
  });
});
