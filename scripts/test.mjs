#!/usr/bin/env node
/**
 * `npm test` after the build: every `dist/test/*.test.js` with `node --test`,
 * two files at a time, then the tests that measure the server's own latency
 * (ALONE) one by one with nothing else running, and SARTHE_TEST_ALONE=1 set.
 *
 * Why: the abuse test's target (issue 13: /api/health p99 ≤ 100 ms
 * throughout) is a property of the server, but run beside a browser suite on
 * a 2-core machine it measured the other suite (CI: bulk ingest p99 228 ms,
 * item 3 303 ms against 57 and 22 alone, 2026-12-02). Alone, it can assert
 * the target (server-abuse.test.ts reads SARTHE_TEST_ALONE).
 *
 * Plain JavaScript outside dist/test on purpose: `node --test dist/test/`
 * runs every .js file under a `test` folder, and this file must not run itself.
 *
 * Arguments are passed on to both runs (e.g. `--test-reporter=spec`).
 * Exit status: 1 when either run failed (both always run), else 0.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join('dist', 'test');
/** Test files run alone, after the rest: each measures latency that a neighbour would distort. */
const ALONE = ['server-abuse.test.js'];

const files = readdirSync(DIR)
  .filter((name) => name.endsWith('.test.js'))
  .sort();
const missing = ALONE.filter((name) => !files.includes(name));
if (missing.length > 0) {
  process.stderr.write(`scripts/test.mjs: ${missing.join(', ')} not in ${DIR} (built?)\n`);
  process.exit(1);
}
const together = files.filter((name) => !ALONE.includes(name)).map((name) => join(DIR, name));
const alone = ALONE.map((name) => join(DIR, name));
const extra = process.argv.slice(2);
const common = ['--test', '--test-force-exit', '--test-timeout=900000', ...extra];

function run(args, env) {
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error !== undefined) throw result.error;
  return result.status ?? 1;
}

const first = run([...common, '--test-concurrency=2', ...together], {});
const second = run([...common, '--test-concurrency=1', ...alone], { SARTHE_TEST_ALONE: '1' });
process.exit(first === 0 && second === 0 ? 0 : 1);
