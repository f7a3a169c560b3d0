/**
 * The content store (articles, users, sessions, ingest tokens) in Postgres:
 * the same behaviour as sqlite/content.ts, checked by the same tests
 * (test/store-contract.ts). Its tables come with the event store's in
 * migrations.ts, applied on start.
 *
 * Differences that do not show through the interface: emails are unique on
 * lower(email) (SQLite: COLLATE NOCASE), tags come back as an array_agg
 * (SQLite: group_concat).
 */
import type pg from 'pg';
import {
  normaliseTag,
  type ApiToken,
  type Article,
  type ArticleChange,
  type ArticleQuery,
  type ArticleStatus,
  type ContentStore,
  type NewArticle,
  type NewUser,
  type Session,
  type User,
  type UserChange,
} from '../content.js';
import * as Rows from '../content-rows.js';
import { inTransaction, query } from './pool.js';

type UserRow = Rows.UserRow<boolean>;
type ApiTokenRow = Rows.ApiTokenRow;
type ArticleRow = Rows.ArticleRow<string[]>;
const toUser = (row: UserRow): User => Rows.userFromRow(row, (subscriber) => subscriber);
const toApiToken = Rows.apiTokenFromRow;
const toArticle = (row: ArticleRow): Article => Rows.articleFromRow(row, (tags) => [...tags]);

const ARTICLE_COLUMNS = `a.*, coalesce((SELECT array_agg(t.tag ORDER BY t.tag) FROM article_tags t WHERE t.article_id = a.id), '{}') AS tags`;
/** Newest first: by publication for published pieces, by last change for drafts. */
const NEWEST_FIRST = 'ORDER BY coalesce(a.published_at, a.updated_at) DESC, a.id DESC';

export class PostgresContentStore implements ContentStore {
  private closed = false;

  /** `onClose` runs on the first close() (open.ts shares the pool with the event store). */
  constructor(
    private readonly pool: pg.Pool,
    private readonly onClose: () => Promise<void> = () => pool.end(),
  ) {}

  /** Migrations applied so far (for tests and the log). */
  async schemaVersion(): Promise<number> {
    const { rows } = await this.q<{ v: number | null }>('schema version', 'SELECT max(version) AS v FROM schema_migrations');
    return rows[0]?.v ?? 0;
  }

  async createUser(user: NewUser): Promise<User> {
    const { rows } = await this.q<UserRow>(
      'create user',
      'INSERT INTO users (email, name, role, subscriber, password_hash, created_at) VALUES ($1, $2, $3, false, $4, $5) RETURNING *',
      [user.email.trim(), user.name.trim(), user.role, user.passwordHash, Date.now()],
    );
    return toUser(rows[0]!);
  }

  async userById(id: number): Promise<User | null> {
    const { rows } = await this.q<UserRow>('read user', 'SELECT * FROM users WHERE id = $1', [id]);
    return rows.length === 0 ? null : toUser(rows[0]!);
  }

  async userByEmail(email: string): Promise<User | null> {
    const { rows } = await this.q<UserRow>('read user', 'SELECT * FROM users WHERE lower(email) = lower($1)', [email.trim()]);
    return rows.length === 0 ? null : toUser(rows[0]!);
  }

  async users(): Promise<User[]> {
    return (await this.q<UserRow>('list users', 'SELECT * FROM users ORDER BY id')).rows.map(toUser);
  }

  async updateUser(id: number, change: UserChange): Promise<User | null> {
    const sets: string[] = [];
    const values: unknown[] = [];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (change.role !== undefined) set('role', change.role);
    if (change.subscriber !== undefined) set('subscriber', change.subscriber);
    if (change.passwordHash !== undefined) set('password_hash', change.passwordHash);
    if (change.name !== undefined) set('name', change.name.trim());
    if (sets.length > 0) await this.q('update user', `UPDATE users SET ${sets.join(', ')} WHERE id = $${values.length + 1}`, [...values, id]);
    return this.userById(id);
  }

  async createSession(session: Session): Promise<void> {
    await this.q('create session', 'INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
      session.idHash,
      session.userId,
      session.createdAtMs,
      session.expiresAtMs,
    ]);
    // Expired sessions go as new ones come: no timer needed.
    await this.q('expire sessions', 'DELETE FROM sessions WHERE expires_at <= $1', [session.createdAtMs]);
  }

  async sessionUser(idHash: string, nowMs: number): Promise<User | null> {
    const { rows } = await this.q<UserRow>(
      'read session',
      'SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2',
      [idHash, nowMs],
    );
    return rows.length === 0 ? null : toUser(rows[0]!);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.q('delete session', 'DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteUserSessions(userId: number): Promise<void> {
    await this.q('delete sessions', 'DELETE FROM sessions WHERE user_id = $1', [userId]);
  }

  async createArticle(article: NewArticle, nowMs: number): Promise<Article | null> {
    const id = await inTransaction(this.pool, 'create article', async (client) => {
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO articles (slug, kind, status, headline, standfirst, body_md, byline, race, hour, created_at, updated_at, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) ON CONFLICT DO NOTHING RETURNING id`,
        [
          article.slug,
          article.kind,
          article.status,
          article.headline,
          article.standfirst,
          article.bodyMd,
          article.byline,
          article.race,
          article.hour,
          nowMs,
          article.status === 'published' ? nowMs : null,
        ],
      );
      if (rows.length === 0) return null;
      await writeTags(client, rows[0]!.id, article.tags);
      return rows[0]!.id;
    });
    return id === null ? null : this.articleById(id);
  }

  async articleById(id: number): Promise<Article | null> {
    const { rows } = await this.q<ArticleRow>('read article', `SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.id = $1`, [id]);
    return rows.length === 0 ? null : toArticle(rows[0]!);
  }

  async articleBySlug(slug: string): Promise<Article | null> {
    const { rows } = await this.q<ArticleRow>('read article', `SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.slug = $1`, [slug]);
    return rows.length === 0 ? null : toArticle(rows[0]!);
  }

  async reportOf(race: string, hour: number): Promise<Article | null> {
    const { rows } = await this.q<ArticleRow>(
      'read report',
      `SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.kind = 'report' AND a.race = $1 AND a.hour = $2`,
      [race, hour],
    );
    return rows.length === 0 ? null : toArticle(rows[0]!);
  }

  async articles(articleQuery: ArticleQuery): Promise<Article[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const match = (condition: (param: string) => string, value: unknown) => {
      values.push(value);
      where.push(condition(`$${values.length}`));
    };
    if (articleQuery.status !== undefined) match((p) => `a.status = ${p}`, articleQuery.status);
    if (articleQuery.kind !== undefined) match((p) => `a.kind = ${p}`, articleQuery.kind);
    if (articleQuery.race !== undefined) match((p) => `a.race = ${p}`, articleQuery.race);
    if (articleQuery.tag !== undefined) match((p) => `EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ${p})`, normaliseTag(articleQuery.tag));
    const limit = Math.max(1, Math.min(articleQuery.limit ?? 50, 500));
    const sql = `SELECT ${ARTICLE_COLUMNS} FROM articles a ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ${NEWEST_FIRST} LIMIT ${limit}`;
    return (await this.q<ArticleRow>('list articles', sql, values)).rows.map(toArticle);
  }

  async updateArticle(id: number, change: ArticleChange, nowMs: number): Promise<Article | null> {
    await inTransaction(this.pool, 'update article', async (client) => {
      const values: unknown[] = [nowMs];
      const sets: string[] = ['updated_at = $1', "corrected_at = CASE WHEN status = 'published' THEN $1 ELSE corrected_at END"];
      const set = (column: string, value: unknown) => {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      };
      if (change.headline !== undefined) set('headline', change.headline);
      if (change.standfirst !== undefined) set('standfirst', change.standfirst);
      if (change.bodyMd !== undefined) set('body_md', change.bodyMd);
      const result = await client.query(`UPDATE articles SET ${sets.join(', ')} WHERE id = $${values.length + 1}`, [...values, id]);
      if ((result.rowCount ?? 0) > 0 && change.tags !== undefined) await writeTags(client, id, change.tags);
    });
    return this.articleById(id);
  }

  async setStatus(id: number, status: ArticleStatus, nowMs: number): Promise<Article | null> {
    await this.q(
      'set article status',
      `UPDATE articles SET status = $1, updated_at = $2,
         published_at = CASE WHEN $1 = 'published' THEN coalesce(published_at, $2) ELSE published_at END
       WHERE id = $3`,
      [status, nowMs, id],
    );
    return this.articleById(id);
  }

  async createApiToken(token: Pick<ApiToken, 'name' | 'tokenHash' | 'createdBy'>, nowMs: number): Promise<ApiToken> {
    const { rows } = await this.q<ApiTokenRow>(
      'create token',
      'INSERT INTO api_tokens (name, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
      [token.name.trim(), token.tokenHash, token.createdBy, nowMs],
    );
    return toApiToken(rows[0]!);
  }

  async apiTokens(): Promise<ApiToken[]> {
    return (await this.q<ApiTokenRow>('list tokens', 'SELECT * FROM api_tokens ORDER BY id')).rows.map(toApiToken);
  }

  async useApiToken(tokenHash: string, nowMs: number): Promise<ApiToken | null> {
    const { rows } = await this.q<ApiTokenRow>('read token', 'SELECT * FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash]);
    const row = rows[0];
    if (row === undefined) return null;
    // At most one write a minute per token: ingest may call this for every batch.
    if (row.last_used_at === null || nowMs - row.last_used_at > 60_000) {
      await this.q('note token use', 'UPDATE api_tokens SET last_used_at = $1 WHERE id = $2', [nowMs, row.id]);
      row.last_used_at = nowMs;
    }
    return toApiToken(row);
  }

  async revokeApiToken(id: number, nowMs: number): Promise<ApiToken | null> {
    const { rows } = await this.q<ApiTokenRow>('revoke token', 'UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2 RETURNING *', [nowMs, id]);
    return rows.length === 0 ? null : toApiToken(rows[0]!);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.onClose();
  }

  private q<R extends pg.QueryResultRow>(what: string, text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return query<R>(this.pool, what, text, values);
  }
}

async function writeTags(client: pg.PoolClient, id: number, tags: readonly string[]): Promise<void> {
  await client.query('DELETE FROM article_tags WHERE article_id = $1', [id]);
  const normalised = [...new Set(tags.filter((tag) => /[a-z0-9]/i.test(tag)).map(normaliseTag))];
  if (normalised.length > 0) {
    await client.query('INSERT INTO article_tags (article_id, tag) SELECT $1::bigint, unnest($2::text[]) ON CONFLICT DO NOTHING', [id, normalised]);
  }
}
