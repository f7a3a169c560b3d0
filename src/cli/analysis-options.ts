/**
 * Options shared by the analysis commands (pits, stints, drivers, flags,
 * history, facts): which cars, which instant, the entry list and the rules.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { HOUR, formatRaceTime } from '../model/time.js';
import { classKey } from '../engine/standings.js';
import type { RaceTimeline } from '../engine/timeline.js';
import { parseEntryList, type EntryList } from '../analysis/entry-list.js';
import { parseRegulationProfile, type RegulationProfile } from '../analysis/rules.js';
import { atOption, DECISIONS_HELP, decisionsOption, loadRace } from './load.js';
import { UsageError } from './errors.js';
import { reportHours } from '../report/build.js';

export interface AnalysisCliOptions {
  car?: string[];
  class?: string;
  at?: string;
  hour?: string;
  entryList?: string;
  rules?: string;
  json?: boolean;
  lenient?: boolean;
  duration?: string;
  decisions?: string;
  weather?: string;
}

export interface AnalysisInput {
  timeline: RaceTimeline;
  /** Race time of the analysis. */
  at: number;
  /** The hour asked for with --hour, as race time ((N−1)h, Nh]. */
  hour: { number: number; fromMs: number; toMs: number } | null;
  /** Cars selected by --car / --class, or undefined for all. */
  cars: string[] | undefined;
  entryList: EntryList | undefined;
  rules: RegulationProfile | undefined;
  title: string;
}

/**
 * Declares the shared options. A command declares only the filters it
 * applies (`car`, `class`, `at`, `hour`, `entryList`, `rules`: false to leave
 * one out), so one it cannot apply is refused as an unknown option (exit 2)
 * instead of being ignored (issue 16).
 */
export function withAnalysisOptions(
  command: Command,
  extra: { rules?: boolean; car?: boolean; class?: boolean; at?: boolean; hour?: boolean; entryList?: boolean } = {},
): Command {
  command.argument('<file...>', 'Al Kamel Analysis CSV file(s) of one race, oldest first');
  if (extra.car !== false) {
    command.option(
      '--car <number>',
      'only this car (as written: 007 is not 7); repeat or use commas for several',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter((v) => v !== '')],
    );
  }
  if (extra.class !== false) command.option('--class <name>', 'only this class, e.g. LMP2 or "LMGTE Am"');
  if (extra.at !== false) command.option('--at <time>', 'race time of the analysis: 22h, 6:30, 5:59:59.5 or end', 'end');
  if (extra.hour !== false) command.option('--hour <n>', 'only hour N of the race (race time N−1 h to N h); the analysis is at N h');
  if (extra.entryList !== false) command.option('--entry-list <file>', 'entry list (JSON or CSV): driver categories, display names, team short names');
  command
    .option('--json', 'print JSON instead of a table')
    .option('--lenient', 'skip bad lines (each one reported) instead of failing')
    .option('--duration <time>', 'scheduled race length when the file does not show it, e.g. 24h')
    .option('--decisions <file>', DECISIONS_HELP)
    .option('--weather <file>', "weather station readings (IMSA's weather CSV): the reports say the weather");
  if (extra.rules !== false) command.option('--rules <file>', 'regulation profile (JSON), e.g. rules/lemans.json');
  return command;
}

export async function loadAnalysisInput(files: string[], options: AnalysisCliOptions): Promise<AnalysisInput> {
  const hourNumber = options.hour === undefined ? null : Number(options.hour);
  if (hourNumber !== null && (!Number.isInteger(hourNumber) || hourNumber < 1)) {
    throw new UsageError(`--hour must be a whole number from 1, got "${options.hour}"`);
  }
  const explicitAt = options.at !== undefined && options.at !== 'end' ? usageAt(options.at) : null;
  const { timeline } = await loadRace(files, { ...options, decisions: decisionsOption(options.decisions, files) });
  if (hourNumber !== null) checkHour(timeline, hourNumber);
  if (explicitAt !== null) checkAt(timeline, explicitAt, options.at!);
  const hour = hourNumber === null ? null : { number: hourNumber, fromMs: (hourNumber - 1) * HOUR, toMs: hourNumber * HOUR };
  const at = explicitAt ?? hour?.toMs ?? timeline.lastEventMs;

  let cars: string[] | undefined;
  if (options.car !== undefined) {
    const unknown = options.car.filter((c) => !timeline.cars.has(c));
    if (unknown.length > 0) {
      const known = [...timeline.cars.keys()].join(', ');
      throw new Error(`no car ${unknown.map((c) => `#${c}`).join(', ')} in this race; cars: ${known}`);
    }
    cars = options.car;
  }
  if (options.class !== undefined) {
    const wanted = classKey(options.class);
    const inClass = [...timeline.cars.values()].filter((c) => classKey(c.entry.class) === wanted).map((c) => c.number);
    if (inClass.length === 0) {
      const known = [...new Set([...timeline.cars.values()].map((c) => c.entry.class))].join(', ');
      throw new Error(`no car in class "${options.class}"; classes in this race: ${known}`);
    }
    cars = cars === undefined ? inClass : cars.filter((c) => inClass.includes(c));
  }
  const entryList =
    options.entryList === undefined ? undefined : parseEntryList(await readText(options.entryList), options.entryList);
  const rules = options.rules === undefined ? undefined : parseRegulationProfile(await readText(options.rules), options.rules);
  const name = timeline.session?.name ?? 'Race';
  const title = hour !== null && explicitAt === null ? `${name} — hour ${hour.number}` : `${name} — at ${formatRaceTime(at)}`;
  return { timeline, at, hour, cars, entryList, rules, title };
}

/** A file's text, or an error naming the file and why it cannot be read. */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new Error(`cannot read ${path}: ${reason}`);
  }
}

/** `--at` text as race time, or a usage error (exit 2) naming the option. */
export function usageAt(text: string): number | null {
  try {
    return atOption(text);
  } catch (error) {
    throw new UsageError(`--at: ${(error as Error).message}`);
  }
}

/** Hour N must be one the race's timing covers (as the report's hours): a data error (exit 1) otherwise. */
export function checkHour(timeline: RaceTimeline, hour: number): void {
  const hours = reportHours(timeline);
  if (!hours.includes(hour)) throw new Error(`no hour ${hour} in this race: its timing covers hours 1 to ${hours.at(-1)}`);
}

/** An instant after both the data and the scheduled length is beyond the race: a data error (exit 1). */
export function checkAt(timeline: RaceTimeline, at: number, text: string): void {
  const endMs = Math.max(timeline.lastEventMs, timeline.session?.scheduledDurationMs ?? 0);
  if (at > endMs) throw new Error(`--at ${text} (${formatRaceTime(at)}) is beyond this race: its timing ends at ${formatRaceTime(endMs)}`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
