/**
 * `sarthe serve`: the live server. With no option it replays the demo race
 * (Le Mans 2019, in the repo) as if live at 60×, so `npm start` shows Sarthe
 * working with no setup.
 *
 *   sarthe serve [--port 8024] [--host localhost] [--db ./data/sarthe.db]
 *                [--replay FILE… | --no-replay] [--race ID] [--speed 60] [--from 20h]
 *
 * Ingest is enabled by the SARTHE_INGEST_TOKEN environment variable (a flag
 * would show the token in `ps`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { FastifyBaseLogger } from 'fastify';
import { eventTimeMs } from '../model/events.js';
import { formatRaceTime, parseRaceTime } from '../model/time.js';
import { buildServer } from '../server/app.js';
import type { RaceHub } from '../server/races.js';
import { Replay, raceIdFromFile } from '../sources/replay/index.js';
import { isRaceId } from '../store/index.js';
import { SqliteEventStore } from '../store/sqlite/index.js';
import { SqliteContentStore } from '../store/sqlite/content.js';
import { loadRace } from './load.js';
import { parseRegulationProfile, type RegulationProfile } from '../analysis/index.js';
import { addSourceOptions, checkSourceOptions, hasLiveSource, startLiveSources, type SourceOptions } from './serve-sources.js';
import type { LiveSourceRun } from '../server/live-source.js';

interface Options extends SourceOptions {
  port: string;
  host: string;
  db: string;
  replay?: string[] | boolean;
  race?: string;
  speed: string;
  from: string;
  tick: string;
  logLevel: string;
  webRoot?: string;
  reports: string;
  site?: boolean;
  synchronous: string;
  rules?: string;
}

/** The repository (or installed package) root: dist/src/cli → three levels up. */
const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const DEMO_RACE = join(packageRoot, 'demo', 'lemans-2019-race-analysis.csv');

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the live server: ingest API, REST API, live push, web app; replays the demo race unless told otherwise')
    .option('--port <port>', 'TCP port', '8024')
    .option('--host <host>', 'address to listen on (localhost = 127.0.0.1 and ::1; 0.0.0.0 to open it to the network)', 'localhost')
    .option('--db <file>', 'event store (SQLite file)', './data/sarthe.db')
    .option('--replay <file...>', 'lap file(s) of one race, or a Timing71 replay archive (.zip), to replay as if live (default: the demo race, Le Mans 2019)')
    .option('--no-replay', 'replay nothing: serve what the store holds and what is ingested')
    .option('--race <id>', 'race id for the replay (default: from the file name, e.g. lemans-2019)')
    .option('--speed <x>', 'replay speed: race seconds per second', '60')
    .option('--from <time>', 'start the replay at this race time, e.g. 20h (earlier events are stored at once)', '0')
    .option('--tick <ms>', 'wall milliseconds between two replay commits', '250')
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .option('--reports <mode>', 'hourly reports: publish (as soon as drafted) or review (drafts wait for an editor)', 'publish')
    .option('--web-root <dir>', 'built web app to serve at / (default: dist/web)')
    .option('--synchronous <mode>', 'full: an accepted event is fsynced (survives a power cut); normal: survives a crash of the server, not of the machine', 'full')
    .option('--rules <file>', 'drive-time regulation profile (JSON) to check every race against (default: rules/lemans.json for Le Mans races, none for others)')
    .option('--no-site', 'no news site and no hourly report desk: the live server and the web app only (the live bench uses it)');
  addSourceOptions(serve)
    .action(async (options: Options) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got "${options.port}"`);
      const speed = Number(options.speed);
      if (!(speed > 0)) throw new Error(`--speed must be a number above 0, got "${options.speed}"`);
      const tickMs = Number(options.tick);
      if (!(tickMs >= 10)) throw new Error(`--tick must be at least 10 (ms), got "${options.tick}"`);
      const fromMs = parseRaceTime(options.from) ?? 0;
      if (options.race !== undefined && !isRaceId(options.race)) throw new Error(`--race "${options.race}": use lowercase letters, digits, - and _`);
      checkSourceOptions(options);
      const files = options.replay === false ? [] : Array.isArray(options.replay) ? options.replay : hasLiveSource(options) ? [] : [DEMO_RACE];

      if (options.reports !== 'publish' && options.reports !== 'review') throw new Error(`--reports must be publish or review, got "${options.reports}"`);

      if (options.synchronous !== 'full' && options.synchronous !== 'normal') throw new Error(`--synchronous must be full or normal, got "${options.synchronous}"`);
      const store = new SqliteEventStore({ file: resolve(options.db), synchronous: options.synchronous });
      // The news site's articles and users live in the same database file.
      const content = new SqliteContentStore({ file: resolve(options.db) });
      const adminEmail = process.env.SARTHE_ADMIN_EMAIL;
      const adminPassword = process.env.SARTHE_ADMIN_PASSWORD;
      const rulesFor = raceRules(options.rules);
      const app = await buildServer({
        store,
        rulesFor,
        ingestToken: process.env.SARTHE_INGEST_TOKEN ?? null,
        logger: { level: options.logLevel },
        webRoot: options.webRoot ?? join(packageRoot, 'dist', 'web'),
        site: options.site === false ? null : {
          content,
          autoPublish: options.reports === 'publish',
          admin: adminEmail && adminPassword ? { email: adminEmail, password: adminPassword } : null,
          baseUrl: process.env.SARTHE_PUBLIC_URL ?? null,
        },
      });
      const log = app.log;
      let replay: Replay | null = null;
      let sources: LiveSourceRun[] = [];
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down');
        replay?.stop();
        for (const run of sources) run.source.stop();
        await app.close();
        await store.close();
        await content.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));

      try {
        await app.listen({ port, host: options.host });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${port} is in use: choose another with --port`);
        throw error;
      }
      const address = app.server.address();
      const shown = typeof address === 'object' && address !== null ? address.port : port;
      const base = `http://${options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host}:${shown}`;
      log.info(
        { db: resolve(options.db), ingest: process.env.SARTHE_INGEST_TOKEN ? 'enabled' : 'disabled (set SARTHE_INGEST_TOKEN)' },
        `Sarthe listening on ${base} (API docs: ${base}/api/docs)`,
      );
      if (files.length > 0) {
        try {
          replay = await startReplay(app.sarthe.hub, log, files, { race: options.race, speed, fromMs, tickMs, base });
        } catch (error) {
          await app.close();
          await store.close();
          throw error;
        }
      }
      sources = startLiveSources(app.sarthe.hub, log, options);
    });
}

async function startReplay(
  hub: RaceHub,
  log: FastifyBaseLogger,
  files: string[],
  options: { race: string | undefined; speed: number; fromMs: number; tickMs: number; base: string },
): Promise<Replay | null> {
  const { events } = await loadRace(files, {});
  const endMs = events.reduce((max, e) => Math.max(max, eventTimeMs(e)), 0);
  // An interrupted replay resumes; a finished one is left as it is and the
  // replay starts again under the next free id (lemans-2019-2, …).
  const base = options.race ?? raceIdFromFile(files[0]!);
  let id = base;
  for (let n = 2; (hub.get(id)?.raceTimeMs ?? -1) >= endMs; n++) {
    if (options.race !== undefined) {
      log.warn({ race: id }, 'this race is already complete in the store: nothing to replay (choose another --race or --db)');
      return null;
    }
    id = `${base}-${n}`;
  }
  const resumeMs = hub.get(id)?.raceTimeMs ?? 0;
  const fromMs = Math.max(options.fromMs, resumeMs);
  log.info(
    { race: id, files, events: events.length, speed: options.speed, from: formatRaceTime(fromMs), resumed: resumeMs > 0 },
    `replaying as live: watch with curl -N ${options.base}/api/races/${id}/live`,
  );
  const replay = new Replay({
    events,
    speed: options.speed,
    fromMs,
    tickMs: options.tickMs,
    send: async (batch) => {
      await hub.ingest(id, batch);
    },
    onProgress: (p) =>
      log.info(
        { race: id, clock: formatRaceTime(p.clockMs), percent: Math.round((1000 * p.clockMs) / Math.max(1, p.endMs)) / 10, sent: p.sent, of: p.total, seq: hub.get(id)?.seq ?? 0 },
        p.done ? 'replay finished' : 'replay progress',
      ),
  });
  replay.run().catch((error: unknown) => log.error({ err: error, race: id }, 'replay failed'));
  return replay;
}

/**
 * Which drive-time rules a race is checked against: the profile given with
 * --rules for every race, else the shipped Le Mans profile for races named
 * "Le Mans" (its values are the 2019 ones, as the file says), else none.
 */
function raceRules(file: string | undefined): (race: { name: string }) => RegulationProfile | null {
  const read = (path: string) => {
    if (!existsSync(path)) throw new Error(`--rules: no regulation profile at ${path} (see rules/lemans.json for the format)`);
    return parseRegulationProfile(readFileSync(path, 'utf8'), path);
  };
  if (file !== undefined) {
    const profile = read(resolve(file));
    return () => profile;
  }
  const leMans = read(join(packageRoot, 'rules', 'lemans.json'));
  return (race) => (/le mans/i.test(race.name) ? leMans : null);
}

