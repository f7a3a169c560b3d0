/**
 * The wire: what leaves the server, byte-wise (issue 14, item 5).
 *
 * - Compression: @fastify/compress on every buffered answer (br, gzip or
 *   deflate by Accept-Encoding, from 1 KB). The live stream bypasses Fastify
 *   (live-push.ts writes to the socket): it is gzipped by the pieces below,
 *   each SSE message compressed whole and flushed, so compression adds no
 *   wait, and once per race, so it adds no cost per viewer.
 * - Vary: every answer of a compressible type carries `Vary: accept-encoding`,
 *   compressed or not (too small, or not asked for), and so does the live
 *   stream (live-push.ts): a CDN must not hand one coding to a client that
 *   asked for another.
 * - Caching: every GET /api answer carries a strong ETag (SHA-256 of the
 *   uncompressed body, suffixed with the content coding, as Apache does, so
 *   two codings never share one) and a 304 on If-None-Match. Only answers
 *   that cannot change are cacheable by a CDN (`public, max-age`); every
 *   other answer is `no-cache` (a cache must revalidate — cheap: a 304).
 *
 * Which answers a shared cache may keep: one rule, cacheControlFor below.
 * Hashed build assets (`/assets/<name>-<hash>.js`) never change: `immutable`.
 */
import { createHash } from 'node:crypto';
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RaceHub } from './races.js';

/** Wall time (ms) without a commit after which a race whose chequered flag has fallen is final (cacheControlFor). */
export const FINAL_QUIET_MS = 30 * 60_000;
/** How long (s) a shared cache keeps an answer about a final race without revalidating. */
export const FINAL_MAX_AGE_S = 600;
/** Hashed build assets: a year, immutable (their name changes with their content). */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** Everything that may still change: a cache keeps it only to revalidate it (a 304 when the ETag still matches). */
export const LIVE_CACHE_CONTROL = 'no-cache';
/** Cache-Control of an error answer under /api (a 404 for a race not created yet, a 400): never stored. */
export const ERROR_CACHE_CONTROL = 'no-store';

/** How many of a race's last broadcast bytes its gzip pieces are compressed against (≤ 32 KB, the decoder's window). */
export const SSE_DICTIONARY_BYTES = 16 * 1024;
const SSE_LEVEL = 6;

/** Vite's build names: `assets/<name>-<8 characters of hash>.<js|css>` (vite.config.ts), and their source maps. */
const HASHED_ASSET = /\/assets\/[^/?]+-[A-Za-z0-9_-]{8}\.(?:js|css)(?:\.map)?(?:\?|$)/;

/** The routes whose answer is the race's state at an instant (`at`, a report hour, or now): cacheable once the race is final. */
const RACE_STATE_ROUTES = new Set(
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
  await app.register(fastifyCompress, { global: true, threshold: 1024, encodings: ['br', 'gzip', 'deflate'], customTypes: compressible });

  // First onSend (app-level hooks run before route-level ones, so before the compressor): Vary, cache headers, hash, 304.
  app.addHook('onSend', async (request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (compressible(typeof type === 'string' ? type : 'application/json')) varyOnAcceptEncoding(reply);
    if (HASHED_ASSET.test(request.url) && reply.statusCode === 200) {
      reply.header('cache-control', ASSET_CACHE_CONTROL);
      return payload;
    }
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !request.url.startsWith('/api/')) return payload;
    if (reply.statusCode !== 200) {
      // An error is about this moment: a 404 for a race not created yet is
      // heuristically cacheable (RFC 9111 §4.2.2) and a CDN would keep
      // serving it once the race starts.
      if (reply.statusCode >= 400 && !reply.hasHeader('cache-control')) reply.header('cache-control', ERROR_CACHE_CONTROL);
      return payload;
    }
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

/**
 * The content types @fastify/compress compresses (its default list, plus
 * JavaScript and NDJSON by name): one decision for compressing and for Vary.
 * Not the live stream (text/event-stream), which wire.ts compresses itself.
 */
export function compressible(contentType: string): boolean {
  return COMPRESSIBLE.test(contentType.trim().toLowerCase());
}
const COMPRESSIBLE = /^text\/(?!event-stream)|[+/](?:json|text|xml)(?:;|$)|^application\/(?:javascript|x-ndjson|octet-stream)(?:;|$)/;

/**
 * Adds `Vary: accept-encoding` (once, next to any other Vary such as
 * Origin). Every answer that may be compressed carries it, compressed or
 * not: a shared cache keys the stored variants by Accept-Encoding only if
 * every variant says so (RFC 9110 §12.5.5), else it may hand an answer
 * stored uncompressed, or gzipped, to a client that asked otherwise.
 * Lowercase: @fastify/compress looks for that spelling before adding its own.
 */
function varyOnAcceptEncoding(reply: FastifyReply): void {
  const current = reply.getHeader('vary');
  const values = current === undefined ? [] : (Array.isArray(current) ? current : [String(current)]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (values.some((v) => v.toLowerCase() === 'accept-encoding' || v === '*')) return;
  reply.header('vary', [...values, 'accept-encoding'].join(', '));
}

/** The If-None-Match entity tag naming this body (in any coding), or null. `*` matches any. */
function ifNoneMatch(request: FastifyRequest, tag: string): string | null {
  const header = request.headers['if-none-match'];
  if (header === undefined) return null;
  if (header.trim() === '*') return `"${tag}"`;
  for (const raw of header.split(',')) {
    const candidate = raw.trim();
    // A weak tag still matches for If-None-Match (weak comparison, RFC 9110 §13.1.2).
    const m = /^(?:W\/)?"([A-Za-z0-9_-]{27})(?:-([a-z]+))?"$/.exec(candidate);
    // A tag naming a coding this request does not accept is no match: the cache would serve
    // that stored variant (the 304 echoes its tag) to a client that cannot read it.
    if (m !== null && m[1] === tag && (m[2] === undefined || acceptsCoding(request.headers['accept-encoding'], m[2]))) return candidate.replace(/^W\//, '');
  }
  return null;
}

/** The Cache-Control of a GET /api answer (the facts for cacheControlFor, read from the route and its race). */
export function cacheControl(request: FastifyRequest, hub: RaceHub, nowMs = Date.now()): string {
  const route = request.routeOptions.url;
  const id = (request.params as { race?: string }).race;
  const race = route !== undefined && RACE_STATE_ROUTES.has(route) && id !== undefined ? hub.get(id) : undefined;
  if (race === undefined) return cacheControlFor(null, nowMs);
  return cacheControlFor({ chequeredMs: race.timeline.chequeredMs(), lastCommitAtMs: race.lastCommitAtMs }, nowMs);
}

/**
 * The one caching rule for answers about a race (standings, messages,
 * analysis, facts and reports, at any instant): `public, max-age=600`
 * (FINAL_MAX_AGE_S) once the race is final, `no-cache` before, and
 * `no-cache` for every other answer (`race` null). Both carry an ETag, so a
 * cache revalidating a live answer costs the edge a 304.
 *
 * Final: the chequered flag has fallen (engine/timeline.ts chequeredMs) and
 * no commit has come for FINAL_QUIET_MS (30 min of wall time).
 *
 * Why not "an instant far enough in the past" (the first version cached an
 * instant 10 min of race time behind the head for an hour): while a race is
 * live, events that change the past keep coming — an entry correction
 * (every instant), a resend with a revised fact, an import filling an
 * outage, a lap that arrives late, a penalty stamped when it was announced
 * but about an earlier incident — and a cache allowed to serve a past
 * answer without asking would hide them. So a live race's answers may be
 * stored but always revalidated. A finished race that has gone quiet no
 * longer changes, except for a post-race decision (a DSQ announced hours
 * later); the max-age bounds how long a CDN serves the answer from before
 * it, and is why it is 10 minutes and not `immutable` (docs/operations.md
 * says how to purge at once).
 *
 * `lastCommitAtMs` and `nowMs`: wall clock, ms since epoch. A process that
 * has just loaded the race counts the load as its last commit: after a
 * restart a finished race is cacheable again FINAL_QUIET_MS later.
 */
export function cacheControlFor(race: { chequeredMs: number | null; lastCommitAtMs: number } | null, nowMs: number): string {
  if (race === null || race.chequeredMs === null) return LIVE_CACHE_CONTROL;
  return nowMs - race.lastCommitAtMs >= FINAL_QUIET_MS ? `public, max-age=${FINAL_MAX_AGE_S}` : LIVE_CACHE_CONTROL;
}

/**
 * The coding of a live stream for this Accept-Encoding: gzip when the
 * client accepts it (q > 0), else none. Browsers' EventSource sends
 * `gzip, deflate, br, zstd`; gzip is the coding whose pieces can be shared
 * (raw deflate with a preset dictionary, GzipTail).
 */
export function sseEncoding(acceptEncoding: string | string[] | undefined): 'gzip' | null {
  return acceptsCoding(acceptEncoding, 'gzip') ? 'gzip' : null;
}

/**
 * Whether an Accept-Encoding accepts a content coding (q > 0), by its name or
 * `*` (RFC 9110 §12.5.3); `x-gzip` is gzip. No header accepts none here:
 * a client that says nothing is sent identity.
 */
export function acceptsCoding(acceptEncoding: string | string[] | undefined, coding: string): boolean {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding;
  if (header === undefined) return false;
  const wanted = coding === 'x-gzip' ? 'gzip' : coding;
  let star: boolean | null = null;
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.trim().toLowerCase().split(';');
    const name = rawName === 'x-gzip' ? 'gzip' : rawName;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find((m) => m !== null);
    const accepted = q === undefined || Number(q![1]) > 0;
    if (name === wanted) return accepted;
    if (name === '*') star = accepted;
  }
  return star ?? false;
}

/**
 * The live stream in gzip, compressed once per race, not per viewer.
 *
 * A gzip viewer's body is one gzip stream: the 10-byte header, then raw
 * deflate pieces, each ending in a sync flush (byte-aligned, no final block),
 * so each SSE message decodes as soon as it arrives. A piece is compressed
 * either on its own (standalonePiece: for the snapshot, catch-up frames and a
 * viewer that joined less than a tail ago) or against the race's tail — the
 * last SSE_DICTIONARY_BYTES of frames broadcast to the race — as a preset
 * dictionary (GzipTail): a deflate distance may point back into the
 * decoder's own last output, so a viewer that decoded that tail decodes the
 * piece. Every viewer that holds the tail gets the same bytes: one
 * compression per delta per race, nothing per viewer (no zlib state, one
 * counter), as plain viewers share one frame.
 *
 * Measured on one race hour of Le Mans 2019 at 60× (bench/README.md, "The
 * wire"): 0.18 of the plain bytes with a 16 KB tail (0.189 with 4 KB, 0.176
 * with 32 KB); each message on its own would be 0.35.
 */
export const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/** One frame as raw deflate ending in a sync flush, against `dictionary` (the bytes the decoder output just before) when given. */
function deflatePiece(frame: Buffer, dictionary: Buffer | null): Buffer {
  return deflateRawSync(frame, { level: SSE_LEVEL, finishFlush: zlibConstants.Z_SYNC_FLUSH, ...(dictionary !== null && dictionary.length > 0 ? { dictionary } : {}) });
}

/** A frame compressed on its own: decodes after anything. */
export function standalonePiece(frame: Buffer): Buffer {
  return deflatePiece(frame, null);
}

/** The last broadcast bytes of one race, and the pieces compressed against them. */
export class GzipTail {
  readonly capacity = SSE_DICTIONARY_BYTES;
  private bytes: Buffer = Buffer.alloc(0);

  get length(): number {
    return this.bytes.length;
  }

  /** `frame` compressed against the tail as it is now, when first asked (call before push). */
  pieceOf(frame: Buffer): () => Buffer {
    const dictionary = this.bytes;
    let piece: Buffer | undefined;
    return () => (piece ??= deflatePiece(frame, dictionary));
  }

  /** A frame broadcast to the race: the tail moves on. */
  push(frame: Buffer): void {
    const all = Buffer.concat([this.bytes, frame]);
    this.bytes = all.length > this.capacity ? Buffer.from(all.subarray(all.length - this.capacity)) : all;
  }
}
