/**
 * `node dist/bench/web-profile.js`: where a live frame of the timing screen
 * spends its main-thread CPU. The same page and replay as bench:web (Le Mans
 * 2019 from 2 h, 1366×900, ?metrics), driven BENCH_WEB_RATE (k) times faster
 * (60k× replay, commits every 250/k ms, redraws every 1000/k ms: each update
 * carries 60 s of race, as at 60× redrawn once a second). After a warm-up, a
 * Chrome trace (devtools.timeline, with invalidation tracking off) and a V8
 * CPU profile of PROFILE_SECONDS.
 *
 * Prints JSON: for the frames that applied deltas, the median and p90 per
 * frame of each trace event's self CPU time (µs of thread time, `tdur` minus
 * its children's) inside the task that ran the frame's animation-frame
 * callback — the whole frame: deltas, table, Preact, forced style and layout,
 * then the browser's own paint of it — and the JS functions with the most
 * self time in those tasks (profile samples × their interval).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { HOUR } from '../src/model/time.js';
import { median, percentile, round } from './stats.js';
import { endTrace } from './trace.js';
import { serveReplay } from './web-server.js';

const root = resolve(process.cwd());
const file = join(root, 'demo', 'lemans-2019-race-analysis.csv');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const rate = Number(process.env.BENCH_WEB_RATE ?? 5);
const seconds = Number(process.env.PROFILE_SECONDS ?? 30);
/** PROFILE_JS=0: the trace alone (the sampling profiler slows every frame it samples). */
const profileJs = process.env.PROFILE_JS !== '0';
/** PROFILE_VARIANTS: {"name": "css added to the page", …} profiled in turn, PROFILE_ROUNDS times (interleaved). */
const variants = JSON.parse(process.env.PROFILE_VARIANTS ?? '{"page":""}') as Record<string, string>;
const rounds = Number(process.env.PROFILE_ROUNDS ?? 1);
/** PROFILE_DUMP=file: the trace events of one frame (the 20th profiled), to read by eye. */
const dumpTo = process.env.PROFILE_DUMP;
/** PROFILE_CATEGORIES: more trace categories, comma-separated (e.g. blink,cc for what Layerize and Paint do inside). */
const extraCategories = (process.env.PROFILE_CATEGORIES ?? '').split(',').filter((c) => c !== '');
if (![1, 2, 5, 10].includes(rate)) throw new Error(`web-profile: BENCH_WEB_RATE=${process.env.BENCH_WEB_RATE} must be 1, 2, 5 or 10 (250 ms / k whole)`);
if (!existsSync(join(root, 'dist', 'web', 'index.html'))) throw new Error('web-profile: dist/web is not built (npm run build:web)');

interface TraceEvent {
  name: string;
  ph: string;
  tid: number;
  pid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: Record<string, unknown>;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface FrameMetric {
  atMs: number;
  workMs: number;
  deltas: number;
}

const server = await serveReplay({ root, file, race: 'lemans-2019', fromMs: 2 * HOUR, speed: 60 * rate, tickMs: 250 / rate });
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
/** One profile of a fresh page, `css` added to it (a variant to compare; '' for the page as built). */
async function profileOnce(css: string): Promise<{ frames: number; totals: number[]; walls: number[]; perName: Map<string, number[]>; perFunction: Map<string, number> }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.appUrl}?metrics&redrawMs=${1000 / rate}`);
  await page.waitForSelector('.rows .row');
  if (css !== '') await page.addStyleTag({ content: css });
  await page.waitForTimeout(8_000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  const from = await page.evaluate(() => performance.now());
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { includedCategories: ['devtools.timeline', 'blink.user_timing', 'disabled-by-default-devtools.timeline', ...extraCategories] },
  });
  if (profileJs) await cdp.send('Profiler.start');
  await page.waitForTimeout(seconds * 1000);
  const markMs = await page.evaluate(() => performance.mark('bench-web-align').startTime);
  const { profile } = profileJs ? ((await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile }) : { profile: { nodes: [], startTime: 0, samples: [], timeDeltas: [] } as CpuProfile };
  const events = await endTrace<TraceEvent>(cdp);
  const frames = await page.evaluate(() => (globalThis as unknown as { __sartheMetrics: FrameMetric[] }).__sartheMetrics);
  await context.close();

  const mark = events.find((e) => e.name === 'bench-web-align');
  if (mark === undefined) throw new Error('web-profile: the alignment mark is not in the trace');
  const offsetUs = mark.ts - markMs * 1000;
  const main = events.filter((e) => e.tid === mark.tid && e.pid === mark.pid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const tasks = main.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');

  // Profile samples as [time µs, node id].
  const nodeName = new Map(profile.nodes.map((n) => [n.id, `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\//, '')}:${n.callFrame.lineNumber + 1}`]));
  const sampleTimes: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) sampleTimes.push((t += d));

  const perName = new Map<string, number[]>();
  const perFunction = new Map<string, number>();
  const totals: number[] = [];
  const walls: number[] = [];
  let frameCount = 0;
  for (const f of frames) {
    if (f.deltas === 0 || f.atMs < from || f.atMs > markMs) continue;
    const atUs = f.atMs * 1000 + offsetUs;
    const task = tasks.find((e) => e.ts <= atUs && atUs <= e.ts + e.dur!);
    if (task === undefined || task.tdur === undefined) continue;
    frameCount++;
    totals.push(task.tdur);
    walls.push(task.dur!);
    // Self thread time of every event nested in the task.
    const inside = main.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur! <= task.ts + task.dur! && e.tdur !== undefined);
    const self = new Map<string, number>();
    const stack: Array<{ e: TraceEvent; children: number }> = [];
    const close = (upTo: number): void => {
      while (stack.length > 0 && stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! <= upTo) {
        const top = stack.pop()!;
        self.set(top.e.name, (self.get(top.e.name) ?? 0) + top.e.tdur! - top.children);
        if (stack.length > 0) stack[stack.length - 1]!.children += top.e.tdur!;
      }
    };
    let childrenOfTask = 0;
    for (const e of inside) {
      close(e.ts);
      if (stack.length === 0) childrenOfTask += e.tdur!;
      stack.push({ e, children: 0 });
    }
    close(Infinity);
    self.set('(task itself)', task.tdur - childrenOfTask);
    if (dumpTo !== undefined && frameCount === 20) writeFileSync(dumpTo, JSON.stringify(inside.map((e) => ({ name: e.name, ts: e.ts - task.ts, dur: e.dur, tdur: e.tdur, args: e.args })), null, 1));
    for (const [name, us] of self) {
      const list = perName.get(name) ?? [];
      list.push(us);
      perName.set(name, list);
    }
    for (let i = 0; i < sampleTimes.length; i++) {
      const at = sampleTimes[i]!;
      if (at < task.ts || at > task.ts + task.dur!) continue;
      const name = nodeName.get(profile.samples[i]!) ?? '?';
      perFunction.set(name, (perFunction.get(name) ?? 0) + (profile.timeDeltas[i + 1] ?? 100));
    }
  }
  // Names missing from a frame count as 0 there.
  for (const [name, list] of perName) perName.set(name, [...list, ...Array.from({ length: frameCount - list.length }, () => 0)]);
  return { frames: frameCount, totals, walls, perName, perFunction };
}

try {
  const results = new Map<string, Array<Awaited<ReturnType<typeof profileOnce>>>>();
  for (let round = 0; round < rounds; round++) {
    for (const [variant, css] of Object.entries(variants)) {
      const list = results.get(variant) ?? [];
      list.push(await profileOnce(css));
      results.set(variant, list);
    }
  }
  const report: Record<string, unknown> = { rate, seconds, rounds };
  for (const [variant, runs] of results) {
    const totals = runs.flatMap((r) => r.totals);
    const frameCount = totals.length;
    const names = new Set(runs.flatMap((r) => [...r.perName.keys()]));
    const byName = [...names]
      .map((name) => {
        const all = runs.flatMap((r) => r.perName.get(name) ?? Array.from({ length: r.frames }, () => 0));
        return { name, medianUs: round(median(all), 0), p90Us: round(percentile(all, 90), 0), meanUs: round(all.reduce((a, b) => a + b, 0) / frameCount, 0) };
      })
      .filter((r) => r.meanUs >= 5)
      .sort((a, b) => b.meanUs - a.meanUs);
    const perFunction = new Map<string, number>();
    for (const r of runs) for (const [name, us] of r.perFunction) perFunction.set(name, (perFunction.get(name) ?? 0) + us);
    const functions = [...perFunction.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([name, us]) => ({ name, meanUsPerFrame: round(us / frameCount, 0) }));
    report[variant] = {
      frames: frameCount,
      frameCpuMedianMs: round(median(totals) / 1000),
      frameCpuP90Ms: round(percentile(totals, 90) / 1000),
      frameCpuP99Ms: round(percentile(totals, 99) / 1000),
      frameWallMedianMs: round(median(runs.flatMap((r) => r.walls)) / 1000),
      byName,
      ...(profileJs ? { functions } : {}),
    };
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await browser.close();
  await server.stop();
}
