/**
 * The wire: what leaves the server, byte-wise (issue 14, item 5).
 *
 * - Compression: @fastify/compress on every buffered answer (br, gzip or
 *   deflate by Accept-Encoding, from 1 KB). The live stream bypasses Fastify
 *   (live-push.ts writes to the socket), so it is gzipped here, per viewer,
 *   with a sync flush after every write: each SSE message leaves the
 *   compressor whole, at once, so compression adds no latency.
 * - Caching: every GET /api answer carries a strong ETag (SHA-256 of the
 *   uncompressed body, suffixed with the content coding, as Apache does, so
 *   two codings never share one) and a 304 on If-None-Match. Only answers
 *   that cannot change are cacheable by a CDN (`public, max-age`); every
 *   other answer is `no-cache` (a cache must revalidate — cheap: a 304).
 *
 * The rule for "cannot change" (settledAt): an answer pinned to a race
 * instant — an explicit `?at=`, or the hour of a report or of its facts — is
 * settled once the race's latest event is SETTLE_MS (10 min of race time)
 * past that instant. Why it holds: events are stamped with their own race
 * time (a lap with its crossing, a race-control decision with the instant it
 * is announced), so what arrives later changes only later instants, and the
 * timing feeds deliver in time order: a crossing 10 minutes late is a feed
 * outage, not normal jitter. What it does not cover: a correction of an
 * entry (a team name) changes every instant; that is why settled answers are
 * `max-age` (SETTLED_MAX_AGE_S, one hour) and not `immutable`, and a CDN
 * revalidating after that gets the new body under a new ETag.
 * Hashed build assets (`/assets/<name>-<hash>.js`) never change: `immutable`.
 */
import { createHash } from 'node:crypto';
import { constants as zlibConstants, createGzip, type Gzip } from 'node:zlib';
import type { Socket } from 'node:net';
import fastifyCompress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HOUR } from '../model/time.js';
import type { ViewerSocket } from './live-push.js';
import type { RaceHub } from './races.js';

/** Race time (ms) the latest event must be past an instant before answers at that instant are cacheable. */
export const SETTLE_MS = 10 * 60_000;
/** How long (s) a shared cache keeps a settled answer without revalidating. */
export const SETTLED_MAX_AGE_S = 3600;
/** Hashed build assets: a year, immutable (their name changes with their content). */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
export const LIVE_CACHE_CONTROL = 'no-cache';

/**
 * The live stream's compressor, one per gzip viewer: zlib level 6 with a
 * 4 KB window and memLevel 5, 32 KB of deflate state (2^(windowBits+2) +
 * 2^(memLevel+9) bytes) instead of the default 256 KB, and 2 KB output
 * chunks instead of 16 KB. Measured on one race hour of Le Mans 2019 at 60×
 * (bench/README.md, "The wire"): 0.197 of the plain bytes, against 0.184
 * with 64 KB of state and 0.176 with the default 256 KB; 0.253 with 16 KB.
 */
export const SSE_GZIP = { level: 6, windowBits: 12, memLevel: 5, chunkSize: 2048 } as const;

/** Vite's build names: `assets/<name>-<8 characters of hash>.<js|css>` (vite.config.ts), and their source maps. */
const HASHED_ASSET = /\/assets\/[^/?]+-[A-Za-z0-9_-]{8}\.(?:js|css)(?:\.map)?(?:\?|$)/;

/** The routes whose answer is the race's state at `at` (or at a report hour): cacheable once settled. */
const PINNED_ROUTES = new Set(
  [
    'standings',
    'messages',
    'cars/:car',
    'flags',
    'laps',
    'pit-stops',
    'stints',
    'drive-time',
    'history',
    'flag-periods',
    'facts',
    'reports/:hour',
  ].map((tail) => `/api/races/:race/${tail}`),
);

declare module 'fastify' {
  interface FastifyReply {
    /** The uncompressed body's hash, set by the wire's first onSend hook for the last one to name the coding. */
    wireTag?: string;
  }
}

/**
 * Registers compression, ETags and cache headers. Call before any route is
 * registered: @fastify/compress and the ETag's last step attach to routes as
 * they are declared (onRoute).
 */
export async function registerWire(app: FastifyInstance, hub: RaceHub): Promise<void> {
  await app.register(fastifyCompress, { global: true, threshold: 1024, encodings: ['br', 'gzip', 'deflate'] });

  // First onSend (app-level hooks run before route-level ones, so before the compressor): cache headers, hash, 304.
  app.addHook('onSend', async (request, reply, payload) => {
    if (HASHED_ASSET.test(request.url) && reply.statusCode === 200) {
      reply.header('cache-control', ASSET_CACHE_CONTROL);
      return payload;
    }
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !request.url.startsWith('/api/') || reply.statusCode !== 200) return payload;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    reply.header('cache-control', cacheControl(request, hub));
    const tag = createHash('sha256').update(payload).digest('base64url').slice(0, 27);
    if (ifNoneMatch(request, tag) !== null) {
      // The answer is the one the client holds: headers only (RFC 9110 §15.4.5 keeps ETag and Cache-Control).
      reply.code(304);
      reply.header('etag', ifNoneMatch(request, tag)!);
      reply.removeHeader('content-type');
      reply.removeHeader('content-length');
      return '';
    }
    reply.wireTag = tag;
    return payload;
  });

  // Last onSend of each route, after the compressor's: the ETag names the coding that was sent.
  app.addHook('onRoute', (route) => {
    const last = async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (reply.wireTag !== undefined) {
        const coding = reply.getHeader('content-encoding');
        reply.header('etag', typeof coding === 'string' && coding !== 'identity' ? `"${reply.wireTag}-${coding}"` : `"${reply.wireTag}"`);
      }
      return payload;
    };
    route.onSend = route.onSend === undefined ? [last] : [...(Array.isArray(route.onSend) ? route.onSend : [route.onSend]), last];
  });
}

/** The If-None-Match entity tag naming this body (in any coding), or null. `*` matches any. */
function ifNoneMatch(request: FastifyRequest, tag: string): string | null {
  const header = request.headers['if-none-match'];
  if (header === undefined) return null;
  if (header.trim() === '*') return `"${tag}"`;
  for (const raw of header.split(',')) {
    const candidate = raw.trim();
    // A weak tag still matches for If-None-Match (weak comparison, RFC 9110 §13.1.2).
    const m = /^(?:W\/)?"([A-Za-z0-9_-]{27})(?:-[a-z]+)?"$/.exec(candidate);
    if (m !== null && m[1] === tag) return candidate.replace(/^W\//, '');
  }
  return null;
}

/** `public, max-age=…` for an answer pinned to a settled instant; `no-cache` for every other (live) answer. */
export function cacheControl(request: FastifyRequest, hub: RaceHub): string {
  const route = request.routeOptions.url;
  if (route === undefined || !PINNED_ROUTES.has(route)) return LIVE_CACHE_CONTROL;
  const params = request.params as { race?: string; hour?: number };
  const query = request.query as { at?: number | null; hour?: number };
  const pinned = typeof params.hour === 'number' ? params.hour * HOUR : typeof query.hour === 'number' ? query.hour * HOUR : query.at ?? null;
  const race = params.race === undefined ? undefined : hub.get(params.race);
  if (pinned === null || race === undefined || !settledAt(pinned, race.raceTimeMs)) return LIVE_CACHE_CONTROL;
  return `public, max-age=${SETTLED_MAX_AGE_S}`;
}

/** True when answers at race time `instantMs` can no longer change: the latest event is SETTLE_MS past it (see above). */
export function settledAt(instantMs: number, latestEventMs: number): boolean {
  return instantMs + SETTLE_MS <= latestEventMs;
}

/**
 * The coding of a live stream for this Accept-Encoding: gzip when the
 * client accepts it (q > 0), else none. Browsers' EventSource sends
 * `gzip, deflate, br, zstd`; gzip is the one zlib streams with a per-message
 * flush at little memory (brotli's window state is larger).
 */
export function sseEncoding(acceptEncoding: string | string[] | undefined): 'gzip' | null {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding;
  if (header === undefined) return null;
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name !== 'gzip' && name !== 'x-gzip') continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find((m) => m !== null);
    return q === undefined || Number(q![1]) > 0 ? 'gzip' : null;
  }
  return null;
}

/**
 * A viewer's socket seen through gzip: each write is compressed and flushed
 * (Z_SYNC_FLUSH) as one piece, so the client can decode every SSE message
 * as soon as it arrives. Unsent bytes count the compressor's queue and the
 * socket's, so live-push's bound on a slow viewer still holds.
 */
export function gzipViewerSocket(socket: Socket): ViewerSocket {
  const gzip: Gzip = createGzip({ ...SSE_GZIP, flush: zlibConstants.Z_SYNC_FLUSH });
  gzip.pipe(socket);
  // A compressor error (it has none for valid input) or a closed socket ends both: the zlib state is freed at once.
  gzip.on('error', () => socket.destroy());
  socket.once('close', () => gzip.destroy());
  return {
    write: (data) => gzip.write(data),
    get writableLength() {
      return gzip.writableLength + gzip.readableLength + socket.writableLength;
    },
    end: () => gzip.end(),
    destroy: () => {
      gzip.destroy();
      socket.destroy();
    },
    once: (event, listener) => (event === 'drain' ? gzip.once('drain', listener) : socket.once('close', listener)),
  };
}
