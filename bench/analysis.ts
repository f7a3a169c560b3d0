/**
 * Analysis benchmark on the full Le Mans 2019 lap file: every analysis of
 * src/analysis at the end of the race (analysisMs) and the hour facts of all
 * 24 hours (hourFactsMs), each on a freshly folded timeline so the memoised
 * indexes are built inside the measurement. Import + fold is measured in the
 * same loop (interleaved) as the baseline: target analysisMs ≤ 2 × importFoldMs,
 * judged on the median of the per-run ratios.
 */
import { readFileSync } from 'node:fs';
import { foldEvents, type RaceTimeline } from '../src/engine/timeline.js';
import { standingsAt } from '../src/engine/standings.js';
import { parseAnalysis } from '../src/sources/alkamel/parse.js';
import { pitStops, unmarkedPitTimes } from '../src/analysis/pits.js';
import { stints } from '../src/analysis/stints.js';
import { driveTimes } from '../src/analysis/drive-time.js';
import { checkDriveTimes, parseRegulationProfile } from '../src/analysis/rules.js';
import { flagPeriods } from '../src/analysis/flags.js';
import { raceHistory } from '../src/analysis/history.js';
import { hourFactsFromTimeline } from '../src/analysis/hour-facts.js';
import { median, round } from './stats.js';

export interface AnalysisBench {
  importFoldMs: number;
  analysisMs: number;
  analysisToImportFold: number;
  hourFactsMs: number;
  hours: number;
  runs: number;
}

export function benchAnalysis(path: string, rulesPath: string, runs = 21): AnalysisBench {
  const text = readFileSync(path, 'utf8');
  const profile = parseRegulationProfile(readFileSync(rulesPath, 'utf8'), rulesPath);
  const importFold = () => {
    const timeline = foldEvents(parseAnalysis(text, { file: path }).events);
    standingsAt(timeline, null);
    return timeline;
  };
  const events = parseAnalysis(text, { file: path }).events;
  const analyse = (timeline: RaceTimeline) => [
    pitStops(timeline),
    unmarkedPitTimes(timeline),
    stints(timeline),
    driveTimes(timeline),
    checkDriveTimes(timeline, { profile }),
    flagPeriods(timeline),
    raceHistory(timeline),
  ];
  const hours = Math.round((foldEvents(events).session?.scheduledDurationMs ?? 24 * 3_600_000) / 3_600_000);
  const allHours = (timeline: RaceTimeline) => {
    for (let h = 1; h <= hours; h++) hourFactsFromTimeline(timeline, h);
  };

  for (let i = 0; i < 2; i++) {
    importFold();
    analyse(foldEvents(events));
    allHours(foldEvents(events));
  }
  const importTimes: number[] = [];
  const analysisTimes: number[] = [];
  const hourTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    importFold();
    importTimes.push(performance.now() - t);

    const forAnalysis = foldEvents(events);
    t = performance.now();
    analyse(forAnalysis);
    analysisTimes.push(performance.now() - t);

    const forHours = foldEvents(events);
    t = performance.now();
    allHours(forHours);
    hourTimes.push(performance.now() - t);
  }
  const importFoldMs = median(importTimes);
  const analysisMs = median(analysisTimes);
  // The ratio is the median of each run's pair (measured back to back), so a
  // burst of load on the shared machine hits both sides of one ratio alike.
  const pairRatios = analysisTimes.map((a, i) => a / importTimes[i]!);
  return {
    importFoldMs: round(importFoldMs),
    analysisMs: round(analysisMs),
    analysisToImportFold: round(median(pairRatios)),
    hourFactsMs: round(median(hourTimes)),
    hours,
    runs,
  };
}
