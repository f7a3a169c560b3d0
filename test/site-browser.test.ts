/**
 * The coverage site in a real browser (Debian's chromium driven by
 * playwright-core) against the real server process (`sarthe serve`)
 * replaying the demo race, Le Mans 2019, fast (900×: an hour every 4 s) with
 * reports left for editor review:
 *
 *   admin logs in, adds an editor, a reader and a subscriber (the
 *   subscription an admin grants) → the editor logs in, opens the draft
 *   "after N hours", edits a sentence, publishes → a reader sees it first in
 *   latest news and in the RSS feed, with ad slots (and, with an ad blocker,
 *   the polite notice) → a subscriber sees no ad slot.
 *
 * Screenshots of home, article and race centre at 1366 and 390 px wide go to
 * test-results/site-*.png in every run: look at them.
 *
 * Without chromium the suite is skipped, except with CI=true where that is
 * a failure (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { browserAvailable, DESKTOP, launchChromium, PHONE, type Chromium } from './browser.js';
import { repoRoot } from './helpers.js';
import { startServerProcess, stopServerProcess, type ServerProcess } from './server-process.js';

const results = join(repoRoot, 'test-results');
const ADMIN = { email: 'admin@sarthe.test', password: 'browser-admin-pass-1' };
const EDITOR = { email: 'editor@sarthe.test', password: 'browser-editor-pass-1', name: 'Erin Editor' };
const READER = { email: 'reader@sarthe.test', password: 'browser-reader-pass-1', name: 'Rob Reader' };
const SUBSCRIBER = { email: 'sub@sarthe.test', password: 'browser-sub-pass-1', name: 'Sue Subscriber' };

/** The demo race replayed with the site on, its reports left for an editor. */
function startServer(db: string): Promise<ServerProcess> {
  return startServerProcess({
    db,
    replay: true,
    site: true,
    args: ['--speed', '900', '--tick', '200', '--reports', 'review'],
    env: { SARTHE_ADMIN_EMAIL: ADMIN.email, SARTHE_ADMIN_PASSWORD: ADMIN.password },
  });
}

describe('coverage site in a real browser', browserAvailable(), () => {
  let server: ServerProcess;
  let chromium: Chromium;
  let browser: BrowserContext;
  let dir: string;
  const errors: string[] = [];
  /** The report the editor publishes. */
  let published: { slug: string; headline: string; hour: number };

  before(async () => {
    mkdirSync(results, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'sarthe-site-'));
    server = await startServer(join(dir, 'sarthe.db'));
    chromium = await launchChromium();
    browser = chromium.browser;
  });

  after(async () => {
    await chromium?.close();
    if (server !== undefined) await stopServerProcess(server);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(path: string, viewport = DESKTOP): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewportSize(viewport);
    page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`));
    await page.goto(`${server.base}${path}`);
    return page;
  }

  async function logIn(account: { email: string; password: string }): Promise<void> {
    const page = await open('/login');
    await page.fill('#email', account.email);
    await page.fill('#password', account.password);
    await Promise.all([page.waitForURL(`${server.base}/`), page.click('form[action="/login"] button[type=submit]')]);
    assert.ok(await page.locator('form[action="/logout"]').isVisible(), `logged in as ${account.email}`);
    await page.close();
  }

  async function logOut(): Promise<void> {
    const page = await open('/');
    await Promise.all([page.waitForURL(`${server.base}/`), page.click('form[action="/logout"] button')]);
    assert.equal(await page.locator('form[action="/logout"]').count(), 0, 'logged out');
    await page.close();
  }

  it('an admin adds an editor, a reader and a subscriber', async () => {
    await logIn(ADMIN);
    // Logged in, the header stays one line on a laptop (it wrapped to two), and offers an admin no "Subscribe".
    const home = await open('/');
    const parts = await home.$$eval('.topbar .logo, .topbar .mainnav, .topbar .account', (els) => els.map((e) => e.getBoundingClientRect()).map((b) => ({ top: Math.round(b.top), height: Math.round(b.height) })));
    assert.equal(parts.length, 3);
    const tops = parts.map((p) => p.top + p.height / 2);
    assert.ok(Math.max(...tops) - Math.min(...tops) <= 8, `logo, sections and account on one line: ${JSON.stringify(parts)}`);
    const links = await home.$$eval('.topbar .mainnav a, .topbar .account > *', (els) => els.map((e) => e.getBoundingClientRect()).map((b) => Math.round(b.top + b.height / 2)));
    assert.ok(Math.max(...links) - Math.min(...links) <= 8, `every section link and account item on one line: ${links.join(' ')}`);
    assert.equal(await home.locator('.topbar a[href="/subscribe"]').count(), 0);
    await home.screenshot({ path: join(results, 'site-home-admin-desktop.png') });
    await home.close();
    const page = await open('/admin/users');
    for (const [account, role] of [[EDITOR, 'editor'], [READER, 'reader'], [SUBSCRIBER, 'reader']] as const) {
      await page.fill('#name', account.name);
      await page.fill('#email', account.email);
      await page.fill('#password', account.password);
      await page.selectOption('#role', role);
      await Promise.all([page.waitForURL(/done=added/), page.click('form[action="/admin/users"] button[type=submit]')]);
    }
    const subRow = page.locator('tr[data-testid=user-row]', { hasText: SUBSCRIBER.email });
    await Promise.all([page.waitForURL(/done=subscription/), subRow.locator('form[action$="/subscription"] button').click()]);
    assert.match((await page.locator('tr[data-testid=user-row]', { hasText: SUBSCRIBER.email }).textContent()) ?? '', /Remove subscription/);
    await page.close();
    await logOut();
  });

  it('the editor opens the draft "after N hours", edits a sentence and publishes it', async () => {
    await logIn(EDITOR);
    const page = await open('/editor');
    // The replay passes an hour every 4 s; the desk drafts it (review mode: no auto-publish).
    for (let i = 0; i < 60 && (await page.locator('tr[data-testid=editor-row] td:nth-child(2)', { hasText: /Report, hour \d+/ }).count()) === 0; i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    const row = page.locator('tr[data-testid=editor-row]', { hasText: /Report, hour \d+/ }).first();
    const hour = Number(/hour (\d+)/.exec((await row.locator('td:nth-child(2)').textContent()) ?? '')![1]);
    assert.ok(hour >= 1);
    await Promise.all([page.waitForURL(/\/editor\/articles\/\d+/), row.locator('a').first().click()]);
    assert.equal(await page.locator('[data-testid=status]').textContent(), 'draft');
    const address = (await page.locator('a[href^="/news/"]').first().getAttribute('href'))!;
    assert.match(address, new RegExp(`-after-${hour}-hours?$`), 'the draft of "after N hours"');
    const body = await page.inputValue('#body');
    const firstSentence = /^[^\n]*?\./.exec(body)![0];
    // The editor rewrites the report's first sentence.
    const edited = body.replace(firstSentence, firstSentence.replace(/\.$/, ', as the crowd in the grandstands rose to its feet.'));
    assert.notEqual(edited, body);
    await page.fill('#body', edited);
    const headline = await page.inputValue('#headline');
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(results, 'site-editor-desktop.png') });
    await Promise.all([page.waitForURL(`${server.base}${address}`), page.click('button[value=publish]')]);
    assert.equal(await page.locator('h1').textContent(), headline);
    assert.match((await page.locator('.body').textContent()) ?? '', /the crowd in the grandstands rose to its feet\./);
    published = { slug: address.slice('/news/'.length), headline, hour };
    await page.close();
    await logOut();
  });

  it('a reader sees it first in latest news and in the feed, with ad slots', async () => {
    await logIn(READER);
    const page = await open('/');
    const first = page.locator('[data-testid=news-item] h2 a, [data-testid=news-item] h3 a').first();
    assert.equal(await first.textContent(), published.headline);
    assert.equal(await first.getAttribute('href'), `/news/${published.slug}`);
    assert.ok((await page.locator('[data-testid=ad-slot]').count()) >= 1, 'readers see ad slots');
    assert.equal(await page.locator('[data-testid=adblock-notice]').first().isVisible(), false, 'no notice while the ad shows');
    assert.ok(await page.locator('[data-testid=live-panel] iframe.timing-frame').isVisible(), 'the live race panel');
    // The panel's timing screen is the web app, in a frame: wait for its cars.
    await page.locator('iframe.timing-frame').scrollIntoViewIfNeeded();
    await page.frameLocator('iframe.timing-frame').locator('text=/Toyota|TOYOTA/').first().waitFor({ state: 'attached', timeout: 15_000 });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(results, 'site-home-desktop.png') });

    const feed = await page.request.get(`${server.base}/feed.rss`);
    const xml = await feed.text();
    const firstItem = /<item>[\s\S]*?<\/item>/.exec(xml)?.[0] ?? '';
    assert.match(firstItem, new RegExp(`<link>${server.base}/news/${published.slug}</link>`));

    await Promise.all([page.waitForURL(`**/news/${published.slug}`), first.click()]);
    assert.match((await page.locator('.body').textContent()) ?? '', /crowd in the grandstands/);
    assert.equal(await page.locator('meta[property="og:type"]').getAttribute('content'), 'article');
    await page.screenshot({ path: join(results, 'site-article-desktop.png'), fullPage: false });
    await page.close();

    const centre = await open(`/races/lemans-2019`);
    assert.ok((await centre.locator('[data-testid=reports-list] a').count()) >= 1);
    // The embedded timing screen (the web app) shows the cars.
    const frame = centre.frameLocator('iframe.timing-frame');
    await frame.locator('text=/Toyota|TOYOTA/').first().waitFor({ timeout: 15_000 });
    await centre.screenshot({ path: join(results, 'site-race-desktop.png') });
    await centre.close();

    for (const [name, path] of [['home', '/'], ['article', `/news/${published.slug}`], ['race', '/races/lemans-2019']] as const) {
      const phone = await open(path, PHONE);
      if (name === 'race') await phone.frameLocator('iframe.timing-frame').locator('text=/Toyota|TOYOTA/').first().waitFor({ state: 'attached', timeout: 15_000 });
      const width = await phone.evaluate('document.documentElement.scrollWidth');
      assert.ok(Number(width) <= PHONE.width + 1, `${name}: no horizontal scrolling on a phone (${width}px)`);
      await phone.screenshot({ path: join(results, `site-${name}-phone.png`) });
      await phone.close();
    }
  });

  it('with an ad blocker the slot is hidden, a polite notice offers to subscribe and the page still works', async () => {
    const page = await browser.newPage();
    await page.setViewportSize(DESKTOP);
    // What an ad blocker does: hide elements with ad-like classes.
    await page.addInitScript(`document.addEventListener('DOMContentLoaded', () => {
      const style = document.createElement('style'); style.textContent = '.adsbox, .ad-banner { display: none !important }';
      document.head.appendChild(style);
    });`);
    await page.goto(`${server.base}/news/${published.slug}`);
    const notice = page.locator('[data-testid=adblock-notice]').first();
    await notice.waitFor({ state: 'visible', timeout: 5000 });
    assert.match((await notice.textContent()) ?? '', /subscribe/i);
    assert.equal(await notice.locator('a[href="/subscribe"]').count(), 1);
    assert.match((await page.locator('.body').textContent()) ?? '', /crowd in the grandstands/);
    await page.close();
    await logOut();
  });

  it('a subscriber sees no ad slot', async () => {
    await logIn(SUBSCRIBER);
    for (const path of ['/', `/news/${published.slug}`, '/races/lemans-2019']) {
      const page = await open(path);
      assert.equal(await page.locator('[data-testid=ad-slot]').count(), 0, path);
      assert.equal(await page.locator('[data-testid=adblock-notice]').count(), 0, path);
      await page.close();
    }
    await logOut();
  });

  it('a long sector time shows whole on a laptop (#29\'s S3 of 12:32.473 at 20:32:55 was cut to "12:32.4…")', async () => {
    // The replay passes 20:33 about 82 s after it starts (900×).
    for (let i = 0; i < 240; i++) {
      const races = (await (await fetch(`${server.base}/api/races`)).json()) as { races: Array<{ id: string; raceTimeMs: number }> };
      if ((races.races.find((r) => r.id === 'lemans-2019')?.raceTimeMs ?? 0) >= 20 * 3_600_000 + 33 * 60_000) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const page = await open('/timing/#/?race=lemans-2019&at=20:33:00');
    await page.waitForSelector(`[data-testid=timing][data-at="${20 * 3_600_000 + 33 * 60_000}"]`, { timeout: 20_000 });
    const cell = page.locator('.rows .row[data-car="29"] .c-s3');
    assert.equal(await cell.textContent(), '12:32.473');
    const fits = await cell.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    assert.ok(fits.scroll <= fits.client, `S3 cell ${fits.scroll} px of text in ${fits.client} px`);
    // Every time column of every row, not only this one.
    const cut = await page.$$eval('.rows .row .c-last, .rows .row .c-best, .rows .row .c-s1, .rows .row .c-s2, .rows .row .c-s3, .rows .row .c-gap, .rows .row .c-int', (cells) =>
      cells.filter((c) => c.scrollWidth > c.clientWidth).map((c) => `${c.className} "${c.textContent}"`),
    );
    assert.deepEqual(cut, []);
    await page.screenshot({ path: join(results, 'site-timing-long-s3-desktop.png') });
    await page.close();
  });

  it('no script errors on any page', () => {
    assert.deepEqual(errors, []);
  });
});
