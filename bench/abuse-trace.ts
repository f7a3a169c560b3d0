/**
 * Sums up a traced abuse run (SARTHE_ABUSE_TRACE_DIR, test/server-abuse.test.ts)
 * per phase: /api/health as the probe saw it (n, p50, p99, max, ms), and in
 * the server itself the largest event-loop delay, the 100 ms windows whose
 * loop delay passed 50 ms, the GC pauses (count, total, largest, ms) and the
 * peak RSS (MB).
 *
 *   node dist/bench/abuse-trace.js DIR   → one JSON object per phase
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ServerLine {
  at: number;
  loopMaxMs: number;
  rssMb: number;
  gcs: Array<{ at: number; ms: number; kind: number }>;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))] ?? 0;
}

export function summarizeTrace(dir: string): Record<string, Record<string, number>> {
  const lines = (f: string) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const probe = lines('probe.jsonl');
  const phases = probe.filter((l) => 'from' in l) as Array<{ phase: string; from: number }>;
  const phaseAt = (at: number) => [...phases].reverse().find((p) => p.from <= at)?.phase ?? 'start';
  const out: Record<string, Record<string, number>> = {};
  const health = new Map<string, number[]>();
  for (const l of probe) if ('ms' in l) health.set(l.phase as string, [...(health.get(l.phase as string) ?? []), l.ms as number]);
  for (const [phase, ms] of health) {
    out[phase] = { n: ms.length, p50: Math.round(quantile(ms, 0.5)), p99: Math.round(quantile(ms, 0.99)), max: Math.round(Math.max(...ms)) };
  }
  for (const t of lines('server.jsonl').filter((l) => l.thread === true)) {
    const o = (out[phaseAt(t.at as number)] ??= {});
    o.threadHeapMb = Math.max(o.threadHeapMb ?? 0, t.heapMb as number);
  }
  for (const l of lines('server.jsonl').filter((l) => l.thread !== true) as unknown as ServerLine[]) {
    const o = (out[phaseAt(l.at)] ??= {});
    o.loopMaxMs = Math.max(o.loopMaxMs ?? 0, Math.round(l.loopMaxMs));
    o.loopOver50 = (o.loopOver50 ?? 0) + (l.loopMaxMs > 50 ? 1 : 0);
    o.rssMb = Math.max(o.rssMb ?? 0, l.rssMb);
    for (const g of l.gcs) {
      const p = (out[phaseAt(g.at)] ??= {});
      p.gcN = (p.gcN ?? 0) + 1;
      p.gcMs = Math.round((p.gcMs ?? 0) + g.ms);
      p.gcMaxMs = Math.max(p.gcMaxMs ?? 0, Math.round(g.ms));
      if (g.kind === 4) p.gcMajorN = (p.gcMajorN ?? 0) + 1;
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [phase, o] of Object.entries(summarizeTrace(process.argv[2]!))) process.stdout.write(`${phase.padEnd(8)} ${JSON.stringify(o)}\n`);
}
