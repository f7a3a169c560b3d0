/**
 * A preload (`node --import dist/test/loop-trace.js`) for the abuse test and
 * bench: when SARTHE_LOOP_TRACE names a file, the process appends one JSON
 * line to it every 100 ms of wall time: `at` (ms since epoch), the largest
 * event-loop delay in that window (`loopMaxMs`, perf_hooks
 * monitorEventLoopDelay at 10 ms resolution), the RSS (`rssMb`), the V8 heap
 * (`heapMb` reserved, `usedMb` used) and memory held outside it (`externalMb`), and each
 * garbage collection that ended in it (`gcs`: start `at`, `ms`, V8 `kind`:
 * 1 scavenge, 2 mark-compact minor, 4 mark-sweep-compact, 8 incremental, 16
 * weak callbacks). How a phase's slow /api/health answers are traced to a
 * blocked loop or a GC pause in the server itself. Nothing happens without it.
 */
import { appendFileSync } from 'node:fs';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const file = process.env.SARTHE_LOOP_TRACE;
// A worker thread (the preload runs in each) writes only its heap, as `thread: true` lines: its RSS is the process's.
if (file !== undefined && file !== '' && !isMainThread) {
  setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), thread: true, heapMb: Math.round(m.heapTotal / 1048576), usedMb: Math.round(m.heapUsed / 1048576) })}\n`);
  }, 500).unref();
}
if (file !== undefined && file !== '' && isMainThread) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const gcs: Array<{ at: number; ms: number; kind: number }> = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as { detail?: { kind?: number } }).detail;
      gcs.push({ at: Math.round(performance.timeOrigin + entry.startTime), ms: Math.round(entry.duration * 10) / 10, kind: detail?.kind ?? 0 });
    }
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => {
    const m = process.memoryUsage();
    const mb = (bytes: number) => Math.round(bytes / 1048576);
    const line = { at: Date.now(), loopMaxMs: Math.round(delay.max / 1e5) / 10, rssMb: mb(m.rss), heapMb: mb(m.heapTotal), usedMb: mb(m.heapUsed), externalMb: mb(m.external), gcs: gcs.splice(0) };
    delay.reset();
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, 100).unref();
}
