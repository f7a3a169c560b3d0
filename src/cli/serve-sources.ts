/**
 * The live-source options of `sarthe serve` (kept apart from serve.ts so the
 * command stays small): `--source rmonitor://HOST:PORT`, `--session-type`,
 * `--stall-after`, and `--watch DIR`.
 */
import type { Command } from 'commander';
import type { FastifyBaseLogger } from 'fastify';
import type { SessionType } from '../model/events.js';
import type { RaceHub } from '../server/races.js';
import { runLiveSource, type LiveSourceRun } from '../server/live-source.js';
import { parseRMonitorUrl, RMonitorTcpSource } from '../sources/rmonitor/client.js';
import { WatchFolderSource } from '../sources/watch/index.js';
import { parseRaceTime } from '../model/time.js';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './errors.js';

export interface SourceOptions {
  source?: string;
  sessionType?: string;
  stallAfter: string;
  race?: string;
  watch?: string;
  duration?: string;
}

const SESSION_TYPES: readonly SessionType[] = ['race', 'practice', 'qualifying', 'test'];

export function addSourceOptions(command: Command): Command {
  return command
    .option('--source <url>', 'follow a live timing feed: rmonitor://HOST:PORT (Orbits / Race Monitor); each session becomes a race')
    .option('--session-type <type>', 'race, practice, qualifying or test, when the feed\'s session name does not say')
    .option('--stall-after <seconds>', 'a live feed silent this long is shown as "feed stalled since …"', '5')
    .option('--watch <dir>', 'import each new or grown Al Kamel Analysis file in this folder as it lands ("Hour 1", "Hour 2", …)')
    .option('--duration <time>', 'with --watch: the scheduled race length (e.g. 24h) while no file shows the chequered flag');
}

/** True when live sources replace the demo replay. */
export function hasLiveSource(options: SourceOptions): boolean {
  return options.source !== undefined || options.watch !== undefined;
}

/** Validates the options before the server starts (bad input: a clear error, nothing started). */
export function checkSourceOptions(options: SourceOptions): void {
  if (options.sessionType !== undefined && !SESSION_TYPES.includes(options.sessionType as SessionType)) {
    throw new Error(`--session-type must be one of ${SESSION_TYPES.join(', ')}, got "${options.sessionType}"`);
  }
  if (!(Number(options.stallAfter) > 0)) throw new Error(`--stall-after must be seconds above 0, got "${options.stallAfter}"`);
  if (options.source !== undefined) parseRMonitorUrl(options.source);
  if (options.watch !== undefined && !(existsSync(options.watch) && statSync(options.watch).isDirectory())) throw new Error(`--watch ${options.watch}: no such folder`);
  if (options.duration !== undefined && !(parseRaceTime(options.duration)! > 0)) throw new Error(`--duration must be a race length such as 24h or 6:00:00, got "${options.duration}"`);
}

/**
 * Refuses (usage error, exit 2) an option given on the command line that
 * nothing in this start would read (issue 16: "a filter a command cannot
 * apply is refused, not ignored"): replay options with nothing replayed,
 * the feed's with no --source, --duration with no --watch, --race with
 * neither a replay nor a source. `given` says whether the command line set it.
 */
export function refuseUnusedOptions(options: SourceOptions, replaying: boolean, given: (key: string) => boolean): void {
  const unused: Array<[string[], boolean, string]> = [
    [['speed', 'from', 'tick'], !replaying, 'nothing is replayed'],
    [['race'], !replaying && !hasLiveSource(options), 'nothing is replayed or followed'],
    [['sessionType', 'stallAfter'], options.source === undefined, 'they are for a live feed (--source)'],
    [['duration'], options.watch === undefined, 'it is for a watched folder (--watch)'],
  ];
  for (const [keys, idle, why] of unused) {
    const flags = keys.filter((key) => idle && given(key)).map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    if (flags.length > 0) throw new UsageError(`${flags.join(', ')} cannot apply: ${why}`);
  }
}

export function startLiveSources(hub: RaceHub, log: FastifyBaseLogger, options: SourceOptions): LiveSourceRun[] {
  const runs: LiveSourceRun[] = [];
  if (options.source !== undefined) {
    const { host, port } = parseRMonitorUrl(options.source);
    const source = new RMonitorTcpSource({
      host,
      port,
      sessionType: options.sessionType as SessionType | undefined,
      stallAfterMs: Number(options.stallAfter) * 1000,
    });
    log.info({ source: source.name }, `following the live feed ${source.name}`);
    runs.push(runLiveSource(hub, log, source, options.race ?? 'rmonitor'));
  }
  if (options.watch !== undefined) {
    const source = new WatchFolderSource({ dir: resolve(options.watch), durationMs: options.duration === undefined ? null : parseRaceTime(options.duration) });
    log.info({ source: source.name }, `watching ${resolve(options.watch)} for Al Kamel Analysis files`);
    runs.push(runLiveSource(hub, log, source, options.race ?? ''));
  }
  return runs;
}
