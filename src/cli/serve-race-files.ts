/**
 * What `sarthe serve` reads about a race besides its timing: the entry list
 * (`--entry-list [RACE=]FILE`: driver categories and full names, e.g. an
 * IMSA results CSV) and race control's decisions for the replayed race
 * (`--decisions FILE`, else the shipped decisions/<race>-decisions.json),
 * each read and checked before the server starts.
 */
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseEntryList, type EntryList } from '../analysis/entry-list.js';
import type { EntryListFor } from '../server/analysis.js';
import { RACE_ID_PATTERN } from '../store/index.js';
import { parseDecisionsFile } from './results.js';
import { decisionsOption } from './load.js';
import { UsageError } from './errors.js';

/** `RACE=FILE` names the race; a value without a race id before `=` is a file for every race. */
const RACE_SPEC = /^([^=/\\]+)=(.+)$/;

/**
 * The entry lists of `--entry-list`, as the server asks for them. Each value
 * is `FILE` (every race without a list of its own, as --rules) or
 * `RACE=FILE` (that race id only; it wins over a plain FILE). Every file is
 * read and parsed now: an unreadable or bad file throws an Error naming the
 * file (and, for a bad cell, its line and column), and the server does not
 * start. Two plain files, or one race named twice, is a UsageError.
 */
export function entryListsOption(values: readonly string[] | undefined): { entryListFor: EntryListFor; described: Record<string, string> } {
  let every: EntryList | null = null;
  const perRace = new Map<string, EntryList>();
  const described: Record<string, string> = {};
  for (const value of values ?? []) {
    const spec = RACE_SPEC.exec(value);
    const race = spec !== null && RACE_ID_PATTERN.test(spec[1]!) ? spec[1]! : null;
    const file = race === null ? value : spec![2]!;
    if (race === null && every !== null) throw new UsageError(`--entry-list: one file applies to every race; name the race of the other one (--entry-list RACE=${value})`);
    if (race !== null && perRace.has(race)) throw new UsageError(`--entry-list: race "${race}" is given two entry lists`);
    const list = readEntryList(file);
    if (race === null) every = list;
    else perRace.set(race, list);
    described[race ?? '*'] = `${basename(file)} (${list.cars.length} cars, ${list.cars.reduce((n, c) => n + c.drivers.length, 0)} drivers)`;
  }
  return { entryListFor: (race) => perRace.get(race.id) ?? every, described };
}

function readEntryList(file: string): EntryList {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`--entry-list: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message}`);
  }
  // EntryListError's message starts with the file, then the line and column.
  try {
    return parseEntryList(text, file);
  } catch (error) {
    throw new Error(`--entry-list ${(error as Error).message}`);
  }
}

/**
 * Each `--replay` file can be opened for reading, checked before the server
 * opens its store or binds its port: a mistyped path is a one-line error at
 * once, not a server that starts, listens and then logs "replay failed".
 * Throws a UsageError naming the file and why ("no such file", "it is a
 * folder", "permission denied", else the system's message).
 */
export function checkReplayFiles(files: readonly string[]): void {
  for (const file of files) {
    let why: string | null = null;
    try {
      if (statSync(file).isDirectory()) why = 'it is a folder';
      else closeSync(openSync(file, 'r'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message;
    }
    if (why !== null) throw new UsageError(`--replay: cannot read ${file}: ${why}`);
  }
}

/**
 * The decisions file for a replay of `files`: `--decisions FILE` when given
 * (checked now: a bad one stops the start), none for `--decisions none`, else
 * the decisions shipped for that race (load.ts decisionsOption:
 * decisions/<race id of the first file>-decisions.json, e.g. lemans-2019 for
 * the demo race) when there are any.
 */
export function replayDecisions(given: string | undefined, files: readonly string[], decisionsDir: string): string | undefined {
  if (given !== undefined && given !== 'none') {
    let text: string;
    try {
      text = readFileSync(given, 'utf8');
    } catch (error) {
      throw new Error(`--decisions: cannot read ${given}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    parseDecisionsFile(text, given);
    return given;
  }
  // The server logs what it replays; the shipped file needs no stderr note here.
  return decisionsOption(given, files, () => {}, decisionsDir);
}
