import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { foldEvents } from '../src/engine/timeline.js';
import { standingsAt } from '../src/engine/standings.js';
import type { TimingEvent } from '../src/model/events.js';
import { entry, lap, pitOut, repoRoot, session, steadyLaps } from './helpers.js';
import { freshSnapshot, post, storedEvents, testServer, TOKEN } from './server-helpers.js';

const race = [session(), entry('7', 'LMP1'), entry('8', 'LMP1'), ...steadyLaps('7', 5, 200_000), ...steadyLaps('8', 5, 201_000)];

describe('ingest API: authentication', () => {
  it('without a configured token, ingest is disabled and says so', async () => {
    const app = await testServer({ ingestToken: null });
    const response = await post(app, 'r', race);
    assert.equal(response.statusCode, 503);
    assert.match(response.json().message, /ingest is disabled.*SARTHE_INGEST_TOKEN/);
    await app.close();
  });

  it('a missing or wrong token is a 401 and stores nothing', async () => {
    const app = await testServer();
    const missing = await app.inject({ method: 'POST', url: '/api/races/r/events', headers: { 'content-type': 'application/json' }, payload: '[]' });
    assert.equal(missing.statusCode, 401);
    assert.match(missing.headers['www-authenticate'] as string, /Bearer/);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/races/r/events',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}x` },
      payload: JSON.stringify(race),
    });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.json().message, /wrong/);
    assert.deepEqual(await storedEvents(app, 'r'), []);
    await app.close();
  });
});

describe('ingest API: batches', () => {
  it('stores a batch with seqs, and re-sending it changes nothing', async () => {
    const app = await testServer();
    const first = await post(app, 'r', race);
    assert.equal(first.statusCode, 200);
    assert.equal(first.json().accepted, race.length);
    assert.equal(first.json().seq, race.length);
    const before = await storedEvents(app, 'r');
    const again = await post(app, 'r', race);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().duplicates, race.length);
    assert.equal(again.json().accepted, 0);
    assert.deepEqual(await storedEvents(app, 'r'), before);
    await app.close();
  });

  it('a bad event gets a 422 naming its index and field; the others are stored', async () => {
    const app = await testServer();
    const bad = { ...lap('7', 6, 1_200_000), lapMs: 'fast' };
    const response = await post(app, 'r', [race[0], bad, race[1]]);
    assert.equal(response.statusCode, 422);
    const body = response.json();
    assert.match(body.message, /event 1, field lapMs/);
    assert.deepEqual(body.results[1], { index: 1, status: 'invalid', errors: [{ field: 'lapMs', message: 'Invalid input: expected number, received string' }] });
    assert.equal(body.accepted, 2);
    assert.deepEqual((await storedEvents(app, 'r')).map((e) => e.key), ['session', 'entry:7']);
    await app.close();
  });

  it('atomic=true: one bad event stores nothing', async () => {
    const app = await testServer();
    const response = await post(app, 'r', [race[0], { type: 'lap', car: '7' }], '?atomic=true');
    assert.equal(response.statusCode, 422);
    assert.match(response.json().message, /Nothing was stored/);
    assert.equal(response.json().results[0].status, 'rolled-back');
    assert.deepEqual(await storedEvents(app, 'r'), []);
    await app.close();
  });

  it('nasty input is a clear 4xx and leaves the stored events as they were', async () => {
    const app = await testServer({ ingest: { maxBatchEvents: 1000, bodyLimit: 256 * 1024 } });
    await post(app, 'r', race);
    const before = await storedEvents(app, 'r');
    const send = (payload: string, contentType = 'application/json', url = '/api/races/r/events') =>
      app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType }, payload });
    const cases: Array<[string, Awaited<ReturnType<typeof send>>, number, RegExp]> = [
      ['malformed JSON', await send('[{"type":"lap",'), 400, /^the body is not valid JSON: .*position 15/],
      ['a "__proto__" key', await send('[{"type":"session","name":"X","__proto__":{"admin":true}}]'), 400, /refused: it holds a "__proto__" key/],
      ['a constructor.prototype', await send('{"type":"session","name":"X","constructor":{"prototype":{"admin":true}}}'), 400, /"constructor" object with a "prototype" key/],
      ['an empty JSON body', await send(''), 400, /the body is empty/],
      ['a number', await send('42'), 400, /JSON array of timing events/],
      ['empty array', await send('[]'), 400, /no event/],
      ['wrong types', await send(JSON.stringify([{ ...lap('7', 9, 9_000_000), car: 7, inPit: 'yes' }])), 422, /event 0, field car/],
      ['unknown type', await send(JSON.stringify([{ type: 'teleport', car: '7' }])), 422, /field type: Invalid discriminator/],
      ['negative time', await send(JSON.stringify([{ ...lap('7', 9, -5) }])), 422, /field crossingMs/],
      ['too many events', await send(JSON.stringify(Array.from({ length: 1001 }, (_, i) => lap('9', i + 1, (i + 1) * 100_000)))), 413, /at most 1000 events/],
      ['huge body', await send(`[${'"x",'.repeat(100_000)}"x"]`), 413, /too large/i],
      ['race id characters', await send(JSON.stringify(race), 'application/json', '/api/races/Le%20Mans%3B/events'), 400, /race id is 1–64 lowercase/],
      ['race id traversal', await send(JSON.stringify(race), 'application/json', '/api/races/..%2Fetc/events'), 400, /race id/],
      ['wrong content type', await send(JSON.stringify(race), 'application/xml'), 415, /Unsupported Media Type/i],
      ['NDJSON with a broken line', await send('{"type":"session","name":"X"}\n{oops\n', 'application/x-ndjson'), 422, /event 1: line 2 is not JSON/],
    ];
    for (const [name, response, status, message] of cases) {
      assert.equal(response.statusCode, status, `${name}: ${response.body}`);
      assert.match(response.json().message, message, name);
    }
    const after = await storedEvents(app, 'r');
    // The NDJSON case stored its one good event (a corrected session): everything else is as before.
    assert.deepEqual(after.slice(0, before.length), before);
    assert.deepEqual(after.slice(before.length).map((e) => e.key), ['session']);
    await app.close();
  });

  it('a lap contradicting the stored one is a 409; the stored lap stays', async () => {
    const app = await testServer();
    await post(app, 'r', race);
    const response = await post(app, 'r', [{ ...lap('7', 2, 400_000), lapMs: 150_000 }]);
    assert.equal(response.statusCode, 409);
    assert.match(response.json().message, /event 0 \(lap:7:2\) contradicts/);
    const stored = (await storedEvents(app, 'r')).find((e) => e.key === 'lap:7:2')!.event;
    assert.equal(stored.type === 'lap' && stored.lapMs, 200_000);
    await app.close();
  });

  it('NDJSON batches are read line by line', async () => {
    const app = await testServer();
    const response = await app.inject({
      method: 'POST',
      url: '/api/races/r/events',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
      payload: `${race.map((e) => JSON.stringify(e)).join('\n')}\n`,
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().accepted, race.length);
    await app.close();
  });

  it('events out of order give the same state as in order', async () => {
    const events: TimingEvent[] = [
      session(),
      entry('1', 'A'),
      entry('2', 'A'),
      ...steadyLaps('1', 20, 100_000),
      ...steadyLaps('2', 20, 101_000),
      lap('1', 21, 2_150_000, { inPit: true, lapMs: 150_000 }),
      pitOut('1', 22, 2_200_000, 50_000),
    ];
    // A fixed shuffle, sent in batches of 7.
    const shuffled = events.map((e, i) => ({ e, k: (i * 7919) % 101 })).sort((a, b) => a.k - b.k).map((x) => x.e);
    const app = await testServer();
    for (let i = 0; i < shuffled.length; i += 7) assert.equal((await post(app, 'r', shuffled.slice(i, i + 7))).statusCode, 200);
    const live = await app.inject({ method: 'GET', url: '/api/races/r/standings' });
    assert.deepEqual(live.json(), JSON.parse(JSON.stringify(standingsAt(foldEvents(events), null))));
    const at = await app.inject({ method: 'GET', url: '/api/races/r/standings?at=0:30:00' });
    assert.deepEqual(at.json(), JSON.parse(JSON.stringify(standingsAt(foldEvents(events), 1_800_000))));
    await app.close();
  });
});

describe('import API', () => {
  it('imports an Al Kamel file, and importing it again stores nothing new', async () => {
    const app = await testServer();
    const csv = readFileSync(join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv'), 'utf8');
    const upload = () =>
      app.inject({
        method: 'POST',
        url: '/api/races/lemans-2019/import?name=23_Analysis_Race_Hour%2024.csv',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
        payload: csv,
      });
    const first = await upload();
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().rows, 18_765);
    assert.equal(first.json().accepted, first.json().events);
    const again = await upload();
    assert.equal(again.json().accepted, 0);
    assert.equal(again.json().duplicates, first.json().events);
    const standings = (await app.inject({ method: 'GET', url: '/api/races/lemans-2019/standings' })).json();
    assert.equal(standings.cars[0].number, '8');
    assert.equal(standings.cars[0].laps, 385);
    const notCsv = await app.inject({
      method: 'POST',
      url: '/api/races/x/import',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
      payload: 'hello;world\n1;2\n',
    });
    assert.equal(notCsv.statusCode, 422);
    assert.match(notCsv.json().message, /not an Al Kamel Analysis export/);
    await app.close();
  });
});

describe('ingest API: sector crossings (issue 10), over HTTP', () => {
  it('a sector event is validated, stored under its key, and moves the gap on the standings and the live snapshot', async () => {
    const app = await testServer();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const send = (events: unknown) =>
      fetch(`${base}/api/races/s/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(events) });
    try {
      // #7 leads #8 by 1 s at the line of lap 2 (400 s, 401 s); in lap 3 #8 loses 6.5 s to S1.
      const laps: TimingEvent[] = [session(), entry('7', 'LMP1'), entry('8', 'LMP1'), lap('7', 1, 200_000), lap('7', 2, 400_000), lap('8', 1, 201_000), lap('8', 2, 401_000)];
      assert.equal((await send(laps)).status, 200);
      const gapAt = async (at: string) => {
        const body = (await (await fetch(`${base}/api/races/s/standings?at=${at}`)).json()) as { cars: Array<{ number: string; gap: unknown }> };
        return body.cars.find((c) => c.number === '8')!.gap;
      };
      assert.deepEqual(await gapAt('0:07:20'), { ms: 1_000 }, 'before any sector: the line');
      const bad = await send([{ type: 'sector', car: '8', lap: 3, sector: 3, crossingMs: 437_500 }]);
      assert.equal(bad.status, 422);
      assert.match(((await bad.json()) as { message: string }).message, /event 0, field sector/);
      const sectors = [
        { type: 'sector', car: '7', lap: 3, sector: 1, crossingMs: 430_000 },
        { type: 'sector', car: '8', lap: 3, sector: 1, crossingMs: 437_500 },
      ];
      const stored = await send(sectors);
      assert.equal(stored.status, 200);
      assert.equal(((await stored.json()) as { accepted: number }).accepted, 2);
      assert.deepEqual((await storedEvents(app, 's')).slice(-2).map((e) => e.key), ['sector:7:3:1', 'sector:8:3:1']);
      assert.equal(((await (await send(sectors)).json()) as { duplicates: number }).duplicates, 2, 'a resend is a no-op');
      assert.deepEqual(await gapAt('0:07:20'), { ms: 7_500 }, 'at S1 of lap 3: 437.5 − 430 s');
      const snapshot = await freshSnapshot(base, 's');
      assert.deepEqual(snapshot.cars.find((c) => c.number === '8')!.gap, { ms: 7_500 }, 'the live screen moves at S1 too');
    } finally {
      await app.close();
    }
  });
});

describe('ingest API: a car\'s crossings stay in order (engine/crossing-order.ts)', () => {
  it('a lap completed before the lap below it is a 409 that says which; the batch\'s other events are stored', async () => {
    const app = await testServer();
    assert.equal((await post(app, 'r', race)).statusCode, 200);
    // #7 completed lap 5 at 1,000 s: a lap 6 at 900 s, a clock reset, would give it a lap it has not run.
    const response = await post(app, 'r', [lap('7', 6, 900_000), lap('8', 6, 1_206_000), lap('7', 7, 1_000_000)]);
    assert.equal(response.statusCode, 409, response.body);
    const body = response.json();
    assert.equal(body.accepted, 1);
    assert.equal(body.conflicts, 2);
    assert.deepEqual(body.results.map((r: { status: string }) => r.status), ['conflict', 'accepted', 'conflict']);
    assert.match(body.results[0].reason, /^car 7 lap 6 is completed at 0:15:00\.000, not after lap 5 \(0:16:40\.000\)/);
    assert.match(body.results[2].reason, /car 7 lap 7 is completed at 0:16:40\.000, not after lap 5/);
    assert.match(body.message, /event 0 \(lap:7:6\): car 7 lap 6 is completed at 0:15:00\.000, not after lap 5/);
    const standings = (await app.inject({ method: 'GET', url: '/api/races/r/standings' })).json();
    assert.deepEqual(standings.cars.map((c: { number: string; laps: number }) => [c.number, c.laps]), [['8', 6], ['7', 5]]);
    // Sent again in order, #7's lap 6 is taken.
    assert.equal((await post(app, 'r', [lap('7', 6, 1_200_000)])).statusCode, 200);
    await app.close();
  });

  it('a batch sent again is answered as before (its sector crossing a duplicate), and a lap that contradicts a stored sector crossing is refused', async () => {
    const app = await testServer();
    const sectorOf = (lapNumber: number, crossingMs: number) => ({ type: 'sector', car: '7', lap: lapNumber, sector: 1, crossingMs });
    assert.equal((await post(app, 'rd', [sectorOf(2, 270_000)])).statusCode, 200);
    // Lap 1 completed after lap 2's S1 line: refused (it was stored before the check looked at told sectors).
    const late = await post(app, 'rd', [lap('7', 1, 280_000)]);
    assert.equal(late.statusCode, 409, late.body);
    assert.match(late.json().results[0].reason, /car 7 lap 1 is completed at 0:04:40\.000, not before the S1 line of lap 2 \(0:04:30\.000\)/);
    assert.equal((await post(app, 'rd', [lap('7', 1, 200_000)])).statusCode, 200);
    // The sector sent again: a duplicate, 200, as any event stored already.
    const again = await post(app, 'rd', [sectorOf(2, 270_000), lap('7', 1, 200_000)]);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().duplicates, 2);
    await app.close();
  });

  it('atomic: a lap out of order stores nothing of the batch', async () => {
    const app = await testServer();
    assert.equal((await post(app, 'r', race)).statusCode, 200);
    const before = await storedEvents(app, 'r');
    const response = await app.inject({
      method: 'POST',
      url: '/api/races/r/events?atomic=true',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify([lap('8', 6, 1_206_000), lap('7', 6, 999_999)]),
    });
    assert.equal(response.statusCode, 409, response.body);
    assert.deepEqual(response.json().results.map((r: { status: string }) => r.status), ['rolled-back', 'conflict']);
    assert.match(response.json().message, /Nothing was stored/);
    assert.deepEqual(await storedEvents(app, 'r'), before);
    await app.close();
  });

  it('an imported file\'s laps that contradict a lap already stored are refused with the reason; the others are stored', async () => {
    const app = await testServer();
    // Three laps of #1 from the demo file (3:28.871, 6:51.240, …), and a live lap 4 of #1 stamped 10 s into the race.
    const lines = readFileSync(join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv'), 'utf8').split('\n');
    const csv = [lines[0], ...lines.filter((l) => /^1;\d;[123];/.test(l))].join('\n') + '\n';
    assert.equal((await post(app, 'lm', [lap('1', 4, 10_000)])).statusCode, 200);
    const response = await app.inject({
      method: 'POST',
      url: '/api/races/lm/import?name=lemans.csv',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(response.statusCode, 409, response.body);
    const body = response.json();
    assert.equal(body.conflicts, 3);
    assert.ok(body.accepted > 0, 'the session and entry are stored');
    assert.match(body.message, /car 1 lap 1 is completed at 0:03:28\.871, not before lap 4 \(0:00:10\.000\)/);
    assert.equal(body.conflictReasons.length, 3);
    await app.close();
  });
});
