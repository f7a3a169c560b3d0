/**
 * `npm run bench:restart` / `node dist/bench/restart.js` (issue 13, the abuse test's restart phase, in
 * one process): the abuse test's store — two races of 100 cars × 400 laps,
 * one sent in order and one in reverse, in commits of 1,000 — loaded by
 * `RaceHub.loadAll` as a restarted server loads it, while a setImmediate
 * ticker runs between the loader's turns. Prints JSON: the CPU ms of each
 * task between two turns (p50, p99, max, how many over 10 and 20 ms), the
 * load's CPU and wall ms, and the GC pauses seen meanwhile (wall ms). CPU
 * time, because on a shared machine wall time mostly measures the others;
 * what health waits for is the longest task. No target of its own: the
 * abuse test's is /api/health p99 ≤ 100 ms.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import pino from 'pino';
import { MemoryBus } from '../src/bus/memory/index.js';
import type { TimingEvent } from '../src/model/events.js';
import { RaceHub } from '../src/server/races.js';
import { toAppendEvent } from '../src/store/index.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { round } from './stats.js';

const CARS = 100;
const LAPS = 400;

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function abuseRace(): { header: TimingEvent[]; laps: TimingEvent[] } {
  const header: TimingEvent[] = [
    { type: 'session', name: 'Abuse 12 Hours', zeroTimeOfDayMs: null, scheduledDurationMs: 12 * 3_600_000 },
    ...Array.from({ length: CARS }, (_, i): TimingEvent => ({ type: 'entry', car: String(i + 1), class: i % 2 === 0 ? 'HYPERCAR' : 'LMGT3', group: '', team: `Team ${i + 1}`, manufacturer: 'Make', drivers: [] })),
  ];
  const laps: TimingEvent[] = [];
  for (let n = 1; n <= LAPS; n++) {
    for (let c = 1; c <= CARS; c++) {
      laps.push({
        type: 'lap', car: String(c), lap: n, crossingMs: n * 100_000 + c * 300, lapMs: 100_000, sectorsMs: [30_000, 40_000, 30_000],
        driverNumber: 1, driverName: '', inPit: false, pitLaneMs: null, flag: null, timeOfDayMs: null, kph: null, topSpeedKph: null,
      });
    }
  }
  return { header, laps };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)] ?? 0;

export async function benchRestart(): Promise<Record<string, unknown>> {
  const store = new SqliteEventStore({ file: ':memory:' });
  const { header, laps } = abuseRace();
  for (const [race, order] of [['fwd', laps], ['rev', [...laps].reverse()]] as const) {
    await store.append(race, header.map(toAppendEvent));
    for (let i = 0; i < order.length; i += 1000) await store.append(race, order.slice(i, i + 1000).map(toAppendEvent));
  }
  const hub = new RaceHub(store, new MemoryBus(), pino({ level: 'silent' }));
  const gcMs: number[] = [];
  const gc = new PerformanceObserver((list) => gcMs.push(...list.getEntries().map((e) => e.duration)));
  gc.observe({ entryTypes: ['gc'] });
  const tasks: number[] = [];
  let loading = true;
  let last = cpuMs();
  const tick = () => {
    const now = cpuMs();
    tasks.push(now - last);
    last = now;
    if (loading) setImmediate(tick);
  };
  const cpuStart = cpuMs();
  const wallStart = performance.now();
  setImmediate(tick);
  await hub.loadAll();
  loading = false;
  const loadCpuMs = cpuMs() - cpuStart;
  const loadWallMs = performance.now() - wallStart;
  await new Promise((r) => setTimeout(r, 50));
  gc.disconnect();
  const sorted = [...tasks].sort((a, b) => a - b);
  return {
    events: 2 * (header.length + laps.length),
    loadCpuMs: round(loadCpuMs),
    loadWallMs: round(loadWallMs),
    turns: tasks.length,
    firstTasksCpuMs: tasks.slice(0, 6).map((t) => round(t, 1)),
    taskCpuP50Ms: round(quantile(sorted, 0.5)),
    taskCpuP99Ms: round(quantile(sorted, 0.99)),
    taskCpuMaxMs: round(sorted.at(-1) ?? 0),
    tasksOver10Ms: tasks.filter((t) => t > 10).length,
    tasksOver20Ms: tasks.filter((t) => t > 20).length,
    gcPauses: gcMs.length,
    gcWallMaxMs: round(Math.max(0, ...gcMs)),
    gcWallTotalMs: round(gcMs.reduce((a, b) => a + b, 0)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchRestart(), null, 2)}\n`);
}
