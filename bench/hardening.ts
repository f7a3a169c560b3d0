/**
 * `npm run bench:hardening` (issue 13): what the hardening costs, each against
 * a baseline measured in the same run.
 * - `parse`: the Analysis parser with its consistency checks (ELAPSED sums,
 *   S1+S2+S3, S*_LARGE, HOUR − ELAPSED, lap gaps, stray lines) against the
 *   same parser with them off, interleaved, over the given lap files, in CPU
 *   time of this process. Target: checksRatio ≤ 1.10 (≤ 10% slower).
 * - `arrival`: bench/arrival.ts, 100,000 events in order, reversed, shuffled.
 *   Target: every ratio ≤ 2.
 * Prints JSON.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAnalysis } from '../src/sources/alkamel/parse.js';
import { benchArrival } from './arrival.js';
import { median, round } from './stats.js';

export interface ParseChecksBench {
  files: number;
  rows: number;
  checkedMs: number;
  uncheckedMs: number;
  checksRatio: number;
}

/** CPU time of this process (ms): on a shared machine, wall time mostly measures the others. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export function benchParseChecks(paths: string[], runs = 21): ParseChecksBench {
  const texts = paths.map((p) => ({ file: p, text: readFileSync(p, 'utf8') }));
  const parseAll = (consistencyChecks: boolean) => {
    let rows = 0;
    for (const { file, text } of texts) rows += parseAnalysis(text, { file, consistencyChecks }).rows;
    return rows;
  };
  const rows = parseAll(true);
  parseAll(false);
  const checked: number[] = [];
  const unchecked: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so a load swing hits both alike.
    const first = i % 2 === 0;
    let a = 0;
    let b = 0;
    for (const checks of first ? [true, false] : [false, true]) {
      const t = cpuMs();
      parseAll(checks);
      const ms = cpuMs() - t;
      if (checks) a = ms;
      else b = ms;
    }
    checked.push(a);
    unchecked.push(b);
    ratios.push(a / b);
  }
  return { files: texts.length, rows, checkedMs: round(median(checked)), uncheckedMs: round(median(unchecked)), checksRatio: round(median(ratios), 3) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2);
  const paths = files.length > 0 ? files.map((f) => resolve(f)) : [resolve(process.cwd(), 'demo', 'lemans-2019-race-analysis.csv')];
  const parse = benchParseChecks(paths);
  const arrival = benchArrival(100_000, 1000, 5);
  process.stdout.write(`${JSON.stringify({ parse, arrival }, null, 2)}\n`);
}
