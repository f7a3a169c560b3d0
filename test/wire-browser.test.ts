import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { LiveSnapshot } from '../src/model/live.js';
import { entry, lap, session } from './helpers.js';
import { browserAvailable, launchChromium } from './browser.js';
import { freshSnapshot, post, testServer } from './server-helpers.js';

const MIN = 60_000;
const laps = (n: number) => ['1', '2', '3'].map((car, i) => lap(car, n, n * 2 * MIN + i * 1000, { lapMs: n === 1 ? 2 * MIN + i * 1000 : 2 * MIN - (n % 5) * 100 * i }));

describe('the wire in chromium', browserAvailable(), () => {
  it("an EventSource decodes the gzip stream's shared pieces, joining early or late", async () => {
    const app = await testServer();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await post(app, 'r', [session(), entry('1', 'A'), entry('2', 'A'), entry('3', 'B'), ...laps(1)]);
    const chromium = await launchChromium();
    try {
      const page = await chromium.browser.newPage();
      const encodings: string[] = [];
      page.on('response', (response) => {
        if (response.url().includes('/live')) encodings.push(response.headers()['content-encoding'] ?? 'identity');
      });
      await page.goto(`${base}/api/races`);
      // Two EventSources: one now, one after more than the race's 16 KB gzip tail; each counts what it decoded.
      const open = (name: string) =>
        page.evaluate((name) => {
          const w = window as unknown as Record<string, { seq: number; messages: number; lastData: string }>;
          w[name] = { seq: -1, messages: 0, lastData: '' };
          const source = new EventSource('/api/races/r/live');
          const seen = (event: MessageEvent) => {
            w[name]!.seq = Number(String(event.lastEventId).split('-')[0]);
            w[name]!.messages++;
          };
          source.addEventListener('snapshot', seen);
          source.addEventListener('delta', seen);
        }, name);
      const seqOf = (name: string) => page.evaluate((name) => (window as unknown as Record<string, { seq: number }>)[name]!.seq, name);
      // Connected means its snapshot arrived: a post before that would be in the snapshot, not a delta, and the counts below would race.
      const connected = (name: string) =>
        page.waitForFunction((name) => ((window as unknown as Record<string, { messages: number }>)[name]?.messages ?? 0) >= 1, name, { timeout: 10_000 });
      await open('early');
      await connected('early');
      let n = 2;
      for (; n <= 60; n++) {
        await post(app, 'r', laps(n));
        if (n === 20) {
          await open('late');
          await connected('late');
        }
      }
      const fresh: LiveSnapshot = await freshSnapshot(base, 'r');
      const until = Date.now() + 10_000;
      while ((await seqOf('early')) !== fresh.seq || (await seqOf('late')) !== fresh.seq) {
        assert.ok(Date.now() < until, `browser viewers at ${await seqOf('early')} and ${await seqOf('late')}, the race at ${fresh.seq}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const counts = await page.evaluate(() => {
        const w = window as unknown as Record<string, { messages: number }>;
        return [w.early!.messages, w.late!.messages];
      });
      // early: its snapshot and 59 deltas; late: its snapshot and the 40 deltas after it joined, none lost to a decoding error.
      assert.deepEqual(counts, [60, 41]);
      assert.deepEqual(encodings, ['gzip', 'gzip'], 'chromium asked for gzip and got it');
    } finally {
      await chromium.close();
      await app.close();
    }
  });
});
