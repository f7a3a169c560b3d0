/**
 * A third-party page reads Sarthe through CORS (issue 16): chromium loads a
 * page from a second origin on loopback (another port), which fetches the
 * standings and follows the live stream of the API's origin, and is refused
 * when it tries to ingest.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { browserAvailable, launchChromium, type Chromium } from './browser.js';
import { entry, lap, session } from './helpers.js';
import { post, testServer, TOKEN } from './server-helpers.js';

describe('CORS from a second origin, in chromium', { ...browserAvailable(), timeout: 90_000 }, () => {
  let api: FastifyInstance;
  let apiBase: string;
  let page: Server;
  let pageBase: string;
  let chromium: Chromium;

  before(async () => {
    api = await testServer();
    assert.equal((await post(api, 'cors-race', [session(), entry('7', 'LMP1'), entry('8', 'LMP1'), lap('8', 1, 200_000), lap('7', 1, 201_000)])).statusCode, 200);
    await api.listen({ port: 0, host: '127.0.0.1' });
    apiBase = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    page = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>third-party page</title><p>a site that shows Sarthe\'s standings</p>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    // Another port is another origin (scheme, host and port).
    pageBase = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await api?.close();
    page?.close();
  });

  it('reads the standings and the live stream, but cannot ingest', async () => {
    const tab = await chromium.browser.newPage();
    await tab.goto(pageBase);
    // Runs in the page (a string: this project's TypeScript has no DOM types).
    const script = `(async () => {
      const apiBase = ${JSON.stringify(apiBase)};
      const standings = await (await fetch(apiBase + '/api/v1/races/cors-race/standings')).json();
      const csv = await (await fetch(apiBase + '/api/races/cors-race/laps?format=csv')).text();
      const live = await new Promise((resolve) => {
        const source = new EventSource(apiBase + '/api/races/cors-race/live');
        const timer = setTimeout(() => { source.close(); resolve({ event: 'none in 10 s' }); }, 10000);
        source.addEventListener('snapshot', (event) => {
          clearTimeout(timer);
          source.close();
          const data = JSON.parse(event.data);
          resolve({ event: 'snapshot', seq: data.seq, cars: data.cars.length });
        });
      });
      const ingest = await fetch(apiBase + '/api/races/cors-race/events', {
        method: 'POST',
        headers: { authorization: 'Bearer ${TOKEN}', 'content-type': 'application/json' },
        body: '[]',
      }).then((response) => 'answered ' + response.status, (error) => 'refused: ' + error.name);
      return { origin: location.origin, leader: standings.cars[0].number, csvLines: csv.trim().split('\\r\\n').length, live, ingest };
    })()`;
    const result = (await tab.evaluate(script)) as { origin: string; leader: string; csvLines: number; live: { event: string; cars?: number }; ingest: string };
    assert.notEqual(result.origin, apiBase, 'the page is on another origin');
    assert.equal(result.leader, '8');
    assert.equal(result.csvLines, 3, 'header and two laps');
    assert.equal(result.live.event, 'snapshot');
    assert.equal(result.live.cars, 2);
    assert.match(result.ingest, /^refused: TypeError/, 'the browser blocks a cross-origin ingest (no preflight answer)');
  });
});
