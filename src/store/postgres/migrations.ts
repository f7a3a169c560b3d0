/**
 * The Postgres schema as numbered migrations, run on start by every process
 * that opens the store (src/store/open.ts). Two processes starting together
 * take turns: the runner holds a transaction-scoped advisory lock while it
 * reads `schema_migrations` and applies what is missing, so each migration
 * runs once, inside its own transaction.
 *
 * Append only: never edit a migration that has shipped, add the next one.
 * Times are integers of ms since the epoch (bigint), as in the SQLite store.
 */
import type pg from 'pg';

export const POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: the event store (the same tables as sqlite/index.ts).
  `
  CREATE TABLE races (
    id text PRIMARY KEY,
    created_at bigint NOT NULL,
    last_seq bigint NOT NULL
  );
  CREATE TABLE events (
    race text NOT NULL,
    seq bigint NOT NULL,
    key text NOT NULL,
    body text NOT NULL,
    commit_seq bigint NOT NULL,
    stored_at bigint NOT NULL,
    PRIMARY KEY (race, seq)
  );
  -- The current event under a key is its latest (a revised entry moves it on). An index, not a
  -- key table as in SQLite: one heap write per event instead of two (bench/README.md, bench:store).
  CREATE INDEX events_key ON events (race, key, seq);
  -- Every session or entry fact as it was told (before merging): a resend of an older one is a resend.
  CREATE TABLE told_facts (
    race text NOT NULL,
    key text NOT NULL,
    body text NOT NULL,
    PRIMARY KEY (race, key, body)
  );
  `,
  // 2: the news site's content (the same tables as sqlite/content.ts migrations 1 and 2).
  `
  CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'editor', 'reader')),
    subscriber boolean NOT NULL DEFAULT false,
    password_hash text NOT NULL,
    created_at bigint NOT NULL
  );
  -- Emails compare case-insensitively, as SQLite's COLLATE NOCASE (ASCII) does.
  CREATE UNIQUE INDEX users_email ON users (lower(email));
  CREATE TABLE sessions (
    id_hash text PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (user_id);
  CREATE TABLE articles (
    id bigserial PRIMARY KEY,
    slug text NOT NULL UNIQUE,
    kind text NOT NULL CHECK (kind IN ('report', 'article')),
    status text NOT NULL CHECK (status IN ('draft', 'published')),
    headline text NOT NULL,
    standfirst text NOT NULL,
    body_md text NOT NULL,
    byline text NOT NULL,
    race text,
    hour integer,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    published_at bigint,
    corrected_at bigint
  );
  -- One hourly report per race hour: the drafting loop relies on it.
  CREATE UNIQUE INDEX articles_race_hour ON articles (race, hour) WHERE kind = 'report';
  CREATE INDEX articles_published ON articles (status, published_at);
  CREATE TABLE article_tags (
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag text NOT NULL,
    PRIMARY KEY (article_id, tag)
  );
  CREATE INDEX article_tags_tag ON article_tags (tag);
  CREATE TABLE api_tokens (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    created_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at bigint NOT NULL,
    last_used_at bigint,
    revoked_at bigint
  );
  `,
];

/** Any 64-bit number both runners agree on: "sarthe schema" as digits. */
const MIGRATION_LOCK = 0x5a47_7e5c_4e3a;

/**
 * Applies the migrations not yet recorded, each in its own transaction, and
 * returns the schema version reached. The advisory lock is taken and held
 * for the whole run on one connection: a second process waits, then finds
 * nothing left to do.
 */
export async function migrate(pool: pg.Pool, migrations: readonly string[] = POSTGRES_MIGRATIONS): Promise<number> {
  const client = await pool.connect();
  // Postgres going away mid-migration fails the query; without a listener it would also crash the process.
  const onError = () => {};
  client.on('error', onError);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)');
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      for (const [index, sql] of migrations.entries()) {
        const version = index + 1;
        if (done.has(version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, Date.now()]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`Postgres migration ${version} failed: ${(error as Error).message}`, { cause: error });
        }
      }
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
      return rows[0]?.v ?? 0;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.off('error', onError);
    client.release();
  }
}
