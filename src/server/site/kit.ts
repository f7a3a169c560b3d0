/**
 * What every area of the site shares: the stores, the page context (user,
 * CSRF token, the race followed live), the page and role helpers. Built once
 * by index.ts and handed to each area's plugin.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { neutralisationInForce } from '../../analysis/neutralisations.js';
import { MINUTE } from '../../model/time.js';
import type { InferredFlag } from '../../web/live/race-strip.js';
import type { ContentStore, Role, User } from '../../store/content.js';
import type { LiveRace } from '../live-race.js';
import type { RaceHub } from '../races.js';
import { messagePage, type LiveSummary, type PageContext } from './pages.js';
import type { SubscriptionProvider } from './subscriptions.js';

export const SESSION_COOKIE = 'sarthe_session';

export type Body = Record<string, string | string[] | undefined>;

/** A form field, cut to `max` characters ('' when absent). */
export function field(request: FastifyRequest, name: string, max = 100_000): string {
  const body = (request.body ?? {}) as Body;
  const value = body[name];
  const text = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  return text.slice(0, max);
}

const SAME_SITE = 'http://same-site.invalid';

/**
 * Where to go after logging in: a path on this site, or "/". Refused (→ "/"):
 * anything not starting with one "/", backslashes, and any control or space
 * character — browsers drop tabs and newlines from URLs, so `/\t/evil.example`
 * would become `//evil.example`, and a newline in a Location header is a
 * server error. What passes is re-serialised by URL, so the header holds
 * only ASCII.
 */
export function safeNext(next: string | undefined): string {
  if (next === undefined || next.length > 2000 || !next.startsWith('/') || /[\u0000-\u0020\u007f-\u00a0\\\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, SAME_SITE);
  } catch {
    return '/';
  }
  if (url.origin !== SAME_SITE || url.pathname.startsWith('//')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export const isEditor = (user: User | null): boolean => user !== null && (user.role === 'editor' || user.role === 'admin');

/** The race the site follows live: a running one (the newest), else the newest race. */
export function liveRace(hub: RaceHub): LiveRace | null {
  const races = hub.list();
  const running = races.filter((r) => r.liveStandings()?.chequeredMs === null);
  return running[running.length - 1] ?? races[races.length - 1] ?? null;
}

export function summary(race: LiveRace): LiveSummary {
  const standings = race.liveStandings();
  return {
    race: race.race,
    standings,
    raceTimeMs: race.raceTimeMs,
    running: standings !== null && standings.chequeredMs === null,
    latest: race.feedUpTo(race.raceTimeMs, 1)[0] ?? null,
    inferred: standings === null || standings.flag !== 'unknown' ? null : inferredFlag(race),
  };
}

const inferredByRace = new WeakMap<LiveRace, { atMs: number; flag: InferredFlag | null }>();

/**
 * The safety car or FCY the laps show at the race's last whole minute (a
 * feed without flags): computed once a race minute per race, not per page,
 * at the instant the timing screen asks for (src/web/lib/screen.ts
 * INFERRED_STEP_MS), so the strip and the screen agree.
 */
function inferredFlag(race: LiveRace): InferredFlag | null {
  const atMs = Math.floor(race.raceTimeMs / MINUTE) * MINUTE;
  const kept = inferredByRace.get(race);
  if (kept?.atMs === atMs) return kept.flag;
  const p = neutralisationInForce(race.timeline, atMs);
  const flag = p === null || p.kind === 'slow-zone' ? null : { kind: p.kind, startMs: p.startMs };
  inferredByRace.set(race, { atMs, flag });
  return flag;
}

export interface SiteKitOptions {
  hub: RaceHub;
  content: ContentStore;
  subscriptions: SubscriptionProvider;
  baseUrl: string | null;
  secure: boolean | 'auto';
  sessionMs: number;
  loginAttemptsPerMinute: number;
}

export class SiteKit {
  readonly hub: RaceHub;
  readonly content: ContentStore;
  readonly subscriptions: SubscriptionProvider;
  /** Route config for log-in and registration: rate limited per address. */
  readonly loginLimit: { rateLimit: { max: number; timeWindow: number } };

  constructor(private readonly options: SiteKitOptions) {
    this.hub = options.hub;
    this.content = options.content;
    this.subscriptions = options.subscriptions;
    this.loginLimit = { rateLimit: { max: options.loginAttemptsPerMinute, timeWindow: 60_000 } };
  }

  get secure(): boolean | 'auto' {
    return this.options.secure;
  }

  baseUrl(request: FastifyRequest): string {
    return (this.options.baseUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
  }

  async pageContext(request: FastifyRequest, reply: FastifyReply): Promise<PageContext> {
    const race = liveRace(this.hub);
    return {
      user: request.siteUser,
      csrf: reply.generateCsrf(),
      baseUrl: this.baseUrl(request),
      path: request.url.split('?')[0] ?? '/',
      liveRace: race === null ? null : summary(race),
    };
  }

  page(reply: FastifyReply, body: string, status = 200): FastifyReply {
    return reply.code(status).type('text/html; charset=utf-8').send(body);
  }

  async message(request: FastifyRequest, reply: FastifyReply, status: number, title: string, text: string): Promise<FastifyReply> {
    return this.page(reply, messagePage(await this.pageContext(request, reply), title, text), status);
  }

  async notFound(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    return this.message(request, reply, 404, 'Not found', 'There is no page at this address.');
  }

  /** Users with one of `roles` pass; others are sent to log in (GET) or refused. */
  async needRole(request: FastifyRequest, reply: FastifyReply, roles: readonly Role[]): Promise<boolean> {
    const user = request.siteUser;
    if (user !== null && roles.includes(user.role)) return true;
    if (user === null && request.method === 'GET') {
      await reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      return false;
    }
    await this.message(request, reply, user === null ? 401 : 403, 'Not allowed', user === null ? 'Log in first.' : `A ${user.role} cannot do this.`);
    return false;
  }

  /** A fresh session token at every log-in: a token planted before it (fixation) is worth nothing. */
  async startSession(request: FastifyRequest, reply: FastifyReply, user: User): Promise<void> {
    if (request.siteSession !== null) await this.content.deleteSession(request.siteSession);
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    await this.content.createSession({ idHash: hashToken(token), userId: user.id, createdAtMs: now, expiresAtMs: now + this.options.sessionMs });
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.options.secure, maxAge: Math.floor(this.options.sessionMs / 1000) });
  }
}

/** Fastify's documented flag (what fastify-plugin sets): the plugin's hooks and handlers apply to its parent's context. */
export function sharedWithParent<T extends object>(plugin: T): T {
  (plugin as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
  return plugin;
}
