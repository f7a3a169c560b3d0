/**
 * `npm run bench:web`: the timing screen in headless chromium against the
 * real server (`sarthe serve` in a child process, bench/web-server.ts)
 * replaying Le Mans 2019 at 60× from 2 h. Prints JSON:
 *
 * - jsGzipKb: every JavaScript file the timing screen loads (from the
 *   browser's resource timing), gzipped here at zlib's default level.
 * - updateP99Ms: the browser's own work to apply one second of live deltas to
 *   the 62-row screen (sum of that second's frames: apply deltas, redraw,
 *   Preact, style and layout forced), p99 over every second of 40 s of a 60×
 *   replay, after a 5 s warm-up (reported apart: V8 still compiling).
 *   Measured with performance.now() in the page (?metrics, live-client.ts);
 *   scriptOnlyP99Ms leaves out the forced style and layout. Redraws are
 *   coalesced to one a second (live-client.ts MIN_REDRAW_MS).
 *   Baselines in the same page and run: an update that changes nothing, on
 *   the same path as a live frame (the floor: store, views, style and
 *   layout), and one full redraw of the table (what a screen that rebuilds
 *   its rows on every update would pay per frame).
 * - updateCpuP99Ms: the same per-second sums in CPU time of the page's main
 *   thread (the thread duration of each frame's animation-frame task, from a
 *   Chrome trace of BENCH_WEB_CPU_SECONDS more of the same page). Wall time
 *   also counts the time the thread waits for a core: on the shared 2-core
 *   machine at load 1–6 that alone made updateP99Ms swing from 7.4 to 46 ms
 *   between runs of one tree, while its CPU p99 stayed within 4.7–7.2 ms.
 * - firstPaintMs: navigation start to the first rows painted, median of cold
 *   loads on loopback (new browser context each: nothing cached).
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
import { serveReplay } from './web-server.js';

const root = resolve(process.cwd());
const webRoot = join(root, 'dist', 'web');
const file = join(root, 'demo', 'lemans-2019-race-analysis.csv');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const seconds = Number(process.env.BENCH_WEB_SECONDS ?? 45);
const loads = Number(process.env.BENCH_WEB_LOADS ?? 9);
const cpuSeconds = Number(process.env.BENCH_WEB_CPU_SECONDS ?? 25);
const WARMUP_MS = 5_000;

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
  applyMs: number;
  renderMs: number;
  layoutMs: number;
}

interface UpdateResult {
  updateP99Ms: number;
  updateCpuP99Ms: number;
  [key: string]: unknown;
}

async function measureUpdates(browser: Browser, origin: string, speed: number): Promise<UpdateResult> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${origin}?metrics`);
  await page.waitForSelector('.rows .row');
  await page.waitForTimeout(seconds * 1000);
  const frames = await page.evaluate(() => (globalThis as unknown as { __sartheMetrics: FrameMetric[] }).__sartheMetrics);
  const rows = await page.$$eval('.rows .row', (r) => r.length);
  const cpu = await measureCpu(page, cpuSeconds);
  const redraws: number[] = [];
  const noops: number[] = [];
  for (let i = 0; i < 30; i++) {
    redraws.push(await page.evaluate(() => (globalThis as unknown as { __sartheFullRedraw: () => number }).__sartheFullRedraw()));
    noops.push(await page.evaluate(() => (globalThis as unknown as { __sartheNoopUpdate: () => Promise<number> }).__sartheNoopUpdate()));
  }
  await context.close();

  // Frames without deltas hold the snapshot (every row created): that is the first paint, not an
  // update. The first WARMUP_MS after it are reported apart: the page's code is still being
  // compiled by V8 then (the first deltas cost 3–5× what later ones do), a one-off at load.
  const firstMs = frames[0]?.atMs ?? 0;
  const all = frames.filter((f) => f.deltas > 0);
  const warmup = all.filter((f) => f.atMs < firstMs + WARMUP_MS);
  const updates = all.filter((f) => f.atMs >= firstMs + WARMUP_MS);
  const perSecondOf = (cost: (f: FrameMetric) => number): number[] => {
    const bySecond = new Map<number, number>();
    for (const f of updates) bySecond.set(Math.floor(f.atMs / 1000), (bySecond.get(Math.floor(f.atMs / 1000)) ?? 0) + cost(f));
    return [...bySecond.values()];
  };
  const perSecond = perSecondOf((f) => f.workMs);
  const scriptPerSecond = perSecondOf((f) => f.applyMs + f.renderMs);
  return {
    speed,
    rows,
    secondsMeasured: perSecond.length,
    deltasApplied: updates.reduce((n, f) => n + f.deltas, 0),
    framesWithUpdates: updates.length,
    updateP50Ms: round(median(perSecond)),
    updateP95Ms: round(percentile(perSecond, 95)),
    updateP99Ms: round(percentile(perSecond, 99)),
    warmupSeconds: WARMUP_MS / 1000,
    warmupFrameMaxMs: round(Math.max(0, ...warmup.map((f) => f.workMs))),
    updateMaxMs: round(Math.max(...perSecond)),
    scriptOnlyP99Ms: round(percentile(scriptPerSecond, 99)),
    frameP99Ms: round(percentile(updates.map((f) => f.workMs), 99)),
    frameMedianMs: {
      apply: round(median(updates.map((f) => f.applyMs))),
      preact: round(median(updates.map((f) => f.renderMs))),
      styleLayout: round(median(updates.map((f) => f.layoutMs))),
    },
    cpuSecondsMeasured: cpu.perSecondMs.length,
    updateCpuP50Ms: round(median(cpu.perSecondMs)),
    updateCpuP99Ms: round(percentile(cpu.perSecondMs, 99)),
    updateCpuMaxMs: round(Math.max(...cpu.perSecondMs)),
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
}

/**
 * The live frames' CPU time on the page's main thread over `seconds` more of
 * the replay, summed per second like updateP99Ms: a Chrome trace (one
 * category, devtools.timeline) gives each frame's animation-frame task with
 * its thread duration (tdur: CPU, not wall). The frame's work (deltas, table,
 * Preact's microtasks, the forced style and layout) runs inside that task.
 */
async function measureCpu(page: Page, seconds: number): Promise<{ perSecondMs: number[] }> {
  const cdp = await page.context().newCDPSession(page);
  const from = await page.evaluate(() => performance.now());
  await cdp.send('Tracing.start', { transferMode: 'ReturnAsStream', traceConfig: { includedCategories: ['devtools.timeline', 'blink.user_timing'] } });
  await page.waitForTimeout(seconds * 1000);
  // A mark in the page's clock and the trace's: how to place the page's frames on the trace.
  const markMs = await page.evaluate(() => performance.mark('bench-web-align').startTime);
  const complete = new Promise<{ stream?: string }>((done) => cdp.once('Tracing.tracingComplete', done));
  await cdp.send('Tracing.end');
  const { stream } = await complete;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream! });
    text += chunk.base64Encoded === true ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream! });
  await cdp.detach();
  const parsed = JSON.parse(text) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mark = events.find((e) => e.name === 'bench-web-align');
  if (mark === undefined) throw new Error('bench:web: the alignment mark is not in the trace');
  const offsetUs = mark.ts - markMs * 1000;
  const tasks = events.filter((e) => e.name === 'FireAnimationFrame' && e.ph === 'X' && e.tid === mark.tid && e.tdur !== undefined);
  const frames = await page.evaluate(() => (globalThis as unknown as { __sartheMetrics: FrameMetric[] }).__sartheMetrics);
  const bySecond = new Map<number, number>();
  for (const f of frames) {
    if (f.deltas === 0 || f.atMs < from || f.atMs > markMs) continue;
    const atUs = f.atMs * 1000 + offsetUs;
    const task = tasks.find((e) => e.ts <= atUs && atUs <= e.ts + (e.dur ?? 0));
    if (task === undefined) continue;
    const second = Math.floor(f.atMs / 1000);
    bySecond.set(second, (bySecond.get(second) ?? 0) + task.tdur! / 1000);
  }
  return { perSecondMs: [...bySecond.values()] };
}

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

async function measureFirstPaint(browser: Browser, origin: string): Promise<{ firstPaintMs: number; firstRowsMs: number; fcpMs: number; baselineBlankFcpMs: number; jsFiles: string[] }> {
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
  return { firstPaintMs: round(median(paints), 1), firstRowsMs: round(median(rows), 1), fcpMs: round(median(fcps), 1), baselineBlankFcpMs: round(median(blanks), 1), jsFiles };
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
// `sarthe serve` in its own process (as `npm start` runs it): the server's work is not on this process's event loop.
const server = await serveReplay({ root, file, race: 'lemans-2019', fromMs: 2 * HOUR, speed: 60 });
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const paint = await measureFirstPaint(browser, server.appUrl);
  const live = await measureUpdates(browser, server.appUrl, 60);
  const result = {
    jsGzipKb: gzipKb(paint.jsFiles),
    jsFiles: paint.jsFiles,
    updateP99Ms: live.updateP99Ms,
    // The same updates in the page's CPU time: what a quiet machine's wall time would show.
    updateCpuP99Ms: live.updateCpuP99Ms,
    firstPaintMs: paint.firstPaintMs,
    firstRowsMs: paint.firstRowsMs,
    fcpMs: paint.fcpMs,
    // Same run: a one-paragraph page's first paint; an update that changes nothing; a full redraw.
    baselines: {
      blankPageFirstPaintMs: paint.baselineBlankFcpMs,
      noopUpdateMedianMs: live.baselineNoopUpdateMedianMs,
      noopUpdateP99Ms: live.baselineNoopUpdateP99Ms,
      fullRedrawMedianMs: live.baselineFullRedrawMedianMs,
      preactGzipKb: preactGzipKb(),
    },
    update60x: live,
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
  await server.stop();
}
