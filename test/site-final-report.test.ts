/**
 * The demo site's final report against the final timing screen (issue 11,
 * "Done when": the demo site's final report agrees with the final timing
 * screen for every number). `npm start`'s demo race (Le Mans 2019, its shipped
 * decisions folded in: #68 and #85 disqualified) is replayed to the end; the
 * published page /news/lemans-2019-after-24-hours is read as a reader gets it
 * (HTML), and every row of its classification tables is compared with the
 * standings the timing screen shows (/api/races/lemans-2019/standings): class
 * position or status, laps, gap to the class leader. The story's winner, its
 * laps and its margin are compared too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CarStanding, Gap, Standings } from '../src/model/standings.js';
import { reasonText } from '../src/model/format.js';
import { startServerProcess, stopServerProcess, type ServerProcess } from './server-process.js';

/** Text of an HTML fragment: tags dropped, the entities Markdown output uses decoded. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

interface Row {
  cls: string;
  pos: string;
  car: string;
  laps: number;
  gap: string;
  status: string;
}

/** Every classification row of the page, under its class heading (h3), read from the HTML alone. */
function tableRows(html: string): Row[] {
  const rows: Row[] = [];
  for (const part of html.split('<h3>').slice(1)) {
    const cls = textOf(part.slice(0, part.indexOf('</h3>')));
    const body = part.slice(part.indexOf('<tbody>'), part.indexOf('</tbody>'));
    for (const tr of body.split('<tr>').slice(1)) {
      const cells = [...tr.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => textOf(m[1]!));
      assert.equal(cells.length, 7, `a row of 7 cells: ${tr}`);
      rows.push({ cls, pos: cells[0]!, car: cells[1]!.replace(/^#/, ''), laps: Number(cells[4]), gap: cells[5]!, status: cells[6]! });
    }
  }
  return rows;
}

/** The table's gap text as the timing screen's gap: "" (leader), "N lap(s)", "SS.mmm" or "M:SS.mmm". */
function gapOfText(text: string): Gap | null {
  if (text === '') return null;
  const laps = /^(\d+) laps?$/.exec(text);
  if (laps !== null) return { laps: Number(laps[1]) };
  const time = /^(?:(\d+):)?(\d{1,2})\.(\d{3})$/.exec(text);
  assert.ok(time !== null, `gap "${text}"`);
  return { ms: Number(time[1] ?? 0) * 60_000 + Number(time[2]) * 1000 + Number(time[3]) };
}

async function get(url: string): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(10_000) });
}

describe('the demo site: final report against the final timing screen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sarthe-final-report-'));
  let server: ServerProcess | undefined;
  after(async () => {
    if (server !== undefined) await stopServerProcess(server, 8000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('every row of the final classification, and the winner, margin and laps of the story, equal the standings', async () => {
    // The whole race in about a second (100,000×); the desk files hour 24 at the flag and updates it to the final result.
    server = await startServerProcess({ db: join(dir, 'sarthe.db'), replay: true, site: true, args: ['--speed', '100000', '--tick', '50'] });
    let page = '';
    for (let i = 0; i < 240; i++) {
      const response = await get(`${server.base}/news/lemans-2019-after-24-hours`);
      page = response.ok ? await response.text() : '';
      if (/Updated: final result/.test(page)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(page, /Updated: final result/, 'the final result was filed');
    assert.match(page, /Final classification/);

    const standings = (await (await get(`${server.base}/api/races/lemans-2019/standings`)).json()) as Standings;
    assert.equal(standings.result?.declared, 'chequered');
    assert.ok(
      standings.cars.every((c) => c.classified !== null),
      'every car has its result on the timing screen',
    );
    const byCar = new Map<string, CarStanding>(standings.cars.map((c) => [c.number, c]));

    const rows = tableRows(page);
    assert.equal(rows.length, standings.cars.length, 'one row a car');
    assert.deepEqual(new Set(rows.map((r) => r.car)), new Set(byCar.keys()));
    for (const row of rows) {
      const car = byCar.get(row.car)!;
      const what = `#${row.car} (${row.cls})`;
      assert.equal(row.cls, car.class, what);
      assert.equal(row.laps, car.laps, `${what}: laps`);
      if (/^\d+$/.test(row.pos)) {
        assert.equal(car.classified, true, `${what} is P${row.pos} in the report`);
        assert.equal(Number(row.pos), car.classPosition, `${what}: class position`);
        assert.equal(row.status, '', what);
      } else {
        assert.equal(car.classified, false, `${what} is ${row.pos} in the report`);
        // The Pos column says NC, DNF or DSQ; the note says why without repeating it ("not classified: …").
        assert.equal(row.status.replace(/\\/g, ''), reasonText(car.reason) || car.reason, `${what}: status`);
        assert.equal(row.pos === 'DSQ', car.reason!.startsWith('disqualified'), `${what}: ${row.pos} vs "${car.reason}"`);
      }
      const gap = gapOfText(row.gap);
      if (gap === null) {
        // The class leader, or an unclassified car listed behind cars it was not behind (DSQ #85 had the class's most laps).
        assert.equal(car.classGap, null, `${what}: no gap in the report, none on the timing screen`);
        assert.ok(car.classPosition === 1 || car.classified === false, `${what}: only the class leader or an unclassified car has no gap`);
      }
      else assert.deepEqual(gap, car.classGap, `${what}: gap to the class leader`);
    }
    // The two disqualifications the shipped decisions carry.
    assert.deepEqual(rows.filter((r) => r.pos === 'DSQ').map((r) => r.car).sort(), ['68', '85']);

    // The story: the overall winner, its laps, and the margin to the second car (rounded to the tenth).
    const [first, second] = [...standings.cars].filter((c) => c.classified).sort((a, b) => a.position - b.position);
    const story = textOf(page.slice(page.indexOf('<article'), page.indexOf('<h3>')));
    assert.match(story, new RegExp(`won the Le Mans 24 Hours 2019 in the #${first!.number} `));
    assert.match(story, new RegExp(`after ${first!.laps} laps`));
    const margin = second!.gap;
    assert.ok(margin !== null && 'ms' in margin, 'the second car is on the lead lap');
    assert.match(story, new RegExp(`#${second!.number}[^.]*${(Math.round(margin.ms / 100) / 10).toFixed(1)}s`));
    // Each class winner named in its section heading is the class's P1 on the timing screen.
    for (const [, cls, car] of page.matchAll(/<h2>([^<]*?) - #(\w+) [^<]*wins<\/h2>/g)) {
      const winner = standings.cars.find((c) => c.class === textOf(cls!) && c.classPosition === 1 && c.classified);
      assert.equal(car, winner?.number, `${cls} winner`);
    }
  });
});
