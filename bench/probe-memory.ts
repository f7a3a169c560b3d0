/**
 * Run in its own process by bench/main.ts: peak memory of importing one race,
 * folding it and seeking 1,000 times, with nothing else in the process.
 */
import { readFileSync } from 'node:fs';
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents } from '../src/engine/timeline.js';
import { parseAnalysis } from '../src/sources/alkamel/parse.js';
import { peakRssMb } from './stats.js';

const path = process.argv[2]!;
const baseline = peakRssMb();
const timeline = foldEvents(parseAnalysis(readFileSync(path, 'utf8'), { file: path }).events);
for (let i = 0; i < 1000; i++) standingsAt(timeline, Math.floor((i / 1000) * timeline.lastEventMs));
process.stdout.write(JSON.stringify({ peakRssMb: peakRssMb(), nodeBaselineRssMb: baseline }));
