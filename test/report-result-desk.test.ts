/**
 * The result report (issue 11, Deliver 4): at the chequered flag the desk
 * files a provisional result; once every car still running has taken the
 * flag it files the final one at the same address, marked updated, with the
 * classification, and keeps the provisional text as a draft for editors.
 * A made-up one-hour race over the server (real HTTP on 127.0.0.1, port 0),
 * and resultStatus on its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { resultStatus } from '../src/engine/finish.js';
import type { LapEvent, TimingEvent } from '../src/model/events.js';
import { HOUR, MINUTE } from '../src/model/time.js';
import { FINAL_TAG, PROVISIONAL_TAG, REVISION_TAG, reportSlug } from '../src/server/site/hourly-desk.js';
import { entry, lap, session } from './helpers.js';
import { TOKEN } from './server-helpers.js';
import { siteServer } from './site-helpers.js';

/**
 * Velmont 1 Hour, three cars at steady paces. #1 (290 s laps) leads and
 * takes the flag on lap 13 at 1:02:50 (its first crossing after 1:00:00).
 * #3 (350 s laps) ends lap 11 at 1:04:10 and #2 (301 s laps) lap 13 at
 * 1:05:13: each finishes on its first crossing after the flag.
 */
const PACE = { '1': 290_000, '2': 301_000, '3': 350_000 } as const;
const FLAG_MS = 13 * PACE['1'];

function laps(car: keyof typeof PACE, untilMs: number): LapEvent[] {
  const lapMs = PACE[car];
  const out: LapEvent[] = [];
  for (let n = 1; n * lapMs <= untilMs; n++) {
    out.push(lap(car, n, n * lapMs, { lapMs, sectorsMs: [lapMs * 0.3, lapMs * 0.4, lapMs * 0.3], driverName: `Driver ${car}` }));
  }
  return out;
}

function race(untilMs: number): TimingEvent[] {
  const events: TimingEvent[] = [session({ name: 'Velmont 1 Hour', scheduledDurationMs: HOUR })];
  for (const car of ['1', '2', '3'] as const) events.push(entry(car, 'PROTO', { team: `Team ${car}`, manufacturer: 'Hadley', drivers: [{ number: 1, name: `Driver ${car}` }] }));
  // Each car's laps up to its finish (its first crossing after the flag) and no further.
  for (const car of ['1', '2', '3'] as const) {
    const all = laps(car, 2 * HOUR);
    const finish = all.findIndex((l) => l.crossingMs >= FLAG_MS);
    events.push(...all.slice(0, finish + 1).filter((l) => l.crossingMs <= untilMs));
  }
  return events;
}

describe('resultStatus', () => {
  const cars = (...classified: Array<boolean | null>) => classified.map((c) => ({ classified: c }));
  it('running before a result, provisional while a car still running has not taken the flag, final after', () => {
    assert.equal(resultStatus({ at: { raceTimeMs: 10 }, cars: cars(null, null) }, 15 * MINUTE), 'running');
    const flag = { declared: 'chequered' as const, atMs: HOUR };
    assert.equal(resultStatus({ at: { raceTimeMs: HOUR + MINUTE }, result: flag, cars: cars(true, null) }, 15 * MINUTE), 'provisional');
    assert.equal(resultStatus({ at: { raceTimeMs: HOUR + MINUTE }, result: flag, cars: cars(true, false) }, 15 * MINUTE), 'final');
    assert.equal(resultStatus({ at: { raceTimeMs: HOUR + 15 * MINUTE }, result: flag, cars: cars(true, null) }, 15 * MINUTE), 'final', 'a set time after the flag');
    assert.equal(resultStatus({ at: { raceTimeMs: HOUR }, result: { declared: 'red-flag', atMs: HOUR }, cars: cars(null) }, 15 * MINUTE), 'final', 'declared under red flag');
  });
});

describe('the desk files a provisional result at the flag, then the final one at the same address', () => {
  let app: FastifyInstance;
  let base: string;
  const slug = reportSlug('velmont', 1);

  async function ingest(events: TimingEvent[]): Promise<void> {
    const response = await fetch(`${base}/api/races/velmont/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    assert.ok(response.status < 300, await response.text());
  }

  /** Laps of each car in the article's table, as the page shows them ("| 1 | #1 | Team 1 | … | 13 |"). */
  function tableLaps(page: string): Record<string, number> {
    const out: Record<string, number> = {};
    const cell = (inner: string) => `\\s*<td[^>]*>${inner}<\\/td>`;
    const row = new RegExp(`<tr>${cell('[^<]*')}${cell('#(\\d)')}${cell('[^<]*')}${cell('[^<]*')}${cell('(\\d+)')}`, 'g');
    for (const m of page.matchAll(row)) out[m[1]!] = Number(m[2]);
    return out;
  }

  before(async () => {
    app = await siteServer({ autoPublish: true });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => app.close());

  it('before the flag, past the hour: the result hour waits', async () => {
    await ingest(race(HOUR + 2 * MINUTE));
    await app.site.desk.tick();
    assert.equal(await app.site.content.reportOf('velmont', 1), null);
  });

  it('at the flag: a provisional result, saying so, with the laps the cars had then', async () => {
    await ingest(race(FLAG_MS).filter((e) => e.type === 'lap' && e.crossingMs > HOUR + 2 * MINUTE));
    await app.site.desk.tick();
    const report = await app.site.content.reportOf('velmont', 1);
    assert.ok(report !== null);
    assert.equal(report.slug, slug);
    assert.ok(report.tags.includes(PROVISIONAL_TAG), report.tags.join());
    assert.match(report.bodyMd, /^\*\*Provisional result\*\*/);
    const page = await (await fetch(`${base}/news/${slug}`)).text();
    assert.match(page, /Provisional result/);
    // At the flag #2 had 12 laps (its 12th at 1:00:12) and #3 10 (its 10th at 58:20).
    assert.deepEqual(tableLaps(page), { '1': 13, '2': 12, '3': 10 });
  });

  it('every car has taken the flag: the final result at the same address, updated, the provisional kept for editors', async () => {
    const all = race(2 * HOUR);
    await ingest(all.filter((e) => e.type === 'lap' && e.crossingMs > FLAG_MS));
    await app.site.desk.tick();
    const report = (await app.site.content.reportOf('velmont', 1))!;
    assert.equal(report.slug, slug);
    assert.ok(report.tags.includes(FINAL_TAG) && !report.tags.includes(PROVISIONAL_TAG), report.tags.join());
    assert.match(report.bodyMd, /^\*\*Updated: final result\.\*\*/);
    assert.ok(report.correctedAtMs !== null, 'marked updated');
    const page = await (await fetch(`${base}/news/${slug}`)).text();
    assert.match(page, /Updated <time/);
    assert.match(page, /Final classification/);
    // The final table against the laps sent: each car's last lap.
    const sent: Record<string, number> = {};
    for (const e of all) if (e.type === 'lap') sent[e.car] = Math.max(sent[e.car] ?? 0, e.lap);
    assert.deepEqual(sent, { '1': 13, '2': 13, '3': 11 });
    assert.deepEqual(tableLaps(page), sent);
    // The final timing screen agrees: the same laps, in the same order.
    const screen = (await (await fetch(`${base}/api/races/velmont/standings`)).json()) as { cars: Array<{ number: string; laps: number; classified: boolean | null }> };
    assert.deepEqual(Object.fromEntries(screen.cars.map((c) => [c.number, c.laps])), sent);
    assert.ok(screen.cars.every((c) => c.classified !== null));
    // Editors see both versions: the provisional text is kept as a draft.
    const revision = await app.site.content.articleBySlug(`${slug}-provisional`);
    assert.ok(revision !== null && revision.status === 'draft' && revision.tags.includes(REVISION_TAG));
    assert.match(revision.bodyMd, /^\*\*Provisional result\*\*/);
    // A second look changes nothing.
    await app.site.desk.tick();
    assert.equal((await app.site.content.reportOf('velmont', 1))!.updatedAtMs, report.updatedAtMs);
  });
});
