/**
 * Report benchmark on the full Le Mans 2019 lap file: all 24 hour reports,
 * each built (select + realise) and its every fact checked (checkReport), on
 * a freshly folded timeline each run so the memoised indexes are built inside
 * the measurement. Baseline in the same loop, interleaved: the hour facts of
 * all 24 hours alone (what the reports are written from).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { foldEvents, type RaceTimeline } from '../src/engine/timeline.js';
import { hourFactsFromTimeline } from '../src/analysis/hour-facts.js';
import { buildReport, reportHours } from '../src/report/build.js';
import { checkReport } from '../src/report/check.js';
import { renderMarkdown } from '../src/report/render.js';
import { phraseRepetition, REPETITION_BUDGET, type PhraseCount } from '../src/report/repetition.js';
import type { Report } from '../src/report/types.js';
import { parseAnalysis } from '../src/sources/alkamel/parse.js';
import { median, round } from './stats.js';

export interface ReportsBench {
  /** All reports built, rendered and checked; median of the runs. */
  reportsAllHoursMs: number;
  /** Building and rendering alone, and checking alone (medians). */
  reportsBuildMs: number;
  reportsCheckMs: number;
  /** Baseline: hourFactsFromTimeline for the same hours, same loop. */
  reportsHourFactsBaselineMs: number;
  reportsHours: number;
  reportsFactsChecked: number;
  reportsFalseFacts: number;
  reportsRuns: number;
  /** The repetition measure of these reports (src/report/repetition.ts): the most repeated 4-word phrase, against the budget. */
  reportsRepetition: RepetitionBench;
}

export interface RepetitionBench {
  race: string;
  budget: number;
  worst: PhraseCount | null;
  overBudget: number;
  /** Distinct 4-word phrases and their occurrences: how much ordinary wording there is to repeat. */
  phrases: number;
  occurrences: number;
  /** For reading only: the most repeated 3-word phrase (no budget). */
  worst3: PhraseCount | null;
}

/** The repetition measure of a race's reports, all hours. */
export function repetitionOf(race: string, reports: readonly Report[]): RepetitionBench {
  const r = phraseRepetition(reports);
  return { race, budget: REPETITION_BUDGET, worst: r.worst, overBudget: r.overBudget.length, phrases: r.phrases, occurrences: r.occurrences, worst3: phraseRepetition(reports, 3).worst };
}

/** The repetition measure of one lap file's reports (a real race), or null when it cannot be read. */
export function benchRepetition(path: string): RepetitionBench | null {
  let timeline: RaceTimeline;
  try {
    timeline = foldEvents(parseAnalysis(readFileSync(path, 'utf8'), { file: path }).events);
  } catch {
    return null;
  }
  return repetitionOf(basename(path).replace(/-race-analysis\.csv$/, ''), reportHours(timeline).map((h) => buildReport(timeline, h)));
}

export function benchReports(path: string, runs = 7): ReportsBench {
  const events = parseAnalysis(readFileSync(path, 'utf8'), { file: path }).events;
  const hours = reportHours(foldEvents(events));
  let checked = 0;
  let falseFacts = 0;
  let built: Report[] = [];
  const all = (timeline: RaceTimeline) => {
    let build = 0;
    let check = 0;
    checked = 0;
    falseFacts = 0;
    built = [];
    for (const hour of hours) {
      let t = performance.now();
      const report = buildReport(timeline, hour);
      built.push(report);
      renderMarkdown(report);
      build += performance.now() - t;
      t = performance.now();
      const result = checkReport(timeline, report);
      check += performance.now() - t;
      checked += result.checked;
      falseFacts += result.problems.length;
    }
    return { build, check };
  };
  const baseline = (timeline: RaceTimeline) => {
    for (const hour of hours) hourFactsFromTimeline(timeline, hour);
  };
  all(foldEvents(events));
  baseline(foldEvents(events));
  const total: number[] = [];
  const builds: number[] = [];
  const checks: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < runs; i++) {
    const forReports = foldEvents(events);
    let t = performance.now();
    const parts = all(forReports);
    total.push(performance.now() - t);
    builds.push(parts.build);
    checks.push(parts.check);
    const forBaseline = foldEvents(events);
    t = performance.now();
    baseline(forBaseline);
    base.push(performance.now() - t);
  }
  return {
    reportsAllHoursMs: round(median(total)),
    reportsBuildMs: round(median(builds)),
    reportsCheckMs: round(median(checks)),
    reportsHourFactsBaselineMs: round(median(base)),
    reportsHours: hours.length,
    reportsFactsChecked: checked,
    reportsFalseFacts: falseFacts,
    reportsRuns: runs,
    reportsRepetition: repetitionOf(basename(path).replace(/-race-analysis\.csv$/, ''), built),
  };
}
