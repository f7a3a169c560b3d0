/**
 * The OpenAPI 3.1 document (GET /api/openapi.json, page at /api/docs), built
 * from the routes' zod schemas (fastify-type-provider-zod), so what is
 * validated and what is documented are one source.
 *
 * On top of each route's own schemas, every /api route gets:
 * - the problem+json error answers (problem.ts) it can give: 400 for a bad
 *   parameter, 404 for a race or car this server does not have, 429 past the
 *   rate limit, 500;
 * - `security: ingestToken` on the ingest routes (POST);
 * - its 200 answer from schemas.ts, with `text/csv` next to JSON on the
 *   list routes (those taking `format`);
 * Routes outside /api (the news site, the web app) are hidden.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { API_V1 } from './operations.js';
import { ProblemSchema } from './problem.js';
import { OTHER_CONTENT, RESPONSES } from './schemas.js';

type Transform = typeof jsonSchemaTransform;

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

export const openApiTransform: Transform = (document) => {
  const { url, route } = document;
  const out = jsonSchemaTransform(document) as { schema: Record<string, unknown>; url: string };
  if (!url.startsWith('/api/') || url.startsWith('/api/docs')) return { schema: { ...out.schema, hide: true }, url };
  if (out.schema.hide === true) return out;
  const schema = out.schema;
  const method = String(route.method);
  const responses = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  const answer = RESPONSES[url];
  const querystring = schema.querystring as { properties?: Record<string, unknown> } | undefined;
  if (answer !== undefined) {
    const content: Record<string, unknown> = { 'application/json': { schema: z.toJSONSchema(answer, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }) } };
    // The list routes: ?format=csv or Accept: text/csv (csv.ts).
    if (querystring?.properties?.format !== undefined) content['text/csv'] = { schema: { type: 'string', description: 'header row, then one RFC 4180 record per item' } };
    responses['200'] = { description: String(schema.summary ?? 'OK'), content };
  } else if (OTHER_CONTENT[url] !== undefined) {
    const content = Object.fromEntries(Object.entries(OTHER_CONTENT[url]).map(([type, { description }]) => [type, { schema: { type: type === 'application/json' ? 'object' : 'string', description } }]));
    responses['200'] = { description: String(schema.summary ?? 'OK'), content };
  }
  responses['400'] ??= problem('a parameter is invalid or unknown (errors[] names each)');
  if (url.includes(':race')) responses['404'] ??= problem('no such race (or car, or hour) on this server');
  if (method === 'GET') responses['429'] ??= problem('too many requests from this address: see the RateLimit and Retry-After headers');
  responses['500'] ??= problem('internal error');
  if (method === 'POST') {
    schema.security = [{ ingestToken: [] }];
    responses['401'] ??= problem('no or wrong bearer token');
    responses['503'] ??= problem('ingest is disabled: no token configured');
  }
  return { schema: { ...schema, response: responses }, url };
};

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Sarthe',
        description:
          'Live timing, race analysis and reports for endurance races. Ingest timing events (bearer token), read standings at any instant, ' +
          'and follow a race live over Server-Sent Events at /api/races/{race}/live. Every path is also served under ' +
          `${API_V1}/… (the versioned prefix; /api/… is its alias). Errors are RFC 9457 problem details. List routes answer CSV with ` +
          '?format=csv or Accept: text/csv. Times are integer milliseconds; an instant is { raceTimeMs } everywhere.',
        version,
      },
      components: {
        securitySchemes: { ingestToken: { type: 'http', scheme: 'bearer' } },
        schemas: { Problem: z.toJSONSchema(ProblemSchema, { target: 'draft-2020-12' }) as Record<string, unknown> },
      },
    },
    transform: openApiTransform,
    transformObject: (document) => withBodies((document as { openapiObject: OpenApiDocument }).openapiObject) as never,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, { requestBody?: { required?: boolean; content?: Record<string, unknown> } }>>;
}

/**
 * The request bodies the ingest routes read themselves (ingest.ts): the
 * import's CSV file, and NDJSON next to the JSON array of events.
 */
function withBodies(document: OpenApiDocument): OpenApiDocument {
  const importRoute = document.paths?.['/api/races/{race}/import']?.post;
  if (importRoute !== undefined) {
    importRoute.requestBody = {
      required: true,
      content: { 'text/csv': { schema: { type: 'string', description: 'an Al Kamel Analysis CSV file, as downloaded (UTF-8, ";"-separated)' } } },
    };
  }
  const events = document.paths?.['/api/races/{race}/events']?.post?.requestBody;
  if (events?.content !== undefined) {
    events.content['application/x-ndjson'] = { schema: { type: 'string', description: 'one timing event (the JSON schema of application/json\'s items) per line' } };
  }
  return document;
}
