/**
 * `sarthe serve` configuration (issue 16): every bad flag or variable stops
 * the start with a line naming it and what was expected; good values and the
 * PORT / LOG_LEVEL fallbacks are taken.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { after, describe, it } from 'node:test';
import { ConfigError, serveConfig } from '../src/cli/config.js';
import { openStores } from '../src/store/open.js';
import { databaseOf } from '../src/store/postgres/url.js';
import { repoRoot } from './helpers.js';

const DEFAULTS = { port: '8024', host: 'localhost', db: './data/sarthe.db', speed: '60', from: '0', tick: '250', logLevel: 'info', reports: 'publish', synchronous: 'full' };
const flags = (over: Record<string, string> = {}) => ({ values: { ...DEFAULTS, ...over }, given: (key: string) => key in over });

function problems(over: Record<string, string>, env: Record<string, string>): string[] {
  try {
    serveConfig(flags(over), env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  return [];
}

describe('serve configuration', () => {
  it('each bad value is named with what was expected', () => {
    const cases: Array<[Record<string, string>, Record<string, string>, RegExp]> = [
      [{}, { PORT: 'abc' }, /^PORT: expected a TCP port: a whole number 0–65535 \(got "abc"\)$/],
      [{ port: '70000' }, {}, /^--port: expected a TCP port/],
      [{}, { LOG_LEVEL: 'loud' }, /^LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)$/],
      [{ logLevel: 'chatty' }, {}, /^--log-level: expected one of/],
      [{}, { SARTHE_INGEST_TOKEN: '  ' }, /^SARTHE_INGEST_TOKEN: is set but blank/],
      [{}, { SARTHE_INGEST_TOKEN: 'two words' }, /^SARTHE_INGEST_TOKEN: expected a bearer token: 1–200 characters without spaces$/],
      [{}, { SARTHE_ADMIN_EMAIL: 'notanemail', SARTHE_ADMIN_PASSWORD: 'long enough password' }, /^SARTHE_ADMIN_EMAIL: expected an e-mail address.*\(got "notanemail"\)$/],
      [{}, { SARTHE_ADMIN_EMAIL: 'a@b.example', SARTHE_ADMIN_PASSWORD: 'short' }, /^SARTHE_ADMIN_PASSWORD: expected at least 10 characters$/],
      [{}, { SARTHE_ADMIN_EMAIL: 'a@b.example' }, /^SARTHE_ADMIN_PASSWORD: is needed too/],
      [{}, { SARTHE_PUBLIC_URL: 'not-a-url' }, /^SARTHE_PUBLIC_URL: expected an absolute http:\/\/ or https:\/\/ address/],
      [{}, { SARTHE_PUBLIC_URL: 'ftp://files.example' }, /^SARTHE_PUBLIC_URL: expected an absolute http/],
      [{}, { SARTHE_RATE_LIMIT: 'lots' }, /^SARTHE_RATE_LIMIT: expected requests per minute per address/],
      [{}, { SARTHE_CORS_ORIGINS: 'https://a.example/path' }, /^SARTHE_CORS_ORIGINS: expected \* or a comma list of origins/],
      [{}, { SARTHE_SHUTDOWN_MS: '-5' }, /^SARTHE_SHUTDOWN_MS: expected milliseconds/],
      [{ speed: '0' }, {}, /^--speed: expected race seconds per second/],
      [{ tick: '5' }, {}, /^--tick: expected wall milliseconds/],
      [{ from: 'soon' }, {}, /^--from: expected a race time/],
      [{ race: 'Le Mans' }, {}, /^--race: expected a race id/],
      [{ reports: 'later' }, {}, /^--reports: expected publish or review \(got "later"\)$/],
      [{ synchronous: 'maybe' }, {}, /^--synchronous: expected full or normal/],
      [{ role: 'viewer' }, {}, /^--role: expected all, ingest or edge \(got "viewer"\)$/],
      [{}, { SARTHE_ROLE: 'edge' }, /^SARTHE_ROLE: edge needs the bus between the ingest process and the edges: give --bus/],
      [{ role: 'ingest' }, {}, /^--role: ingest needs the bus/],
      [{ bus: 'http://127.0.0.1:4222' }, {}, /^--bus: expected a NATS address, e\.g\. nats:\/\/127\.0\.0\.1:4222/],
      [{}, { SARTHE_BUS: 'nats://a:4222,redis://b:6379' }, /^SARTHE_BUS: expected a NATS address/],
      [{ bus: 'nats://127.0.0.1:' }, {}, /^--bus: expected a NATS address/],
      [{ edgeCatchUp: 'often' }, {}, /^--edge-catch-up: expected wall milliseconds/],
      [{ store: 'mysql://root@db/sarthe' }, {}, /^--store: expected a Postgres URL naming a database, e\.g\. postgres:\/\/postgres@127\.0\.0\.1:5432\/sarthe/],
      [{}, { SARTHE_STORE: 'postgres://127.0.0.1:5432' }, /^SARTHE_STORE: expected a Postgres URL naming a database/],
      [{}, { SARTHE_STORE: 'sarthe.db' }, /^SARTHE_STORE: expected a Postgres URL/],
    ];
    for (const [over, env, expected] of cases) {
      const found = problems(over, env);
      assert.equal(found.length, 1, `${JSON.stringify({ over, env })}: ${found.join(' / ')}`);
      assert.match(found[0]!, expected);
    }
  });

  it('a variable its flag overrides is still checked: a broken PORT or LOG_LEVEL is found before the flag goes', () => {
    const port = problems({ port: '9200' }, { PORT: 'abc' });
    assert.equal(port.length, 1, port.join(' / '));
    assert.match(port[0]!, /^PORT: expected a TCP port.*\(got "abc"\); --port overrides it, but it is wrong/);
    assert.match(problems({ logLevel: 'info' }, { LOG_LEVEL: 'loud' })[0]!, /^LOG_LEVEL: expected one of .*--log-level overrides it/);
    const store = problems({ store: 'postgres://postgres@127.0.0.1:5432/sarthe' }, { SARTHE_STORE: 'mysql://app:s3cret@db/x' });
    assert.equal(store.length, 1);
    assert.ok(!store[0]!.includes('s3cret'));
    assert.equal(serveConfig(flags({ port: '9200' }), { PORT: '9100' }).config['--port'], 9200, 'a good PORT under a flag is fine');
  });

  it('secrets are never repeated; every problem is listed at once', () => {
    const found = problems({ port: 'x' }, { SARTHE_INGEST_TOKEN: 'tok en', SARTHE_ADMIN_EMAIL: 'a@b.example', SARTHE_ADMIN_PASSWORD: 'hunter2' });
    assert.equal(found.length, 3);
    assert.ok(found.every((p) => !p.includes('hunter2') && !p.includes('tok en')));
    const store = problems({}, { SARTHE_STORE: 'postgres://app:s3cret@db.example' });
    assert.equal(store.length, 1);
    assert.ok(!store[0]!.includes('s3cret'), 'a store URL may hold a password: never echoed');
  });

  it('--store / SARTHE_STORE: a postgres:// URL, the flag winning over the variable; unset means the SQLite file', () => {
    assert.equal(serveConfig(flags(), {}).config['--store'], undefined);
    const url = 'postgres://postgres@127.0.0.1:5432/sarthe';
    assert.equal(serveConfig(flags(), { SARTHE_STORE: url }).config['--store'], url);
    assert.equal(serveConfig(flags({ store: 'postgresql://u@h/other' }), { SARTHE_STORE: url }).config['--store'], 'postgresql://u@h/other');
    assert.deepEqual(serveConfig(flags(), { SARTHE_STORE: url }).warnings, [], 'SARTHE_STORE is a known setting');
  });

  it('--store / SARTHE_STORE naming a database Postgres keeps for itself (postgres, template0, template1) is refused, naming it', async () => {
    for (const database of ['postgres', 'template0', 'template1']) {
      const found = problems({}, { SARTHE_STORE: `postgres://app:s3cret@127.0.0.1:5432/${database}` });
      assert.equal(found.length, 1, database);
      assert.match(found[0]!, new RegExp(`^SARTHE_STORE: the URL names the database "${database}", one Postgres keeps for itself`));
      assert.ok(!found[0]!.includes('s3cret'));
    }
    // No path: libpq takes the user's name as the database.
    assert.match(problems({ store: 'postgres://postgres@127.0.0.1:5432/' }, {}).join('\n'), /expected a Postgres URL naming a database/);
    assert.deepEqual(problems({ store: 'postgres://postgres@127.0.0.1:5432/postgres_sarthe' }, {}), [], 'only the exact names');
    // The second guard, for any caller of openStores (bench, tests): it refuses before connecting (port 1: nothing listens).
    await assert.rejects(openStores({ url: 'postgres://app:s3cret@127.0.0.1:1/template1', file: 'unused' }), (error: Error) => {
      assert.match(error.message, /^cannot open the Postgres store at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/template1: the URL names the database "template1"/);
      return true;
    });
    assert.equal(databaseOf('postgres://postgres@h'), 'postgres', 'libpq: no database, the user name');
    assert.equal(databaseOf('postgres://ops@h:5432'), 'ops');
  });

  it('--deployment / SARTHE_DEPLOYMENT: sarthe unless told, a NATS-safe lowercase token, the flag winning', () => {
    assert.equal(serveConfig(flags(), {}).config['--deployment'], 'sarthe');
    assert.equal(serveConfig(flags(), { SARTHE_DEPLOYMENT: 'staging' }).config['--deployment'], 'staging');
    assert.equal(serveConfig(flags({ deployment: 'prod-eu' }), {}).config['--deployment'], 'prod-eu');
    assert.deepEqual(serveConfig(flags(), { SARTHE_DEPLOYMENT: 'staging', SARTHE_BUS: 'nats://127.0.0.1:4222' }).warnings, [], 'a known setting');
    // Without a bus there is nothing to name: said, not silently accepted.
    assert.deepEqual(serveConfig(flags(), { SARTHE_DEPLOYMENT: 'staging' }).warnings, [
      'SARTHE_DEPLOYMENT: names a deployment on the bus, and there is no bus (--bus / SARTHE_BUS): ignored',
    ]);
    assert.match(serveConfig(flags({ deployment: 'prod-eu' }), {}).warnings[0]!, /^--deployment: names a deployment on the bus/);
    assert.deepEqual(serveConfig(flags(), {}).warnings, [], 'the default needs no bus');
    for (const bad of ['prod.eu', 'Prod', 'a*', 'a>b', 'a b', '']) {
      const found = problems({}, { SARTHE_DEPLOYMENT: bad });
      assert.equal(found.length, 1, bad);
      assert.match(found[0]!, /^SARTHE_DEPLOYMENT: expected a deployment name: lowercase letters, digits, - and _/, bad);
    }
    assert.match(problems({ deployment: 'a.b' }, {})[0]!, /^--deployment: expected a deployment name.*\(got "a\.b"\)/);
  });

  it('good values are taken; PORT and LOG_LEVEL apply only when the flag is not given', () => {
    const env = { PORT: '9100', LOG_LEVEL: 'warn', SARTHE_INGEST_TOKEN: 'secret', SARTHE_RATE_LIMIT: '0', SARTHE_CORS_ORIGINS: 'https://a.example, https://b.example', SARTHE_SHUTDOWN_MS: '2500' };
    const { config } = serveConfig(flags(), env);
    assert.equal(config['--port'], 9100);
    assert.equal(config['--log-level'], 'warn');
    assert.equal(config.SARTHE_INGEST_TOKEN, 'secret');
    assert.equal(config.rateLimitPerMinute, 0);
    assert.deepEqual(config.corsOrigins, ['https://a.example', 'https://b.example']);
    assert.equal(config.shutdownMs, 2500);
    assert.equal(config['--role'], 'all', 'one process unless told');
    assert.equal(config['--bus'], undefined);
    assert.equal(config.edgeCatchUpMs, 10_000);
    const edge = serveConfig(flags({ edgeCatchUp: '0' }), { SARTHE_ROLE: 'edge', SARTHE_BUS: 'nats://127.0.0.1:4222,nats://10.0.0.2:4222' }).config;
    assert.equal(edge['--role'], 'edge');
    assert.equal(edge['--bus'], 'nats://127.0.0.1:4222,nats://10.0.0.2:4222');
    assert.equal(edge.edgeCatchUpMs, 0);
    assert.equal(serveConfig(flags({ role: 'ingest', bus: 'nats://h:1' }), { SARTHE_ROLE: 'edge' }).config['--role'], 'ingest', 'the flag wins over SARTHE_ROLE');
    assert.equal(serveConfig(flags({ port: '9200' }), env).config['--port'], 9200, 'the flag wins over PORT');
    assert.equal(serveConfig(flags(), {}).config.rateLimitPerMinute, 1200, 'generous by default');
    assert.match(serveConfig(flags(), { SARTHE_INGST_TOKEN: 'x' }).warnings[0]!, /SARTHE_INGST_TOKEN is not a Sarthe setting/);
  });

  it('the real start stops with exit code 2 and the message, before opening the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-config-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, 'never.db');
    const failed = await promisify(execFile)(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), 'serve', '--no-replay', '--db', db], {
      env: { ...process.env, PORT: 'abc', SARTHE_PUBLIC_URL: 'not-a-url' },
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    assert.ok(failed !== null, 'the start failed');
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, /bad configuration, nothing started:\n {2}PORT: .*\n {2}SARTHE_PUBLIC_URL: /);
    assert.equal(existsSync(db), false, 'no store was created');
  });

  it('the real start refuses SARTHE_STORE=…/postgres with exit code 2 and leaves the maintenance database untouched', async () => {
    const server = process.env.SARTHE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
    const failed = await promisify(execFile)(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), 'serve', '--no-replay', '--no-site', '--port', '0', '--host', '127.0.0.1'], {
      env: { ...process.env, SARTHE_STORE: `${server}/postgres` },
      timeout: 30_000,
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    assert.ok(failed !== null, 'the start failed');
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, /bad configuration, nothing started:\n {2}SARTHE_STORE: the URL names the database "postgres"/);
    // Where Postgres runs (CI, this machine), nothing of Sarthe's schema is in it.
    const client = new pg.Client({ connectionString: `${server}/postgres`, connectionTimeoutMillis: 3000 });
    const reachable = await client.connect().then(() => true, () => false);
    if (!reachable) {
      assert.notEqual(process.env.CI, 'true', `CI=true but Postgres is unreachable at ${server}`);
      return;
    }
    try {
      const tables = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_name IN ('events', 'races', 'schema_migrations', 'told_facts')`);
      assert.deepEqual(tables.rows, []);
    } finally {
      await client.end();
    }
  });

  it('a Postgres store that cannot be reached stops the start with a line naming it (password hidden)', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const failed = await promisify(execFile)(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), 'serve', '--no-replay', '--no-site', '--port', '0', '--host', '127.0.0.1'], {
      env: { ...process.env, SARTHE_STORE: 'postgres://app:s3cret@127.0.0.1:1/sarthe' },
      timeout: 30_000,
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    assert.ok(failed !== null, 'the start failed');
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /cannot open the Postgres store at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/sarthe: .*ECONNREFUSED/);
    assert.ok(!failed.stderr.includes('s3cret'));
  });
});
