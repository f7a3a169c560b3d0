/**
 * `node dist/bench/neutralisations.js [dataDir]`: the inferred
 * neutralisations judged against FLAG_AT_FL on every 2023+ file, tuning
 * races and held-out races apart (src/analysis/neutralisation-check.ts),
 * with the inference's time next to import + fold of the same file as the
 * same-run baseline. Prints JSON.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { foldEvents } from '../src/engine/timeline.js';
import { parseAnalysis } from '../src/sources/alkamel/parse.js';
import { checkNeutralisations, HELD_OUT_RACES, poolChecks, TUNING_RACES, type NeutralisationCheck } from '../src/analysis/neutralisation-check.js';
import { round } from './stats.js';

export function benchNeutralisations(dataDir: string) {
  const race = (file: string) => {
    const text = readFileSync(join(dataDir, file), 'utf8');
    let t = performance.now();
    const timeline = foldEvents(parseAnalysis(text, { file }).events);
    const importFoldMs = performance.now() - t;
    t = performance.now();
    const check = checkNeutralisations(timeline);
    const inferMs = performance.now() - t;
    return { file, check, importFoldMs: round(importFoldMs), inferAndCheckMs: round(inferMs) };
  };
  const summary = (c: NeutralisationCheck) => ({
    recall: round(c.recall, 3),
    precision: round(c.precision, 3),
    precisionOutsideRunUp: round(c.precisionOutsideRunUp, 3),
    safetyCar: `${c.safetyCarPeriodsFound}/${c.safetyCarPeriods}`,
    periodsFound: `${c.periods.filter((p) => p.found).length}/${c.periods.length}`,
    medianAbsStartErrorS: c.medianAbsStartErrorMs === null ? null : round(c.medianAbsStartErrorMs / 1000, 1),
    medianAbsEndErrorS: c.medianAbsEndErrorMs === null ? null : round(c.medianAbsEndErrorMs / 1000, 1),
    spuriousPeriods: c.spuriousPeriods,
  });
  const tuning = TUNING_RACES.map(race);
  const heldOut = HELD_OUT_RACES.map(race);
  const pooled = (rs: typeof tuning) => {
    const p = poolChecks(rs.map((r) => r.check));
    return { ...p, recall: round(p.recall, 3), precision: round(p.precision, 3), precisionOutsideRunUp: round(p.precisionOutsideRunUp, 3) };
  };
  return {
    tuning: tuning.map((r) => ({ file: r.file, ...summary(r.check), importFoldMs: r.importFoldMs, inferAndCheckMs: r.inferAndCheckMs })),
    heldOut: heldOut.map((r) => ({ file: r.file, ...summary(r.check), importFoldMs: r.importFoldMs, inferAndCheckMs: r.inferAndCheckMs })),
    tuningPooled: pooled(tuning),
    heldOutPooled: pooled(heldOut),
    targets: { heldOutRecall: 0.9, heldOutPrecision: 0.9, everySafetyCarFound: true, medianStartErrorS: 60 },
  };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? process.env.SARTHE_REAL_DATA ?? join(process.cwd(), '..', 'shared', 'data', 'real'));
  if (!existsSync(dir)) {
    process.stderr.write(`bench: real data not found at ${dir}\n`);
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(benchNeutralisations(dir), null, 2)}\n`);
}
