/**
 * The news site: server-rendered pages (home, article, race centre, tag),
 * feeds, log-in and registration, the editor's desk and user admin, plus the
 * hourly desk that files a report at each full race hour.
 *
 *   await registerSite(app, hub, { content, autoPublish: true, admin: { email, password } });
 *
 * Everything lives in one encapsulated Fastify context: cookies, form
 * bodies, CSRF and rate limiting apply to the site's routes only, never to
 * the JSON API or the live stream. This file composes the areas, one plugin
 * each (tests beside them in test/site-*.test.ts):
 *
 *   security.ts      headers, session cookie, cross-site POSTs, error page
 *   public-pages.ts  home, article, race centre, tags, feeds, assets
 *   auth.ts          log-in, log-out, registration, subscribe
 *   editor.ts        the editor's desk
 *   admin.ts         users, subscriptions, ingest tokens
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { EntryList } from '../../analysis/entry-list.js';
import type { ContentStore, User } from '../../store/content.js';
import type { RaceHub } from '../races.js';
import { adminPages } from './admin.js';
import { authPages } from './auth.js';
import { draftWithFallback, type ReportDrafter } from './drafter.js';
import { editorPages } from './editor.js';
import { DEFAULT_DESK, HourlyDesk, type HourlyDeskOptions } from './hourly-desk.js';
import type { RemoteDraft, RemoteDraftCall } from './desk-thread.js';
import { WorkerSqliteEventStore } from '../../store/sqlite/worker.js';
import { hashToken, SiteKit, type Body } from './kit.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { publicPages } from './public-pages.js';
import { siteSecurity } from './security.js';
import { AdminGrantedSubscriptions, type SubscriptionProvider } from './subscriptions.js';

export { safeNext, SESSION_COOKIE } from './kit.js';

export interface SiteOptions {
  content: ContentStore;
  /** Publish hourly reports as soon as they are drafted (default true), or leave them for an editor. */
  autoPublish?: boolean;
  drafter?: ReportDrafter;
  /** The entry list the default drafter names and rates drivers from (`sarthe serve --entry-list`; null: none). */
  entryListFor?: (race: { id: string; name: string }) => EntryList | null;
  /** The first admin, from the environment (SARTHE_ADMIN_EMAIL / SARTHE_ADMIN_PASSWORD): created if missing. */
  admin?: { email: string; password: string } | null;
  /** Absolute address of the site for feeds and OpenGraph (default: from the request). */
  baseUrl?: string | null;
  /** Log-in and registration attempts allowed per address per minute. */
  loginAttemptsPerMinute?: number;
  /** Cookies marked Secure: 'auto' (default) when the request came over HTTPS. */
  secureCookies?: boolean | 'auto';
  /** Wall ms between two looks of the hourly desk. */
  deskIntervalMs?: number;
  /** Run the hourly desk (default true); false on an edge (`--role edge`): the ingest process files the reports. */
  desk?: boolean;
  subscriptions?: SubscriptionProvider;
  sessionDays?: number;
}

export interface Site {
  content: ContentStore;
  desk: HourlyDesk;
  subscriptions: SubscriptionProvider;
}

declare module 'fastify' {
  interface FastifyInstance {
    site: Site;
  }
  interface FastifyRequest {
    siteUser: User | null;
    siteSession: string | null;
  }
}

/** The module that drafts hourly reports in the event store's thread (a store extension: store/open.ts threadExtensions). */
export const DESK_THREAD = new URL('./desk-thread.js', import.meta.url).href;

/**
 * Drafting off the event loop, when the event store runs in a thread of its
 * own with the desk's extension loaded (`sarthe serve` on SQLite); null
 * otherwise (Postgres, a store opened without it, a drafter of the caller's).
 */
function remoteDrafter(store: RaceHub['store'], entryListFor: SiteOptions['entryListFor']): HourlyDeskOptions['remote'] {
  if (!(store instanceof WorkerSqliteEventStore) || !store.extensionMethods.includes('draftReport')) return null;
  return (call) =>
    store.callExtension('draftReport', [{ ...call, entryList: entryListFor?.({ id: call.race, name: call.info.name }) ?? null } satisfies RemoteDraftCall]) as Promise<RemoteDraft>;
}

export async function registerSite(app: FastifyInstance, hub: RaceHub, options: SiteOptions): Promise<void> {
  const content = options.content;
  const subscriptions = options.subscriptions ?? new AdminGrantedSubscriptions(content);
  const desk = new HourlyDesk(hub, content, app.log, {
    ...DEFAULT_DESK,
    autoPublish: options.autoPublish ?? DEFAULT_DESK.autoPublish,
    intervalMs: options.deskIntervalMs ?? DEFAULT_DESK.intervalMs,
    drafter: options.drafter ?? draftWithFallback((error) => app.log.error({ err: error }, 'report generator failed: plain standings report filed instead'), options.entryListFor),
    remote: options.drafter === undefined ? remoteDrafter(hub.store, options.entryListFor) : null,
  });
  app.decorate('site', { content, desk, subscriptions });
  await ensureAdmin(app, content, options.admin ?? null);
  if (options.desk !== false) app.addHook('onReady', async () => desk.start());
  app.addHook('preClose', async () => desk.stop());

  const secure = options.secureCookies ?? 'auto';
  const kit = new SiteKit({
    hub,
    content,
    subscriptions,
    baseUrl: options.baseUrl ?? null,
    secure,
    sessionMs: (options.sessionDays ?? 14) * 24 * 3600 * 1000,
    loginAttemptsPerMinute: options.loginAttemptsPerMinute ?? 10,
  });

  await app.register(async (site) => {
    await site.register(fastifyCookie);
    await site.register(fastifyFormbody, { bodyLimit: 512 * 1024 });
    await site.register(fastifyCsrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: 'sarthe_csrf',
      cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure },
      // Forms only: the token travels in the body, never in a header a script could set cross-site.
      getToken: (request) => ((request.body ?? {}) as Body)._csrf as string | undefined,
    });
    await site.register(fastifyRateLimit, { global: false });
    await site.register(siteSecurity, { kit });
    await site.register(publicPages, { kit });
    await site.register(authPages, { kit });
    await site.register(editorPages, { kit });
    await site.register(adminPages, { kit });
  });
}

/** For the ingest API: whether a bearer token is one an admin issued and has not revoked. */
/** Whether an admin has issued an ingest token that is not revoked. */
export function siteHasTokens(content: ContentStore): () => Promise<boolean> {
  return async () => (await content.apiTokens()).some((t) => t.revokedAtMs === null);
}

export function siteTokenCheck(content: ContentStore): (token: string) => Promise<boolean> {
  return async (token) => token.length >= 20 && token.length <= 200 && (await content.useApiToken(hashToken(token), Date.now())) !== null;
}

async function ensureAdmin(app: FastifyInstance, content: ContentStore, admin: { email: string; password: string } | null): Promise<void> {
  if (admin === null) {
    if ((await content.users()).every((u) => u.role !== 'admin')) {
      app.log.warn('no admin yet: set SARTHE_ADMIN_EMAIL and SARTHE_ADMIN_PASSWORD to create the first one');
    }
    return;
  }
  const problem = passwordProblem(admin.password);
  if (problem !== null) throw new Error(`SARTHE_ADMIN_PASSWORD: ${problem}`);
  const existing = await content.userByEmail(admin.email);
  if (existing === null) {
    await content.createUser({ email: admin.email, name: 'Admin', role: 'admin', passwordHash: await hashPassword(admin.password) });
    app.log.info({ email: admin.email }, 'first admin created from the environment');
  } else if (existing.role !== 'admin') {
    app.log.warn({ email: admin.email }, 'SARTHE_ADMIN_EMAIL belongs to a user who is not an admin: left unchanged');
  }
}
