/**
 * The OpenAPI 3.1 document (GET /api/openapi.json, page at /api/docs), built
 * from the routes' zod schemas (fastify-type-provider-zod), so what is
 * validated and what is documented are one source.
 *
 * On top of each route's own schemas, every /api route gets:
 * - the problem+json error answers (problem.ts) it can give: 400 for a bad
 *   parameter, 404 for a race or car this server does not have, 429 past the
 *   rate limit, 500;
 * - an operationId (OPERATION_IDS) for generated clients;
 * - `security: ingestToken` on the ingest routes (POST), and their own
 *   answers (schemas.ts INGEST_RESPONSES: 200, 409, 413, 415, 422);
 * - 503 where the server answers it (still loading the races, not ready);
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
import { INGEST_RESPONSES, OTHER_CONTENT, RESPONSES } from './schemas.js';

type Transform = typeof jsonSchemaTransform;

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' });

/**
 * Each route's operationId, by method and route URL: the names generated
 * clients call (camelCase, unique, kept when a route's code changes). A
 * route missing here gets one from its method and path (operationIdOf).
 */
export const OPERATION_IDS: Record<string, string> = {
  'GET /api/health': 'getHealth',
  'GET /api/ready': 'getReady',
  'GET /api/races': 'listRaces',
  'GET /api/races/:race': 'getRace',
  'GET /api/races/:race/messages': 'listMessages',
  'GET /api/races/:race/standings': 'getStandings',
  'GET /api/races/:race/cars/:car': 'getCar',
  'GET /api/races/:race/flags': 'listFlagChanges',
  'GET /api/races/:race/events': 'listEvents',
  'POST /api/races/:race/events': 'ingestEvents',
  'POST /api/races/:race/import': 'importAnalysisCsv',
  'GET /api/races/:race/live': 'streamLive',
  'GET /api/races/:race/laps': 'listLaps',
  'GET /api/races/:race/pit-stops': 'listPitStops',
  'GET /api/races/:race/stints': 'listStints',
  'GET /api/races/:race/drive-time': 'listDriveTime',
  'GET /api/races/:race/history': 'getHistory',
  'GET /api/races/:race/flag-periods': 'listFlagPeriods',
  'GET /api/races/:race/facts': 'getHourFacts',
  'GET /api/races/:race/reports/:hour': 'getReport',
};

/** `GET /api/races/:race/foo-bar` → getRacesFooBar: the method, then the path's fixed segments after /api, camelCased. */
export function operationIdOf(method: string, url: string): string {
  const words = url.split('/').filter((segment) => segment !== '' && segment !== 'api' && !segment.startsWith(':')).flatMap((segment) => segment.split(/[-_.]/));
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

export const openApiTransform: Transform = (document) => {
  const { url, route } = document;
  const out = jsonSchemaTransform(document) as { schema: Record<string, unknown>; url: string };
  if (!url.startsWith('/api/') || url.startsWith('/api/docs')) return { schema: { ...out.schema, hide: true }, url };
  if (out.schema.hide === true) return out;
  const schema = out.schema;
  const method = String(route.method);
  schema.operationId ??= OPERATION_IDS[`${method} ${url}`] ?? operationIdOf(method, url);
  const responses = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  const answer = RESPONSES[url];
  const querystring = schema.querystring as { properties?: Record<string, unknown> } | undefined;
  if (answer !== undefined) {
    const content: Record<string, unknown> = { 'application/json': { schema: jsonSchema(answer) } };
    // The list routes: ?format=csv or Accept: text/csv (csv.ts).
    if (querystring?.properties?.format !== undefined) content['text/csv'] = { schema: { type: 'string', description: 'header row, then one RFC 4180 record per item' } };
    responses['200'] = { description: String(schema.summary ?? 'OK'), content };
  } else if (OTHER_CONTENT[url] !== undefined) {
    const content = Object.fromEntries(Object.entries(OTHER_CONTENT[url]).map(([type, { description }]) => [type, { schema: { type: type === 'application/json' ? 'object' : 'string', description } }]));
    responses['200'] = { description: String(schema.summary ?? 'OK'), content };
  }
  // The ingest routes' own answers (schemas.ts INGEST_RESPONSES): summaries, and problems carrying them.
  for (const [status, { description, schema: body, problem: isProblem }] of Object.entries((method === 'POST' ? INGEST_RESPONSES[url] : undefined) ?? {})) {
    const bodySchema = body === null ? { $ref: '#/components/schemas/Problem' } : isProblem ? { allOf: [{ $ref: '#/components/schemas/Problem' }, jsonSchema(body)] } : jsonSchema(body);
    responses[status] = { description, content: { [isProblem ? 'application/problem+json' : 'application/json']: { schema: bodySchema } } };
  }
  responses['400'] ??= problem(
    method === 'POST'
      ? 'a parameter is invalid or unknown (errors[] names each), or the body cannot be read (malformed JSON, no event)'
      : 'a parameter is invalid or unknown (errors[] names each), an instant is beyond the race, or a range ends before it starts',
  );
  if (url.includes(':race') && method === 'GET') responses['404'] ??= problem('no such race (or car, class or hour) on this server');
  if (method === 'GET') responses['429'] ??= problem('too many requests from this address: see the RateLimit and Retry-After headers');
  responses['500'] ??= problem('internal error');
  if (url === '/api/ready') responses['503'] ??= problem('not ready: loading the stored races, the store not answering, a source not live, or shutting down (detail names each)');
  else if (url.startsWith('/api/races/') && method === 'GET') responses['503'] ??= problem('the server is still loading the stored races: retry after the Retry-After header\'s seconds');
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
      // Relative to the document's own address: whatever host and port serve it (the paths carry /api).
      servers: [{ url: '/', description: 'this server; every /api/… path is also served as /api/v1/…' }],
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
