/**
 * Phone-first and accessibility checks over every page type, in a real
 * browser against the real server (`sarthe serve` replaying the demo race
 * from 5 h, so hourly reports exist):
 *
 *   home, article, race centre, timing overall, timing by class, car page,
 *   charts, editor — at 360, 390 and 768 px wide:
 *   - no horizontal page scroll;
 *   - no text cut in the key columns (position, car, driver, gap) nor in
 *     the race name and clock;
 *   - no element covering another: every link, button and heading in view
 *     is the topmost element at its centre;
 *   - axe-core (WCAG 2 A/AA rules) finds no serious or critical violation
 *     (once per page type, at 390 px);
 *   - unknown car and unknown class pages say so, with a way back.
 *
 * One server, one browser, one tab per width reused across pages. Screenshots
 * go to test-results/phone-<page>-<width>.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { browserAvailable, launchChromium, type Chromium } from './browser.js';
import { repoRoot } from './helpers.js';
import { startServerProcess, stopServerProcess, type ServerProcess } from './server-process.js';

const results = join(repoRoot, 'test-results');
const ADMIN = { email: 'phone-admin@sarthe.test', password: 'phone-admin-pass-1' };
const WIDTHS = [360, 390, 768] as const;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface PageType {
  name: string;
  path: () => string;
  /** Present once the page has drawn what it is for. */
  ready: string;
  /** Elements whose text must not be cut (ellipsis or clipped). */
  keep: string[];
}

interface LayoutProblems {
  scrollWidth: number;
  width: number;
  cut: string[];
  covered: string[];
}

/** Runs in the page: the three layout checks. */
function layoutProblems(keep: string[]): LayoutProblems {
  const cut: string[] = [];
  const describe = (el: Element): string => `${el.tagName.toLowerCase()}.${Array.from(el.classList).join('.')} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
  for (const selector of keep) {
    for (const el of (Array.from(document.querySelectorAll(selector)) as HTMLElement[]).slice(0, 12)) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      for (const part of [el, ...(Array.from(el.querySelectorAll('*')) as HTMLElement[])]) {
        const style = getComputedStyle(part);
        if (part.getBoundingClientRect().width === 0 || style.display === 'none') continue;
        if (part.scrollWidth > part.clientWidth + 1 && style.overflowX !== 'visible') cut.push(`${selector}: ${describe(part)} ${part.scrollWidth}>${part.clientWidth}`);
      }
      if (box.right > innerWidth + 1) cut.push(`${selector}: ${describe(el)} runs off the screen (${Math.round(box.right)} > ${innerWidth})`);
    }
  }
  const covered: string[] = [];
  for (const el of Array.from(document.querySelectorAll('main a, main button, main h1, main h2, main input, nav a, header a, header h1, header h2')) as HTMLElement[]) {
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2 || getComputedStyle(el).visibility === 'hidden') continue;
    const x = box.left + box.width / 2;
    const y = box.top + box.height / 2;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
    // Scrolled out of a scrolling box (the nav's tabs): not covered, just off its strip.
    let clipped = false;
    for (let p = el.parentElement; p !== null; p = p.parentElement) {
      const ps = getComputedStyle(p);
      if (ps.overflowX !== 'visible' || ps.overflowY !== 'visible') {
        const pb = p.getBoundingClientRect();
        if (x < pb.left || x > pb.right || y < pb.top || y > pb.bottom) clipped = true;
      }
    }
    if (clipped) continue;
    const top = document.elementFromPoint(x, y);
    if (top !== null && top !== el && !el.contains(top) && !top.contains(el)) covered.push(`${describe(el)} under ${describe(top)}`);
  }
  return { scrollWidth: document.documentElement.scrollWidth, width: innerWidth, cut, covered };
}

describe('phone-first pages and accessibility', browserAvailable(), () => {
  let server: ServerProcess;
  let chromium: Chromium;
  let dir: string;
  const errors: string[] = [];
  const tabs = new Map<number, Page>();
  let article = '';
  let car = '';
  let className = '';

  const PAGES: PageType[] = [
    { name: 'home', path: () => '/', ready: '[data-live-strip]', keep: ['.strip-race', '.strip-line .clock', '.mainnav a', '.lead-story h2'] },
    { name: 'article', path: () => article, ready: '[data-testid=article]', keep: ['.article h1', '.body td', '.body th'] },
    { name: 'race', path: () => '/races/lemans-2019', ready: '[data-testid=reports-list]', keep: ['.strip-panel h2', '.strip-panel .clock', '.mainnav a'] },
    { name: 'timing', path: () => '/timing/#/', ready: '.rows .row', keep: ['.top h1', '[data-testid=elapsed]', '.rows .c-pos', '.rows .c-num', '.rows .c-driver', '.rows .c-gap'] },
    { name: 'class', path: () => `/timing/#/?class=${encodeURIComponent(className)}`, ready: '.rows .row', keep: ['.top h1', '.rows .c-pos', '.rows .c-num', '.rows .c-driver', '.rows .c-gap'] },
    { name: 'car', path: () => `/timing/#/car/${car}`, ready: '[data-testid=stints]', keep: ['.top h1', '.car-head h2', '[data-testid=stints] td'] },
    { name: 'charts', path: () => `/timing/#/charts?class=${encodeURIComponent(className)}`, ready: '[data-testid=lap-position-chart] canvas', keep: ['.top h1', '.page-title'] },
    { name: 'editor', path: () => '/editor', ready: 'tr[data-testid=editor-row]', keep: ['h1', 'table.list td:first-child'] },
  ];

  before(async () => {
    mkdirSync(results, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'sarthe-phone-'));
    server = await startServerProcess({
      db: join(dir, 'sarthe.db'),
      replay: true,
      site: true,
      args: ['--from', '5h', '--speed', '30', '--tick', '500'],
      env: { SARTHE_ADMIN_EMAIL: ADMIN.email, SARTHE_ADMIN_PASSWORD: ADMIN.password },
    });
    chromium = await launchChromium();
    // Reports of hours 1–5 are filed as the desk catches up.
    for (let i = 0; i < 60; i++) {
      const feed = await (await fetch(`${server.base}/feed.rss`)).text();
      const link = /<link>https?:\/\/[^/]+(\/news\/[^<]*after-\d+-hours?)<\/link>/.exec(feed);
      if (link !== null) {
        article = link[1]!;
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.notEqual(article, '', 'an hourly report was published');
    const standings = (await (await fetch(`${server.base}/api/races/lemans-2019/standings`)).json()) as { cars: Array<{ number: string; class: string }> };
    // The car with the most stints to show: the leader; the class with most cars.
    car = standings.cars[0]!.number;
    const counts = new Map<string, number>();
    for (const c of standings.cars) counts.set(c.class, (counts.get(c.class) ?? 0) + 1);
    className = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    // Log in once: the editor page needs it, and the header then carries the account links.
    const page = await chromium.browser.newPage();
    await page.goto(`${server.base}/login`);
    await page.fill('#email', ADMIN.email);
    await page.fill('#password', ADMIN.password);
    await Promise.all([page.waitForURL(`${server.base}/`), page.click('form[action="/login"] button[type=submit]')]);
    await page.close();
    for (const width of WIDTHS) {
      const tab = await chromium.browser.newPage();
      await tab.setViewportSize({ width, height: width < 700 ? 800 : 1024 });
      tab.on('pageerror', (e) => errors.push(`${width}px: ${e.message}`));
      tabs.set(width, tab);
    }
  });

  after(async () => {
    await chromium?.close();
    if (server !== undefined) await stopServerProcess(server);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function show(tab: Page, type: PageType): Promise<void> {
    // Hash routes on the same document do not reload: go through a blank page so each check starts fresh.
    await tab.goto('about:blank');
    await tab.goto(`${server.base}${type.path()}`);
    await tab.waitForSelector(type.ready, { timeout: 20_000 });
    // Settled layout: charts size themselves to their box after a ResizeObserver round (slow on a loaded machine).
    await tab.waitForFunction(() => document.documentElement.scrollWidth <= innerWidth, undefined, { timeout: 5_000 }).catch(() => undefined);
    await tab.waitForTimeout(300);
  }

  for (const width of WIDTHS) {
    it(`${width} px: no sideways scroll, nothing cut in the key columns, nothing covered`, async () => {
      const tab = tabs.get(width)!;
      const problems: string[] = [];
      for (const type of PAGES) {
        await show(tab, type);
        const found = await tab.evaluate(layoutProblems, type.keep);
        if (found.scrollWidth > found.width) problems.push(`${type.name}: page scrolls sideways (${found.scrollWidth} > ${found.width})`);
        problems.push(...found.cut.map((c) => `${type.name}: cut ${c}`), ...found.covered.map((c) => `${type.name}: covered ${c}`));
        await tab.screenshot({ path: join(results, `phone-${type.name}-${width}.png`) });
      }
      assert.deepEqual(problems, []);
    });
  }

  it('the time of day is shown, the time-travel bar covers nothing, and every hour button can be reached and tapped', async () => {
    const problems: string[] = [];
    for (const width of WIDTHS) {
      const tab = tabs.get(width)!;
      await show(tab, PAGES.find((p) => p.name === 'timing')!);
      const found = await tab.evaluate(() => {
        const issues: string[] = [];
        const visible = (el: Element | null): boolean => {
          if (el === null) return false;
          const box = el.getBoundingClientRect();
          return box.width > 0 && box.height > 0 && box.left >= 0 && box.right <= innerWidth + 1 && getComputedStyle(el).visibility !== 'hidden';
        };
        if (!visible(document.querySelector('.top .tod b'))) issues.push('time of day not shown in the header');
        const bar = document.querySelector('.travel-bar');
        if (bar === null) issues.push('no time-travel bar');
        else if (getComputedStyle(bar).position === 'fixed') issues.push('the time-travel bar is fixed over the page');
        const hours = Array.from(document.querySelectorAll('.travel-bar .hours button')) as HTMLElement[];
        if (hours.length < 24) issues.push(`${hours.length} hour buttons`);
        for (const button of hours) {
          button.scrollIntoView({ block: 'nearest', inline: 'nearest' });
          const box = button.getBoundingClientRect();
          const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
          if (box.left < -1 || box.right > innerWidth + 1) issues.push(`${button.textContent} off the screen (${Math.round(box.left)}–${Math.round(box.right)})`);
          else if (top !== button && !button.contains(top)) issues.push(`${button.textContent} covered`);
        }
        return issues;
      });
      problems.push(...found.map((p) => `${width} px: ${p}`));
      await tab.evaluate(() => scrollTo(0, 0));
      await show(tab, PAGES.find((p) => p.name === 'race')!);
      const tod = await tab.locator('.strip-panel .tod').boundingBox();
      if (tod === null || tod.width === 0 || tod.x + tod.width > width + 1) problems.push(`${width} px: the race centre's time of day not shown`);
    }
    assert.deepEqual(problems, []);
  });

  it('axe-core: no serious or critical violation on any page type', async () => {
    const tab = tabs.get(390)!;
    const problems: string[] = [];
    for (const type of PAGES) {
      await show(tab, type);
      await tab.evaluate(AXE);
      const violations = await tab.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
        const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
      });
      for (const v of violations) if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${type.name}: ${v.id} (${v.impact}) at ${v.nodes.join(', ')}`);
    }
    assert.deepEqual(problems, []);
  });

  it('an unknown car or class says so, with a way back', async () => {
    const tab = tabs.get(390)!;
    await tab.goto('about:blank');
    await tab.goto(`${server.base}/timing/#/car/999`);
    const notice = await tab.waitForSelector('[data-testid=car-unknown]', { timeout: 20_000 });
    assert.match((await notice.textContent()) ?? '', /No car #999 in Le Mans 24 Hours 2019/);
    assert.equal(await tab.locator('[data-testid=car-unknown] a').count(), 1);
    await tab.screenshot({ path: join(results, 'phone-car-unknown-390.png') });
    await tab.goto('about:blank');
    await tab.goto(`${server.base}/timing/#/charts?class=LMP9`);
    const classNotice = await tab.waitForSelector('[data-testid=class-unknown]', { timeout: 20_000 });
    assert.match((await classNotice.textContent()) ?? '', /No class “LMP9”/);
    // The charts show one class: its tab is the lit one, and there is no "All" tab to mislead.
    await tab.goto('about:blank');
    await tab.goto(`${server.base}/timing/#/charts`);
    await tab.waitForSelector('[data-testid=charts-page]', { timeout: 20_000 });
    const lit = await tab.locator('.classes a.on').allTextContents();
    assert.equal(lit.length, 1, 'one lit tab');
    assert.ok(((await tab.locator('.page-title').textContent()) ?? '').trim().startsWith(lit[0]!.trim()), `the lit tab ${lit[0]} is the class shown`);
    assert.equal(await tab.locator('.classes a', { hasText: /^All$/ }).count(), 0);
  });

  it('the site strip keeps time with the stream and is never LIVE after the flag', async () => {
    const tab = tabs.get(768)!;
    await tab.goto('about:blank');
    await tab.goto(`${server.base}/races/lemans-2019`);
    const first = await tab.locator('.strip-panel [data-testid=strip-elapsed]').textContent();
    await tab.waitForFunction((before) => document.querySelector('.strip-panel [data-testid=strip-elapsed]')?.textContent !== before, first, { timeout: 10_000 });
    assert.equal(await tab.locator('.strip-panel [data-testid=strip-mode]').textContent(), 'Live');
  });

  it('no script errors on any page', () => {
    assert.deepEqual(errors, []);
  });
});
