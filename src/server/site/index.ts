/**
 * The news site: server-rendered pages (home, article, race centre, tag),
 * feeds, log-in and registration, the editor's desk and user admin, plus the
 * hourly desk that files a report at each full race hour.
 *
 *   await registerSite(app, hub, { content, autoPublish: true, admin: { email, password } });
 *
 * Everything lives in one encapsulated Fastify context: cookies, form
 * bodies, CSRF and rate limiting apply to the site's routes only, never to
 * the JSON API or the live stream.
 *
 * Security, in the order a request meets it: a POST from another site is
 * refused (Sec-Fetch-Site / Origin), then its CSRF token is checked
 * (@fastify/csrf-protection, double-submit cookie), then the session cookie
 * (HttpOnly, SameSite=Lax; the database keeps only its SHA-256) names the
 * user and the route checks the role. Log-in and registration are rate
 * limited per address. Article bodies are sanitised Markdown, and the pages'
 * Content-Security-Policy runs no script but the site's own.
 */
import { createHash, randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROLES, slugify, type Article, type ContentStore, type Role, type User } from '../../store/content.js';
import type { RaceHub } from '../races.js';
import type { LiveRace } from '../live-race.js';
import { SITE_CSS, SITE_JS } from './assets.js';
import { draftWithFallback, type ReportDrafter } from './drafter.js';
import { atomFeed, rssFeed, type FeedSite } from './feeds.js';
import { DEFAULT_DESK, HourlyDesk } from './hourly-desk.js';
import { html } from './html.js';
import {
  articlePage,
  editArticlePage,
  editorListPage,
  homePage,
  loginPage,
  messagePage,
  raceCentrePage,
  registerPage,
  SITE_NAME,
  SITE_TAGLINE,
  subscribePage,
  tagPage,
  tokensPage,
  usersPage,
  type LiveSummary,
  type PageContext,
} from './pages.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { AdminGrantedSubscriptions, type SubscriptionProvider } from './subscriptions.js';

export interface SiteOptions {
  content: ContentStore;
  /** Publish hourly reports as soon as they are drafted (default true), or leave them for an editor. */
  autoPublish?: boolean;
  drafter?: ReportDrafter;
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

export const SESSION_COOKIE = 'sarthe_session';
const NEWS_LIMIT = 30;
const FEED_LIMIT = 30;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "frame-src 'self'",
  "frame-ancestors 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

type Body = Record<string, string | string[] | undefined>;

function field(request: FastifyRequest, name: string, max = 100_000): string {
  const body = (request.body ?? {}) as Body;
  const value = body[name];
  const text = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  return text.slice(0, max);
}

/** Only paths on this site: `//evil.example` and `https://…` are not "next". */
export function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/(?![/\\])/.test(next) ? next : '/';
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

const isEditor = (user: User | null): boolean => user !== null && (user.role === 'editor' || user.role === 'admin');

/** The race the site follows live: a running one (the newest), else the newest race. */
function liveRace(hub: RaceHub): LiveRace | null {
  const races = hub.list();
  const running = races.filter((r) => r.liveStandings()?.chequeredMs === null);
  return running[running.length - 1] ?? races[races.length - 1] ?? null;
}

function summary(race: LiveRace): LiveSummary {
  const standings = race.liveStandings();
  return { race: race.race, standings, raceTimeMs: race.raceTimeMs, running: standings !== null && standings.chequeredMs === null };
}

export async function registerSite(app: FastifyInstance, hub: RaceHub, options: SiteOptions): Promise<void> {
  const content = options.content;
  const subscriptions = options.subscriptions ?? new AdminGrantedSubscriptions(content);
  const desk = new HourlyDesk(hub, content, app.log, {
    ...DEFAULT_DESK,
    autoPublish: options.autoPublish ?? DEFAULT_DESK.autoPublish,
    intervalMs: options.deskIntervalMs ?? DEFAULT_DESK.intervalMs,
    drafter: options.drafter ?? draftWithFallback((error) => app.log.error({ err: error }, 'report generator failed: plain standings report filed instead')),
  });
  app.decorate('site', { content, desk, subscriptions });
  await ensureAdmin(app, content, options.admin ?? null);
  app.addHook('onReady', async () => desk.start());
  app.addHook('preClose', async () => desk.stop());

  const sessionMs = (options.sessionDays ?? 14) * 24 * 3600 * 1000;
  const secure = options.secureCookies ?? 'auto';

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

    site.decorateRequest('siteUser', null);
    site.decorateRequest('siteSession', null);

    site.addHook('onRequest', async (request, reply) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'same-origin');
      reply.header('content-security-policy', CSP);
      const token = request.cookies[SESSION_COOKIE];
      if (token !== undefined && token.length > 20 && token.length < 100) {
        const idHash = hashToken(token);
        request.siteUser = await content.sessionUser(idHash, Date.now());
        if (request.siteUser !== null) request.siteSession = idHash;
      }
      // Pages differ per user: never cached by a shared cache.
      reply.header('cache-control', 'private, no-cache');
      reply.header('vary', 'Cookie');
    });

    // Forged form posts: refused before the body is read.
    site.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'POST') return;
      const fetchSite = request.headers['sec-fetch-site'];
      const origin = request.headers.origin;
      const crossSite = fetchSite === 'cross-site' || (origin !== undefined && origin !== 'null' && hostOf(origin) !== hostOf(`${request.protocol}://${request.host}`));
      if (crossSite || origin === 'null') {
        reply.code(403).type('text/html; charset=utf-8');
        return reply.send(messagePage(await pageContext(request, reply), 'Refused', 'This form was sent from another site.'));
      }
    });

    site.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 500) request.log.error({ err: error }, 'site error');
      const message =
        error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET'
          ? 'This form has expired or did not come from this site. Go back, reload the page and try again.'
          : status === 429
            ? 'Too many attempts: wait a minute and try again.'
            : status >= 500
              ? 'Something went wrong on our side.'
              : error.message;
      reply.code(status).type('text/html; charset=utf-8');
      return messagePage(await pageContext(request, reply), status === 429 ? 'Slow down' : status >= 500 ? 'Error' : 'Refused', message);
    });

    const csrf = { preHandler: site.csrfProtection };
    const loginLimit = { rateLimit: { max: options.loginAttemptsPerMinute ?? 10, timeWindow: 60_000 } };

    async function pageContext(request: FastifyRequest, reply: FastifyReply): Promise<PageContext> {
      const race = liveRace(hub);
      return {
        user: request.siteUser,
        csrf: reply.generateCsrf(),
        baseUrl: baseUrl(request),
        path: request.url.split('?')[0] ?? '/',
        liveRace: race === null ? null : summary(race),
      };
    }

    function baseUrl(request: FastifyRequest): string {
      return (options.baseUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
    }

    function page(reply: FastifyReply, body: string, status = 200) {
      return reply.code(status).type('text/html; charset=utf-8').send(body);
    }

    async function notFound(request: FastifyRequest, reply: FastifyReply) {
      return page(reply, messagePage(await pageContext(request, reply), 'Not found', 'There is no page at this address.'), 404);
    }

    /** Editors and admins pass; others are sent to log in (GET) or refused. */
    async function needRole(request: FastifyRequest, reply: FastifyReply, roles: readonly Role[]): Promise<boolean> {
      const user = request.siteUser;
      if (user !== null && roles.includes(user.role)) return true;
      if (user === null && request.method === 'GET') {
        await reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
        return false;
      }
      await page(reply, messagePage(await pageContext(request, reply), 'Not allowed', user === null ? 'Log in first.' : `A ${user.role} cannot do this.`), user === null ? 401 : 403);
      return false;
    }

    site.get('/site/site.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(SITE_CSS));
    site.get('/site/site.js', async (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(SITE_JS),
    );

    site.get('/', async (request, reply) => {
      const news = await content.articles({ status: 'published', limit: NEWS_LIMIT });
      return page(reply, homePage(await pageContext(request, reply), news));
    });

    site.get<{ Params: { slug: string } }>('/news/:slug', async (request, reply) => {
      const article = await content.articleBySlug(request.params.slug);
      if (article === null || (article.status !== 'published' && !isEditor(request.siteUser))) return notFound(request, reply);
      const related = (await content.articles({ status: 'published', limit: 9 })).filter((a) => a.id !== article.id).slice(0, 8);
      return page(reply, articlePage(await pageContext(request, reply), article, related));
    });

    site.get<{ Params: { race: string } }>('/races/:race', async (request, reply) => {
      const race = hub.get(request.params.race);
      if (race === undefined) return notFound(request, reply);
      const reports = await content.articles({ status: 'published', kind: 'report', race: race.id, limit: 200 });
      return page(reply, raceCentrePage(await pageContext(request, reply), summary(race), reports));
    });

    site.get<{ Params: { tag: string } }>('/tags/:tag', async (request, reply) => {
      const tag = slugify(request.params.tag);
      const articles = await content.articles({ status: 'published', tag, limit: 60 });
      return page(reply, tagPage(await pageContext(request, reply), tag, articles, hub.get(tag)?.race.name ?? null));
    });

    const feedSite = (request: FastifyRequest): FeedSite => ({ baseUrl: baseUrl(request), title: `${SITE_NAME}: latest news`, description: SITE_TAGLINE });
    site.get('/feed.rss', async (request, reply) => {
      const articles = await content.articles({ status: 'published', limit: FEED_LIMIT });
      return reply.type('application/rss+xml; charset=utf-8').send(rssFeed(feedSite(request), articles, Date.now()));
    });
    site.get('/feed.atom', async (request, reply) => {
      const articles = await content.articles({ status: 'published', limit: FEED_LIMIT });
      return reply.type('application/atom+xml; charset=utf-8').send(atomFeed(feedSite(request), articles, Date.now()));
    });

    // --- Accounts -----------------------------------------------------------

    async function startSession(request: FastifyRequest, reply: FastifyReply, user: User): Promise<void> {
      // A fresh token at every log-in: a token planted before it (fixation) is worth nothing.
      if (request.siteSession !== null) await content.deleteSession(request.siteSession);
      const token = randomBytes(32).toString('base64url');
      const now = Date.now();
      await content.createSession({ idHash: hashToken(token), userId: user.id, createdAtMs: now, expiresAtMs: now + sessionMs });
      reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: Math.floor(sessionMs / 1000) });
    }

    site.get<{ Querystring: { next?: string } }>('/login', async (request, reply) => {
      return page(reply, loginPage(await pageContext(request, reply), safeNext(request.query.next), null));
    });

    // Always the same work, found or not, so timing does not tell which emails have accounts.
    const missingUserHash = await hashPassword(randomBytes(16).toString('hex'));

    site.post('/login', { ...csrf, config: loginLimit }, async (request, reply) => {
      const email = field(request, 'email', 320).trim();
      const password = field(request, 'password', 200);
      const next = safeNext(field(request, 'next', 2000));
      const user = email === '' ? null : await content.userByEmail(email);
      const ok = await verifyPassword(password, user?.passwordHash ?? missingUserHash);
      if (user === null || !ok) {
        request.log.info({ email: email.slice(0, 80) }, 'log-in refused');
        return page(reply, loginPage(await pageContext(request, reply), next, 'Wrong email or password.', email), 401);
      }
      await startSession(request, reply, user);
      return reply.redirect(next, 303);
    });

    site.post('/logout', csrf, async (request, reply) => {
      if (request.siteSession !== null) await content.deleteSession(request.siteSession);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect('/', 303);
    });

    site.get('/register', async (request, reply) => page(reply, registerPage(await pageContext(request, reply), null)));

    site.post('/register', { ...csrf, config: loginLimit }, async (request, reply) => {
      const name = field(request, 'name', 80).trim();
      const email = field(request, 'email', 320).trim();
      const password = field(request, 'password', 200);
      const problem =
        name === '' ? 'Give your name.' : !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? 'Give a valid email address.' : passwordProblem(password);
      if (problem === null && (await content.userByEmail(email)) !== null) {
        return page(reply, registerPage(await pageContext(request, reply), 'An account with this email exists: log in instead.', { name, email }), 409);
      }
      if (problem !== null) return page(reply, registerPage(await pageContext(request, reply), problem, { name, email }), 400);
      const user = await content.createUser({ email, name, role: 'reader', passwordHash: await hashPassword(password) });
      await startSession(request, reply, user);
      return reply.redirect('/', 303);
    });

    site.get('/subscribe', async (request, reply) => {
      const ctx = await pageContext(request, reply);
      return page(reply, subscribePage(ctx, subscriptions.name, ctx.user === null ? null : subscriptions.checkoutUrl(ctx.user)));
    });

    // --- Editor's desk --------------------------------------------------------

    const FLASH: Record<string, string> = { saved: 'Saved.', published: 'Published.', unpublished: 'Unpublished: readers no longer see it.' };

    site.get<{ Querystring: { done?: string } }>('/editor', async (request, reply) => {
      if (!(await needRole(request, reply, ['editor', 'admin']))) return reply;
      const drafts = await content.articles({ status: 'draft', limit: 200 });
      const published = await content.articles({ status: 'published', limit: 100 });
      return page(reply, editorListPage(await pageContext(request, reply), drafts, published, FLASH[request.query.done ?? ''] ?? null));
    });

    site.get('/editor/new', async (request, reply) => {
      if (!(await needRole(request, reply, ['editor', 'admin']))) return reply;
      return page(reply, editArticlePage(await pageContext(request, reply), null, null));
    });

    site.post('/editor/articles', csrf, async (request, reply) => {
      if (!(await needRole(request, reply, ['editor', 'admin']))) return reply;
      const text = articleFields(request);
      if (text.headline === '') return page(reply, editArticlePage(await pageContext(request, reply), null, 'Give a headline.'), 400);
      const action = field(request, 'action', 20);
      let article: Article | null = null;
      for (let n = 1; article === null && n <= 50; n++) {
        article = await content.createArticle(
          {
            slug: n === 1 ? slugify(text.headline) : `${slugify(text.headline)}-${n}`,
            kind: 'article',
            status: action === 'publish' ? 'published' : 'draft',
            ...text,
            byline: request.siteUser!.name,
            race: null,
            hour: null,
          },
          Date.now(),
        );
      }
      if (article === null) return page(reply, editArticlePage(await pageContext(request, reply), null, 'Choose another headline.'), 409);
      return reply.redirect(action === 'publish' ? `/news/${article.slug}` : `/editor/articles/${article.id}?done=saved`, 303);
    });

    site.get<{ Params: { id: string }; Querystring: { done?: string } }>('/editor/articles/:id', async (request, reply) => {
      if (!(await needRole(request, reply, ['editor', 'admin']))) return reply;
      const article = /^\d{1,12}$/.test(request.params.id) ? await content.articleById(Number(request.params.id)) : null;
      if (article === null) return notFound(request, reply);
      const flash = FLASH[request.query.done ?? ''];
      return page(reply, editArticlePage(await pageContext(request, reply), article, null).replace('<form class="form wide"', flash === undefined ? '<form class="form wide"' : `${html`<p class="notice ok" role="status">${flash}</p>`}<form class="form wide"`));
    });

    site.post<{ Params: { id: string } }>('/editor/articles/:id', csrf, async (request, reply) => {
      if (!(await needRole(request, reply, ['editor', 'admin']))) return reply;
      const id = /^\d{1,12}$/.test(request.params.id) ? Number(request.params.id) : null;
      const article = id === null ? null : await content.articleById(id);
      if (article === null) return notFound(request, reply);
      const action = field(request, 'action', 20);
      const text = articleFields(request);
      if (text.headline === '') return page(reply, editArticlePage(await pageContext(request, reply), article, 'Give a headline.'), 400);
      const now = Date.now();
      await content.updateArticle(article.id, text, now);
      if (action === 'publish') await content.setStatus(article.id, 'published', now);
      if (action === 'unpublish') await content.setStatus(article.id, 'draft', now);
      request.log.info({ article: article.slug, action: action || 'save', editor: request.siteUser!.email }, 'article changed');
      const done = action === 'publish' ? 'published' : action === 'unpublish' ? 'unpublished' : 'saved';
      return reply.redirect(action === 'publish' ? `/news/${article.slug}` : `/editor/articles/${article.id}?done=${done}`, 303);
    });

    function articleFields(request: FastifyRequest) {
      return {
        headline: field(request, 'headline', 200).trim(),
        standfirst: field(request, 'standfirst', 500).trim(),
        bodyMd: field(request, 'body', 200_000).replace(/\r\n/g, '\n'),
        tags: field(request, 'tags', 300)
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== '')
          .slice(0, 12),
      };
    }

    // --- Admin: users and subscriptions ---------------------------------------

    const USER_FLASH: Record<string, string> = { role: 'Role changed.', subscription: 'Subscription changed.', added: 'User added.' };

    site.get<{ Querystring: { done?: string } }>('/admin/users', async (request, reply) => {
      if (!(await needRole(request, reply, ['admin']))) return reply;
      return page(reply, usersPage(await pageContext(request, reply), await content.users(), subscriptions.name, USER_FLASH[request.query.done ?? ''] ?? null));
    });

    site.post('/admin/users', csrf, async (request, reply) => {
      if (!(await needRole(request, reply, ['admin']))) return reply;
      const name = field(request, 'name', 80).trim();
      const email = field(request, 'email', 320).trim();
      const password = field(request, 'password', 200);
      const role = field(request, 'role', 20) as Role;
      const problem = name === '' || !email.includes('@') ? 'Give a name and an email.' : !ROLES.includes(role) ? 'Unknown role.' : passwordProblem(password);
      if (problem !== null || (await content.userByEmail(email)) !== null) {
        return page(reply, messagePage(await pageContext(request, reply), 'Not added', problem ?? 'A user with this email exists.'), 400);
      }
      await content.createUser({ email, name, role, passwordHash: await hashPassword(password) });
      return reply.redirect('/admin/users?done=added', 303);
    });

    site.post<{ Params: { id: string } }>('/admin/users/:id/role', csrf, async (request, reply) => {
      if (!(await needRole(request, reply, ['admin']))) return reply;
      const role = field(request, 'role', 20) as Role;
      const id = Number(request.params.id);
      if (!ROLES.includes(role) || !Number.isInteger(id)) return page(reply, messagePage(await pageContext(request, reply), 'Not changed', 'Unknown role or user.'), 400);
      if (id === request.siteUser!.id && role !== 'admin') {
        return page(reply, messagePage(await pageContext(request, reply), 'Not changed', 'You cannot remove your own admin role.'), 400);
      }
      if ((await content.updateUser(id, { role })) === null) return notFound(request, reply);
      // A changed role takes effect at once: old sessions would keep the old rights otherwise.
      if (id !== request.siteUser!.id) await content.deleteUserSessions(id);
      return reply.redirect('/admin/users?done=role', 303);
    });

    site.get('/admin/tokens', async (request, reply) => {
      if (!(await needRole(request, reply, ['admin']))) return reply;
      return page(reply, tokensPage(await pageContext(request, reply), await content.apiTokens(), null));
    });

    site.post('/admin/tokens', csrf, async (request, reply) => {
      if (!(await needRole(request, reply, ['admin']))) return reply;
      const name = field(request, 'name', 120).trim();
      if (name === '') return page(reply, messagePage(await pageContext(request, reply), 'Not created', 'Say what the token is for.'), 400);
      const token = `sarthe_${randomBytes(32).toString('base64url')}`;
      await content.createApiToken({ name, tokenHash: hashToken(token), createdBy: request.siteUser!.id }, Date.now());
      request.log.info({ name, admin: request.siteUser!.email }, 'ingest token issued');
      // Shown once, in this response only (never in a URL or a log).
      return page(reply, tokensPage(await pageContext(request, reply), await content.apiTokens(), token));
    });

    site.post<{ Params: { id: string } }>('/admin/tokens/:id/revoke', csrf, async (request, reply) => {
      if (!(await needRole(request, reply, ['admin']))) return reply;
      const id = Number(request.params.id);
      if (!Number.isInteger(id) || (await content.revokeApiToken(id, Date.now())) === null) return notFound(request, reply);
      return reply.redirect('/admin/tokens', 303);
    });

    site.post<{ Params: { id: string } }>('/admin/users/:id/subscription', csrf, async (request, reply) => {
      if (!(await needRole(request, reply, ['admin']))) return reply;
      const id = Number(request.params.id);
      const user = Number.isInteger(id) ? await (field(request, 'subscriber', 5) === 'yes' ? subscriptions.grant(id) : subscriptions.revoke(id)) : null;
      if (user === null) return notFound(request, reply);
      return reply.redirect('/admin/users?done=subscription', 303);
    });
  });
}

/** host[:port] as URL normalises it (default ports dropped), null when unreadable. */
/** For the ingest API: whether a bearer token is one an admin issued and has not revoked. */
export function siteTokenCheck(content: ContentStore): (token: string) => Promise<boolean> {
  return async (token) => token.length >= 20 && token.length <= 200 && (await content.useApiToken(hashToken(token), Date.now())) !== null;
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
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
