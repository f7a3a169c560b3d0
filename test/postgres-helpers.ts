/**
 * A fresh Postgres database per test run: `sarthe_test_<random>`, created
 * through the `postgres` maintenance database and dropped at the end.
 * SARTHE_TEST_POSTGRES overrides the server (default
 * postgres://postgres@127.0.0.1:5432). With CI=true an unreachable Postgres
 * fails the run; elsewhere the caller skips with the reason shown.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_SERVER = process.env.SARTHE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  /** postgres://…/sarthe_test_<random> */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates the run's database; null (with the reason) when Postgres is unreachable outside CI; throws in CI. */
export async function createTestDatabase(): Promise<TestDatabase | { unreachable: string }> {
  const name = `sarthe_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${POSTGRES_SERVER}/postgres`, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    const reason = `Postgres unreachable at ${POSTGRES_SERVER} (${(error as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${reason}: CI needs it (issue 14)`, { cause: error });
    return { unreachable: reason };
  }
  await admin.end();
  return {
    url: `${POSTGRES_SERVER}/${name}`,
    name,
    async drop() {
      const client = new pg.Client({ connectionString: `${POSTGRES_SERVER}/postgres` });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
