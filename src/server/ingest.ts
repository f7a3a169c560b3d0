/**
 * Ingest: POST /api/races/:race/events (JSON array or NDJSON of timing
 * events) and POST /api/races/:race/import (an Al Kamel Analysis CSV).
 *
 * Events are validated one by one with the zod schemas of src/model/events.ts
 * (the one schema source; the route's body schema only documents them), so a
 * bad event is named by index and field and rejects nothing else — unless
 * the client sends ?atomic=true for all-or-nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TimingEventSchema, eventKey, parseLapFast, type TimingEvent } from '../model/events.js';
import { ImportError, parseAnalysis } from '../sources/alkamel/parse.js';
import type { AppendStatus } from '../store/index.js';
import { refuseBody } from './limits.js';
import { raceParams } from './params.js';
import type { RaceHub } from './races.js';

export interface IngestOptions {
  /** Bearer token ingest requires; null or empty disables ingest. */
  token: string | null;
  /** Most events in one batch. */
  maxBatchEvents: number;
  /** Largest body of POST …/events, in bytes (a full batch of maxBatchEvents JSON events fits). */
  bodyLimit: number;
  /** Largest body of POST …/import, in bytes (4× the largest real race file, a 24 Hours of 4 MB). */
  importBodyLimit: number;
  /** Tokens issued at run time (the site's admin, server/site): checked when the configured one does not match. */
  acceptToken?: ((token: string) => Promise<boolean>) | null;
  /** Whether any token accepted by acceptToken exists now (unrevoked); without one ingest is disabled (503). */
  anyIssuedToken?: () => Promise<boolean>;
}

export const DEFAULT_INGEST: IngestOptions = { token: null, maxBatchEvents: 100_000, bodyLimit: 32 * 1024 * 1024, importBodyLimit: 16 * 1024 * 1024 };

/** Events committed per transaction by an import, with a progress line each. */
const IMPORT_CHUNK = 5_000;

export interface FieldError {
  field: string;
  message: string;
}

export type EventStatus = AppendStatus | 'invalid';

export interface EventResult {
  index: number;
  status: EventStatus;
  seq?: number;
  key?: string;
  errors?: FieldError[];
  /** A conflict with the car's crossings rather than with an event under the same key (engine/crossing-order.ts). */
  reason?: string;
}

type Checked = { ok: true; event: TimingEvent } | { ok: false; errors: FieldError[] };

// Strict, as the GETs' queries: an unknown parameter (a typo of atomic) is a 400 naming it, not ignored.
const IngestQuery = z.strictObject({
  atomic: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .describe('all-or-nothing: if any event is invalid or conflicts, store none'),
});

const ImportQuery = z.strictObject({
  name: z.string().max(200).optional().describe('original file name: the race name and length are guessed from it ("…Hour 24.csv")'),
  lenient: z.enum(['true', 'false', '1', '0']).optional().describe('skip bad lines (each reported) instead of refusing the file'),
});

export function registerIngest(app: FastifyInstance, hub: RaceHub, options: IngestOptions): void {
  const tokenHash = options.token ? sha256(options.token) : null;
  // Runs onRequest, before a byte of the body is read: a refused request costs
  // its head only, and its connection is closed instead of reading the rest.
  const authorize = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const acceptToken = options.acceptToken ?? null;
    // Disabled (503, as the README says) when no token could ever match: none configured and
    // none issued by an admin (or every issued one revoked) — not 401, which would mean "wrong token".
    const anyIssued = tokenHash === null && acceptToken !== null && options.anyIssuedToken !== undefined ? await options.anyIssuedToken() : true;
    if (tokenHash === null && (acceptToken === null || !anyIssued)) {
      refuseBody(request, reply);
      return reply.code(503).send({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'ingest is disabled on this server: no ingest token is configured (set SARTHE_INGEST_TOKEN and restart, or issue one at /admin/tokens)',
      });
    }
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) {
      refuseBody(request, reply);
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="sarthe-ingest"')
        .send({ statusCode: 401, error: 'Unauthorized', message: 'send the ingest token as "Authorization: Bearer <token>"' });
    }
    // Compared as hashes: constant time whatever the lengths.
    const configured = tokenHash !== null && timingSafeEqual(sha256(match[1]!), tokenHash);
    if (!configured && !(acceptToken !== null && (await acceptToken(match[1]!)))) {
      refuseBody(request, reply);
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="sarthe-ingest", error="invalid_token"')
        .send({ statusCode: 401, error: 'Unauthorized', message: 'the ingest token is wrong' });
    }
  };

  // No limit of their own: each ingest route sets its own (bodyLimit, importBodyLimit), other routes get the server's.
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.post('/api/races/:race/events', {
    bodyLimit: options.bodyLimit,
    onRequest: [authorize, mediaTypes(EVENTS_TYPES)],
    // The body schema documents the events; the handler validates them one by one (see above).
    // (Fastify types the route's whole schema here, but passes each part's own schema.)
    validatorCompiler: (route) =>
      route.httpPart === 'body' ? (data) => ({ value: data }) : validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]),
    schema: {
      tags: ['ingest'],
      summary: 'Append timing events to a race',
      description:
        'A JSON array of timing events (or one event), or NDJSON (Content-Type: application/x-ndjson, one event per line). ' +
        'Requires "Authorization: Bearer <token>". Idempotent: an event already stored under its key is a duplicate and changes nothing. ' +
        'Answers 200 when every event is stored or was already; 422 naming each invalid event by index and field (the others are stored ' +
        'unless ?atomic=true); 409 when an event contradicts one stored under the same key, or a lap or sector crossing contradicts the car\'s other crossings (a lap completed before the one below it: `reason` says which).',
      params: raceParams,
      querystring: IngestQuery,
      body: z.array(TimingEventSchema),
    },
    handler: async (request, reply) => {
      const { race } = request.params;
      const atomic = request.query.atomic === 'true' || request.query.atomic === '1';
      const items = readBatch(request.body, request.headers['content-type'] ?? '');
      if (typeof items === 'string') return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: items });
      if (items.length === 0) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'the batch holds no event' });
      if (items.length > options.maxBatchEvents) {
        return reply.code(413).send({
          statusCode: 413,
          error: 'Payload Too Large',
          message: `a batch holds at most ${options.maxBatchEvents} events; this one has ${items.length}: split it`,
        });
      }
      const checked = await checkInSlices(items);
      const valid = checked.filter((c): c is { ok: true; event: TimingEvent } => c.ok).map((c) => c.event);
      const invalid = checked.length - valid.length;
      const results: EventResult[] = [];
      let seq = hub.get(race)?.seq ?? 0;
      let committedAtMs: number | null = null;
      let commitSeq: number | null = null;
      if (atomic && invalid > 0) {
        checked.forEach((c, index) => results.push(c.ok ? { index, status: 'rolled-back' } : { index, status: 'invalid', errors: c.errors }));
      } else {
        const outcome = valid.length > 0 ? await hub.ingest(race, valid, { atomic }) : null;
        let v = 0;
        checked.forEach((c, index) => {
          if (!c.ok) return results.push({ index, status: 'invalid', errors: c.errors });
          const r = outcome!.results[v]!;
          const event = valid[v++]!;
          // The key only where it explains something: a client knows the keys of the events it sent.
          if (r.status === 'accepted') return results.push({ index, status: r.status, seq: r.seq! });
          const said: EventResult = r.seq === null ? { index, status: r.status, key: eventKey(event) } : { index, status: r.status, seq: r.seq, key: eventKey(event) };
          if (r.reason !== undefined) said.reason = r.reason;
          results.push(said);
        });
        if (outcome !== null) {
          committedAtMs = outcome.committedAtMs;
          commitSeq = outcome.commitSeq;
          seq = hub.get(race)?.seq ?? seq;
        }
      }
      const count = (status: EventStatus) => results.filter((r) => r.status === status).length;
      const summary = {
        race,
        accepted: count('accepted'),
        duplicates: count('duplicate'),
        conflicts: count('conflict'),
        invalid,
        rolledBack: count('rolled-back'),
        seq,
        // The SSE id of the delta that carries this batch (null when it stored nothing).
        commitSeq,
        committedAtMs,
      };
      const problems = results.filter((r) => r.status === 'invalid' || r.status === 'conflict');
      request.log.info({ ...summary, committedAtMs: undefined, events: items.length, atomic }, 'ingest');
      if (problems.length === 0) return reply.code(200).send({ ...summary, results });
      const code = invalid > 0 ? 422 : 409;
      return reply.code(code).send({
        statusCode: code,
        error: code === 422 ? 'Unprocessable Entity' : 'Conflict',
        message: problemMessage(problems, summary, atomic, items.length),
        ...summary,
        results,
      });
    },
  });

  typed.post('/api/races/:race/import', {
    bodyLimit: options.importBodyLimit,
    onRequest: [authorize, mediaTypes(IMPORT_TYPES)],
    schema: {
      tags: ['ingest'],
      summary: 'Import an Al Kamel Analysis CSV file into a race',
      description:
        'The file as the request body (Content-Type: text/csv). Its laps, pit exits, entries and session are appended like an ingest batch ' +
        '(idempotent: importing the same file or a later hourly export again stores only what is new). Requires the ingest token.',
      params: raceParams,
      querystring: ImportQuery,
      consumes: ['text/csv'],
    },
    handler: async (request, reply) => {
      const { race } = request.params;
      if (typeof request.body !== 'string' || request.body.length === 0) {
        return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'send the Al Kamel CSV file as the request body (Content-Type: text/csv)' });
      }
      const file = request.query.name ?? `${race}.csv`;
      const lenient = request.query.lenient === 'true' || request.query.lenient === '1';
      let parsed;
      try {
        parsed = parseAnalysis(request.body, { file, lenient });
      } catch (error) {
        if (!(error instanceof ImportError)) throw error;
        return reply.code(422).send({ statusCode: 422, error: 'Unprocessable Entity', message: error.message, issues: error.issues.slice(0, 50) });
      }
      const totals = { accepted: 0, duplicates: 0, conflicts: 0 };
      const conflictKeys: string[] = [];
      /** Why the first conflicts were refused, where it is not a key already stored (engine/crossing-order.ts). */
      const conflictReasons: string[] = [];
      const started = performance.now();
      for (let i = 0; i < parsed.events.length; i += IMPORT_CHUNK) {
        const chunk = parsed.events.slice(i, i + IMPORT_CHUNK);
        const outcome = await hub.ingest(race, chunk);
        outcome.results.forEach((r, j) => {
          if (r.status === 'accepted') totals.accepted++;
          else if (r.status === 'duplicate') totals.duplicates++;
          else if (r.status === 'conflict') {
            totals.conflicts++;
            if (conflictKeys.length < 20) conflictKeys.push(eventKey(chunk[j]!));
            if (r.reason !== undefined && conflictReasons.length < 20) conflictReasons.push(r.reason);
          }
        });
        request.log.info(
          { race, file, done: Math.min(i + IMPORT_CHUNK, parsed.events.length), of: parsed.events.length, ...totals },
          'import progress',
        );
      }
      const body = {
        race,
        file,
        rows: parsed.rows,
        cars: parsed.cars,
        events: parsed.events.length,
        ...totals,
        skipped: parsed.skipped.slice(0, 50),
        skippedLines: parsed.skipped.length,
        seq: hub.get(race)?.seq ?? 0,
        ms: Math.round(performance.now() - started),
      };
      if (totals.conflicts > 0) {
        return reply.code(409).send({
          statusCode: 409,
          error: 'Conflict',
          message:
            conflictReasons.length > 0
              ? `${totals.conflicts} event(s) of the file contradict events already stored (${conflictReasons.slice(0, 3).join('; ')}${totals.conflicts > 3 ? '; …' : ''}); the other events were stored`
              : `${totals.conflicts} event(s) of the file contradict events already stored under the same key (${conflictKeys.slice(0, 5).join(', ')}…); the other events were stored`,
          conflictKeys,
          conflictReasons,
          ...body,
        });
      }
      return reply.send(body);
    },
  });
}

/** The body types each ingest route reads (the OpenAPI document lists the same, openapi.ts). */
export const EVENTS_TYPES = ['application/json', 'application/x-ndjson'] as const;
export const IMPORT_TYPES = ['text/csv'] as const;

/**
 * An onRequest hook answering 415 (RFC 9110 §15.5.16), naming the accepted
 * types, to a body of any other type (or none declared), before a byte of it
 * is read.
 */
function mediaTypes(accepted: readonly string[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (accepted.includes(type)) return;
    refuseBody(request, reply);
    return reply
      .code(415)
      .header('accept-post', accepted.join(', '))
      .send({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: `unsupported media type ${type === '' ? '(no Content-Type)' : `"${type}"`}: send ${accepted.join(' or ')}`,
        accepted,
      });
  };
}

/** The body as a list of raw events, or a message saying why it cannot be read. */
export function readBatch(body: unknown, contentType: string): unknown[] | string {
  if (contentType.toLowerCase().startsWith('application/x-ndjson')) {
    if (typeof body !== 'string') return 'an NDJSON body must be text';
    const items: unknown[] = [];
    const lines = body.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      try {
        items.push(JSON.parse(line));
      } catch (error) {
        items.push(new NotJson(`line ${i + 1} is not JSON: ${(error as Error).message}`));
      }
    }
    return items;
  }
  if (Array.isArray(body)) return body;
  if (body !== null && typeof body === 'object') return [body];
  return 'send a JSON array of timing events (or one event), or NDJSON with Content-Type: application/x-ndjson';
}

/** Events validated between two turns of the event loop: a 100,000-event batch must not hold the server for its whole validation (200 take 5-10 ms of zod, 30 on a busy 2-core machine). */
const CHECK_SLICE = 200;

async function checkInSlices(items: unknown[]): Promise<Checked[]> {
  const checked: Checked[] = [];
  for (let i = 0; i < items.length; i += CHECK_SLICE) {
    if (i > 0) await nextTurn();
    for (const item of items.slice(i, i + CHECK_SLICE)) checked.push(checkEvent(item));
  }
  return checked;
}

class NotJson {
  constructor(readonly message: string) {}
}

function checkEvent(raw: unknown): Checked {
  if (raw instanceof NotJson) return { ok: false, errors: [{ field: '', message: raw.message }] };
  // A plainly valid lap, read without zod's garbage (model/events.ts parseLapFast); anything else, the schema.
  const lap = parseLapFast(raw);
  if (lap !== undefined) return { ok: true, event: lap };
  const result = TimingEventSchema.safeParse(raw);
  if (result.success) return { ok: true, event: result.data };
  return {
    ok: false,
    errors: result.error.issues.slice(0, 10).map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message })),
  };
}

function problemMessage(
  problems: EventResult[],
  summary: { accepted: number; duplicates: number },
  atomic: boolean,
  total: number,
): string {
  const shown = problems.slice(0, 5).map((p) => {
    if (p.status === 'conflict') return p.reason !== undefined ? `event ${p.index} (${p.key}): ${p.reason}` : `event ${p.index} (${p.key}) contradicts the event stored under that key (seq ${p.seq})`;
    const e = p.errors?.[0];
    return `event ${p.index}${e?.field ? `, field ${e.field}` : ''}: ${e?.message ?? 'invalid'}`;
  });
  const more = problems.length > shown.length ? `; … and ${problems.length - shown.length} more` : '';
  const rest = atomic
    ? 'Nothing was stored (atomic batch).'
    : `The other ${total - problems.length} event(s) were processed: ${summary.accepted} stored, ${summary.duplicates} already stored.`;
  return `${problems.length} of ${total} event(s) refused: ${shown.join('; ')}${more}. ${rest}`;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
