/**
 * Every /api error as RFC 9457 problem details (`application/problem+json`):
 *
 *   { "type": "about:blank", "title": "Bad Request", "status": 400,
 *     "detail": "query parameter car: …", "instance": "/api/races/x/laps?car=",
 *     "errors": [{ "in": "querystring", "field": "car", "pointer": "/car", "message": "…" }],
 *     "statusCode": 400, "error": "Bad Request", "message": "…" }
 *
 * One hook converts whatever an /api route or Fastify itself answered with
 * its `{ statusCode, error, message }` shape, so routes keep sending that
 * shape and cannot forget the conversion. The old members stay as RFC 9457
 * extension members while clients move over; any other members a route
 * sends (ingest's `results`, import's `issues`) are kept too. Validation
 * errors (zod, through fastify-type-provider-zod) get `errors[]` naming each
 * parameter, with a JSON pointer into the part of the request it is in.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { StoreUnavailableError } from '../store/index.js';

export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

const FieldErrorSchema = z.object({
  in: z.string().describe('where the parameter is: querystring, params, body, headers'),
  field: z.string().describe('the parameter or field name (dotted path within a body)'),
  pointer: z.string().describe('JSON pointer within that part of the request (RFC 6901)'),
  message: z.string(),
});
export type ProblemFieldError = z.infer<typeof FieldErrorSchema>;

/** The problem details every /api error answers with (documented in the OpenAPI components as Problem). */
export const ProblemSchema = z.looseObject({
  type: z.string().describe('about:blank: the status says it all'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().describe('what went wrong, naming the parameter, race or car'),
  instance: z.string().describe('the URL as requested (path and query; /api/v1/… stays /api/v1/…)'),
  errors: z.array(FieldErrorSchema).optional().describe('validation errors, one per parameter or field'),
});

const CONTEXT_NAMES: Record<string, string> = { querystring: 'query parameter', params: 'path parameter', body: 'body field', headers: 'header' };

/** The field errors of a validation error (one per unknown parameter too). */
export function fieldErrors(error: FastifyError): ProblemFieldError[] {
  const where = error.validationContext ?? 'request';
  if (!hasZodFastifySchemaValidationErrors(error)) {
    return (error.validation ?? []).map((v) => ({ in: where, field: v.instancePath.slice(1).replaceAll('/', '.'), pointer: v.instancePath, message: v.message ?? 'invalid' }));
  }
  return error.validation.flatMap((v) => {
    const keys = (v.params as { keys?: unknown }).keys;
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      const base = v.instancePath === '/' ? '' : v.instancePath;
      return keys.map((key) => ({ in: where, field: String(key), pointer: `${base}/${String(key)}`, message: 'not a parameter of this route (the OpenAPI document lists them)' }));
    }
    const field = v.instancePath.slice(1).replaceAll('/', '.');
    return [{ in: where, field, pointer: v.instancePath, message: v.message ?? 'invalid' }];
  });
}

/** Registers the error handler and the conversion hook on the root instance (call before the routes). */
export function registerProblems(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.validation !== undefined ? 400 : error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    // The store does not answer (Postgres down): say so, and when to try again; the resend stores nothing twice.
    if (error instanceof StoreUnavailableError) {
      // One line per refused request while it lasts, not a stack trace each.
      request.log.warn({ cause: error.message }, 'store unavailable: answered 503');
      return reply
        .code(503)
        .header('retry-after', String(error.retryAfterS))
        .send({ statusCode: 503, error: 'Service Unavailable', message: 'the event store does not answer: try again shortly (a resend stores nothing twice)' });
    }
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (error.validation !== undefined) {
      const errors = fieldErrors(error);
      const detail = errors.map((e) => `${CONTEXT_NAMES[e.in] ?? e.in} ${e.field === '' ? '' : `"${e.field}"`}: ${e.message}`).join('; ');
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: detail, errors });
    }
    // A 5xx says nothing of the code behind it.
    const message = status >= 500 ? 'internal error (the server log has the details)' : error.message;
    return reply.code(status).send({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode < 400 || !request.url.startsWith('/api') || typeof payload !== 'string') return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (!type.startsWith('application/json')) return payload;
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      return payload;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return payload;
    const old = body as { statusCode?: number; error?: string; message?: string; type?: string };
    if (old.type !== undefined) return payload;
    const status = reply.statusCode;
    void reply.header('content-type', PROBLEM_TYPE);
    return JSON.stringify({
      type: 'about:blank',
      title: STATUS_CODES[status] ?? old.error ?? 'Error',
      status,
      detail: old.message ?? STATUS_CODES[status] ?? '',
      // As requested: /api/v1/… stays /api/v1/… (request.url is the rewritten /api/… path).
      instance: request.originalUrl,
      ...old,
    });
  });
}
