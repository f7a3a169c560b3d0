/**
 * The HTTP server: composes store → engine → bus → viewers.
 *
 *   const app = await buildServer({ store, ingestToken });
 *   await app.listen({ port: 0, host: '127.0.0.1' });
 *
 * Routes: ingest.ts (POST events, import), rest.ts (races, standings, car,
 * flags, events), the live stream below, the OpenAPI document and page, and
 * the web app (web.ts).
 */
import { get as httpGet } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LiveBus } from '../bus/index.js';
import { MemoryBus } from '../bus/memory/index.js';
import type { EventStore } from '../store/index.js';
import { DEFAULT_INGEST, registerIngest, type IngestOptions } from './ingest.js';
import { DEFAULT_RING, type RingLimits } from './live-race.js';
import { DEFAULT_PUSH, LivePush, parseEventId, type LivePushOptions } from './live-push.js';
import { DEFAULT_LIMITS, refuseBody, registerLimits, serverOptions, type HttpLimits } from './limits.js';
import { raceNotFound, raceParams, registerQueryChecks } from './params.js';
import { RaceHub } from './races.js';
import { registerRest } from './rest.js';
import { registerAnalysis, type EntryListFor } from './analysis.js';
import { registerWeb } from './web.js';
import { registerOpenApi } from './openapi.js';
import { DEFAULT_OPERATIONS, registerOperations, requestId, rewriteApiVersion, streamHeaders, type OperationsOptions } from './operations.js';
import { registerProblems } from './problem.js';
import { registerJsonBodies } from './json-body.js';
import { SARTHE_VERSION } from './version.js';
import { registerWire, sseEncoding } from './wire.js';
import { registerSite, siteTokenCheck, siteHasTokens, type SiteOptions } from './site/index.js';
import type { RegulationProfile } from '../analysis/index.js';

export interface ServerOptions {
  store: EventStore;
  bus?: LiveBus;
  /** Bearer token for ingest; null/undefined/empty disables ingest. */
  ingestToken?: string | null;
  /** Fastify's logger option (pino): false in tests, { level } from the CLI. */
  logger?: FastifyServerOptions['logger'];
  /** Folder of the built web app (dist/web); a small fallback page when it has no index.html. */
  webRoot?: string | null;
  /** The news site (site/): at `/`, the web app then moves to `/timing/`. Null: the web app is at `/`. */
  site?: SiteOptions | null;
  push?: Partial<LivePushOptions>;
  ring?: Partial<RingLimits>;
  ingest?: Partial<Omit<IngestOptions, 'token'>>;
  /** Rate limit and CORS origins of the public reads (operations.ts). */
  operations?: Partial<OperationsOptions>;
  /** Timeouts, connection cap, default body limit, trustProxy (limits.ts; docs/operations.md). */
  limits?: Partial<HttpLimits>;
  /**
   * Load the stored races once the server listens (`sarthe serve`), answering
   * 503 for races meanwhile, instead of before buildServer returns (default).
   * `app.sarthe.loaded` settles when they are loaded.
   */
  loadAfterListen?: boolean;
  /** `sarthe serve --role` (roles.ts): an edge has no ingest routes (default all). */
  role?: 'all' | 'ingest' | 'edge';
  /** The drive-time regulations a race is checked against (null: none known). */
  rulesFor?: (race: { id: string; name: string }) => RegulationProfile | null;
  /** The entry list a race's drivers are named and rated from (null: none; `sarthe serve --entry-list`). */
  entryListFor?: EntryListFor;
}

export interface Sarthe {
  hub: RaceHub;
  push: LivePush;
  /** Settles once every stored race is loaded (rejects when the store cannot be read). */
  loaded: Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    sarthe: Sarthe;
  }
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const limits: HttpLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const app = Fastify({
    ...serverOptions(limits),
    logger: options.logger ?? false,
    // Fastify's two lines per request are off: operations.ts logs one per answered request (the live stream has none).
    logController: new LogController({ disableRequestLogging: true }),
    // Requests in flight finish on close (shutdown.ts cuts the rest at its deadline); live viewers are ended by push.closeAll.
    forceCloseConnections: 'idle',
    genReqId: requestId,
    rewriteUrl: rewriteApiVersion,
  });
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API (OpenAPI) and are checked by the tests; answers are not re-validated per request.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerProblems(app);
  registerJsonBodies(app);

  const bus = options.bus ?? new MemoryBus();
  await registerLimits(app, limits);
  const hub = new RaceHub(options.store, bus, app.log, { ...DEFAULT_RING, ...options.ring });
  // Compression, ETags, cache headers: before any route, since they attach to routes as declared.
  await registerWire(app, hub);
  const loaded = options.loadAfterListen === true ? loadAfterListen(app, hub, limits.idleTimeoutMs) : hub.loadAll();
  if (options.loadAfterListen !== true) await loaded;
  const push = new LivePush(bus, app.log, { ...DEFAULT_PUSH, ...options.push });
  app.decorate('sarthe', { hub, push, loaded });

  await registerOpenApi(app, SARTHE_VERSION);
  await registerOperations(app, hub, { ...DEFAULT_OPERATIONS, ...options.operations });
  registerQueryChecks(app, hub);
  // Ready only once the stored races are loaded (loadAfterListen: the server listens first), never after a failed load.
  let loadFailure: string | null = null;
  loaded.catch((error: Error) => (loadFailure = `loading the stored races failed: ${error.message}`));
  app.lifecycle.checks.set('races', () => (hub.loading ? 'the stored races are still loading' : loadFailure));

  if (options.role !== 'edge') registerIngest(app, hub, {
    ...DEFAULT_INGEST,
    ...options.ingest,
    token: options.ingestToken || null,
    // Tokens an admin issued on the site (/admin/tokens, site/index.ts) are accepted too.
    acceptToken: options.site ? siteTokenCheck(options.site.content) : null,
    ...(options.site ? { anyIssuedToken: siteHasTokens(options.site.content) } : {}),
  });
  const rulesFor = options.rulesFor ?? (() => null);
  const entryListFor = options.entryListFor ?? (() => null);
  registerRest(app, hub, push, rulesFor, entryListFor);
  registerAnalysis(app, hub, rulesFor, entryListFor);

  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/races/:race/live',
    {
      // A HEAD would start a stream it cannot send.
      exposeHeadRoute: false,
      schema: {
        tags: ['live'],
        summary: 'Live timing as Server-Sent Events',
        description:
          'text/event-stream. First `event: snapshot` (a LiveSnapshot), then one `event: delta` (a LiveDelta: changed cars and fields only) ' +
          'per store commit, each with `id: <seq>-<epoch>` (the epoch names this race in this store). Reconnect with the Last-Event-ID header (browsers do it themselves) or ?lastEventId= to ' +
          'receive exactly the deltas missed, or a fresh snapshot when they are no longer kept, weigh more than a snapshot, or the id is of ' +
          'another epoch (another race, or a store since reset). A viewer that falls too far behind is ' +
          'disconnected and catches up the same way. Types: src/model/live.ts.',
        params: raceParams,
        querystring: z.object({ lastEventId: z.string().max(40).optional().describe('same as the Last-Event-ID header') }),
      },
    },
    async (request, reply) => {
      const race = hub.get(request.params.race);
      if (race === undefined) return reply.code(404).send(raceNotFound(request.params.race));
      const header = request.headers['last-event-id'];
      reply.hijack();
      const lastEventId = parseEventId((Array.isArray(header) ? header[0] : header) ?? request.query.lastEventId);
      push.attach(race, request.raw.socket, lastEventId, streamHeaders(reply), sseEncoding(request.headers['accept-encoding']));
    },
  );

  if (options.site) await registerSite(app, hub, { entryListFor, ...options.site });
  await registerWeb(app, options.webRoot ?? null, options.site ? '/timing/' : '/');

  app.addHook('preClose', async () => push.closeAll());
  app.addHook('onClose', async () => {
    await bus.close();
  });
  return app;
}

/**
 * Asks the server's own /api/health once over its socket, before the load
 * starts: a fresh process's first answer compiles the whole request path
 * (Node's HTTP parser and sockets, Fastify's routing and hooks, the log
 * line), hundreds of ms on a loaded machine, and the first probe after a
 * restart would otherwise wait for that while the store loads (issue 13:
 * 394–481 ms, the slowest answer of the phase). Errors are ignored: it only
 * warms, and gives up after 2 s.
 */
async function answerOnce(app: FastifyInstance): Promise<void> {
  const address = app.server.address();
  if (address === null || typeof address === 'string') return;
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  await new Promise<void>((resolve) => {
    const request = httpGet({ host, port: address.port, path: '/api/health', timeout: 2000 }, (response) => {
      response.resume();
      response.once('end', resolve);
      response.once('error', () => resolve());
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve());
  });
}

/** How long (ms) a race request waits for the stored races to be loaded before it is answered 503, at most. */
const LOAD_WAIT_MS = 10_000;

/**
 * How long (ms) a race request waits for the load on a server whose
 * connections close after `idleTimeoutMs` of silence: half of it, so that the
 * client gets its 503 before the idle timeout cuts the connection (a client
 * then sees a reset, "fetch failed", instead of an answer it can retry).
 */
export function loadWaitMs(idleTimeoutMs: number): number {
  return Math.min(LOAD_WAIT_MS, Math.floor(idleTimeoutMs / 2));
}

/**
 * Starts loading the stored races once the server listens. Until they are
 * loaded a race request waits (up to loadWaitMs, then 503 with Retry-After),
 * never a 404 for a race that exists, while /api/health and the pages answer
 * at once.
 */
function loadAfterListen(app: FastifyInstance, hub: RaceHub, idleTimeoutMs: number): Promise<void> {
  const waitMs = loadWaitMs(idleTimeoutMs);
  hub.loading = true;
  let done: () => void = () => undefined;
  let failed: (error: Error) => void = () => undefined;
  const loaded = new Promise<void>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  // Waiting requests only need to know it ended, however.
  const settled = loaded.catch(() => undefined);
  app.addHook('onListen', async () => {
    await answerOnce(app);
    hub.loadAll().then(done, (error: unknown) => {
      app.log.error({ err: error }, 'loading the stored races failed');
      failed(error instanceof Error ? error : new Error(String(error)));
    });
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!hub.loading || !request.url.startsWith('/api/races')) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    if (!hub.loading) return;
    refuseBody(request, reply);
    return reply
      .code(503)
      .header('retry-after', '5')
      .send({ statusCode: 503, error: 'Service Unavailable', message: 'the server is still loading the stored races: try again in a few seconds' });
  });
  return loaded;
}
