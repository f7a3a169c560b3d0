/** Shared by the commands that read lap files: import, report skipped lines, fold. */
import type { TimingEvent } from '../model/events.js';
import { parseRaceTime } from '../model/time.js';
import { foldEvents, type RaceTimeline } from '../engine/timeline.js';
import { importAnalysisFiles } from '../sources/alkamel/import.js';
import { formatIssue, type ImportIssue } from '../sources/alkamel/parse.js';

export interface LoadOptions {
  lenient?: boolean;
  /** Scheduled race length, e.g. "24h", when the file does not show it. */
  duration?: string;
  name?: string;
}

export interface LoadedRace {
  events: TimingEvent[];
  timeline: RaceTimeline;
}

export async function loadRace(files: string[], options: LoadOptions): Promise<LoadedRace> {
  const result = await importAnalysisFiles(files, { lenient: options.lenient ?? false });
  const report = (issues: ImportIssue[], what: string) => {
    if (issues.length === 0) return;
    const shown = issues.slice(0, 5).map((i) => `  ${formatIssue(i)}`);
    const more = issues.length > shown.length ? `\n  … and ${issues.length - shown.length} more` : '';
    process.stderr.write(`warning: ${what.replace('N', String(issues.length))} (--lenient):\n${shown.join('\n')}${more}\n`);
  };
  report(result.skipped, 'skipped N bad line(s)');
  report(result.warnings, 'kept N line(s) that break the file\'s own consistency');
  const events = result.events.map((e) => {
    if (e.type !== 'session') return e;
    const durationMs = options.duration === undefined ? e.scheduledDurationMs : parseRaceTime(options.duration);
    return { ...e, name: options.name ?? e.name, scheduledDurationMs: durationMs ?? e.scheduledDurationMs };
  });
  return { events, timeline: foldEvents(events) };
}

/** `--at` as race time in ms, or null for the end of the data. */
export function atOption(text: string | undefined): number | null {
  if (text === undefined) return null;
  return parseRaceTime(text);
}
