/**
 * `sarthe serve --entry-list` over real HTTP (issue 10, item 7: "the server
 * must accept an Al Kamel results CSV as a source of driver categories and
 * full names"), with the IMSA official results of Petit Le Mans 2024 and
 * Sebring 2025. The expected names and ratings are read from the results
 * files by this test's own CSV reader, not by Sarthe's entry-list parser.
 * Also: the replayed race's shipped decisions (decisions/) are applied as
 * `--decisions` applies them in the CLI, checked against the hand-compiled
 * Le Mans results table.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { realData, realFile, repoRoot } from './helpers.js';
import { startServerProcess, stopServerProcess, type ServerProcess } from './server-process.js';
import { browserAvailable, launchChromium } from './browser.js';

const dir = mkdtempSync(join(tmpdir(), 'sarthe-h10-entry-list-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PLM = 'imsa-2024-petit-le-mans-10h-race';
const SEBRING = 'imsa-2025-sebring-12h-race';

/** Cells of one line; double quotes protect commas ("Brasilia, Brazil"). */
function cellsOf(line: string): string[] {
  return [...line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').trim()).slice(0, -1);
}

/** Car number → "First Second" → licence as the official results file writes them. */
function officialCrews(race: string): Map<string, Map<string, string>> {
  const lines = readFileSync(realFile(`imsa/${race}-results.csv`), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l !== '');
  const header = cellsOf(lines[0]!);
  const crews = new Map<string, Map<string, string>>();
  for (const line of lines.slice(1)) {
    const c = cellsOf(line);
    const crew = new Map<string, string>();
    for (let n = 1; header.includes(`DRIVER${n}_FIRSTNAME`); n++) {
      const name = `${c[header.indexOf(`DRIVER${n}_FIRSTNAME`)]} ${c[header.indexOf(`DRIVER${n}_SECONDNAME`)]}`.trim();
      if (name !== '') crew.set(name, c[header.indexOf(`DRIVER${n}_LICENSE`)]!);
    }
    crews.set(c[header.indexOf('NUMBER')]!, crew);
  }
  return crews;
}

interface Standing {
  number: string;
  driver: string;
  driverDisplayName?: string;
  driverCategory?: string | null;
  classified: boolean | null;
  reason: string | null;
}
interface Standings {
  result?: unknown;
  cars: Standing[];
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `GET ${url}`);
  return (await response.json()) as T;
}

/** The standings once the result stands (the replay has reached the flag). */
async function finalStandings(base: string, race: string): Promise<Standings> {
  const end = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${base}/api/races/${race}/standings`);
    if (response.status === 200) {
      const standings = (await response.json()) as Standings;
      if (standings.result !== undefined && standings.cars.every((c) => c.classified !== null)) return standings;
    }
    if (Date.now() > end) throw new Error(`no final result for ${race} within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The licence as the results file writes it, with its one misspelling ("Platinium", PLM 2024 line 13) read as Platinum. */
const rating = (licence: string | undefined) => (licence === 'Platinium' ? 'Platinum' : licence === '' ? null : licence);

describe('sarthe standings --entry-list: the same names and ratings as the server gives', { ...realData(), timeout: 60_000 }, () => {
  const sarthe = (...args: string[]) => promisify(execFile)(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), ...args], { maxBuffer: 64 << 20 });

  for (const file of [PLM, SEBRING]) {
    it(`${file}: every car's driver at the flag has the official full name and rating, in the JSON and the table`, async () => {
      const official = officialCrews(file);
      const laps = realFile(`imsa/${file}-laps.csv`);
      const list = realFile(`imsa/${file}-results.csv`);
      const standings = JSON.parse((await sarthe('standings', laps, '--entry-list', list, '--json')).stdout) as Standings;
      assert.equal(standings.cars.length, official.size);
      for (const car of standings.cars) {
        const crew = official.get(car.number);
        assert.ok(crew?.has(car.driver), `#${car.number}: ${car.driver} is in the official crew`);
        assert.equal(car.driverDisplayName, car.driver, `#${car.number}: full name`);
        assert.equal(car.driverCategory, rating(crew!.get(car.driver)), `#${car.number} ${car.driver}: category`);
      }
      // The table: a Cat column beside the driver, each row's rating under it.
      const lines = (await sarthe('standings', laps, '--entry-list', list)).stdout.split('\n');
      const head = lines.findIndex((l) => l.startsWith('Pos '));
      assert.match(lines[head]!, /Driver +Cat +Laps/);
      const first = standings.cars[0]!;
      assert.match(lines[head + 2]!, new RegExp(`#${first.number} .* ${first.driver} +${first.driverCategory} `));
      // Without the list, no Cat column and no categories.
      const plain = JSON.parse((await sarthe('standings', laps, '--json')).stdout) as Standings;
      assert.equal(plain.cars[0]!.driverCategory, undefined);
    });
  }
});

describe('sarthe serve --entry-list with the IMSA official results', { ...realData(), timeout: 180_000 }, () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess({
      db: join(dir, 'imsa.db'),
      token: 'h10-token',
      args: [
        '--replay', realFile(`imsa/${SEBRING}-laps.csv`), '--race', 'sebring-2025', '--from', '12h', '--speed', '3600', '--tick', '50',
        // A plain file for every race without its own, and one named for the replayed race.
        '--entry-list', realFile(`imsa/${PLM}-results.csv`), `sebring-2025=${realFile(`imsa/${SEBRING}-results.csv`)}`,
      ],
    });
    // Petit Le Mans arrives through the import API (named by its file: "IMSA 10 Hours of Petit Le Mans 2024"): the plain entry list is its.
    const response = await fetch(`${server.base}/api/races/plm-2024/import?name=${PLM}-laps.csv`, {
      method: 'POST',
      headers: { authorization: 'Bearer h10-token', 'content-type': 'text/csv' },
      body: readFileSync(realFile(`imsa/${PLM}-laps.csv`)),
    });
    assert.ok(response.ok, `import: HTTP ${response.status} ${await response.text()}`);
  });
  after(() => stopServerProcess(server));

  for (const [race, file] of [['plm-2024', PLM], ['sebring-2025', SEBRING]] as const) {
    it(`${race}: every car's driver at the flag has the official full name and rating`, async () => {
      const official = officialCrews(file);
      const standings = await finalStandings(server.base, race);
      assert.equal(standings.cars.length, official.size);
      for (const car of standings.cars) {
        const crew = official.get(car.number);
        assert.ok(crew !== undefined, `#${car.number} is in the results file (numbers kept as written)`);
        assert.ok(crew.has(car.driver), `#${car.number}: ${car.driver} is in the official crew ${[...crew.keys()].join(', ')}`);
        assert.equal(car.driverDisplayName, car.driver, `#${car.number}: full name`);
        assert.equal(car.driverCategory, rating(crew.get(car.driver)), `#${car.number} ${car.driver}: category`);
      }
      const categories = new Set(standings.cars.map((c) => c.driverCategory));
      assert.ok(categories.size >= 3, `several ratings at the flag, not one default: ${[...categories].join(', ')}`);
    });

    it(`${race}: /drivers gives every crew member seen with the official rating`, async () => {
      const official = officialCrews(file);
      const body = await getJson<{ entryList: boolean; cars: Array<{ car: string; drivers: Array<{ name: string; displayName: string; category: string | null }> }> }>(
        `${server.base}/api/races/${race}/drivers`,
      );
      assert.equal(body.entryList, true);
      let drivers = 0;
      for (const car of body.cars) {
        for (const d of car.drivers) {
          drivers++;
          assert.equal(d.category, rating(official.get(car.car)?.get(d.name)), `#${car.car} ${d.name}`);
        }
      }
      assert.ok(drivers > 150, `every crew member seen in the laps (${drivers})`);
    });
  }

  it('the misspelt "Platinium" of PLM 2024 (#8, Frederik Vesti) is read as Platinum', async () => {
    const body = await getJson<{ cars: Array<{ car: string; drivers: Array<{ name: string; category: string | null; number: number }> }> }>(
      `${server.base}/api/races/plm-2024/drivers`,
    );
    const eight = body.cars.find((c) => c.car === '8')!;
    assert.deepEqual(
      eight.drivers.map((d) => [d.name, d.category]),
      [['Sebastian Alvarez', 'Silver'], ['John Farano', 'Bronze'], ['Frederik Vesti', 'Platinum']],
    );
  });

  it('the car page and drive time name the rating too (zero-padded 023 stays 023)', async () => {
    const car = await getJson<{ standing: Standing; driveTime: { drivers: Array<{ driver: { name: string; category: string | null } }> } }>(
      `${server.base}/api/races/sebring-2025/cars/023`,
    );
    const crew = officialCrews(SEBRING).get('023')!;
    assert.equal(car.standing.driverCategory, rating(crew.get(car.standing.driver)));
    assert.deepEqual(
      car.driveTime.drivers.map((d) => d.driver.category).sort(),
      car.driveTime.drivers.map((d) => rating(crew.get(d.driver.name))).sort(),
    );
    const plm = officialCrews(PLM);
    const drive = await getJson<{ driveTime: Array<{ car: { car: string }; drivers: Array<{ driver: { name: string; category: string | null } }> }> }>(
      `${server.base}/api/races/plm-2024/drive-time`,
    );
    const drivers = drive.driveTime.flatMap((c) => c.drivers.map((d) => ({ car: c.car.car, ...d.driver })));
    for (const d of drivers) assert.equal(d.category, rating(plm.get(d.car)?.get(d.name)), `PLM #${d.car} ${d.name}: drive-time category`);
    assert.deepEqual(new Set(drivers.map((d) => d.category)), new Set(['Platinum', 'Gold', 'Silver', 'Bronze']));
  });
  it('drive-time checks of an IMSA race use the IMSA profile (not Le Mans for "Petit Le Mans"), with the rated drivers', async () => {
    const plm = officialCrews(PLM);
    const body = await getJson<{ rules: { name: string; year: number; checks: Array<{ driver: { car: string; name: string; category: string | null }; status: string }> } | null }>(
      `${server.base}/api/races/plm-2024/drive-time`,
    );
    assert.equal(body.rules?.name, 'IMSA WeatherTech SportsCar Championship');
    const checks = body.rules!.checks;
    assert.ok(checks.length > 150, `every driver is checked (${checks.length})`);
    for (const c of checks) assert.equal(c.driver.category, rating(plm.get(c.driver.car)?.get(c.driver.name)), `#${c.driver.car} ${c.driver.name}`);
    // No minimum is stated for IMSA: nobody "missed" one, as the Le Mans 6 h minimum made every PLM driver do.
    assert.deepEqual(checks.filter((c) => c.status === 'missed'), []);
  });

  it('the timing screen shows the full name and the category of the driver at the wheel', browserAvailable(), async () => {
    const standings = await finalStandings(server.base, 'plm-2024');
    const leader = standings.cars[0]!;
    const chromium = await launchChromium();
    try {
      const page = await chromium.browser.newPage();
      await page.goto(`${server.base}/#/?race=plm-2024`);
      const cell = page.locator(`.row[data-car="${leader.number}"] .c-driver`);
      const expected = `${leader.driverDisplayName} · ${leader.driverCategory}`;
      await page.waitForFunction(
        ([car, title]) => document.querySelector(`.row[data-car="${car}"] .c-driver`)?.getAttribute('title') === title,
        [leader.number, expected] as const,
        { timeout: 20_000 },
      );
      assert.match((await cell.getAttribute('class')) ?? '', new RegExp(`t-cat-${leader.driverCategory!.toLowerCase()}`));
      assert.equal(await cell.locator('.full').textContent(), leader.driverDisplayName);
    } finally {
      await chromium.close();
    }
  });
});

describe('sarthe serve with a bad entry list does not start', { ...realData(), timeout: 60_000 }, () => {
  it('a licence that is not a rating: the error names the file, the line and the column', async () => {
    const lines = readFileSync(realFile(`imsa/${SEBRING}-results.csv`), 'utf8').split('\n');
    // Line 5 of the file (1-based): the fourth car; its first driver's licence becomes "Diamond".
    const header = cellsOf(lines[0]!.replace(/^\uFEFF/, ''));
    const column = header.indexOf('DRIVER1_LICENSE');
    const cells = cellsOf(lines[4]!);
    assert.match(cells[column]!, /^(Platinum|Gold|Silver|Bronze)$/);
    lines[4] = lines[4]!.replace(`,${cells[column]},`, ',Diamond,');
    const bad = join(dir, 'bad-results.csv');
    writeFileSync(bad, lines.join('\n'));
    await assert.rejects(
      startServerProcess({ db: join(dir, 'bad.db'), args: ['--entry-list', bad] }),
      (error: Error) => {
        assert.match(error.message, /server exited \(1\) before listening/);
        assert.ok(error.message.includes(`${bad}: line 5, column ${column + 1} (DRIVER1_LICENSE): expected Platinum, Gold, Silver or Bronze, got "Diamond"`), error.message);
        return true;
      },
    );
  });

  it('a missing file is named', async () => {
    const missing = join(dir, 'no-such-results.csv');
    await assert.rejects(startServerProcess({ db: join(dir, 'missing.db'), args: ['--entry-list', missing] }), (error: Error) => {
      assert.ok(error.message.includes(`--entry-list: cannot read ${missing}: no such file`), error.message);
      return true;
    });
  });

  it('a missing --replay file stops the start before the store opens or the port is bound', async () => {
    const missing = join(dir, 'no-such-race-analysis.csv');
    const db = join(dir, 'missing-replay.db');
    await assert.rejects(startServerProcess({ db, args: ['--replay', missing] }), (error: Error) => {
      assert.match(error.message, /server exited \(\d+\) before listening/);
      assert.ok(error.message.includes(`--replay: cannot read ${missing}: no such file`), error.message);
      return true;
    });
    assert.equal(existsSync(db), false, 'the store was opened for a replay that cannot run');
    await assert.rejects(startServerProcess({ db, args: ['--replay', dir] }), (error: Error) => {
      assert.ok(error.message.includes(`--replay: cannot read ${dir}: it is a folder`), error.message);
      return true;
    });
  });
});

describe('sarthe serve applies the replayed race\'s shipped decisions', { ...realData(), timeout: 180_000 }, () => {
  it('Le Mans 2019 demo: #68 and #85 are DSQ, as the results table says', async () => {
    // Independent path: the hand-compiled results table (not decisions/).
    const table = readFileSync(realFile('lemans-results-1923-onwards-gdsotirov.csv'), 'utf8').split(/\r?\n/);
    const dsq = table.map((l) => l.split(';')).filter((c) => c[0] === '2019' && c[1] === 'DSQ').map((c) => c[3]).sort();
    assert.deepEqual(dsq, ['68', '85']);
    const server = await startServerProcess({ db: join(dir, 'demo.db'), args: ['--replay', join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv'), '--from', '25h'] });
    try {
      const end = Date.now() + 90_000;
      let cars: Standing[] = [];
      while (Date.now() < end) {
        const response = await fetch(`${server.base}/api/races/lemans-2019/standings`);
        if (response.status === 200) {
          cars = ((await response.json()) as Standings).cars;
          if (dsq.every((n) => cars.find((c) => c.number === n)?.classified === false)) break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      for (const number of dsq) {
        const car = cars.find((c) => c.number === number);
        assert.equal(car?.classified, false, `#${number} is not classified`);
        assert.match(car?.reason ?? '', /^disqualified/, `#${number}: ${car?.reason}`);
      }
      assert.equal(cars.filter((c) => c.reason?.startsWith('disqualified')).length, 2, 'no other car is disqualified');
    } finally {
      await stopServerProcess(server);
    }
  });
});
