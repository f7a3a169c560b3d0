/**
 * The OpenAPI document can generate clients (issue 16): it is valid OpenAPI
 * 3.1 (@seriousme/openapi-schema-validator), it lists every registered /api
 * route and nothing else, and every read route's real answer on Le Mans
 * 2019 validates against the 200 schema it publishes (ajv, JSON Schema
 * 2020-12, as a generated client would assume); errors validate against
 * Problem.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { compareEvents, eventTimeMs } from '../src/model/events.js';
import { HOUR } from '../src/model/time.js';
import { buildServer } from '../src/server/app.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { toAppendEvent } from '../src/store/index.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { repoRoot } from './helpers.js';

type Operation = { parameters?: Array<{ name: string; in: string; required?: boolean }>; responses: Record<string, { content?: Record<string, { schema: object }> }> };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };

let app: FastifyInstance;
let document: Document;
before(async () => {
  const { events } = await importAnalysisFiles([join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv')]);
  const store = new SqliteEventStore({ file: ':memory:' });
  await store.append('lemans-2019', events.filter((e) => eventTimeMs(e) <= 6.5 * HOUR).sort(compareEvents).map(toAppendEvent));
  app = await buildServer({ store, operations: { rateLimitPerMinute: 0 } });
  document = (await app.inject({ url: '/api/v1/openapi.json' })).json();
});
after(() => app.close());

/** Concrete values for the path and the required query parameters. */
const SAMPLE: Record<string, string> = { race: 'lemans-2019', car: '8', hour: '6' };

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    assert.equal(document.openapi, '3.1.0');
    const result = await new Validator().validate(document as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2)?.slice(0, 2000));
  });

  it('lists every registered /api route and no site or web route', () => {
    // printRoutes draws a tree: each line appends its segment to its parent's path.
    const registered = new Set<string>();
    const stack: string[] = [];
    for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([^)]+)\))?$/.exec(line);
      if (m === null) continue;
      const depth = m[1]!.length / 4;
      const path = (stack[depth - 1] ?? '') + m[2]!;
      stack[depth] = path;
      if (m[3] === undefined || !path.startsWith('/api/') || path.startsWith('/api/docs') || path === '/api/openapi.json') continue;
      for (const method of m[3].split(',').map((s) => s.trim().toLowerCase())) {
        if (method === 'head' || method === 'options') continue;
        registered.add(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
      }
    }
    const documented = new Set(Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`)));
    assert.ok(registered.size >= 19, `found ${registered.size} routes`);
    assert.deepEqual([...registered].filter((r) => !documented.has(r)), [], 'registered but not documented');
    assert.deepEqual([...documented].filter((r) => !r.split(' ')[1]!.startsWith('/api/')), [], 'documented outside /api');
    const ingest = document.paths['/api/races/{race}/events']!.post as Operation & { security?: unknown; requestBody?: { content: Record<string, unknown> } };
    assert.deepEqual(ingest.security, [{ ingestToken: [] }]);
    assert.ok(ingest.requestBody!.content['application/x-ndjson'] !== undefined, 'NDJSON described');
    assert.ok((document.paths['/api/races/{race}/import']!.post as { requestBody?: { content: Record<string, unknown> } }).requestBody!.content['text/csv'] !== undefined);
  });

  it('every read route\'s answer validates against its published 200 schema, errors against Problem', async () => {
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema({ ...document.components.schemas.Problem, $id: 'problem' });
    let checked = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      const get = operations.get;
      if (get === undefined || path.endsWith('/live')) continue;
      const query = (get.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${SAMPLE[p.name]}`);
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE[name]!) + (query.length > 0 ? `?${query.join('&')}` : '');
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, `${url}: ${response.body.slice(0, 200)}`);
      const json = get.responses['200']!.content!['application/json'];
      assert.ok(json !== undefined, `${path}: a JSON 200 schema`);
      if (path.endsWith('/reports/{hour}')) continue;
      const validate = ajv.compile(json.schema);
      assert.ok(validate(response.json()), `${url}: ${ajv.errorsText(validate.errors)}`);
      const problem = await app.inject({ url: `${url}${url.includes('?') ? '&' : '?'}unknownParameter=1` });
      assert.equal(problem.statusCode, 400, url);
      assert.ok(ajv.validate('problem', problem.json()), `${url} 400: ${ajv.errorsText(ajv.errors)}`);
      checked++;
    }
    assert.ok(checked >= 16, `checked ${checked} routes`);
  });
});
