/**
 * The content tables' rows as both stores read them (users, api_tokens,
 * articles with their tags gathered in one column), and the one mapping of
 * a row to the ContentStore's records (content.ts). What differs between the
 * engines is only how two columns come back: the subscriber flag (SQLite
 * 0/1, Postgres boolean) and the gathered tags (SQLite a string joined with
 * U+001F or null, Postgres a text[]); each store passes its reading of them.
 */
import type { ApiToken, Article, ArticleStatus, Role, User } from './content.js';

/** A `users` row; `Flag` is how the engine returns the subscriber column. Times are epoch ms. */
export interface UserRow<Flag> {
  id: number;
  email: string;
  name: string;
  role: Role;
  subscriber: Flag;
  password_hash: string;
  created_at: number;
}

/** An `api_tokens` row. Times are epoch ms. */
export interface ApiTokenRow {
  id: number;
  name: string;
  token_hash: string;
  created_by: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** An `articles` row with its tags gathered (`Tags`: how the engine returns them). Times are epoch ms. */
export interface ArticleRow<Tags> {
  id: number;
  slug: string;
  kind: Article['kind'];
  status: ArticleStatus;
  headline: string;
  standfirst: string;
  body_md: string;
  byline: string;
  race: string | null;
  hour: number | null;
  created_at: number;
  updated_at: number;
  published_at: number | null;
  corrected_at: number | null;
  tags: Tags;
}

export function userFromRow<Flag>(row: UserRow<Flag>, subscriber: (value: Flag) => boolean): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    subscriber: subscriber(row.subscriber),
    passwordHash: row.password_hash,
    createdAtMs: row.created_at,
  };
}

export function apiTokenFromRow(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    tokenHash: row.token_hash,
    createdBy: row.created_by,
    createdAtMs: row.created_at,
    lastUsedAtMs: row.last_used_at,
    revokedAtMs: row.revoked_at,
  };
}

/** An article from its row; `tags` reads the gathered tags column into a list (sorted here). */
export function articleFromRow<Tags>(row: ArticleRow<Tags>, tags: (value: Tags) => string[]): Article {
  return {
    id: row.id,
    slug: row.slug,
    kind: row.kind,
    status: row.status,
    headline: row.headline,
    standfirst: row.standfirst,
    bodyMd: row.body_md,
    byline: row.byline,
    tags: tags(row.tags).sort(),
    race: row.race,
    hour: row.hour,
    createdAtMs: row.created_at,
    updatedAtMs: row.updated_at,
    publishedAtMs: row.published_at,
    correctedAtMs: row.corrected_at,
  };
}
