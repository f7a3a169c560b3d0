/**
 * The content store in the embedded database: the same SQLite file as the
 * event store (default ./data/sarthe.db), through a connection of its own —
 * WAL lets both write the file, each waiting on the other's lock
 * (busy_timeout), and neither store knows the other's tables.
 *
 * Migrations are numbered and applied in order inside one transaction each;
 * `content_migrations` records which ran, so an older database is upgraded
 * in place at start.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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

export interface SqliteContentOptions {
  /** File path (the event store's), or ':memory:' in tests. */
  file: string;
}

/** Append only: never edit a migration that has shipped, add the next one. */
export const CONTENT_MIGRATIONS: readonly string[] = [
  // 1: users, sessions, articles and their tags.
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'reader')),
    subscriber INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sessions_user ON sessions (user_id);
  CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'article')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    headline TEXT NOT NULL,
    standfirst TEXT NOT NULL,
    body_md TEXT NOT NULL,
    byline TEXT NOT NULL,
    race TEXT,
    hour INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    published_at INTEGER,
    corrected_at INTEGER
  );
  -- One hourly report per race hour: the drafting loop relies on it.
  CREATE UNIQUE INDEX articles_race_hour ON articles (race, hour) WHERE kind = 'report';
  CREATE INDEX articles_published ON articles (status, published_at);
  CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
  ) WITHOUT ROWID;
  CREATE INDEX article_tags_tag ON article_tags (tag);
  `,
  // 2: ingest tokens issued by admins.
  `
  CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  `,
];

type UserRow = Rows.UserRow<number>;
type ApiTokenRow = Rows.ApiTokenRow;
type ArticleRow = Rows.ArticleRow<string | null>;
const toUser = (row: UserRow): User => Rows.userFromRow(row, (subscriber) => subscriber === 1);
const toApiToken = Rows.apiTokenFromRow;
const toArticle = (row: ArticleRow): Article => Rows.articleFromRow(row, (tags) => (tags === null ? [] : tags.split('\u001f')));

const ARTICLE_COLUMNS = `a.*, (SELECT group_concat(tag, char(31)) FROM article_tags t WHERE t.article_id = a.id) AS tags`;
/** Newest first: by publication for published pieces, by last change for drafts. */
const NEWEST_FIRST = 'ORDER BY coalesce(a.published_at, a.updated_at) DESC, a.id DESC';

export class SqliteContentStore implements ContentStore {
  private readonly db: Database.Database;

  constructor(options: SqliteContentOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
  }

  /** Migrations applied so far (for tests and the log). */
  get schemaVersion(): number {
    return (this.db.prepare('SELECT max(version) AS v FROM content_migrations').get() as { v: number | null }).v ?? 0;
  }

  async createUser(user: NewUser): Promise<User> {
    const now = Date.now();
    const result = this.db
      .prepare('INSERT INTO users (email, name, role, subscriber, password_hash, created_at) VALUES (?, ?, ?, 0, ?, ?)')
      .run(user.email.trim(), user.name.trim(), user.role, user.passwordHash, now);
    return (await this.userById(Number(result.lastInsertRowid)))!;
  }

  async userById(id: number): Promise<User | null> {
    const row = this.db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?').get(id);
    return row === undefined ? null : toUser(row);
  }

  async userByEmail(email: string): Promise<User | null> {
    const row = this.db.prepare<[string], UserRow>('SELECT * FROM users WHERE email = ?').get(email.trim());
    return row === undefined ? null : toUser(row);
  }

  async users(): Promise<User[]> {
    return this.db.prepare<[], UserRow>('SELECT * FROM users ORDER BY id').all().map(toUser);
  }

  async updateUser(id: number, change: UserChange): Promise<User | null> {
    const sets: string[] = [];
    const values: Array<string | number> = [];
    if (change.role !== undefined) sets.push('role = ?'), values.push(change.role);
    if (change.subscriber !== undefined) sets.push('subscriber = ?'), values.push(change.subscriber ? 1 : 0);
    if (change.passwordHash !== undefined) sets.push('password_hash = ?'), values.push(change.passwordHash);
    if (change.name !== undefined) sets.push('name = ?'), values.push(change.name.trim());
    if (sets.length > 0) this.db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    return this.userById(id);
  }

  async createSession(session: Session): Promise<void> {
    this.db
      .prepare('INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(session.idHash, session.userId, session.createdAtMs, session.expiresAtMs);
    // Expired sessions go as new ones come: no timer needed.
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(session.createdAtMs);
  }

  async sessionUser(idHash: string, nowMs: number): Promise<User | null> {
    const row = this.db
      .prepare<[string, number], UserRow>('SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND s.expires_at > ?')
      .get(idHash, nowMs);
    return row === undefined ? null : toUser(row);
  }

  async deleteSession(idHash: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  async deleteUserSessions(userId: number): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
  }

  async createArticle(article: NewArticle, nowMs: number): Promise<Article | null> {
    const insert = this.db.transaction((): number | null => {
      const result = this.db
        .prepare(
          `INSERT INTO articles (slug, kind, status, headline, standfirst, body_md, byline, race, hour, created_at, updated_at, published_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        )
        .run(
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
          nowMs,
          article.status === 'published' ? nowMs : null,
        );
      if (result.changes === 0) return null;
      const id = Number(result.lastInsertRowid);
      this.writeTags(id, article.tags);
      return id;
    });
    const id = insert.immediate();
    return id === null ? null : this.articleById(id);
  }

  async articleById(id: number): Promise<Article | null> {
    const row = this.db.prepare<[number], ArticleRow>(`SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.id = ?`).get(id);
    return row === undefined ? null : toArticle(row);
  }

  async articleBySlug(slug: string): Promise<Article | null> {
    const row = this.db.prepare<[string], ArticleRow>(`SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.slug = ?`).get(slug);
    return row === undefined ? null : toArticle(row);
  }

  async reportOf(race: string, hour: number): Promise<Article | null> {
    const row = this.db
      .prepare<[string, number], ArticleRow>(`SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.kind = 'report' AND a.race = ? AND a.hour = ?`)
      .get(race, hour);
    return row === undefined ? null : toArticle(row);
  }

  async articles(query: ArticleQuery): Promise<Article[]> {
    const where: string[] = [];
    const values: Array<string | number> = [];
    if (query.status !== undefined) where.push('a.status = ?'), values.push(query.status);
    if (query.kind !== undefined) where.push('a.kind = ?'), values.push(query.kind);
    if (query.race !== undefined) where.push('a.race = ?'), values.push(query.race);
    if (query.tag !== undefined) {
      where.push('EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ?)');
      values.push(normaliseTag(query.tag));
    }
    const limit = Math.max(1, Math.min(query.limit ?? 50, 500));
    const sql = `SELECT ${ARTICLE_COLUMNS} FROM articles a ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ${NEWEST_FIRST} LIMIT ${limit}`;
    return this.db.prepare<Array<string | number>, ArticleRow>(sql).all(...values).map(toArticle);
  }

  async updateArticle(id: number, change: ArticleChange, nowMs: number): Promise<Article | null> {
    const update = this.db.transaction(() => {
      const sets: string[] = ['updated_at = ?', "corrected_at = CASE WHEN status = 'published' THEN ? ELSE corrected_at END"];
      const values: Array<string | number> = [nowMs, nowMs];
      if (change.headline !== undefined) sets.push('headline = ?'), values.push(change.headline);
      if (change.standfirst !== undefined) sets.push('standfirst = ?'), values.push(change.standfirst);
      if (change.bodyMd !== undefined) sets.push('body_md = ?'), values.push(change.bodyMd);
      const result = this.db.prepare(`UPDATE articles SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
      if (result.changes > 0 && change.tags !== undefined) this.writeTags(id, change.tags);
    });
    update.immediate();
    return this.articleById(id);
  }

  async setStatus(id: number, status: ArticleStatus, nowMs: number): Promise<Article | null> {
    this.db
      .prepare(
        `UPDATE articles SET status = ?, updated_at = ?,
           published_at = CASE WHEN ? = 'published' THEN coalesce(published_at, ?) ELSE published_at END
         WHERE id = ?`,
      )
      .run(status, nowMs, status, nowMs, id);
    return this.articleById(id);
  }

  async createApiToken(token: Pick<ApiToken, 'name' | 'tokenHash' | 'createdBy'>, nowMs: number): Promise<ApiToken> {
    const result = this.db
      .prepare('INSERT INTO api_tokens (name, token_hash, created_by, created_at) VALUES (?, ?, ?, ?)')
      .run(token.name.trim(), token.tokenHash, token.createdBy, nowMs);
    return this.apiTokenById(Number(result.lastInsertRowid))!;
  }

  async apiTokens(): Promise<ApiToken[]> {
    return this.db.prepare<[], ApiTokenRow>('SELECT * FROM api_tokens ORDER BY id').all().map(toApiToken);
  }

  async useApiToken(tokenHash: string, nowMs: number): Promise<ApiToken | null> {
    const row = this.db.prepare<[string], ApiTokenRow>('SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(tokenHash);
    if (row === undefined) return null;
    // At most one write a minute per token: ingest may call this for every batch.
    if (row.last_used_at === null || nowMs - row.last_used_at > 60_000) {
      this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(nowMs, row.id);
      row.last_used_at = nowMs;
    }
    return toApiToken(row);
  }

  async revokeApiToken(id: number, nowMs: number): Promise<ApiToken | null> {
    this.db.prepare('UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?').run(nowMs, id);
    return this.apiTokenById(id);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private apiTokenById(id: number): ApiToken | null {
    const row = this.db.prepare<[number], ApiTokenRow>('SELECT * FROM api_tokens WHERE id = ?').get(id);
    return row === undefined ? null : toApiToken(row);
  }

  private writeTags(id: number, tags: readonly string[]): void {
    this.db.prepare('DELETE FROM article_tags WHERE article_id = ?').run(id);
    const insert = this.db.prepare('INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?, ?)');
    for (const tag of tags) {
      if (/[a-z0-9]/i.test(tag)) insert.run(id, normaliseTag(tag));
    }
  }
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS content_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const done = new Set(db.prepare<[], { version: number }>('SELECT version FROM content_migrations').all().map((r) => r.version));
  CONTENT_MIGRATIONS.forEach((sql, index) => {
    const version = index + 1;
    if (done.has(version)) return;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO content_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    }).immediate();
  });
}
