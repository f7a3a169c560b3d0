/**
 * The store contract (store-contract.ts) on the Postgres store, in a fresh
 * database for this run (postgres-helpers.ts), one schema per test; plus
 * what only a network store has: migrations raced by two processes, and an
 * outage reported as StoreUnavailableError (503 at the HTTP edge).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { StoreUnavailableError, toAppendEvent } from '../src/store/index.js';
import { openStores } from '../src/store/open.js';
import { PostgresContentStore } from '../src/store/postgres/content.js';
import { PostgresEventStore } from '../src/store/postgres/index.js';
import { migrate, POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { openPool } from '../src/store/postgres/pool.js';
import { lap } from './helpers.js';
import { createTestDatabase } from './postgres-helpers.js';
import { storeContract } from './store-contract.js';

const database = await createTestDatabase();

if ('unreachable' in database) {
  it('Postgres store contract', { skip: `${database.unreachable}: set CI=true to make this a failure` }, () => {});
} else {
  const admin = new pg.Pool({ connectionString: database.url, max: 2 });
  // Ended before the database is dropped (after hooks run in order).
  after(() => admin.end());
  after(() => database.drop());
  let schemas = 0;

  storeContract('Postgres', {
    async fresh() {
      const schema = `contract_${++schemas}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      const open = () => openStores({ url: database.url, file: 'unused', schema, maxConnections: 4 });
      const stores = await open();
      return { events: stores.events, content: stores.content, open };
    },
  });

  describe('Postgres store: what only a network store has', () => {
    it('two processes starting together apply each migration once (advisory lock)', async () => {
      await admin.query('CREATE SCHEMA race_start');
      const pools = [openPool({ url: database.url, schema: 'race_start' }), openPool({ url: database.url, schema: 'race_start' })];
      try {
        const versions = await Promise.all(pools.map((pool) => migrate(pool)));
        assert.deepEqual(versions, [POSTGRES_MIGRATIONS.length, POSTGRES_MIGRATIONS.length]);
        const { rows } = await admin.query<{ version: number }>('SELECT version FROM race_start.schema_migrations ORDER BY version');
        assert.deepEqual(rows.map((r) => r.version), POSTGRES_MIGRATIONS.map((_, i) => i + 1));
        assert.equal(await migrate(pools[0]!), POSTGRES_MIGRATIONS.length, 'a third start finds nothing to do');
        assert.equal(await new PostgresContentStore(pools[0]!, async () => {}).schemaVersion(), POSTGRES_MIGRATIONS.length);
      } finally {
        await Promise.all(pools.map((pool) => pool.end()));
      }
    });

    it('a migration that fails leaves no trace and names its number', async () => {
      await admin.query('CREATE SCHEMA broken');
      const pool = openPool({ url: database.url, schema: 'broken' });
      try {
        await assert.rejects(migrate(pool, ['CREATE TABLE a (x int)', 'CREATE TABLE b (x nonsense_type)']), /Postgres migration 2 failed: type "nonsense_type" does not exist/);
        const { rows } = await admin.query<{ version: number }>('SELECT version FROM broken.schema_migrations');
        assert.deepEqual(rows.map((r) => r.version), [1]);
        const tables = await admin.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'broken' AND table_name = 'b'");
        assert.equal(tables.rowCount, 0);
      } finally {
        await pool.end();
      }
    });

    it('a Postgres that does not answer is a StoreUnavailableError, quickly, for appends and reads', async () => {
      // A port that accepts nothing: listen, note it, close.
      const port = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address() as { port: number };
          server.close(() => resolve(port));
        });
      });
      const pool = openPool({ url: `postgres://postgres@127.0.0.1:${port}/nothing`, connectTimeoutMs: 1000 });
      const store = new PostgresEventStore(pool);
      const started = Date.now();
      await assert.rejects(store.append('r', [toAppendEvent(lap('7', 1, 1))]), (error: unknown) => {
        assert.ok(error instanceof StoreUnavailableError, String(error));
        assert.equal(error.statusCode, 503);
        assert.match(error.message, /the Postgres store does not answer \(append to r\)/);
        return true;
      });
      await assert.rejects(store.races(), StoreUnavailableError);
      assert.ok(Date.now() - started < 5000, 'fails fast, does not hang');
      await store.close();
    });

    it('ordinary SQL errors stay what they are (not a 503)', async () => {
      const pool = openPool({ url: database.url, schema: 'no_such_schema' });
      const store = new PostgresEventStore(pool);
      await assert.rejects(store.races(), (error: unknown) => !(error instanceof StoreUnavailableError) && /relation "races" does not exist/.test(String(error)));
      await store.close();
    });
  });
}
