/** Shared by the commands that read lap files: import, report skipped lines, fold. */
import type { TimingEvent } from '../model/events.js';
import { parseRaceTime } from '../model/time.js';
import { foldEvents, type RaceTimeline } from '../engine/timeline.js';
import { importAnalysisFiles } from '../sources/alkamel/import.js';
import { formatIssue } from '../sources/alkamel/parse.js';
import { timing71Events } from '../sources/timing71/index.js';
import { readFile } from 'node:fs/promises';

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

/**
 * A Timing71 replay archive (.zip) → its timing events; race-control messages
 * become events through the decisions parser once it is on this branch.
 */
async function loadTiming71(files: string[]): Promise<TimingEvent[]> {
  if (files.length !== 1) throw new Error(`a Timing71 replay archive is read on its own: got ${files.length} files (${files.join(', ')})`);
  const file = files[0]!;
  let zip: Uint8Array;
  try {
    zip = await readFile(file);
  } catch (error) {
    throw new Error(`${file}: cannot read the archive (${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message})`);
  }
  const { events, raceControl } = timing71Events(zip, file);
  void raceControl; // RACE-CONTROL HOOK (integrator): events.push(...raceControl.flatMap((m) => raceControlEvents(m.text, m.atMs)));
  return events;
}

export async function loadRace(files: string[], options: LoadOptions): Promise<LoadedRace> {
  if (files.some((f) => /\.zip$/i.test(f))) return withOptions(await loadTiming71(files), options);
  const result = await importAnalysisFiles(files, { lenient: options.lenient ?? false });
  if (result.skipped.length > 0) {
    const shown = result.skipped.slice(0, 5).map((i) => `  ${formatIssue(i)}`);
    const more = result.skipped.length > shown.length ? `\n  … and ${result.skipped.length - shown.length} more` : '';
    process.stderr.write(`warning: skipped ${result.skipped.length} bad line(s) (--lenient):\n${shown.join('\n')}${more}\n`);
  }
  return withOptions(result.events, options);
}

/** --duration and --name applied to the session event, then folded. */
function withOptions(imported: TimingEvent[], options: LoadOptions): LoadedRace {
  const events = imported.map((e) => {
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
