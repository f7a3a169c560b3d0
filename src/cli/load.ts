/** Shared by the commands that read lap files: import, report skipped lines, fold. */
import type { TimingEvent } from '../model/events.js';
import { parseRaceTime } from '../model/time.js';
import { foldEvents, type RaceTimeline } from '../engine/timeline.js';
import { inCrossingOrder } from '../engine/crossing-order.js';
import { importAnalysisFiles } from '../sources/alkamel/import.js';
import { formatIssue, type ImportIssue } from '../sources/alkamel/parse.js';
import { raceControlEvents } from '../sources/racecontrol/index.js';
import { timing71Events } from '../sources/timing71/index.js';
import { badRowsWarning } from '../sources/livetiming/index.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyClassificationProfile, parseDecisionsFile } from './results.js';
import { circuitOfRace } from '../sources/circuits.js';
import { imsaWeatherEvents } from '../sources/weather/index.js';
import { raceIdFromFile } from '../sources/replay/index.js';

/** decisions/ in the package: race control's decisions shipped for some races (<race id>-decisions.json). */
export const SHIPPED_DECISIONS_DIR = fileURLToPath(new URL('../../../decisions/', import.meta.url));

/** The help text of --decisions, the same in every command that reads lap files. */
export const DECISIONS_HELP =
  "race control's decisions (penalties, DSQ, NC): a JSON array of decision events or race control's lines each after its race time; 'none' for none (default: the decisions shipped for the race, as `serve` replays it)";

/**
 * `--decisions` as every lap-file command (and `serve`'s replay) takes it:
 * the file given; `none` for no decisions at all; not given, the decisions
 * shipped for the race (`decisions/<race id of the first file>-decisions.json`,
 * the id as serve derives it, e.g. lemans-2019) when there are any, so that
 * the CLI's tables and reports agree with the server's replay of the same
 * file. A shipped file applied is said in one line through `note` (stderr),
 * with how to leave it out. Returns the path to read, or undefined.
 */
export function decisionsOption(
  given: string | undefined,
  files: readonly string[],
  note: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  dir: string = SHIPPED_DECISIONS_DIR,
): string | undefined {
  if (given === 'none') return undefined;
  if (given !== undefined) return given;
  if (files.length === 0) return undefined;
  const race = raceIdFromFile(files[0]!);
  const shipped = join(dir, `${race}-decisions.json`);
  if (!existsSync(shipped)) return undefined;
  note(`sarthe: race control's decisions shipped for ${race} applied (decisions/${race}-decisions.json; --decisions none leaves them out)`);
  return shipped;
}

export interface LoadOptions {
  lenient?: boolean;
  /** Scheduled race length, e.g. "24h", when the file does not show it. */
  duration?: string;
  name?: string;
  /**
   * Race control's decisions file (src/cli/results.ts parseDecisionsFile),
   * read as given: resolve --decisions with decisionsOption first.
   */
  decisions?: string;
  /** A weather station file (IMSA's Al Kamel weather CSV: src/sources/weather/). */
  weather?: string;
}

export interface LoadedRace {
  events: TimingEvent[];
  timeline: RaceTimeline;
}

/**
 * A Timing71 replay archive (.zip) → its timing events, and its race-control
 * messages as decisions or plain messages (src/sources/racecontrol/).
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
  const { events, raceControl, bad } = timing71Events(zip, file);
  if (bad.length > 0) process.stderr.write(badRowsWarning(file, bad));
  return [...events, ...raceControl.flatMap((m) => raceControlEvents(m.text, m.atMs))];
}

export async function loadRace(files: string[], options: LoadOptions): Promise<LoadedRace> {
  if (files.some((f) => /\.zip$/i.test(f))) return withOptions(await loadTiming71(files), options);
  const result = await importAnalysisFiles(files, { lenient: options.lenient ?? false });
  const report = (issues: ImportIssue[], what: string) => {
    if (issues.length === 0) return;
    const shown = issues.slice(0, 5).map((i) => `  ${formatIssue(i)}`);
    const more = issues.length > shown.length ? `\n  … and ${issues.length - shown.length} more` : '';
    process.stderr.write(`warning: ${what.replace('N', String(issues.length))} (--lenient):\n${shown.join('\n')}${more}\n`);
  };
  report(result.skipped, 'skipped N bad line(s)');
  report(result.warnings, 'kept N line(s) that break the file\'s own consistency');
  return withOptions(result.events, options);
}

/**
 * `--weather FILE`: the station's readings at race time. The lap files give
 * race time zero as a local time of day and the station stamps UTC, so the
 * race's circuit profile must name its time zone.
 */
export async function loadWeather(path: string, events: readonly TimingEvent[]): Promise<TimingEvent[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`--weather: cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const session = events.find((e) => e.type === 'session');
  if (session === undefined || session.zeroTimeOfDayMs === null) {
    throw new Error(`--weather: the race gives no time of day for its start (the lap file's HOUR column), so ${path}'s UTC times cannot be placed`);
  }
  const circuit = circuitOfRace(session.name);
  if (circuit?.timeZone === undefined) {
    throw new Error(
      `--weather: no time zone for "${session.name}" (${circuit === null ? 'no circuit profile in rules/circuits names this race' : `rules/circuits/${circuit.circuit}.json has no timeZone`}), so ${path}'s UTC times cannot be placed`,
    );
  }
  return imsaWeatherEvents(text, { zeroTimeOfDayMs: session.zeroTimeOfDayMs, timeZone: circuit.timeZone }, path);
}

/** --duration, --name, --decisions and --weather applied to the imported events, then folded. */
async function withOptions(imported: TimingEvent[], options: LoadOptions): Promise<LoadedRace> {
  const events = imported.map((e) => {
    if (e.type !== 'session') return e;
    const durationMs = options.duration === undefined ? e.scheduledDurationMs : parseRaceTime(options.duration);
    return { ...e, name: options.name ?? e.name, scheduledDurationMs: durationMs ?? e.scheduledDurationMs };
  });
  if (options.decisions !== undefined) {
    const path = options.decisions;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new Error(`--decisions: cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    events.push(...parseDecisionsFile(text, path));
  }
  if (options.weather !== undefined) events.push(...(await loadWeather(options.weather, events)));
  const timeline = foldEvents(keepCrossingOrder(events));
  // A decision for a car the timing does not know changes nothing: a typo in the file must not pass unseen.
  const strangers = [...new Set(timeline.decisions.flatMap((d) => (d.car !== null && !timeline.cars.has(d.car) ? [d.car] : [])))];
  if (strangers.length > 0) {
    process.stderr.write(`warning: --decisions ${options.decisions}: no car ${strangers.map((c) => `#${c}`).join(', ')} in this race: their decisions change nothing\n`);
  }
  // A file is a whole race: timing that stops early means the race was stopped.
  timeline.complete = true;
  applyClassificationProfile(timeline);
  return { events, timeline };
}

/**
 * The events without the laps and sector crossings that contradict the car's
 * crossings before them (engine/crossing-order.ts: a lap completed before the
 * lap below it), each left out said on stderr (the first five): the server
 * refuses them at ingest, and a file read here shows the same race.
 */
export function keepCrossingOrder(events: TimingEvent[], write: (text: string) => void = (text) => process.stderr.write(text)): TimingEvent[] {
  const ordered = inCrossingOrder(events);
  const { refused } = ordered;
  if (refused.length > 0) {
    const shown = refused.slice(0, 5).map((r) => `  ${r.reason}`);
    const more = refused.length > shown.length ? `\n  … and ${refused.length - shown.length} more` : '';
    write(`warning: left out ${refused.length} crossing(s) out of order with the car's others:\n${shown.join('\n')}${more}\n`);
  }
  return ordered.events;
}

/** `--at` as race time in ms, or null for the end of the data. */
export function atOption(text: string | undefined): number | null {
  if (text === undefined) return null;
  return parseRaceTime(text);
}
