/**
 * `npm run bench`: one JSON object with every engine/analysis/report number,
 * each next to its same-run baseline. See bench/README.md for targets.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { benchAnalysis } from './analysis.js';
import { benchNeutralisations } from './neutralisations.js';
import { benchEngine } from './engine.js';
import { benchRepetition, benchReports } from './reports.js';
import { peakRssMb } from './stats.js';

const file = resolve(process.argv[2] ?? resolve(process.cwd(), 'demo', 'lemans-2019-race-analysis.csv'));
if (!existsSync(file)) {
  process.stderr.write(`bench: lap file not found: ${file}\n`);
  process.exit(2);
}

const engine = benchEngine(file);
// Analysis in the same process, with its own interleaved import + fold baseline.
const analysis = benchAnalysis(file, resolve(fileURLToPath(new URL('../../rules/lemans.json', import.meta.url))));
// Reports: all 24 hours built and every fact checked, hour facts alone as the baseline.
const reports = benchReports(file);
// Peak memory of one import + fold + seeks, in a fresh process: the bench's
// own repeated runs would measure the garbage collector's slack instead.
const memory = JSON.parse(
  execFileSync(process.execPath, [fileURLToPath(new URL('./probe-memory.js', import.meta.url)), file], { encoding: 'utf8' }),
) as { peakRssMb: number; nodeBaselineRssMb: number };
// Inferred neutralisations against FLAG_AT_FL (needs ../shared/data/real; null without it).
const realData = resolve(process.env.SARTHE_REAL_DATA ?? resolve(process.cwd(), '..', 'shared', 'data', 'real'));
const neutralisations = existsSync(realData) ? benchNeutralisations(realData) : null;
// The repetition budget on two more 24-hour races (the bench's own file is in `reports`).
const repetitionOthers = existsSync(realData)
  ? ['lemans-2021-race-analysis.csv', 'lemans-2024-race-analysis.csv'].map((f) => benchRepetition(resolve(realData, f)))
  : null;
const result = {
  ...engine,
  analysisMs: analysis.analysisMs,
  analysisImportFoldMs: analysis.importFoldMs,
  analysisToImportFold: analysis.analysisToImportFold,
  hourFactsMs: analysis.hourFactsMs,
  hourFactsHours: analysis.hours,
  ...reports,
  reportsRepetitionOthers: repetitionOthers,
  neutralisationsTuning: neutralisations?.tuningPooled ?? null,
  neutralisationsHeldOut: neutralisations?.heldOutPooled ?? null,
  peakRssMb: memory.peakRssMb,
  nodeBaselineRssMb: memory.nodeBaselineRssMb,
  benchProcessPeakRssMb: peakRssMb(),
  targets: { ratio: 2.0, seekMedianUs: 1000, timingPointsSeekMedianUs: 1000, peakRssMb: 150, analysisToImportFold: 2.0, hourFactsMs: 250, reportsAllHoursMs: 1000 },
  node: process.version,
  measuredAt: new Date().toISOString(),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
