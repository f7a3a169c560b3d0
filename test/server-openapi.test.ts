/**
 * The OpenAPI document can generate clients (issue 16): it is valid OpenAPI
 * 3.1 (@seriousme/openapi-schema-validator), it lists every registered /api
 * route and nothing else, and every read route's real answer on Le Mans
 * 2019 validates against the 200 schema it publishes (ajv, JSON Schema
 * 2020-12, as a generated client would assume); errors validate against
 * Problem.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { compareEvents, eventTimeMs } from '../src/model/events.js';
import { HOUR } from '../src/model/time.js';
import { buildServer } from '../src/server/app.js';
import { operationIdOf } from '../src/server/openapi.js';
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

  it('every operation has an operationId (unique, camelCase, the documented names) and the document names its servers', () => {
    const ids: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const id = (operation as { operationId?: string }).operationId;
        assert.ok(id !== undefined && /^[a-z][a-zA-Z0-9]*$/.test(id), `${method} ${path}: operationId ${id}`);
        ids.push(id);
      }
    }
    assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'unique');
    assert.equal((document.paths['/api/races/{race}/laps']!.get as { operationId?: string }).operationId, 'listLaps');
    assert.equal((document.paths['/api/races/{race}/events']!.post as { operationId?: string }).operationId, 'ingestEvents');
    assert.equal(operationIdOf('GET', '/api/races/:race/pit-lane'), 'getRacesPitLane', 'a route added later still gets one');
    const servers = (document as { servers?: Array<{ url: string }> }).servers;
    assert.ok(servers !== undefined && servers.length > 0 && servers.every((s) => typeof s.url === 'string'));
  });

  it('every status the code answers is documented for its route, with the body it sends (bad requests sent to each route)', async () => {
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema({ ...document.components.schemas.Problem, $id: 'problem' });
    const withProblem = (schema: object) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/Problem"', '"problem"')) as object;
    const TOKEN = 'openapi-token';
    const ingest = await buildServer({
      store: new SqliteEventStore({ file: ':memory:' }),
      ingestToken: TOKEN,
      operations: { rateLimitPerMinute: 0 },
      ingest: { maxBatchEvents: 3, importBodyLimit: 64 * 1024 },
    });
    const disabled = await buildServer({ store: new SqliteEventStore({ file: ':memory:' }), operations: { rateLimitPerMinute: 0 } });
    // A store whose load never ends: the answers of a server still loading its races.
    const slowStore = new SqliteEventStore({ file: ':memory:' });
    await slowStore.append('r', [{ type: 'session', name: 'R', zeroTimeOfDayMs: null, scheduledDurationMs: HOUR }].map((e) => toAppendEvent(e as never)));
    slowStore.readSince = () => new Promise(() => undefined);
    const loading = await buildServer({ store: slowStore, loadAfterListen: true, limits: { idleTimeoutMs: 400 }, operations: { rateLimitPerMinute: 0 } });
    await loading.listen({ port: 0, host: '127.0.0.1' });
    const [header, ...lines] = readFileSync(join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv'), 'utf8').split('\n');
    const file = [header, ...lines.slice(0, 5)].join('\n') + '\n';
    const changed = file.replace('1;3;1;3:28.871;', '1;3;1;3:28.872;');
    const auth = { authorization: `Bearer ${TOKEN}` };
    const lap = (n: number) => ({ type: 'lap', car: '7', lap: n, crossingMs: n * 200_000, lapMs: 200_000, sectorsMs: [60_000, 70_000, 70_000], driverNumber: 1 });
    type Probe = [FastifyInstance, string, string, Record<string, string>, string | undefined, number];
    const json = { ...auth, 'content-type': 'application/json' };
    const csv = { ...auth, 'content-type': 'text/csv' };
    const probes: Probe[] = [
      [ingest, 'POST', '/api/races/p/events', json, JSON.stringify([lap(1)]), 200],
      [ingest, 'POST', '/api/races/p/events', json, JSON.stringify([{ ...lap(1), lapMs: 1 }]), 409],
      [ingest, 'POST', '/api/races/p/events', json, JSON.stringify([{ ...lap(2), car: 7 }]), 422],
      [ingest, 'POST', '/api/races/p/events', json, JSON.stringify([lap(3), lap(4), lap(5), lap(6)]), 413],
      [ingest, 'POST', '/api/races/p/events', { ...auth, 'content-type': 'text/plain' }, '[]', 415],
      [ingest, 'POST', '/api/races/p/events', json, '[{"type":', 400],
      [ingest, 'POST', '/api/races/p/events?foo=1', json, JSON.stringify([lap(1)]), 400],
      [ingest, 'POST', '/api/races/p/events', { 'content-type': 'application/json' }, '[]', 401],
      [disabled, 'POST', '/api/races/p/events', json, '[]', 503],
      [ingest, 'POST', '/api/races/q/import?name=x.csv', csv, file, 200],
      [ingest, 'POST', '/api/races/q/import?name=x.csv', csv, changed, 409],
      [ingest, 'POST', '/api/races/q/import', csv, 'NUMBER;nonsense\nx;y\n', 422],
      [ingest, 'POST', '/api/races/q/import', csv, 'x'.repeat(70 * 1024), 413],
      [ingest, 'POST', '/api/races/q/import', json, '{}', 415],
      [ingest, 'POST', '/api/races/q/import?lenient=maybe', csv, file, 400],
      [disabled, 'POST', '/api/races/q/import', csv, file, 503],
      [app, 'GET', '/api/races/lemans-2019/laps?at=30h', {}, undefined, 400],
      [app, 'GET', '/api/races/lemans-2019/laps?fromLap=5&toLap=2', {}, undefined, 400],
      [loading, 'GET', '/api/ready', {}, undefined, 503],
      [loading, 'GET', '/api/races/r/standings', {}, undefined, 503],
    ];
    try {
      for (const [server, method, url, headers, payload, status] of probes) {
        const response = await server.inject({ method: method as 'GET' | 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });
        const name = `${method} ${url} (${headers['content-type'] ?? 'no type'})`;
        assert.equal(response.statusCode, status, `${name}: ${response.body.slice(0, 300)}`);
        const path = url.split('?')[0]!.replace(/\/races\/[^/]+/, '/races/{race}');
        const documented = document.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
        assert.ok(documented !== undefined, `${name}: ${status} is not documented for ${method} ${path}`);
        const type = String(response.headers['content-type']).split(';')[0]!;
        const schema = documented.content?.[type]?.schema;
        assert.ok(schema !== undefined, `${name}: ${status} answers ${type}, not documented`);
        const validate = ajv.compile(withProblem(schema));
        assert.ok(validate(response.json()), `${name}: ${ajv.errorsText(validate.errors)}`);
      }
    } finally {
      await Promise.all([ingest.close(), disabled.close(), loading.close()]);
    }
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
