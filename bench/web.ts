/**
 * `npm run bench:web`: the timing screen in headless chromium against the
 * real server (`sarthe serve` in a child process, bench/web-server.ts)
 * replaying Le Mans 2019 at 60× from 2 h. Prints JSON:
 *
 * - jsGzipKb: every JavaScript file the timing screen loads (from the
 *   browser's resource timing), gzipped here at zlib's default level.
 * - updateP99Ms: the browser's own work to apply one update of live deltas to
 *   the 62-row screen (one redraw: apply deltas, table, Preact, style and
 *   layout forced; not the paint that follows), p99 over `updates` (n ≥
 *   BENCH_WEB_UPDATES, 300) redraws after a 5 s warm-up (reported apart: V8
 *   still compiling). Measured with performance.now() in the page (?metrics,
 *   live-client.ts); scriptOnlyP99Ms leaves out the forced style and layout.
 *   An update carries 60 s of race, as a 60× replay redrawn once a second
 *   (live-client.ts MIN_REDRAW_MS) does; to get n in well under a minute the
 *   replay runs BENCH_WEB_RATE (k, 10) times faster, with its commits k times
 *   closer together (--tick 250/k ms) and a redraw every 1000/k ms
 *   (?redrawMs=, metrics mode only). BENCH_WEB_RATE=1 is the former setup:
 *   ~41 updates, so its "p99" was their maximum.
 *   Baselines in the same page and run: an update that changes nothing, on
 *   the same path as a live frame (the floor: store, views, style and
 *   layout), and one full redraw of the table (what a screen that rebuilds
 *   its rows on every update would pay per frame).
 * - updateCpuP99Ms: the same updates in CPU time of the page's main thread
 *   (the thread duration of each update's animation-frame task, from a Chrome
 *   trace of n more updates of the same page). Wall time also counts the
 *   time the thread waits for a core: on the shared 2-core machine at load
 *   1–6 that alone made updateP99Ms swing from 7.4 to 46 ms between runs of
 *   one tree, while its CPU p99 stayed within 4.7–7.2 ms.
 * - frameCpuP50Ms / frameCpuP99Ms: the whole rendering task of those updates
 *   in CPU time: the update, then the browser's pre-paint, paint and
 *   layerization of what it changed (what the viewer waits for).
 * - writesPerUpdate / textFloor: what an update asks of the browser, and
 *   the least it can cost here. The table's DOM writes per update are
 *   counted by a MutationObserver on the rows, over `updates` more updates
 *   after the CPU trace (an observer of their own: the measured updates run
 *   without it): text writes (a cell's text node, or a text replaced) and
 *   rows moved, median and p99. The floor is a second page that has nothing
 *   but a table of the same shape (62 rows of 16 fixed-size cells, no
 *   script of ours): the same number of text writes into distinct random cells,
 *   then the forced style and layout, median of 100 frames each (and, for
 *   the p99's writes, their p99, to set beside updateP99Ms): once the page of the
 *   updates is closed, with the same server still replaying at its pace
 *   (baselines.textFloor: the conditions of the updates), and again with
 *   the server stopped (textFloorQuiet: the browser alone). It is the browser's own
 *   cost of relaying out that much changed text on this machine, apart from
 *   anything Sarthe does: a loose floor, to set median beside median.
 * - firstPaintMs: navigation start to the first rows painted, median of cold
 *   loads on loopback (new browser context each: nothing cached): the
 *   Element Timing renderTime of the first row's position cell (table.ts
 *   FIRST_ROW_TIMING), i.e. when the frame that first painted the rows was
 *   presented. Until 2026-12-02 it was the `sarthe:rows-painted` mark, taken
 *   two animation frames after the rows entered the DOM; that is still
 *   printed as firstPaintMarkMs. Why the change: the mark is taken when the
 *   main thread starts the next frame, which says the first frame's paint
 *   was recorded, not that its pixels were on screen. Raster and display
 *   come after on other threads, and on the shared 2-core machine they
 *   ended 100–300 ms after the mark (traced loads: the page's first
 *   contentful paint after the mark). Element Timing is the browser's own
 *   record of that presentation; a tree without the attribute (older
 *   commits) reports null here and is compared by the mark.
 *   Baseline in the same run, loads interleaved with the timing screen's: a
 *   page of one paragraph from the same origin, its first contentful paint
 *   (what the browser and the machine cost to paint anything at all now).
 */
import { readFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { HOUR } from '../src/model/time.js';
import { median, percentile, round } from './stats.js';
import { endTrace } from './trace.js';
import { serveReplay } from './web-server.js';

const root = resolve(process.cwd());
const webRoot = join(root, 'dist', 'web');
const file = join(root, 'demo', 'lemans-2019-race-analysis.csv');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const loads = Number(process.env.BENCH_WEB_LOADS ?? 9);
/** Updates measured, in wall time and again in CPU time (each at least this many). */
const updatesWanted = Number(process.env.BENCH_WEB_UPDATES ?? 300);
/** k: the replay runs 60k×, commits every 250/k ms, the page redraws every 1000/k ms. */
const rate = Number(process.env.BENCH_WEB_RATE ?? 10);
if (![1, 2, 5, 10].includes(rate)) {
  process.stderr.write(`bench:web: BENCH_WEB_RATE=${process.env.BENCH_WEB_RATE} must be 1, 2, 5 or 10 (250/k and 1000/k whole ms)\n`);
  process.exit(2);
}
if (!Number.isInteger(updatesWanted) || updatesWanted < 1) {
  process.stderr.write(`bench:web: BENCH_WEB_UPDATES=${process.env.BENCH_WEB_UPDATES} must be a whole number ≥ 1\n`);
  process.exit(2);
}
const WARMUP_MS = 5_000;
/** How long to wait for the updates wanted (ms): three times what the rate should need, and 30 s. */
const collectCapMs = (updatesWanted / rate) * 3000 + 30_000;

if (!existsSync(join(webRoot, 'index.html'))) {
  process.stderr.write('bench:web: dist/web is not built (npm run build)\n');
  process.exit(2);
}
if (!existsSync(chromiumPath)) {
  process.stderr.write(`bench:web: chromium not found at ${chromiumPath}\n`);
  process.exit(2);
}

interface FrameMetric {
  atMs: number;
  workMs: number;
  deltas: number;
  raceMs: number;
  applyMs: number;
  renderMs: number;
  layoutMs: number;
}

interface UpdateResult {
  updateP99Ms: number;
  updateCpuP99Ms: number;
  textFloor: TextFloor;
  [key: string]: unknown;
}

type MetricsWindow = { __sartheMetrics: FrameMetric[] };

/** Waits until the page has logged `count` frames with deltas after `fromMs` (page clock), or collectCapMs. */
async function waitForUpdates(page: Page, fromMs: number, count: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < collectCapMs) {
    const have = await page.evaluate((from) => (globalThis as unknown as MetricsWindow).__sartheMetrics.filter((f) => f.deltas > 0 && f.atMs >= from).length, fromMs);
    if (have >= count) return;
    await page.waitForTimeout(1000);
  }
}

async function measureUpdates(browser: Browser, origin: string): Promise<UpdateResult> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${origin}?metrics&redrawMs=${1000 / rate}`);
  await page.waitForSelector('.rows .row');
  const firstMs = await page.evaluate(() => (globalThis as unknown as MetricsWindow).__sartheMetrics[0]?.atMs ?? performance.now());
  await waitForUpdates(page, firstMs + WARMUP_MS, updatesWanted);
  const frames = await page.evaluate(() => (globalThis as unknown as MetricsWindow).__sartheMetrics);
  const rows = await page.$$eval('.rows .row', (r) => r.length);
  const cpu = await measureCpu(page);
  const writes = await countWrites(page);
  const redraws: number[] = [];
  const noops: number[] = [];
  for (let i = 0; i < 30; i++) {
    redraws.push(await page.evaluate(() => (globalThis as unknown as { __sartheFullRedraw: () => number }).__sartheFullRedraw()));
    noops.push(await page.evaluate(() => (globalThis as unknown as { __sartheNoopUpdate: () => Promise<number> }).__sartheNoopUpdate()));
  }
  await context.close();
  // With the measured page closed (it would compete for the cores), against the same server.
  const floor = await textFloor(browser, [median(writes.text), percentile(writes.text, 99)]);

  // Frames without deltas hold the snapshot (every row created): that is the first paint, not an
  // update. The first WARMUP_MS after it are reported apart: the page's code is still being
  // compiled by V8 then (the first deltas cost 3–5× what later ones do), a one-off at load.
  const all = frames.filter((f) => f.deltas > 0);
  const warmup = all.filter((f) => f.atMs < firstMs + WARMUP_MS);
  const updates = all.filter((f) => f.atMs >= firstMs + WARMUP_MS);
  const work = updates.map((f) => f.workMs);
  const script = updates.map((f) => f.applyMs + f.renderMs);
  const spanMs = updates.length > 1 ? updates[updates.length - 1]!.atMs - updates[0]!.atMs : 0;
  return {
    rate,
    replaySpeed: 60 * rate,
    redrawEveryMs: 1000 / rate,
    rows,
    updates: updates.length,
    updatesPerSecond: round(spanMs > 0 ? ((updates.length - 1) * 1000) / spanMs : NaN, 1),
    deltasApplied: updates.reduce((n, f) => n + f.deltas, 0),
    // The workload: race time one update brings (60 s by design; more when the machine cannot keep the pace).
    raceSecondsPerUpdateMedian: round(median(updates.slice(1).map((f, i) => (f.raceMs - updates[i]!.raceMs) / 1000)), 1),
    updateP50Ms: round(median(work)),
    updateP95Ms: round(percentile(work, 95)),
    updateP99Ms: round(percentile(work, 99)),
    updateMaxMs: round(Math.max(...work)),
    warmupSeconds: WARMUP_MS / 1000,
    warmupFrameMaxMs: round(Math.max(0, ...warmup.map((f) => f.workMs))),
    scriptOnlyP99Ms: round(percentile(script, 99)),
    frameMedianMs: {
      apply: round(median(updates.map((f) => f.applyMs))),
      preact: round(median(updates.map((f) => f.renderMs))),
      styleLayout: round(median(updates.map((f) => f.layoutMs))),
    },
    cpuUpdates: cpu.updateMs.length,
    updateCpuP50Ms: round(median(cpu.updateMs)),
    updateCpuP99Ms: round(percentile(cpu.updateMs, 99)),
    updateCpuMaxMs: round(Math.max(...cpu.updateMs)),
    frameCpuP50Ms: round(median(cpu.frameMs)),
    frameCpuP99Ms: round(percentile(cpu.frameMs, 99)),
    writesPerUpdate: {
      counted: writes.text.length,
      textMedian: median(writes.text),
      textP99: percentile(writes.text, 99),
      rowsMovedMedian: median(writes.moves),
      rowsMovedP99: percentile(writes.moves, 99),
    },
    textFloor: floor,
    baselineFullRedrawMedianMs: round(median(redraws)),
    baselineNoopUpdateMedianMs: round(median(noops)),
    baselineNoopUpdateP99Ms: round(percentile(noops, 99)),
  };
}

interface TraceEvent {
  name: string;
  ph: string;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  pid?: number;
}

/**
 * The live updates' CPU time on the page's main thread over `updatesWanted`
 * more of them: a Chrome trace (devtools.timeline) gives each update's
 * animation-frame task with its thread duration (tdur: CPU, not wall). The
 * update's work (deltas, table, Preact's microtasks, the forced style and
 * layout) runs inside that task (updateMs); the task that holds it also runs
 * the browser's pre-paint, paint and layerization of the frame (frameMs).
 */
async function measureCpu(page: Page): Promise<{ updateMs: number[]; frameMs: number[] }> {
  const cdp = await page.context().newCDPSession(page);
  const from = await page.evaluate(() => performance.now());
  await cdp.send('Tracing.start', { transferMode: 'ReturnAsStream', traceConfig: { includedCategories: ['devtools.timeline', 'blink.user_timing'] } });
  await waitForUpdates(page, from, updatesWanted);
  // A mark in the page's clock and the trace's: how to place the page's frames on the trace.
  const markMs = await page.evaluate(() => performance.mark('bench-web-align').startTime);
  const events = await endTrace<TraceEvent>(cdp);
  await cdp.detach();
  const mark = events.find((e) => e.name === 'bench-web-align');
  if (mark === undefined) throw new Error('bench:web: the alignment mark is not in the trace');
  const offsetUs = mark.ts - markMs * 1000;
  const main = events.filter((e) => e.ph === 'X' && e.tid === mark.tid && e.pid === mark.pid && e.tdur !== undefined && e.dur !== undefined).sort((a, b) => a.ts - b.ts);
  const frames = await page.evaluate(() => (globalThis as unknown as MetricsWindow).__sartheMetrics);
  const updateMs: number[] = [];
  const frameMs: number[] = [];
  for (const f of frames) {
    if (f.deltas === 0 || f.atMs < from || f.atMs > markMs) continue;
    const atUs = f.atMs * 1000 + offsetUs;
    const i = main.findIndex((e) => e.name === 'FireAnimationFrame' && e.ts <= atUs && atUs <= e.ts + e.dur!);
    if (i < 0) continue;
    const animation = main[i]!;
    updateMs.push(animation.tdur! / 1000);
    // The rest of the frame: the rendering steps that follow the callback, up to the next task's work.
    let cpuUs = animation.tdur!;
    let endUs = animation.ts + animation.dur!;
    for (let j = i + 1; j < main.length; j++) {
      const e = main[j]!;
      if (e.ts < endUs) continue; // nested in a step already counted
      if (!RENDERING_STEPS.has(e.name) || e.ts > animation.ts + 100_000) break;
      cpuUs += e.tdur!;
      endUs = e.ts + e.dur!;
    }
    frameMs.push(cpuUs / 1000);
  }
  return { updateMs, frameMs };
}

/**
 * The table's DOM writes in each of `updatesWanted` more updates (or those
 * that came within collectCapMs), from a MutationObserver on its rows: its
 * callback runs once per update (at the microtask checkpoint after the
 * animation frame that applied it). `text`: text nodes written, replaced or
 * emptied; `moves`: rows put in place (a new car's row counts too). An
 * update that writes nothing in the table is not seen.
 */
async function countWrites(page: Page): Promise<{ text: number[]; moves: number[] }> {
  return page.evaluate(
    ({ count, capMs }) =>
      new Promise<{ text: number[]; moves: number[] }>((resolve) => {
        const text: number[] = [];
        const moves: number[] = [];
        const rows = document.querySelector('.rows')!;
        const finish = (): void => {
          observer.disconnect();
          clearTimeout(timer);
          resolve({ text, moves });
        };
        const isText = (n: Node): boolean => n.nodeType === Node.TEXT_NODE;
        const observer = new MutationObserver((records) => {
          let t = 0;
          let m = 0;
          for (const r of records) {
            if (r.type === 'characterData') t++;
            else if (r.target === rows) m += r.addedNodes.length;
            else if (Array.from(r.addedNodes).some(isText) || Array.from(r.removedNodes).some(isText)) t++;
          }
          if (t + m === 0) return;
          text.push(t);
          moves.push(m);
          if (text.length >= count) finish();
        });
        const timer = setTimeout(finish, capMs);
        observer.observe(rows, { subtree: true, childList: true, characterData: true });
      }),
    { count: updatesWanted, capMs: collectCapMs },
  );
}

/** The floor's times (ms): medians of 100 frames, and for the p99's writes the p99 of its frames too (to set against updateP99Ms). */
interface TextFloor {
  atMedianWrites: number;
  atMedianMs: number;
  atP99Writes: number;
  atP99Ms: number;
  atP99WritesP99Ms: number;
}

/**
 * The browser's floor for `writes` text writes in one frame (ms, median of
 * 100 frames each, after 100 frames of warm-up, the counts taking turns): a
 * page of nothing but 62 rows of 16 fixed-size cells (floated, size and
 * layout contained: the cheapest cell found), random lap-time texts written
 * into that many distinct random cells, style and layout forced. A loose
 * floor: the app's cells are not the cheapest, and an update's writes fall
 * on the ~17 rows of the cars that crossed the line, not all 62.
 */
async function textFloor(browser: Browser, writes: number[]): Promise<TextFloor> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await page.setContent(
    '<!doctype html><style>body{margin:0;font:13px system-ui,sans-serif;font-variant-numeric:tabular-nums}' +
      '.r{height:26px;contain:size layout style}.c{float:left;width:70px;height:26px;margin-left:6px;overflow:hidden;line-height:26px;contain:size layout style}</style><div id="t"></div>',
  );
  const result = await page.evaluate(async (counts) => {
    const table = document.getElementById('t')!;
    const nodes: Text[] = [];
    for (let i = 0; i < 62; i++) {
      const row = table.appendChild(document.createElement('div'));
      row.className = 'r';
      for (let j = 0; j < 16; j++) {
        const cell = row.appendChild(document.createElement('span'));
        cell.className = 'c';
        nodes.push(cell.appendChild(document.createTextNode('1:23.456')));
      }
    }
    void document.body.offsetHeight;
    // `count` distinct cells (a partial shuffle), as an update writes each changed cell once.
    const order = nodes.map((_, i) => i);
    const write = (count: number): void => {
      for (let w = 0; w < count; w++) {
        const pick = w + Math.floor(Math.random() * (order.length - w));
        [order[w], order[pick]] = [order[pick]!, order[w]!];
        const ms = Math.floor(Math.random() * 300_000);
        nodes[order[w]!]!.data = `${Math.floor(ms / 60_000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
      }
      void document.body.offsetHeight;
    };
    // 100 frames of warm-up (the first are up to twice as slow), then the counts take turns, frame by
    // frame, so that the machine's swings hit each alike.
    const times: number[][] = counts.map(() => []);
    for (let frame = 0; frame < 100 + 100 * counts.length; frame++) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const which = frame % counts.length;
      const started = performance.now();
      write(counts[which]!);
      if (frame >= 100) times[which]!.push(performance.now() - started);
    }
    return times.map((t) => {
      t.sort((a, b) => a - b);
      return { median: t[Math.floor(t.length / 2)]!, p99: t[Math.min(t.length - 1, Math.floor(t.length * 0.99))]! };
    });
  }, writes);
  await context.close();
  return {
    atMedianWrites: writes[0]!,
    atMedianMs: round(result[0]!.median),
    atP99Writes: writes[1]!,
    atP99Ms: round(result[1]!.median),
    atP99WritesP99Ms: round(result[1]!.p99),
  };
}

/** What the browser does after the animation-frame callbacks to show the frame (devtools.timeline names). */
const RENDERING_STEPS = new Set(['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'IntersectionObserverController::computeIntersections', 'HitTest', 'UpdateLayer', 'ScrollLayer']);

/** A page of one paragraph, served by the bench itself at the server's origin: the first-paint baseline. */
const BLANK_PATH = '/__bench-blank';

async function blankFirstPaint(browser: Browser, origin: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await context.route(`${origin}${BLANK_PATH}`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>blank</title><p>Sarthe</p>' }));
  const page = await context.newPage();
  await page.goto(`${origin}${BLANK_PATH}`);
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, undefined, { timeout: 20_000 });
  const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]!.startTime);
  await context.close();
  return fcp;
}

/** The first row's Element Timing identifier (src/web/timing/table.ts FIRST_ROW_TIMING). */
const FIRST_ROW_TIMING = 'sarthe-first-row';
/** How long a load waits for the first row's element timing after the mark (ms): absent in trees without it. */
const ELEMENT_WAIT_MS = 3000;

async function measureFirstPaint(
  browser: Browser,
  origin: string,
): Promise<{ firstPaintMs: number | null; firstPaintMarkMs: number; firstRowsMs: number; fcpMs: number; baselineBlankFcpMs: number; jsFiles: string[] }> {
  const presented: number[] = [];
  const paints: number[] = [];
  const rows: number[] = [];
  const fcps: number[] = [];
  const blanks: number[] = [];
  let jsFiles: string[] = [];
  for (let i = 0; i < loads; i++) {
    // Interleaved, so the machine's load swings hit both alike.
    blanks.push(await blankFirstPaint(browser, new URL(origin).origin));
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await page.goto(origin);
    await page.waitForFunction(() => performance.getEntriesByName('sarthe:rows-painted').length > 0, undefined, { timeout: 20_000 });
    // Element entries are given to observers only (not performance.getEntriesByType): a buffered observer.
    const element = await page.evaluate(
      ({ id, waitMs }) =>
        new Promise<number | null>((resolve) => {
          const observer = new PerformanceObserver((list) => {
            const entry = (list.getEntries() as Array<PerformanceEntry & { identifier?: string; renderTime?: number }>).find((e) => e.identifier === id);
            if (entry === undefined) return;
            clearTimeout(timer);
            observer.disconnect();
            resolve(entry.renderTime ?? null);
          });
          const timer = setTimeout(() => {
            observer.disconnect();
            resolve(null);
          }, waitMs);
          observer.observe({ type: 'element', buffered: true });
        }),
      { id: FIRST_ROW_TIMING, waitMs: ELEMENT_WAIT_MS },
    );
    if (element !== null) presented.push(element);
    const timing = await page.evaluate(() => ({
      painted: performance.getEntriesByName('sarthe:rows-painted')[0]!.startTime,
      rows: performance.getEntriesByName('sarthe:first-rows')[0]!.startTime,
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      scripts: performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((name) => new URL(name).pathname.endsWith('.js'))
        .map((name) => new URL(name).pathname.replace(/^.*\/assets\//, 'assets/')),
    }));
    paints.push(timing.painted);
    rows.push(timing.rows);
    fcps.push(timing.fcp);
    jsFiles = timing.scripts;
    await context.close();
  }
  return {
    // Every load, or none (a tree without the attribute): a median of some loads would not compare.
    firstPaintMs: presented.length === loads ? round(median(presented), 1) : null,
    firstPaintMarkMs: round(median(paints), 1),
    firstRowsMs: round(median(rows), 1), fcpMs: round(median(fcps), 1), baselineBlankFcpMs: round(median(blanks), 1), jsFiles };
}

/** JS size baseline: Preact alone (its own ESM build, gzipped the same way), the floor of any Preact page. */
function preactGzipKb(): number {
  const path = join(root, 'node_modules', 'preact', 'dist', 'preact.mjs');
  return existsSync(path) ? round(gzipSync(readFileSync(path)).length / 1024, 1) : NaN;
}

function gzipKb(paths: string[]): number {
  let bytes = 0;
  for (const path of paths) bytes += gzipSync(readFileSync(join(webRoot, path))).length;
  return round(bytes / 1024, 1);
}

const loadBefore = loadavg()[0]!;
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  // `sarthe serve` in its own process (as `npm start` runs it): the server's work is not on this
  // process's event loop. First paint against a 60× replay, as before; the updates against one
  // k times faster (a server of its own: the faster replay's work does not touch the loads).
  let server = await serveReplay({ root, file, race: 'lemans-2019', fromMs: 2 * HOUR, speed: 60 });
  const paint = await measureFirstPaint(browser, server.appUrl).finally(() => server.stop());
  server = await serveReplay({ root, file, race: 'lemans-2019', fromMs: 2 * HOUR, speed: 60 * rate, tickMs: 250 / rate });
  const live = await measureUpdates(browser, server.appUrl).finally(() => server.stop());
  // The same writes with the replay stopped: the browser's floor on this machine with nothing else running.
  const quietFloor = await textFloor(browser, [live.textFloor.atMedianWrites, live.textFloor.atP99Writes]);
  const result = {
    jsGzipKb: gzipKb(paint.jsFiles),
    jsFiles: paint.jsFiles,
    updateP99Ms: live.updateP99Ms,
    updates: live.updates,
    // The same updates in the page's CPU time: what a quiet machine's wall time would show.
    updateCpuP99Ms: live.updateCpuP99Ms,
    cpuUpdates: live.cpuUpdates,
    // The rows' first frame presented (Element Timing); the former measure, two animation frames after the rows entered the DOM.
    firstPaintMs: paint.firstPaintMs,
    firstPaintMarkMs: paint.firstPaintMarkMs,
    firstRowsMs: paint.firstRowsMs,
    fcpMs: paint.fcpMs,
    // Same run: a one-paragraph page's first paint; an update that changes nothing; a full redraw.
    baselines: {
      blankPageFirstPaintMs: paint.baselineBlankFcpMs,
      noopUpdateMedianMs: live.baselineNoopUpdateMedianMs,
      noopUpdateP99Ms: live.baselineNoopUpdateP99Ms,
      fullRedrawMedianMs: live.baselineFullRedrawMedianMs,
      // The browser alone, the same run: this many text writes in a page of nothing else, while the
      // bench's server replays at its pace (as during the updates), then with it stopped.
      textFloor: live.textFloor,
      textFloorQuiet: quietFloor,
      preactGzipKb: preactGzipKb(),
    },
    live,
    targets: { jsGzipKb: 150, updateP99Ms: 8, firstPaintMs: 500 },
    // The machine is shared: wall-clock numbers inflate with its load.
    loadAverage1m: { before: round(loadBefore, 2), after: round(loadavg()[0]!, 2) },
    cpus: cpus().length,
    chromium: browser.version(),
    node: process.version,
    measuredAt: new Date().toISOString(),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await browser.close();
}
