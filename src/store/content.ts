/**
 * The content store: the news site's articles, users and sessions. Lives in
 * the same embedded database as the event store (SQLite now, sqlite/content.ts)
 * and is kept as narrow as the event store so Postgres can implement it later:
 * plain records in, plain records out, no query language leaking through.
 */

export type Role = 'admin' | 'editor' | 'reader';
export const ROLES: readonly Role[] = ['admin', 'editor', 'reader'];

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  /** Sees pages without ads. Set through a SubscriptionProvider (server/site/subscriptions.ts). */
  subscriber: boolean;
  /** `scrypt$N$r$p$salt$hash` (server/site/passwords.ts); never leaves the server. */
  passwordHash: string;
  createdAtMs: number;
}

/** A user as created: the store adds the id and the creation time; nobody starts as a subscriber. */
export type NewUser = Pick<User, 'email' | 'name' | 'role' | 'passwordHash'>;

/** What can change in an account (only the fields given). */
export type UserChange = Partial<Pick<User, 'role' | 'subscriber' | 'passwordHash' | 'name'>>;

export interface Session {
  /** SHA-256 of the cookie's token: a stolen database holds no usable session. */
  idHash: string;
  userId: number;
  createdAtMs: number;
  expiresAtMs: number;
}

export type ArticleKind = 'report' | 'article';
export type ArticleStatus = 'draft' | 'published';

export interface Article {
  id: number;
  /** The address (/news/<slug>): fixed at creation, so corrections keep it. */
  slug: string;
  kind: ArticleKind;
  status: ArticleStatus;
  headline: string;
  standfirst: string;
  /** Markdown as the editor wrote it; rendered and sanitised at the edge. */
  bodyMd: string;
  /** Byline: a person's name, or "Sarthe race desk" for drafted reports. */
  byline: string;
  tags: string[];
  /** Race id and race hour for hourly reports. */
  race: string | null;
  hour: number | null;
  createdAtMs: number;
  updatedAtMs: number;
  /** First publication: the time a reader sees, unchanged by corrections. */
  publishedAtMs: number | null;
  /** Set when a published article is edited again. */
  correctedAtMs: number | null;
}

/** An article as created: the store adds the id and the times. */
export type NewArticle = Pick<Article, 'slug' | 'kind' | 'status' | 'headline' | 'standfirst' | 'bodyMd' | 'byline' | 'tags' | 'race' | 'hour'>;

/** A bearer token for the ingest API that an admin issued (besides the one from config). */
export interface ApiToken {
  id: number;
  /** What it is for: "timing feed, Le Mans 2026". */
  name: string;
  /** SHA-256 of the token (base64url): the token itself is shown once, never stored. */
  tokenHash: string;
  createdBy: number | null;
  createdAtMs: number;
  lastUsedAtMs: number | null;
  revokedAtMs: number | null;
}

/** An edit of an article's text and tags (only the fields given); the slug never changes. */
export type ArticleChange = Partial<Pick<Article, 'headline' | 'standfirst' | 'bodyMd' | 'tags'>>;

export interface ArticleQuery {
  status?: ArticleStatus;
  tag?: string;
  race?: string;
  kind?: ArticleKind;
  /** Newest first (published, else updated); at most this many. */
  limit?: number;
}

export interface ContentStore {
  createUser(user: NewUser): Promise<User>;
  userById(id: number): Promise<User | null>;
  /** Emails compare case-insensitively. */
  userByEmail(email: string): Promise<User | null>;
  users(): Promise<User[]>;
  updateUser(id: number, change: UserChange): Promise<User | null>;

  createSession(session: Session): Promise<void>;
  /** The live session's user, or null when unknown or expired. */
  sessionUser(idHash: string, nowMs: number): Promise<User | null>;
  deleteSession(idHash: string): Promise<void>;
  deleteUserSessions(userId: number): Promise<void>;

  /**
   * Creates an article; null when the slug is taken (a drafted hour that
   * already exists, or two editors picking the same title).
   */
  createArticle(article: NewArticle, nowMs: number): Promise<Article | null>;
  articleById(id: number): Promise<Article | null>;
  articleBySlug(slug: string): Promise<Article | null>;
  /** The hourly report of a race hour, whatever its status. */
  reportOf(race: string, hour: number): Promise<Article | null>;
  articles(query: ArticleQuery): Promise<Article[]>;
  /** Edits text; the slug never changes. Marks a published article as corrected. */
  updateArticle(id: number, change: ArticleChange, nowMs: number): Promise<Article | null>;
  /** Publishing again after an unpublish keeps the first publication time. */
  setStatus(id: number, status: ArticleStatus, nowMs: number): Promise<Article | null>;

  createApiToken(token: Pick<ApiToken, 'name' | 'tokenHash' | 'createdBy'>, nowMs: number): Promise<ApiToken>;
  apiTokens(): Promise<ApiToken[]>;
  /** The token with this hash if it is not revoked (and notes that it was used). */
  useApiToken(tokenHash: string, nowMs: number): Promise<ApiToken | null>;
  revokeApiToken(id: number, nowMs: number): Promise<ApiToken | null>;

  close(): Promise<void>;
}

/** Lowercase words joined by '-': what a headline becomes in an address. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
  return slug.length > 0 ? slug : 'article';
}

/** Tags are matched case-insensitively and appear in addresses: normalised like slugs. */
export function normaliseTag(tag: string): string {
  return slugify(tag);
}
