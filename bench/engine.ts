/**
 * Engine benchmark on the full Le Mans 2019 lap file: import + fold against
 * the floor of merely reading and splitting the file, measured in the same
 * run (interleaved, so machine noise hits both alike), and seeking.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyClassificationProfile, parseDecisionsFile } from '../src/cli/results.js';
import type { DecisionEvent, MessageEvent } from '../src/model/events.js';
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents } from '../src/engine/timeline.js';
import { parseAnalysis } from '../src/sources/alkamel/parse.js';
import { median, percentile, round } from './stats.js';

export interface EngineBench {
  file: string;
  importFoldMs: number;
  floorMs: number;
  ratio: number;
  seekMedianUs: number;
  seekP99Us: number;
  seekSamples: number;
  /** Decision events folded with the laps. */
  decisions: number;
  /** The live screen's gaps at every timing point (engine/gap.ts): the first seek, which builds every car's timing points, ms. */
  timingPointsFirstSeekMs: number;
  /** Then seeks with gaps at timing points, at the same 1,000 instants. */
  timingPointsSeekMedianUs: number;
  timingPointsSeekP99Us: number;
}

/** The floor: read the bytes, split into lines and fields, nothing else. */
function floor(path: string): number {
  const text = readFileSync(path, 'utf8');
  let fields = 0;
  for (const line of text.split('\n')) fields += line.split(';').length;
  return fields;
}

/** Race control's decisions shipped for the race (decisions/), folded with the laps as an import with --decisions does. */
function shippedDecisions(path: string): Array<DecisionEvent | MessageEvent> {
  const race = /(lemans-\d{4})/.exec(path)?.[1];
  const file = fileURLToPath(new URL(`../../decisions/${race}-decisions.json`, import.meta.url));
  return race !== undefined && existsSync(file) ? parseDecisionsFile(readFileSync(file, 'utf8'), file) : [];
}

function importFold(path: string, decisions: Array<DecisionEvent | MessageEvent>) {
  const parsed = parseAnalysis(readFileSync(path, 'utf8'), { file: path });
  const timeline = foldEvents(decisions.length === 0 ? parsed.events : [...parsed.events, ...decisions]);
  // The classification profile and the result at the finish are part of the fold's cost.
  applyClassificationProfile(timeline);
  standingsAt(timeline, null);
  return timeline;
}

export function benchEngine(path: string, runs = 21): EngineBench {
  const decisions = shippedDecisions(path);
  for (let i = 0; i < 3; i++) {
    floor(path);
    importFold(path, decisions);
  }
  const floorTimes: number[] = [];
  const importTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    floor(path);
    floorTimes.push(performance.now() - t);
    t = performance.now();
    importFold(path, decisions);
    importTimes.push(performance.now() - t);
  }

  const timeline = importFold(path, decisions);
  const end = timeline.lastEventMs;
  let seed = 2019;
  const next = () => ((seed = (seed * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32);
  for (let i = 0; i < 200; i++) standingsAt(timeline, Math.floor(next() * end));
  const seekTimes: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const t = Math.floor(next() * end);
    const start = performance.now();
    standingsAt(timeline, t);
    seekTimes.push((performance.now() - start) * 1000);
  }

  const instants = Array.from({ length: 1000 }, () => Math.floor(next() * end));
  let firstStart = performance.now();
  standingsAt(timeline, instants[0]!, { gaps: 'timing-points' });
  const timingPointsFirstSeekMs = performance.now() - firstStart;
  for (let i = 0; i < 200; i++) standingsAt(timeline, instants[i]!, { gaps: 'timing-points' });
  const pointSeekTimes: number[] = [];
  for (const t of instants) {
    firstStart = performance.now();
    standingsAt(timeline, t, { gaps: 'timing-points' });
    pointSeekTimes.push((performance.now() - firstStart) * 1000);
  }

  const importFoldMs = median(importTimes);
  const floorMs = median(floorTimes);
  return {
    file: path.split('/').pop()!,
    importFoldMs: round(importFoldMs),
    floorMs: round(floorMs),
    ratio: round(importFoldMs / floorMs),
    seekMedianUs: round(median(seekTimes), 1),
    seekP99Us: round(percentile(seekTimes, 99), 1),
    seekSamples: seekTimes.length,
    decisions: decisions.length,
    timingPointsFirstSeekMs: round(timingPointsFirstSeekMs),
    timingPointsSeekMedianUs: round(median(pointSeekTimes), 1),
    timingPointsSeekP99Us: round(percentile(pointSeekTimes, 99), 1),
  };
}
