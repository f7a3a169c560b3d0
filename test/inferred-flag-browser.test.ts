/**
 * Issue 17 on the timing screen, in a real browser against the real server
 * (`sarthe serve` replaying at 1×): a feed without flags (Le Mans 2019)
 * shows the safety car the laps show at the instant viewed, in its colour
 * but marked inferred, live and in time travel, and "no flag data" outside
 * it; a feed with flags (Le Mans 2023) shows race control's flag with no
 * "inferred" word. The news site's strip (server-rendered) says the same.
 * axe-core on the new banner, no horizontal scroll on a phone. Screenshots:
 * test-results/inferred-flag-*.png.
 *
 * The instants: Le Mans 2019's 21st-hour safety car began at 20:23 race
 * time; the laps completed by 20:40 show it (`sarthe flags --at 20:40`:
 * probable safety car from 20:23:09), none by 4:30 (the nearest one, an
 * FCY, began at 4:52). Le Mans 2023's flags show a safety car from 2:53 to
 * 4:18.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { serveReplay, type ServeProcess } from '../bench/web-server.js';
import { HOUR, MINUTE } from '../src/model/time.js';
import { browserAvailable, launchChromium, PHONE, type Chromium } from './browser.js';
import { realData, realFile, repoRoot } from './helpers.js';

const results = join(repoRoot, 'test-results');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDE = { width: 1440, height: 900 };
/** Inside the inferred safety car (live and time travel), and outside any neutralisation. */
const IN_SC = 20 * HOUR + 40 * MINUTE;
const OUTSIDE = 4 * HOUR + 30 * MINUTE;

/** The page functions run in the browser; Node's types have no DOM (as in web-browser.test.ts). */
interface DomNode {
  textContent: string | null;
  className: string;
  dataset: Record<string, string | undefined>;
}
declare const location: { hash: string };
declare const document: {
  querySelector(selector: string): DomNode | null;
  documentElement: { scrollWidth: number; clientWidth: number };
};

interface Banner {
  text: string;
  className: string;
  inferred: string | undefined;
}

function banner(page: Page): Promise<Banner> {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid=flag]');
    return { text: el?.textContent ?? '', className: el?.className ?? '', inferred: el?.dataset.inferred };
  });
}

describe('inferred neutralisations on the timing screen', { ...browserAvailable(), ...realData(), timeout: 300_000 }, () => {
  let noFlags: ServeProcess;
  let flags: ServeProcess;
  let chromium: Chromium;
  const errors: string[] = [];

  before(async () => {
    mkdirSync(results, { recursive: true });
    // 1×: the race stays inside the period for the whole suite (the laps show it until about 20:47).
    noFlags = await serveReplay({ root: repoRoot, file: join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv'), race: 'lemans-2019', fromMs: IN_SC, speed: 1 });
    flags = await serveReplay({ root: repoRoot, file: realFile('lemans-2023-race-analysis.csv'), race: 'lemans-2023', fromMs: 3 * HOUR, speed: 1 });
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await noFlags?.stop();
    await flags?.stop();
  });

  async function open(url: string, viewport = WIDE): Promise<Page> {
    const page = await chromium.browser.newPage();
    await page.setViewportSize(viewport);
    page.on('pageerror', (e) => errors.push(`${url}: ${e.message}`));
    await page.goto(url);
    await page.waitForSelector('.rows .row', { timeout: 20_000 });
    return page;
  }

  const inferredShown = (page: Page) => page.waitForFunction(() => document.querySelector('[data-testid=flag]')?.dataset.inferred === 'true', null, { timeout: 20_000 });

  it('live, inside the safety car the laps show: a probable safety car, marked inferred, not race control\'s banner', async () => {
    const page = await open(noFlags.appUrl);
    await inferredShown(page);
    const shown = await banner(page);
    assert.match(shown.text, /Probable safety car/);
    assert.match(shown.text, /inferred from lap times/);
    assert.match(shown.className, /\bflag-inferred\b/);
    assert.match(shown.className, /\bflag-safety-car\b/);
    // The API at the instant the screen asked for (the race minute shown) says the same.
    const raceTimeMs = Number(await page.getAttribute('[data-testid=timing]', 'data-race-time'));
    const minute = Math.floor(raceTimeMs / MINUTE) * MINUTE;
    const api = (await (await fetch(`${noFlags.origin}/api/races/lemans-2019/flag-periods?at=${minute / 1000}s`)).json()) as { known: boolean; inForce: { kind: string; inferred: boolean; startMs: number } | null };
    assert.equal(api.known, false);
    assert.equal(api.inForce?.kind, 'safety-car');
    assert.equal(api.inForce?.inferred, true);
    assert.ok(api.inForce!.startMs > 20 * HOUR + 20 * MINUTE && api.inForce!.startMs < 20 * HOUR + 26 * MINUTE, `starts ${api.inForce!.startMs}`);
    await page.screenshot({ path: join(results, 'inferred-flag-live-1440.png') });

    // axe-core on the banner: no serious or critical violation (contrast of the dashed bar and its note).
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: Array<{ id: string; impact: string }> }> } }).axe;
      const result = await axe.run('[data-testid=flag]', { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return result.violations.map((v) => `${v.id} (${v.impact})`);
    });
    assert.deepEqual(violations.filter((v) => /serious|critical/.test(v)), []);
    await page.close();
  });

  it('time travel follows the instant: the safety car at 20:40, no flag data at 4:30', async () => {
    const page = await open(`${noFlags.appUrl}#/?at=4:30:00`);
    await page.waitForFunction((at) => document.querySelector('[data-testid=timing]')?.dataset.at === String(at), OUTSIDE, { timeout: 20_000 });
    // The answer for 4:30 has come (the request is made as the instant is shown): give it the time a wrong one would take.
    await page.waitForTimeout(1500);
    let shown = await banner(page);
    assert.equal(shown.inferred, undefined);
    assert.match(shown.text, /No flag data in this feed/);
    assert.doesNotMatch(shown.text, /inferred|probable/i);

    await page.evaluate(() => (location.hash = '#/?at=20:40:00'));
    await inferredShown(page);
    shown = await banner(page);
    assert.match(shown.text, /Probable safety car.*inferred/);
    await page.screenshot({ path: join(results, 'inferred-flag-travel-1440.png') });

    await page.evaluate(() => (location.hash = '#/?at=4:30:00'));
    await page.waitForFunction(() => document.querySelector('[data-testid=flag]')?.dataset.inferred === undefined, null, { timeout: 20_000 });
    assert.match((await banner(page)).text, /No flag data in this feed/);
    await page.close();
  });

  it('on a phone: the banner says inferred, and the page does not scroll sideways', async () => {
    const page = await open(noFlags.appUrl, PHONE);
    await inferredShown(page);
    const shown = await banner(page);
    assert.match(shown.text, /Probable safety car/);
    assert.match(shown.text, /inferred/);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
    assert.ok(scrollWidth <= clientWidth, `page ${scrollWidth} px wide in a ${clientWidth} px screen`);
    const box = await page.locator('[data-testid=flag] .flag-note').boundingBox();
    assert.ok(box !== null && box.width > 0 && box.x + box.width <= PHONE.width + 1, `the note is in view: ${JSON.stringify(box)}`);
    await page.screenshot({ path: join(results, 'inferred-flag-phone-390.png') });
    await page.close();
  });

  it("the news site's strip, rendered by the server, says probable and inferred too", async () => {
    const html = await (await fetch(`${noFlags.origin}/races/lemans-2019`)).text();
    const pill = /<span class="pill ([^"]*)" data-testid="strip-flag"[^>]*>(.*?)<\/span>/.exec(html);
    assert.ok(pill !== null, 'the strip has a flag pill');
    assert.match(pill[1]!, /flag-safety-car flag-inferred/);
    assert.match(pill[2]!, /Probable safety car.*inferred/);
    const page = await chromium.browser.newPage();
    await page.setViewportSize(PHONE);
    await page.goto(`${noFlags.origin}/races/lemans-2019`);
    await page.waitForTimeout(2000); // hydrated and fed by the stream: it must stay inferred
    assert.match((await page.textContent('[data-testid=strip-flag]')) ?? '', /Probable safety car.*inferred/);
    await page.screenshot({ path: join(results, 'inferred-flag-site-390.png') });
    await page.close();
  });

  it('the demo replay (npm start, 60×) shows the period when the replay reaches it, and not before', async () => {
    // Le Mans 2019 from 6:05: the laps show a neutralisation from 6:06 (an FCY by 6:09, a safety car by 6:20).
    const demo = await serveReplay({ root: repoRoot, file: join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv'), race: 'lemans-2019', fromMs: 6 * HOUR + 5 * MINUTE, speed: 60 });
    try {
      const page = await open(demo.appUrl);
      const first = await banner(page);
      const startMs = Number(await page.getAttribute('[data-testid=timing]', 'data-race-time'));
      assert.ok(startMs < 6 * HOUR + 8 * MINUTE, `opened at ${startMs}`);
      assert.match(first.text, /No flag data in this feed/);
      await page.waitForFunction(() => document.querySelector('[data-testid=flag]')?.dataset.inferred === 'true', null, { timeout: 60_000, polling: 100 });
      const shownAtMs = Number(await page.getAttribute('[data-testid=timing]', 'data-race-time'));
      assert.ok(shownAtMs >= 6 * HOUR + 6 * MINUTE && shownAtMs <= 6 * HOUR + 12 * MINUTE, `shown from race time ${shownAtMs} ms`);
      assert.match((await banner(page)).text, /Probable (full-course yellow|safety car).*inferred/);
      await page.close();
    } finally {
      await demo.stop();
    }
  });

  it('live at a fast replay, the inference is asked at most once per INFERRED_MIN_WALL_MS, not at every new race minute', async () => {
    // bench:web's update setup: 600× replay, a redraw every 100 ms, so each redraw shows a new race minute.
    // Each new minute is a fresh inference on the server (~40–60 ms of its CPU); 10 a second competed with the page.
    const fast = await serveReplay({ root: repoRoot, file: join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv'), race: 'lemans-2019', fromMs: 2 * HOUR, speed: 600, tickMs: 25 });
    try {
      const page = await chromium.browser.newPage();
      await page.setViewportSize(WIDE);
      const asked: number[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/flag-periods')) asked.push(Date.now());
      });
      await page.goto(`${fast.appUrl}?metrics&redrawMs=100`);
      await page.waitForSelector('.rows .row', { timeout: 20_000 });
      const start = Number(await page.getAttribute('[data-testid=timing]', 'data-race-time'));
      const from = Date.now();
      await page.waitForTimeout(6000);
      const inWindow = asked.filter((t) => t >= from).length;
      const end = Number(await page.getAttribute('[data-testid=timing]', 'data-race-time'));
      assert.ok(end - start >= 20 * MINUTE, `the replay moved ${(end - start) / MINUTE} race minutes in 6 s`);
      // 6 s at one request per 2 s at most: 3, with one of slack for timing (before: one per redraw, ~10 a second).
      assert.ok(inWindow >= 2 && inWindow <= 4, `${inWindow} flag-periods requests in 6 s over ${Math.round((end - start) / MINUTE)} race minutes`);
      await page.close();
    } finally {
      await fast.stop();
    }
  });

  it('a feed with flags shows race control\'s safety car, with no word of inference', async () => {
    const page = await open(flags.appUrl);
    await page.waitForFunction(() => /Safety car/.test(document.querySelector('[data-testid=flag] .flag-name')?.textContent ?? ''), null, { timeout: 20_000 });
    await page.waitForTimeout(1500);
    const shown = await banner(page);
    assert.equal(shown.inferred, undefined);
    assert.match(shown.className, /\bflag-safety-car\b/);
    assert.doesNotMatch(shown.className, /flag-inferred/);
    assert.doesNotMatch(shown.text, /inferred|probable/i);
    await page.screenshot({ path: join(results, 'inferred-flag-real-sc-1440.png') });
    await page.close();
    assert.deepEqual(errors, []);
  });
});
