/**
 * `sarthe serve`: the live server. With no option it replays the demo race
 * (Le Mans 2019, in the repo) as if live at 60×, so `npm start` shows Sarthe
 * working with no setup.
 *
 *   sarthe serve [--port 8024] [--host localhost] [--db ./data/sarthe.db | --store postgres://…]
 *                [--replay FILE… | --no-replay] [--race ID] [--speed 60] [--from 20h]
 *                [--entry-list [RACE=]FILE…] [--decisions FILE]
 *                [--trust-proxy 127.0.0.1] [--max-connections N] [--…-timeout MS]
 *                [--role all|ingest|edge] [--bus nats://…] [--deployment sarthe]
 *
 * Ingest is enabled by the SARTHE_INGEST_TOKEN environment variable (a flag
 * would show the token in `ps`).
 */
import { installClassificationProfiles } from '../model/classification.js';
import { shippedClassificationProfiles } from './results.js';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { FastifyBaseLogger } from 'fastify';
import { eventTimeMs } from '../model/events.js';
import { formatRaceTime } from '../model/time.js';
import { buildServer } from '../server/app.js';
import { DEFAULT_LIMITS, type HttpLimits } from '../server/limits.js';
import type { RaceHub } from '../server/races.js';
import { Replay, raceIdFromFile, withSectorEvents } from '../sources/replay/index.js';
import { redFlagResultMs } from '../engine/finish.js';
import { archiveEarlierRuns } from '../server/site/replays.js';
import { DESK_THREAD } from '../server/site/index.js';
import { openStores } from '../store/open.js';
import { loadRace } from './load.js';
import { parseRegulationProfile, type RegulationProfile } from '../analysis/index.js';
import { gracefulShutdown } from '../server/shutdown.js';
import { ConfigError, serveConfig } from './config.js';
import { UsageError } from './errors.js';
import { checkReplayFiles, entryListsOption, replayDecisions } from './serve-race-files.js';
import { startRole } from '../server/roles.js';
import { addSourceOptions, checkSourceOptions, hasLiveSource, refuseUnusedOptions, startLiveSources, type SourceOptions } from './serve-sources.js';
import type { LiveSourceRun } from '../server/live-source.js';

interface Options extends SourceOptions {
  port: string;
  host: string;
  db: string;
  store?: string;
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
  entryList?: string[];
  decisions?: string;
  trustProxy?: string;
  maxConnections: string;
  headersTimeout: string;
  requestTimeout: string;
  idleTimeout: string;
  role: string;
  bus?: string;
  deployment: string;
  edgeCatchUp: string;
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
    .option('--store <url>', 'events and content in Postgres instead of the SQLite file: postgres://user@host:port/db (env SARTHE_STORE)')
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
    .option('--rules <file>', 'drive-time regulation profile (JSON) to check every race against (default: rules/imsa.json for IMSA races, rules/lemans.json for Le Mans, none for others)')
    .option('--entry-list <file...>', 'entry list(s): driver categories and full names (JSON, CSV, or an Al Kamel results CSV such as IMSA\'s); FILE for every race, RACE=FILE for one race id')
    .option('--decisions <file>', "race control's decisions for the replayed race (JSON array or race-control lines; 'none' for none; default: decisions/<race>-decisions.json when shipped)")
    .option('--trust-proxy <proxies>', 'believe X-Forwarded-Proto/-For from these proxies: an address or CIDR list ("127.0.0.1,10.0.0.0/8"), a hop count, or true (docs/operations.md)')
    .option('--max-connections <n>', 'open connections at most, live viewers included', String(DEFAULT_LIMITS.maxConnections))
    .option('--headers-timeout <ms>', 'time to receive a request head', String(DEFAULT_LIMITS.headersTimeoutMs))
    .option('--request-timeout <ms>', 'time to receive a whole request, head and body', String(DEFAULT_LIMITS.requestTimeoutMs))
    .option('--idle-timeout <ms>', 'a connection silent both ways this long is closed', String(DEFAULT_LIMITS.idleTimeoutMs))
    .option('--no-site', 'no news site and no hourly report desk: the live server and the web app only (the live bench uses it)')
    .option('--role <role>', 'all (one process), ingest (sources, ingest API, store; shares commits on --bus) or edge (follows --bus, serves viewers); env SARTHE_ROLE', 'all')
    .option('--bus <url>', 'NATS JetStream between ingest and edges, e.g. nats://127.0.0.1:4222; env SARTHE_BUS (default: in-process)')
    .option('--deployment <name>', 'this deployment\'s name on the bus (lowercase, digits, - and _): its NATS stream and subjects, so two deployments (prod, staging) share a NATS server without mixing; env SARTHE_DEPLOYMENT', 'sarthe')
    .option('--edge-catch-up <ms>', 'edge: wall ms between two comparisons with the store, the safety net under the bus (0: never)', '10000');
  addSourceOptions(serve)
    .action(async (options: Options, command: Command) => {
      const { config, warnings } = serveConfig({ values: { ...options }, given: (key) => command.getOptionValueSource(key) === 'cli' }, process.env);
      const port = config['--port'];
      checkSourceOptions(options);
      const role = config['--role'];
      if (role === 'edge' && (hasLiveSource(options) || Array.isArray(options.replay))) {
        throw new ConfigError(['--role edge: an edge runs no replay and no source (they belong to the ingest process): drop --replay, --source and --watch']);
      }
      const files = role === 'edge' || options.replay === false ? [] : Array.isArray(options.replay) ? options.replay : hasLiveSource(options) ? [] : [DEMO_RACE];
      refuseUnusedOptions(options, files.length > 0, (key) => command.getOptionValueSource(key) === 'cli');
      if (options.decisions !== undefined && options.decisions !== 'none' && files.length === 0) throw new UsageError('--decisions cannot apply: nothing is replayed (ingest decisions through the API instead)');
      // Read and checked before anything opens: a missing replay file, a bad entry list or decisions file stops the start.
      checkReplayFiles(files);
      const { entryListFor, described: entryLists } = entryListsOption(options.entryList);
      const decisions = replayDecisions(options.decisions, files, join(packageRoot, 'decisions'));
      const limits = httpLimits(options);
      // The SQLite file of --db, or Postgres with --store / SARTHE_STORE (migrated on open).
      const { events: store, content, where } = await openStores({
        url: config['--store'],
        file: options.db,
        synchronous: config['--synchronous'],
        onIdleError: (error) => console.error(`sarthe: a Postgres connection failed (it is replaced): ${error.message}`),
        // The hourly desk drafts in the event store's thread, off the event loop (server/site/desk-thread.ts).
        threadExtensions: options.site === false || role === 'edge' ? [] : [DESK_THREAD],
      });
      const adminEmail = config.SARTHE_ADMIN_EMAIL;
      const adminPassword = config.SARTHE_ADMIN_PASSWORD;
      const rulesFor = raceRules(options.rules);
      // Every race's result follows its shipped classification profile (rules/classification-*.json).
      installClassificationProfiles(shippedClassificationProfiles());
      const app = await buildServer({
        store,
        rulesFor,
        entryListFor,
        ingestToken: config.SARTHE_INGEST_TOKEN ?? null,
        logger: { level: config['--log-level'] },
        operations: { rateLimitPerMinute: config.rateLimitPerMinute, corsOrigins: config.corsOrigins },
        limits,
        // Listen first, then load the store: /api/health answers while a heavy store loads (issue 13, item 1).
        loadAfterListen: true,
        role,
        webRoot: options.webRoot ?? join(packageRoot, 'dist', 'web'),
        site: options.site === false ? null : {
          content,
          autoPublish: config['--reports'] === 'publish',
          admin: adminEmail && adminPassword ? { email: adminEmail, password: adminPassword } : null,
          baseUrl: config.SARTHE_PUBLIC_URL ?? null,
          // Reports are drafted once, by the process that ingests.
          desk: role !== 'edge',
        },
      });
      const log = app.log;
      // Before listening: an edge follows the bus before it loads the store (roles.ts).
      const roleRun = await startRole(app, role, config['--bus'], config.edgeCatchUpMs, config['--deployment']);
      let replay: RunningReplay | null = null;
      let sources: LiveSourceRun[] = [];
      for (const warning of warnings) log.warn(warning);
      if (Object.keys(entryLists).length > 0) log.info({ entryLists }, 'entry lists read (* = every race without its own)');
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal, deadlineMs: config.shutdownMs }, 'shutting down: draining requests, closing live streams');
        await gracefulShutdown(app, { deadlineMs: config.shutdownMs, stopSources: () => {
            replay?.stop();
            for (const run of sources) run.source.stop();
          }, closeStores: [() => roleRun.stop(), () => store.close(), () => content.close()] });
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));

      try {
        await app.listen({ port, host: config['--host'] });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${port} is in use: choose another with --port`);
        throw error;
      }
      const address = app.server.address();
      const shown = typeof address === 'object' && address !== null ? address.port : port;
      const host = config['--host'];
      const base = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${shown}`;
      log.info(
        {
          store: where,
          role,
          ...(roleRun.shared === null ? {} : { bus: roleRun.shared.name }),
          ingest: role === 'edge' ? 'none (edge)' : config.SARTHE_INGEST_TOKEN !== undefined ? 'enabled' : 'disabled (set SARTHE_INGEST_TOKEN)',
        },
        `Sarthe listening on ${base} (API docs: ${base}/api/docs)`,
      );
      try {
        await app.sarthe.loaded;
      } catch (error) {
        await app.close();
        await store.close();
        throw error;
      }
      if (files.length > 0) {
        try {
          const site = options.site === false ? null : app.site;
          replay = await startReplay(app.sarthe.hub, log, files, {
            race: config['--race'],
            speed: config['--speed'],
            fromMs: config['--from'],
            tickMs: config['--tick'],
            decisions,
            base,
            onRerun: async (earlier) => void (site === null ? 0 : await archiveEarlierRuns(site.content, earlier, log)),
          });
          // A replay that fails is a source that is not live: /api/ready says so.
          replay?.done.catch((error: Error) => app.lifecycle.checks.set('replay', () => `failed: ${error.message}`));
        } catch (error) {
          await app.close();
          await store.close();
          throw error;
        }
      }
      sources = startLiveSources(app.sarthe.hub, log, options);
    });
}

/** A replay started, with the promise of its run (rejected when it fails). */
type RunningReplay = Replay & { done: Promise<unknown> };

/** The --…-timeout, --max-connections and --trust-proxy flags as HttpLimits, each checked. */
function httpLimits(options: Options): Partial<HttpLimits> {
  const positive = (flag: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number of at least ${min}, got "${text}"`);
    return n;
  };
  const limits: Partial<HttpLimits> = {
    maxConnections: positive('max-connections', options.maxConnections, 1),
    headersTimeoutMs: positive('headers-timeout', options.headersTimeout, 100),
    requestTimeoutMs: positive('request-timeout', options.requestTimeout, 100),
    idleTimeoutMs: positive('idle-timeout', options.idleTimeout, 100),
  };
  const proxy = options.trustProxy;
  if (proxy !== undefined) limits.trustProxy = proxy === 'true' ? true : /^\d+$/.test(proxy) ? Number(proxy) : proxy;
  return limits;
}

async function startReplay(
  hub: RaceHub,
  log: FastifyBaseLogger,
  files: string[],
  options: {
    race: string | undefined;
    speed: number;
    fromMs: number;
    tickMs: number;
    /** Race control's decisions folded with the laps, as `--decisions` does for the CLI. */
    decisions: string | undefined;
    base: string;
    /** A finished replay starts again under a new id: what to do with the earlier runs (the site archives their reports). */
    onRerun?: (earlierRuns: string[], id: string) => Promise<void>;
  },
): Promise<RunningReplay | null> {
  // As a live feed would: sector crossings too, so the screen's gaps move at S1 and S2 (engine/gap.ts).
  const loaded = await loadRace(files, { decisions: options.decisions });
  // A file holds the whole race: where its timing stops early with no flag to say why, the CLI declares
  // the result (timeline.complete); live, race control's word does, sent with the file's last crossing.
  const declaredMs = loaded.timeline.hasFlags ? null : redFlagResultMs(loaded.timeline);
  if (declaredMs !== null) {
    loaded.events.push({
      type: 'decision',
      id: 'replay-result-declared',
      atMs: declaredMs,
      kind: 'result-declared',
      car: null,
      penaltyMs: null,
      lap: null,
      laps: null,
      reason: '',
      text: `The timing of the replayed file ends at ${formatRaceTime(declaredMs)}, before the scheduled length, with no chequered flag: the race was stopped and not resumed, and the result is declared as it stood.`,
    });
  }
  const events = withSectorEvents(loaded.events);
  const endMs = events.reduce((max, e) => Math.max(max, eventTimeMs(e)), 0);
  // An interrupted replay resumes; a finished one is left as it is and the
  // replay starts again under the next free id (lemans-2019-2, …).
  const base = options.race ?? raceIdFromFile(files[0]!);
  let id = base;
  const earlier: string[] = [];
  for (let n = 2; (hub.get(id)?.raceTimeMs ?? -1) >= endMs; n++) {
    if (options.race !== undefined) {
      log.warn({ race: id }, 'this race is already complete in the store: nothing to replay (choose another --race or --db)');
      return null;
    }
    earlier.push(id);
    id = `${base}-${n}`;
  }
  if (earlier.length > 0) await options.onRerun?.(earlier, id);
  const resumeMs = hub.get(id)?.raceTimeMs ?? 0;
  const fromMs = Math.max(options.fromMs, resumeMs);
  log.info(
    { race: id, files, decisions: options.decisions ?? null, events: events.length, speed: options.speed, from: formatRaceTime(fromMs), resumed: resumeMs > 0 },
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
  const done = replay.run();
  done.catch((error: unknown) => log.error({ err: error, race: id }, 'replay failed'));
  return Object.assign(replay, { done });
}

/**
 * Which drive-time rules a race is checked against: the profile given with
 * --rules for every race; else by the race's name, IMSA races (the names
 * rules/classification-imsa.json matches: "IMSA …", Daytona, Sebring, Petit
 * Le Mans) against rules/imsa.json (4 h in any 6 h, as stated for 2015),
 * other races named "Le Mans" against rules/lemans.json (its values are the
 * 2019 ones, as the file says); else none. IMSA is asked first: "Petit Le
 * Mans" is a 10-hour race, not the 24 Hours (its drivers were checked against
 * a 6 h minimum before).
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
  const imsa = read(join(packageRoot, 'rules', 'imsa.json'));
  return (race) => (IMSA_RACE.test(race.name) ? imsa : /le mans/i.test(race.name) ? leMans : null);
}

/** IMSA race names, as rules/classification-imsa.json matches them. */
const IMSA_RACE = /^imsa|rolex 24|daytona|sebring|petit le mans/i;
