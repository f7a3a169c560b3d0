/**
 * Data API benchmark (`node dist/bench/api.js`): the whole Le Mans 2019 race
 * in a server (in-process, app.inject), and the cost of answers users ask for
 * in bulk, against same-run baselines, interleaved, medians of 15 runs:
 *
 * - every lap of every car as CSV (`/laps?format=csv`) against the same rows
 *   as JSON: what csv-stringify adds over JSON.stringify (target ≤ 3×);
 * - the standings, a small answer, through every hook the API adds (request
 *   id, CORS, rate limit, problem conversion, request log at info to a sink)
 *   against the same server built with the rate limit off and no logger.
 */
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { compareEvents } from '../src/model/events.js';
import { buildServer } from '../src/server/app.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { toAppendEvent } from '../src/store/index.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { repoRoot } from '../test/helpers.js';
import { median, round } from './stats.js';

const RUNS = 15;

async function main(): Promise<void> {
  const { events } = await importAnalysisFiles([join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv')]);
  const store = new SqliteEventStore({ file: ':memory:' });
  await store.append('lemans-2019', [...events].sort(compareEvents).map(toAppendEvent));
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const full = await buildServer({ store, logger: { level: 'info', stream: sink } as never });
  const bare = await buildServer({ store, logger: false, operations: { rateLimitPerMinute: 0 } });
  const time = async (run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };
  const json: number[] = [];
  const csv: number[] = [];
  const standingsFull: number[] = [];
  const standingsBare: number[] = [];
  let jsonBytes = 0;
  let csvBytes = 0;
  for (let i = 0; i < RUNS; i++) {
    json.push(await time(async () => (jsonBytes = (await full.inject({ url: '/api/races/lemans-2019/laps' })).rawPayload.length)));
    csv.push(await time(async () => (csvBytes = (await full.inject({ url: '/api/races/lemans-2019/laps?format=csv' })).rawPayload.length)));
    // 50 small requests per sample, so per-request overhead shows above the timer's noise.
    standingsBare.push((await time(async () => { for (let k = 0; k < 50; k++) await bare.inject({ url: '/api/races/lemans-2019/standings?at=12h' }); })) / 50);
    standingsFull.push((await time(async () => { for (let k = 0; k < 50; k++) await full.inject({ url: '/api/races/lemans-2019/standings?at=12h', headers: { origin: 'https://x.example' } }); })) / 50);
  }
  const rows = (await full.inject({ url: '/api/races/lemans-2019/laps' })).json().laps.length as number;
  await full.close();
  await bare.close();
  const result = {
    laps: rows,
    lapsJsonMs: round(median(json)),
    lapsCsvMs: round(median(csv)),
    csvToJson: round(median(csv) / median(json)),
    jsonBytes,
    csvBytes,
    standingsBareMs: round(median(standingsBare), 3),
    standingsWithHooksMs: round(median(standingsFull), 3),
    hooksToBare: round(median(standingsFull) / median(standingsBare)),
    runs: RUNS,
    node: process.version,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

await main();
