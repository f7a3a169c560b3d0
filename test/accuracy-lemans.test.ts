/**
 * Final classification from the lap files against the hand-compiled Le Mans
 * results table (gdsotirov/lemans24): order within each class, laps of every
 * car, and its status (classified, NC, DNF, DSQ), with the shipped Le Mans
 * classification profile (rules/) and decisions (decisions/). Where the two
 * sources disagree, the car is named here with the evidence; there is no
 * blanket tolerance. 2023 #5 (329 laps in the file, 325 in the table) is
 * no longer one: its 33:06.490 last lap holds a 23:21.247 stop, so the final
 * lap timed 9:45 and the 8–10 min band deducts 4 laps.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents } from '../src/engine/timeline.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { applyClassificationProfile, parseDecisionsFile } from '../src/cli/results.js';
import type { DecisionEvent, MessageEvent } from '../src/model/events.js';
import { resultCode } from '../src/model/format.js';
import { realData, realFile, repoRoot } from './helpers.js';

interface ResultRow {
  pos: string;
  cls: string;
  car: string;
  laps: number;
  distanceKm: number;
}

/** Cars whose laps differ between the lap file and the table, and why. */
const DISAGREEMENTS: Record<number, Record<string, { fileLaps: number; tableLaps: number; evidence: string }>> = {
  2019: {
    '54': {
      fileLaps: 331,
      tableLaps: 327,
      evidence:
        'SOURCES.md: the lap file has 331 laps for #54, the official results 327; with 331 it sorts 8th in LMGTE Am instead of 12th. ' +
        'No penalty explains it: its last lap took 4:00.604 (no final-lap band), and the only #54 penalty in the race-control texts ' +
        '("10 SECONDS ADDED TO THE NEXT PIT STOP", year not given) deducts no laps; the table time 24:04:58.415 matches no crossing of the file',
    },
  },
  2021: {
    '48': {
      fileLaps: 359,
      tableLaps: 369,
      evidence: "the table's own distance, 4890.950 km, is 359 laps of 13.626 km, and its time 24:02:12.856 is the lap file's lap-359 crossing: 369 is a typo",
    },
  },
};

/**
 * Cars the table calls NC that the timing data cannot tell from a retirement
 * (2019 #43, 2021 #82, 2025 #59): each stopped for good hours before the flag,
 * like the DNF cars of its year. The official "not classified" is a decision
 * the lap file does not hold, so it comes from the race's shipped decisions
 * file, which cites the table; without it Sarthe says DNF.
 */
const NOT_CLASSIFIED_BY_DECISION: Record<number, string[]> = { 2019: ['43'], 2021: ['82'], 2025: ['59'] };

function tableFor(year: number): ResultRow[] {
  const text = readFileSync(realFile('lemans-results-1923-onwards-gdsotirov.csv'), 'utf8');
  return text
    .split(/\r?\n/)
    .map((line) => line.split(';'))
    .filter((f) => f[0] === String(year))
    .map((f) => ({ pos: f[1]!, cls: f[2]!, car: f[3]!, laps: Number(f[11]), distanceKm: Number(f[12]) }));
}

/** The race's shipped decisions file (decisions/), if there is one. */
function shippedDecisions(year: number): Array<DecisionEvent | MessageEvent> {
  const path = join(repoRoot, 'decisions', `lemans-${year}-decisions.json`);
  return existsSync(path) ? parseDecisionsFile(readFileSync(path, 'utf8'), path) : [];
}

describe('final classification matches the Le Mans results table', realData(), () => {
  for (const year of [2019, 2021, 2023, 2024, 2025, 2026]) {
    it(`Le Mans ${year}: order, laps and status (NC, DNF, DSQ)`, async () => {
      const { events } = await importAnalysisFiles([realFile(`lemans-${year}-race-analysis.csv`)]);
      const timeline = foldEvents([...events, ...shippedDecisions(year)]);
      applyClassificationProfile(timeline);
      const final = standingsAt(timeline, null);
      const byCar = new Map(final.cars.map((c) => [c.number, c]));
      const known = DISAGREEMENTS[year] ?? {};
      const table = tableFor(year);
      const classified = table.filter((r) => /^\d+$/.test(r.pos));
      assert.ok(classified.length > 20, 'the table has this year');
      assert.equal(final.result?.declared, 'chequered');

      for (const row of table) {
        const car = byCar.get(row.car);
        if (!['NC', 'DNF', 'DSQ'].includes(row.pos) && !/^\d+$/.test(row.pos)) {
          // DNS, reserve, not qualified…: never on track.
          assert.equal(car, undefined, `#${row.car} is ${row.pos} in the table and must not be in the lap file`);
          continue;
        }
        assert.ok(car, `#${row.car} is ${row.pos} in the table and must be in the lap file`);
        const disagreement = known[row.car];
        if (disagreement) {
          assert.equal(car.laps, disagreement.fileLaps, disagreement.evidence);
          assert.equal(row.laps, disagreement.tableLaps, disagreement.evidence);
        } else {
          assert.equal(car.laps, row.laps, `laps of #${row.car} (${row.cls}, ${row.pos})`);
        }
        if (/^\d+$/.test(row.pos)) {
          assert.equal(car.status, 'finished', `#${row.car} took the flag`);
          assert.equal(car.classified, true, `#${row.car} is classified: ${car.reason}`);
        } else {
          assert.equal(resultCode(car), row.pos, `#${row.car} is ${row.pos} in the table; Sarthe: ${car.status}, ${car.reason}`);
        }
      }
      for (const car of final.cars) {
        assert.ok(table.some((r) => r.car === car.number), `#${car.number} is in the lap file but not in the table`);
      }

      // Classified cars first, as official results list them.
      const firstOut = final.cars.findIndex((c) => c.classified === false);
      assert.ok(firstOut >= 0 && final.cars.slice(firstOut).every((c) => c.classified === false), 'unclassified cars come last');

      // Order within each class of the table (LMP2 Pro-Am is its own class there).
      const classes = new Map<string, string[]>();
      for (const row of classified) {
        if (known[row.car]) continue;
        classes.set(row.cls, [...(classes.get(row.cls) ?? []), row.car]);
      }
      for (const [cls, cars] of classes) {
        const engineOrder = final.cars.filter((c) => cars.includes(c.number)).map((c) => c.number);
        assert.deepEqual(engineOrder, cars, `order within ${cls}`);
      }
      for (const [car, d] of Object.entries(known)) assert.ok(byCar.has(car), d.evidence);
    });
  }
});

describe('a "not classified" the lap file cannot show comes from the shipped decisions', realData(), () => {
  for (const [year, cars] of Object.entries(NOT_CLASSIFIED_BY_DECISION)) {
    it(`Le Mans ${year}: ${cars.map((c) => `#${c}`).join(', ')} read DNF from the laps alone, NC with the decision`, async () => {
      const { events } = await importAnalysisFiles([realFile(`lemans-${year}-race-analysis.csv`)]);
      const decisions = shippedDecisions(Number(year));
      const withAll = foldEvents([...events, ...decisions]);
      // Every shipped decision but the not-classified ones: the rest of the result is unchanged.
      const without = foldEvents([...events, ...decisions.filter((d) => !(d.type === 'decision' && d.kind === 'not-classified'))]);
      for (const t of [withAll, without]) applyClassificationProfile(t);
      const a = new Map(standingsAt(withAll, null).cars.map((c) => [c.number, c]));
      const b = new Map(standingsAt(without, null).cars.map((c) => [c.number, c]));
      const table = tableFor(Number(year));
      for (const car of cars) {
        assert.equal(table.find((r) => r.car === car)?.pos, 'NC', `#${car} is NC in the table`);
        assert.equal(resultCode(b.get(car)!), 'DNF', `#${car} from its laps alone`);
        assert.equal(resultCode(a.get(car)!), 'NC', `#${car} with the decision`);
        assert.match(a.get(car)!.reason ?? '', /^not classified: not running at the finish/);
        const decision = decisions.find((d) => d.type === 'decision' && d.car === car);
        assert.ok(decision && decision.type === 'decision' && decision.text.includes(`(${year}, #${car}, NC,`), 'the decision cites the table');
      }
      // Nobody else's result moves.
      for (const [n, car] of b) if (!cars.includes(n)) assert.equal(resultCode(a.get(n)!), resultCode(car), `#${n}`);
    });
  }
});
