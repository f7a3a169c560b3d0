/**
 * `npm start` twice: the demo race replayed to its end, then the server
 * restarted on the same database. A newcomer must see one demo race, live
 * again, and one report per hour — not the finished run's 24 headlines next
 * to the new run's. The earlier run stays as an archive (its race centre,
 * its reports as drafts for the editors).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startServerProcess, stopServerProcess, type ServerProcess } from './server-process.js';

async function text(url: string): Promise<string> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return response.text();
}

/** Report addresses in the RSS feed (30 newest). */
async function reportLinks(base: string): Promise<string[]> {
  return [...(await text(`${base}/feed.rss`)).matchAll(/<link>https?:\/\/[^/]+\/news\/([^<]*)<\/link>/g)].map((m) => m[1]!);
}

describe('the demo race run twice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sarthe-restart-'));
  const db = join(dir, 'sarthe.db');
  let server: ServerProcess | undefined;
  after(async () => {
    if (server !== undefined) await stopServerProcess(server, 8000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows one demo race, live again, with no duplicate articles', async () => {
    // First run: the whole race in about a second (100,000×), every hourly report published.
    server = await startServerProcess({ db, replay: true, site: true, args: ['--speed', '100000', '--tick', '50'] });
    let first: string[] = [];
    for (let i = 0; i < 120 && first.length < 24; i++) {
      await new Promise((r) => setTimeout(r, 500));
      first = (await reportLinks(server.base)).filter((l) => /^lemans-2019-after-/.test(l));
    }
    assert.equal(first.length, 24, 'the first run filed 24 hourly reports');
    // Never "Live" after the flag: finished, or final once every car has its result.
    assert.match(await text(`${server.base}/`), /data-testid="strip-mode">(Finished|Final result)</);
    await stopServerProcess(server, 8000);

    // Second run on the same store: live again from 2 h.
    server = await startServerProcess({ db, replay: true, site: true, args: ['--speed', '60', '--from', '2h'] });
    let links: string[] = [];
    for (let i = 0; i < 60 && !links.some((l) => l.startsWith('lemans-2019-2-after-')); i++) {
      await new Promise((r) => setTimeout(r, 500));
      links = await reportLinks(server.base);
    }
    assert.ok(links.some((l) => l.startsWith('lemans-2019-2-after-')), `the new run files its reports: ${links.join(', ')}`);
    assert.deepEqual(links.filter((l) => /^lemans-2019-after-/.test(l)), [], "the finished run's reports left the news");

    const home = await text(`${server.base}/`);
    const headlines = [...home.matchAll(/<h[23]><a href="\/news\/[^"]*">([^<]*)<\/a><\/h[23]>/g)].map((m) => m[1]!);
    assert.ok(headlines.length >= 1);
    assert.equal(new Set(headlines).size, headlines.length, `no headline twice: ${headlines.join(' | ')}`);
    assert.doesNotMatch(home, /brings the #\d+ [A-Za-z]+ home to win/, 'no finished-race report next to the live one');
    // The strip follows the new run, live.
    assert.match(home, /data-testid="strip-mode">Snapshot<|data-testid="strip-mode">Live</);
    assert.match(home, /href="\/races\/lemans-2019-2"/);
    // The earlier run is kept as an archive.
    assert.match(await text(`${server.base}/races/lemans-2019`), /Le Mans 24 Hours 2019/);
  });
});
