/**
 * Engine benchmark on the full Le Mans 2019 lap file: import + fold against
 * the floor of merely reading and splitting the file, measured in the same
 * run (interleaved, so machine noise hits both alike), and seeking.
 */
import { readFileSync } from 'node:fs';
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
}

/** The floor: read the bytes, split into lines and fields, nothing else. */
function floor(path: string): number {
  const text = readFileSync(path, 'utf8');
  let fields = 0;
  for (const line of text.split('\n')) fields += line.split(';').length;
  return fields;
}

function importFold(path: string) {
  const parsed = parseAnalysis(readFileSync(path, 'utf8'), { file: path });
  const timeline = foldEvents(parsed.events);
  standingsAt(timeline, null);
  return timeline;
}

export function benchEngine(path: string, runs = 21): EngineBench {
  for (let i = 0; i < 3; i++) {
    floor(path);
    importFold(path);
  }
  const floorTimes: number[] = [];
  const importTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    floor(path);
    floorTimes.push(performance.now() - t);
    t = performance.now();
    importFold(path);
    importTimes.push(performance.now() - t);
  }

  const timeline = importFold(path);
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
  };
}
