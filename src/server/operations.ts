/**
 * What an operator and a third-party client need around the API: request ids
 * and one log line per request, /api/v1 with /api as its alias, CORS for
 * public reads, a per-IP rate limit on them, and liveness/readiness.
 *
 * Public reads are GET/HEAD under /api (the live stream included) except
 * the ingest and admin paths; nothing else gets CORS headers or counts
 * against the limit (ingest is authenticated, the site has its own forms).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { noQuery } from './params.js';
import type { RaceHub } from './races.js';

export interface OperationsOptions {
  /** Requests per minute one IP may make to the public reads; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Origins allowed to read the public API from a browser: ['*'] for any. */
  corsOrigins: string[];
}

/** Generous: a timing screen polls a few routes, a pandas user pages through laps. */
export const DEFAULT_OPERATIONS: OperationsOptions = { rateLimitPerMinute: 1200, corsOrigins: ['*'] };

/** The API's current version prefix; /api/… stays its alias (same routes, same answers). */
export const API_V1 = '/api/v1';

/** Fastify's rewriteUrl: /api/v1/x is served by the /api/x route. */
export function rewriteApiVersion(request: IncomingMessage): string {
  const url = request.url ?? '/';
  return url === API_V1 || url.startsWith(`${API_V1}/`) || url.startsWith(`${API_V1}?`) ? `/api${url.slice(API_V1.length)}` : url;
}

/**
 * A client's request id is echoed in a header and written to the log: letters,
 * digits, ".", "_" and "-" only, not starting with "." (no "../x", no log or
 * header injection), at most 128 characters.
 */
export const REQUEST_ID = /^(?!\.)[A-Za-z0-9._-]{1,128}$/;

/** Fastify's genReqId: the client's X-Request-Id when it matches REQUEST_ID, else a fresh UUID. */
export function requestId(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}

/** GET/HEAD under /api (and their preflights), not ingest (POST anyway), not admin, not the docs page. */
export function isPublicRead(request: Pick<FastifyRequest, 'method' | 'url' | 'headers'>): boolean {
  // A preflight is for the method it announces.
  const method = request.method === 'OPTIONS' ? String(request.headers['access-control-request-method'] ?? '').toUpperCase() : request.method;
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = request.url.split('?')[0]!;
  return path.startsWith('/api/') && !path.startsWith('/api/admin') && !path.startsWith('/api/docs');
}

/** Readiness and the drain state (set by shutdown.ts on SIGTERM). */
export class Lifecycle {
  draining = false;
  /** Extra readiness checks (a source that must be live): name → null when fine, else why not. */
  readonly checks = new Map<string, () => string | null>();
}

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: Lifecycle;
  }
}

/** Registers the hooks and plugins; call before the routes, so they apply to each. */
export async function registerOperations(app: FastifyInstance, hub: RaceHub, options: OperationsOptions): Promise<void> {
  app.decorate('lifecycle', new Lifecycle());

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // Draining: an answer in flight ends its connection, so the server can close once it is sent.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (app.lifecycle.draining) void reply.header('connection', 'close');
    return payload;
  });
  // One line per answered request; the live stream is hijacked and never gets here.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, route: request.routeOptions.url ?? null, url: request.originalUrl, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request',
    );
  });

  const anyOrigin = options.corsOrigins.includes('*');
  await app.register(fastifyCors, {
    hook: 'onRequest',
    delegator: (request, callback) => {
      const allowed = isPublicRead(request) && (anyOrigin || options.corsOrigins.includes(String(request.headers.origin ?? '')));
      callback(null, allowed ? { origin: anyOrigin ? '*' : options.corsOrigins, methods: ['GET', 'HEAD'], exposedHeaders: EXPOSED, maxAge: 600 } : { origin: false });
    },
  });

  if (options.rateLimitPerMinute > 0) {
    await app.register(fastifyRateLimit, {
      global: true,
      max: options.rateLimitPerMinute,
      timeWindow: 60_000,
      enableDraftSpec: true,
      // Health and readiness probes are never limited: behind a load balancer they share one address with everyone.
      allowList: (request) => !isPublicRead(request) || request.method === 'OPTIONS' || /^\/api(\/v1)?\/(health|ready)\b/.test(request.url),
    });
  }

  app.get(
    '/api/ready',
    { schema: { tags: ['server'], summary: 'Readiness: the store answers, every source is live, not shutting down (503 with the reasons otherwise)', querystring: noQuery } },
    async (request, reply) => {
      const problems: string[] = [];
      if (app.lifecycle.draining) problems.push('shutting down');
      try {
        await hub.store.races();
      } catch (error) {
        problems.push(`store: ${(error as Error).message}`);
      }
      for (const [name, check] of app.lifecycle.checks) {
        const problem = check();
        if (problem !== null) problems.push(`${name}: ${problem}`);
      }
      if (problems.length > 0) return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: `not ready: ${problems.join('; ')}`, problems });
      return { status: 'ready', races: hub.list().length };
    },
  );
}

/** Headers a cross-origin reader may see (the limit's, the request id, the CSV type). */
const EXPOSED = ['X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'Content-Type', 'Content-Length'];

/** The headers set on the reply so far (CORS, request id, rate limit) that a hijacked live stream must write itself. */
export function streamHeaders(reply: FastifyReply): string {
  let head = '';
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value === undefined || !/^(access-control-|x-request-id$|vary$|ratelimit)/i.test(name)) continue;
    head += `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}\r\n`;
  }
  return head;
}
