/**
 * What one client may cost the server: timeouts, a connection cap, body
 * limits, and the headers every response carries. Operators' view of the same
 * numbers: docs/operations.md.
 *
 * The timeouts are those a reverse proxy in front of a small API would set
 * (nginx's client_header_timeout / client_body_timeout are 60 s; its
 * keepalive_timeout 75 s): long enough for a 16 MiB import over a slow
 * uplink, short enough that a client trickling its headers or body ("slow
 * loris") is cut off in seconds, not never. Live viewers are not affected: a
 * request's time limits end when its head is read, and a live stream's socket
 * has no idle timeout (live-push.ts: it writes a heartbeat every 15 s, and a
 * viewer that stops reading is dropped by its buffer bound).
 */
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';

export interface HttpLimits {
  /** ms allowed to receive a request's head (Node's `headersTimeout`). */
  headersTimeoutMs: number;
  /** ms allowed to receive a whole request, head and body (Node's `requestTimeout`). */
  requestTimeoutMs: number;
  /** ms a connection may stay silent both ways before it is closed (Node's socket timeout). */
  idleTimeoutMs: number;
  /** ms an idle keep-alive connection is kept between two requests; above a proxy's own (nginx: 60 s upstream). */
  keepAliveTimeoutMs: number;
  /** Open connections at most (live viewers included); more are closed at once. */
  maxConnections: number;
  /** Largest request body of a route without a limit of its own, in bytes. */
  bodyLimit: number;
  /**
   * Which proxies' X-Forwarded-For/-Proto to believe (Fastify's `trustProxy`):
   * false (none), true (any: only behind a proxy that overwrites them), a hop
   * count, or addresses/CIDRs ("127.0.0.1,10.0.0.0/8"). With it, a request that
   * reached the proxy over HTTPS is HTTPS here: cookies get Secure, HSTS is sent.
   */
  trustProxy: boolean | number | string;
}

export const DEFAULT_LIMITS: HttpLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 75_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 20_000,
  bodyLimit: 1024 * 1024,
  trustProxy: false,
};

/** HSTS for responses served over HTTPS: one year, subdomains included (the value securityheaders.com and MDN recommend). */
export const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Every page's Content-Security-Policy unless it sets a stricter one (the
 * news site does, server/site): scripts and styles from this origin only
 * (inline styles allowed: uPlot and Swagger UI set them), no plugins, no framing
 * by other sites.
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'self'"],
  formAction: ["'self'"],
  // Not upgrade-insecure-requests: on plain-HTTP installs (localhost) it would break every asset.
  upgradeInsecureRequests: null,
};

/**
 * A Content-Security-Policy header value from directives written as
 * CSP_DIRECTIVES is (camelCase names, lists of sources; null leaves one out),
 * as helmet writes it.
 */
export function cspHeader(directives: Record<string, readonly string[] | null>): string {
  return Object.entries(directives)
    .filter((entry): entry is [string, readonly string[]] => entry[1] !== null)
    .map(([name, sources]) => [name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), ...sources].join(' '))
    .join(';');
}

/** Fastify constructor options for `limits` (timeouts, body limit, trustProxy). */
export function serverOptions(limits: HttpLimits): Partial<FastifyServerOptions> {
  // Node checks head and request deadlines on a timer: check often enough that a short deadline is kept.
  const checkEveryMs = Math.max(100, Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs, 30_000) / 4);
  return {
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    bodyLimit: limits.bodyLimit,
    trustProxy: limits.trustProxy,
    http: {
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.round(checkEveryMs),
    },
  } as Partial<FastifyServerOptions>;
}

/**
 * The connection cap and the security headers: helmet on every response
 * (CSP, X-Frame-Options, nosniff, Referrer-Policy, …), HSTS only on HTTPS
 * (browsers ignore it over HTTP, and a proxy's HTTPS counts through trustProxy).
 */
export async function registerLimits(app: FastifyInstance, limits: HttpLimits): Promise<void> {
  app.server.maxConnections = limits.maxConnections;
  let refused = 0;
  let lastLogMs = 0;
  app.server.on('drop', () => {
    refused++;
    // One line a minute at most: a flood must not also flood the log.
    if (Date.now() - lastLogMs > 60_000) {
      lastLogMs = Date.now();
      app.log.warn({ maxConnections: limits.maxConnections, refused }, 'connection cap reached: new connections closed at once');
    }
  });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    hsts: false,
    // The web app and Swagger UI load nothing cross-origin; no need to isolate further.
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
}

/** Ms a refused body is read and dropped before its connection is closed (nginx lingers up to 5 s). */
const LINGER_MS = 1000;

/**
 * Answers a request early (401, 415, 503) without reading its body: the
 * answer goes out at once and, as soon as it is written, the connection is
 * half-closed (FIN: nothing more will be sent); what the client still sends
 * is read and dropped by Node (never kept) until the client closes its side,
 * and the socket is destroyed if it has not within LINGER_MS. This is nginx's
 * "lingering close" (shutdown(SHUT_WR), then read): closing with bytes unread
 * makes the kernel reset the connection, and the client, still sending, loses
 * the answer.
 *
 * The FIN right after the answer is what bounds the cost: a client sees the
 * end of the stream and stops sending (Node's own client does, with
 * allowHalfOpen off), so the server reads what was in flight, not everything
 * the client can push in LINGER_MS. Waiting for the body to end before the
 * FIN (as before) made six 57 MB senders push ~1 s each at loopback speed,
 * hundreds of MB read and dropped on the event loop, and /api/health waited
 * (issue 13, item 2: p99 86–481 ms).
 *
 * No `Connection: close` header: with it Node destroys the socket as soon as
 * the answer is written (destroySoon), bytes still arriving, which is that
 * reset (CI: item 2 of the abuse test read '' instead of the 401). The socket
 * is never left to keep-alive either: it is half-closed once answered.
 */
export function refuseBody(request: FastifyRequest, reply: FastifyReply): void {
  const length = Number(request.headers['content-length'] ?? 0);
  if (!(length > 0 || request.headers['transfer-encoding'] !== undefined)) return;
  const socket = request.raw.socket;
  // (app.inject's fake socket has no destroy: nothing to close there.)
  if (typeof socket?.destroy !== 'function') return;
  const timer = setTimeout(() => {
    if (!socket.destroyed) socket.destroy();
  }, LINGER_MS);
  timer.unref();
  // The HTTP server's sockets allow half-open connections: end() sends the FIN after the answer and keeps reading.
  reply.raw.once('finish', () => {
    if (!socket.destroyed) socket.end();
  });
  socket.once('close', () => clearTimeout(timer));
}
