/**
 * The site's pages as template functions: data in, escaped HTML out
 * (html.ts). No page needs JavaScript; the live panel is the web app's
 * timing screen in a frame, with a server-rendered summary beside it for
 * readers without script.
 */
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { FeedMessage, RaceInfo } from '../../model/live.js';
import { classLeaders, RaceStrip, resultStands, viewMode, type InferredFlag, type StripView } from '../../web/live/race-strip.js';
import type { CarStanding, Standings } from '../../model/standings.js';
import { formatRaceTime } from '../../model/time.js';
import type { ApiToken, Article, User } from '../../store/content.js';
import { html, jsonForScript, trusted, type Html } from './html.js';
import { markdownText, renderMarkdown } from './markdown.js';
import { driverName } from '../../model/names.js';
import { classStyle } from '../../model/classes.js';

export const SITE_NAME = 'Sarthe';
export const SITE_TAGLINE = 'Endurance racing, hour by hour';

export interface PageContext {
  user: User | null;
  /** Token for the forms of this page (CSRF). */
  csrf: string;
  baseUrl: string;
  /** The path being shown, for the login link's return and the canonical URL. */
  path: string;
  /** The race followed live, for the ticker and the nav. */
  liveRace: LiveSummary | null;
}

export interface LiveSummary {
  race: RaceInfo;
  standings: Standings | null;
  raceTimeMs: number;
  /** No chequered flag yet. */
  running: boolean;
  /** The newest feed message, for the panel's feed line. */
  latest: FeedMessage | null;
  /** No flag data: the safety car or FCY the laps show (kit.ts inferredFlag), or null. */
  inferred?: InferredFlag | null;
}

interface PageMeta {
  title: string;
  description: string;
  /** OpenGraph type: website or article. */
  ogType?: 'website' | 'article';
  article?: Article;
  noindex?: boolean;
}

export function dateTime(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

function time(ms: number): Html {
  return html`<time datetime="${new Date(ms).toISOString()}">${dateTime(ms)}</time>`;
}

/**
 * When an article is dated: an hourly report by its own race time ("race
 * time 3:00:00"), which is right for a live race and for a replay alike (a
 * replay's wall clock is not the race's date, and the lap files carry no
 * date); any other article by its publication.
 */
function dated(article: Article): Html {
  if (article.kind === 'report' && article.hour !== null) return html`<span data-testid="race-time">race time ${formatRaceTime(article.hour * 3_600_000)}</span>`;
  return time(shownMs(article));
}

export function articlePath(article: Article): string {
  return `/news/${encodeURIComponent(article.slug)}`;
}

function kicker(article: Article): Html {
  if (article.status === 'draft') return html`<span class="kicker draft">Draft</span>`;
  return html`<span class="kicker">${article.kind === 'report' ? `Hourly report${article.hour !== null ? ` · hour ${article.hour}` : ''}` : (article.tags[0] ?? 'News').replace(/-/g, ' ')}</span>`;
}

function shownMs(article: Article): number {
  return article.publishedAtMs ?? article.updatedAtMs;
}

export function layout(ctx: PageContext, meta: PageMeta, content: Html): string {
  const url = `${ctx.baseUrl}${ctx.path}`;
  const a = meta.article;
  const ld =
    a === undefined
      ? null
      : {
          '@context': 'https://schema.org',
          '@type': a.kind === 'report' ? 'ReportageNewsArticle' : 'NewsArticle',
          headline: a.headline,
          description: a.standfirst,
          datePublished: new Date(shownMs(a)).toISOString(),
          dateModified: new Date(a.correctedAtMs ?? shownMs(a)).toISOString(),
          author: { '@type': a.byline === 'Sarthe race desk' ? 'Organization' : 'Person', name: a.byline },
          publisher: { '@type': 'Organization', name: SITE_NAME },
          mainEntityOfPage: url,
          keywords: a.tags.join(', '),
        };
  return `<!doctype html>${html`
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${meta.title === SITE_NAME ? `${SITE_NAME} · ${SITE_TAGLINE}` : `${meta.title} · ${SITE_NAME}`}</title>
<meta name="description" content="${meta.description}">
${meta.noindex ? html`<meta name="robots" content="noindex">` : html`<link rel="canonical" href="${url}">`}
<meta property="og:site_name" content="${SITE_NAME}">
<meta property="og:type" content="${meta.ogType ?? 'website'}">
<meta property="og:title" content="${meta.title}">
<meta property="og:description" content="${meta.description}">
<meta property="og:url" content="${url}">
<meta name="twitter:card" content="summary">
${
  a === undefined
    ? null
    : html`<meta property="article:published_time" content="${new Date(shownMs(a)).toISOString()}">
${a.correctedAtMs !== null ? html`<meta property="article:modified_time" content="${new Date(a.correctedAtMs).toISOString()}">` : null}
<meta property="article:author" content="${a.byline}">
<meta property="article:section" content="${a.kind === 'report' ? 'Hourly reports' : 'News'}">
${a.tags.map((t) => html`<meta property="article:tag" content="${t}">\n`)}
<script type="application/ld+json">${jsonForScript(ld)}</script>`
}
<link rel="alternate" type="application/rss+xml" title="${SITE_NAME} latest news (RSS)" href="/feed.rss">
<link rel="alternate" type="application/atom+xml" title="${SITE_NAME} latest news (Atom)" href="/feed.atom">
<link rel="stylesheet" href="/site/site.css">
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%23d7141a'/%3E%3Ctext x='8' y='12' font-size='11' text-anchor='middle' fill='white' font-family='sans-serif' font-weight='700'%3ES%3C/text%3E%3C/svg%3E">
<script src="/site/site.js" defer></script>
${ctx.liveRace === null ? null : html`<script type="module" src="/timing/site-live.js"></script>`}
</head>
<body>
${topbar(ctx)}
${ticker(ctx)}
<main><div class="wrap">
${content}
</div></main>
<footer class="sitefoot"><div class="wrap">
<p><b>${SITE_NAME}</b> — live timing, race analysis and hour-by-hour reports drafted from the timing data. Feeds: <a href="/feed.rss">RSS</a> · <a href="/feed.atom">Atom</a> · <a href="/api/docs">API</a></p>
</div></footer>
</body>
</html>
`}`;
}

function topbar(ctx: PageContext): Html {
  const race = ctx.liveRace;
  const on = (prefix: string) => (ctx.path === prefix || (prefix !== '/' && ctx.path.startsWith(prefix)) ? 'on' : '');
  const canEdit = ctx.user !== null && (ctx.user.role === 'editor' || ctx.user.role === 'admin');
  return html`<header class="topbar"><div class="wrap">
<a class="logo" href="/"><b>SARTHE</b><span>${SITE_TAGLINE}</span></a>
<nav class="mainnav" aria-label="Sections">
<a href="/" class="${on('/')}">News</a>
${race === null ? null : html`<a href="/races/${race.race.id}" class="${on('/races/')}">Race centre</a>`}
<a href="/tags/hourly-reports" class="${on('/tags/')}">Reports</a>
<a href="/timing/">Live timing</a>
${canEdit ? html`<a href="/editor" class="${on('/editor')}">Editor</a>` : null}
${ctx.user?.role === 'admin' ? html`<a href="/admin/users" class="${on('/admin')}">Admin</a>` : null}
</nav>
<div class="account">
${
  ctx.user === null
    ? html`<a href="/login?next=${encodeURIComponent(ctx.path)}">Log in</a><a class="btn" href="/subscribe">Subscribe</a>`
    : html`<span title="${ctx.user.email}">${ctx.user.name}${ctx.user.subscriber ? html` <span class="pill">Subscriber</span>` : null}</span>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button class="linkbtn" type="submit">Log out</button></form>
${ctx.user.subscriber || ctx.user.role !== 'reader' ? null : html`<a class="btn" href="/subscribe">Subscribe</a>`}`
}
</div>
</div></header>`;
}

/** The race strip (src/web/live/race-strip.ts) as this page's snapshot: site-live.js hydrates it and keeps it live. */
export function stripView(live: LiveSummary): StripView {
  const chequeredMs = live.standings?.chequeredMs ?? null;
  return {
    race: live.race,
    elapsedMs: live.raceTimeMs,
    chequeredMs,
    flag: live.standings?.flag ?? 'unknown',
    inferred: live.inferred ?? null,
    mode: viewMode({
      travelling: false,
      connection: 'snapshot',
      delaySeconds: 0,
      finished: chequeredMs !== null && live.raceTimeMs >= chequeredMs,
      resultStands: chequeredMs !== null && live.standings !== null && resultStands(live.standings.cars),
    }),
    delaySeconds: 0,
    leaders: live.standings === null ? [] : classLeaders(live.standings.cars),
    latest: live.latest,
  };
}

function liveStrip(live: LiveSummary, variant: 'ticker' | 'panel', className: string): Html {
  const link = `/races/${encodeURIComponent(live.race.id)}`;
  const view = stripView(live);
  const snapshot = trusted(renderToString(h(RaceStrip, { view, variant, link })));
  return html`<div class="${className}" data-live-strip="${variant}" data-link="${link}" data-view="${JSON.stringify(view)}">${snapshot}</div>`;
}

function ticker(ctx: PageContext): Html | null {
  const live = ctx.liveRace;
  if (live === null || live.standings === null) return null;
  return html`<div class="ticker" role="region" aria-label="Race ticker">${liveStrip(live, 'ticker', 'wrap')}</div>`;
}

/** An ad slot for readers who are not subscribers, with its ad-blocker notice. */
export function adSlot(ctx: PageContext, id: string, shape: 'mpu' | 'leaderboard' = 'mpu'): Html | null {
  if (ctx.user?.subscriber) return null;
  return html`<aside class="ad-slot ${shape === 'leaderboard' ? 'leaderboard' : ''}" data-ad-slot="${id}" aria-label="Advertisement">
<div class="ad adsbox ad-banner" data-testid="ad-slot">Advertisement</div>
</aside>
<p class="adblock-notice" id="${id}-notice" hidden data-testid="adblock-notice">It looks like an ad blocker hid our advertising — no problem, every page still works.
Ads keep Sarthe's race coverage free; if you would rather not see them at all, <a href="/subscribe">subscribe</a> for an ad-free site.</p>`;
}

/** The live race panel: the race strip (clock, flag, class leaders; live with script) over the web app's timing screen. */
export function livePanel(live: LiveSummary, options: { tall?: boolean; withLink?: boolean } = {}): Html {
  const timing = `/timing/#/?race=${encodeURIComponent(live.race.id)}`;
  return html`<section class="panel" aria-label="Live race" data-testid="live-panel">
${liveStrip(live, 'panel', 'strip')}
<iframe class="timing-frame ${options.tall ? 'tall' : ''}" src="${timing}&embed=1" title="Live timing: ${live.race.name}" loading="lazy"></iframe>
${options.withLink === false ? null : html`<footer>Full screen: <a href="${timing}">live timing</a> · <a href="/races/${live.race.id}">race centre</a> with every hourly report</footer>`}
</section>`;
}

function card(article: Article): Html {
  return html`<article class="card" data-testid="news-item">
${kicker(article)}
<h3><a href="${articlePath(article)}">${article.headline}</a></h3>
<p>${article.standfirst}</p>
<span class="meta">${article.byline} · ${dated(article)}</span>
</article>`;
}

export function newsList(articles: readonly Article[]): Html {
  return html`<ol class="newslist">${articles.map(
    (a) => html`<li>${kicker(a)}<a href="${articlePath(a)}">${a.headline}</a><span class="meta">${dated(a)}</span></li>`,
  )}</ol>`;
}

export function homePage(ctx: PageContext, news: readonly Article[]): string {
  const [lead, ...rest] = news;
  const running = ctx.liveRace !== null && ctx.liveRace.running;
  const content = html`
<div class="grid">
<div>
<h2 class="section-title">Latest news <a href="/feed.rss">RSS</a></h2>
${
  lead === undefined
    ? html`<p class="notice">No news yet. Hourly reports appear here as the race passes each hour.</p>`
    : html`<article class="lead-story" data-testid="news-item">${kicker(lead)}
<h2><a href="${articlePath(lead)}">${lead.headline}</a></h2><p>${lead.standfirst}</p>
<span class="meta">${lead.byline} · ${dated(lead)}</span></article>`
}
${running ? livePanel(ctx.liveRace!) : null}
<div class="cards">${rest.map(card)}</div>
</div>
<aside>
${adSlot(ctx, 'home-side')}
${ctx.liveRace !== null && !running ? livePanel(ctx.liveRace, { withLink: true }) : null}
<h2 class="section-title">Follow</h2>
<ul class="newslist"><li><a href="/tags/hourly-reports">Every hourly report</a></li>${
    ctx.liveRace === null ? null : html`<li><a href="/races/${ctx.liveRace.race.id}">${ctx.liveRace.race.name}: race centre</a></li>`
  }<li><a href="/timing/">Live timing, full screen</a></li><li><a href="/feed.rss">RSS feed</a></li><li><a href="/feed.atom">Atom feed</a></li></ul>
</aside>
</div>`;
  return layout(ctx, { title: SITE_NAME, description: 'Latest endurance racing news and hour-by-hour reports from Le Mans, WEC and IMSA, with live timing.' }, content);
}

export function articlePage(ctx: PageContext, article: Article, related: readonly Article[]): string {
  const canEdit = ctx.user !== null && (ctx.user.role === 'editor' || ctx.user.role === 'admin');
  const content = html`
${article.status === 'draft' ? html`<p class="notice">This is a draft: readers cannot see it. <a href="/editor/articles/${article.id}">Edit</a></p>` : null}
<div class="grid">
<article class="article" data-testid="article">
${kicker(article)}
<h1>${article.headline}</h1>
<p class="standfirst">${article.standfirst}</p>
<div class="byline"><span>By <strong>${article.byline}</strong></span>
${article.kind === 'report' && article.hour !== null ? html`<span>Positions at ${dated(article)}</span>` : null}
${article.publishedAtMs === null ? html`<span>Not published</span>` : article.kind === 'report' ? null : html`<span>Published ${time(article.publishedAtMs)}</span>`}
${article.correctedAtMs !== null ? html`<span>Updated ${time(article.correctedAtMs)}</span>` : null}
${article.race !== null ? html`<span><a href="/races/${article.race}">Race centre</a></span>` : null}
${canEdit ? html`<span><a href="/editor/articles/${article.id}">Edit</a></span>` : null}
</div>
${adSlot(ctx, 'article-top', 'leaderboard')}
<div class="body tablewrap">${renderMarkdown(article.bodyMd)}</div>
<div class="tags">${article.tags.map((t) => html`<a href="/tags/${t}">${t.replace(/-/g, ' ')}</a>`)}</div>
</article>
<aside>
${adSlot(ctx, 'article-side')}
<h2 class="section-title">Latest news</h2>
${related.length === 0 ? html`<p class="meta">No other news yet.</p>` : newsList(related)}
</aside>
</div>`;
  return layout(
    ctx,
    { title: article.headline, description: article.standfirst || markdownText(article.bodyMd, 200), ogType: 'article', article, noindex: article.status === 'draft' },
    content,
  );
}

export function raceCentrePage(ctx: PageContext, live: LiveSummary, reports: readonly Article[]): string {
  const latest = reports[0];
  const byHour = [...reports].sort((a, b) => (a.hour ?? 0) - (b.hour ?? 0));
  const content = html`
<h1 style="margin:0 0 14px;font:900 30px var(--sans)">${live.race.name} <span class="kicker">Race centre</span></h1>
${livePanel(live, { tall: true, withLink: false })}
<div class="grid">
<div>
<h2 class="section-title">Latest hourly report</h2>
${
  latest === undefined
    ? html`<p class="notice">The first report is drafted when the race passes its first full hour.</p>`
    : html`<article class="lead-story" data-testid="latest-report">${kicker(latest)}<h2><a href="${articlePath(latest)}">${latest.headline}</a></h2><p>${latest.standfirst}</p><span class="meta">${dated(latest)}</span></article>`
}
<h2 class="section-title">Every hourly report</h2>
${
  byHour.length === 0
    ? html`<p class="meta">None yet.</p>`
    : html`<ol class="reports-list" data-testid="reports-list">${byHour.map((r) => html`<li><a href="${articlePath(r)}"><b>Hour ${r.hour ?? '?'}</b>${r.headline}</a></li>`)}</ol>`
}
</div>
<aside>${adSlot(ctx, 'race-side')}</aside>
</div>`;
  return layout(ctx, { title: `${live.race.name}: live timing and hourly reports`, description: `Live timing, race analysis and every hourly report of ${live.race.name}.` }, content);
}

/** `raceName`: the tag is a race id, shown by the race's name. */
export function tagPage(ctx: PageContext, tag: string, articles: readonly Article[], raceName: string | null = null): string {
  const title = raceName ?? (tag === 'hourly-reports' ? 'Hourly reports' : tag.replace(/-/g, ' ').toUpperCase());
  const content = html`<div class="grid"><div>
<h1 class="section-title" style="font-size:20px">${title}</h1>
${articles.length === 0 ? html`<p class="notice">Nothing here yet.</p>` : html`<div class="cards">${articles.map(card)}</div>`}
</div><aside>${adSlot(ctx, 'tag-side')}</aside></div>`;
  return layout(ctx, { title, description: `${title}: latest news and reports on ${SITE_NAME}.` }, content);
}

export function messagePage(ctx: PageContext, title: string, message: Html | string): string {
  return layout(ctx, { title, description: title, noindex: true }, html`<h1>${title}</h1><p class="notice">${message}</p>`);
}

function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

export function loginPage(ctx: PageContext, next: string, error: string | null, email = '', notice: string | null = null): string {
  return layout(
    ctx,
    { title: 'Log in', description: 'Log in to Sarthe', noindex: true },
    html`<h1>Log in</h1>${error === null ? null : html`<p class="notice" role="alert">${error}</p>`}${notice === null ? null : html`<p class="notice ok" role="status" data-testid="registered">${notice}</p>`}
<form class="form" method="post" action="/login">${csrfField(ctx)}<input type="hidden" name="next" value="${next}">
<label for="email">Email</label><input id="email" type="email" name="email" value="${email}" required autocomplete="username">
<label for="password">Password</label><input id="password" type="password" name="password" required autocomplete="current-password">
<div class="actions"><button class="btn" type="submit">Log in</button><a href="/register">Create an account</a></div></form>`,
  );
}

export function registerPage(ctx: PageContext, error: string | null, values: { email?: string; name?: string } = {}): string {
  return layout(
    ctx,
    { title: 'Create an account', description: 'Register as a Sarthe reader', noindex: true },
    html`<h1>Create an account</h1>${error === null ? null : html`<p class="notice" role="alert">${error}</p>`}
<form class="form" method="post" action="/register">${csrfField(ctx)}
<label for="name">Name</label><input id="name" type="text" name="name" value="${values.name ?? ''}" required maxlength="80">
<label for="email">Email</label><input id="email" type="email" name="email" value="${values.email ?? ''}" required autocomplete="username">
<label for="password">Password (10 characters or more)</label><input id="password" type="password" name="password" required minlength="10" autocomplete="new-password">
<div class="actions"><button class="btn" type="submit">Create account</button></div></form>`,
  );
}

export function subscribePage(ctx: PageContext, providerName: string, checkoutUrl: string | null): string {
  const user = ctx.user;
  return layout(
    ctx,
    { title: 'Subscribe', description: 'Read Sarthe without ads', noindex: false },
    html`<h1>Read Sarthe without ads</h1>
<div class="form wide"><p>Subscribers see every page without advertising. Everything else — live timing, hourly reports, analysis — stays free for everyone.</p>
${
  user === null
    ? html`<p><a class="btn" href="/register">Create an account</a> or <a href="/login?next=/subscribe">log in</a> first.</p>`
    : user.subscriber
      ? html`<p class="notice ok">You are a subscriber: thank you. No ads for you.</p>`
      : checkoutUrl !== null
        ? html`<p><a class="btn" href="${checkoutUrl}">Subscribe</a></p>`
        : html`<p>Subscriptions are ${providerName} for now: ask the Sarthe desk to switch your account (${user.email}) to subscriber.</p>`
}</div>`,
  );
}

export function editorListPage(ctx: PageContext, drafts: readonly Article[], published: readonly Article[], flash: string | null): string {
  const rows = (list: readonly Article[]) =>
    html`<table class="list"><thead><tr><th>Headline</th><th>Kind</th><th>Changed</th><th></th></tr></thead><tbody>${list.map(
      (a) =>
        html`<tr data-testid="editor-row"><td><a href="/editor/articles/${a.id}">${a.headline}</a></td><td>${a.kind === 'report' ? (a.hour === null ? 'Report, earlier version' : `Report, hour ${a.hour}`) : 'Article'}</td><td>${time(a.updatedAtMs)}</td><td><a href="${articlePath(a)}">View</a></td></tr>`,
    )}</tbody></table>`;
  return layout(
    ctx,
    { title: 'Editor', description: 'Drafts and published articles', noindex: true },
    html`<h1>Editor's desk</h1>${flash === null ? null : html`<p class="notice ok">${flash}</p>`}
<p><a class="btn" href="/editor/new">Write an article</a></p>
<h2 class="section-title">Drafts (${drafts.length})</h2>${drafts.length === 0 ? html`<p class="meta">No drafts waiting.</p>` : rows(drafts)}
<h2 class="section-title" style="margin-top:28px">Published</h2>${rows(published)}`,
  );
}

export function editArticlePage(ctx: PageContext, article: Article | null, error: string | null, flash: string | null = null): string {
  const action = article === null ? '/editor/articles' : `/editor/articles/${article.id}`;
  return layout(
    ctx,
    { title: article === null ? 'New article' : `Edit: ${article.headline}`, description: 'Edit an article', noindex: true },
    html`<h1>${article === null ? 'New article' : 'Edit article'}</h1>
${error === null ? null : html`<p class="notice" role="alert">${error}</p>`}
${flash === null ? null : html`<p class="notice ok" role="status">${flash}</p>`}
${article === null ? null : html`<p class="meta">Address: <a href="${articlePath(article)}">${articlePath(article)}</a> (kept when you correct it) · Status: <b data-testid="status">${article.status}</b></p>`}
<form class="form wide" method="post" action="${action}">${csrfField(ctx)}
<label for="headline">Headline</label><input id="headline" type="text" name="headline" value="${article?.headline ?? ''}" required maxlength="200">
<label for="standfirst">Standfirst</label><input id="standfirst" type="text" name="standfirst" value="${article?.standfirst ?? ''}" maxlength="500">
<label for="tags">Tags (comma separated)</label><input id="tags" type="text" name="tags" value="${article?.tags.join(', ') ?? ''}" maxlength="300">
<label for="body">Body (Markdown)</label><textarea id="body" name="body">${article?.bodyMd ?? ''}</textarea>
<div class="actions"><button class="btn dark" type="submit" name="action" value="save">Save</button>
${
  article?.status === 'published'
    ? html`<button class="btn ghost" type="submit" name="action" value="unpublish">Unpublish</button>`
    : html`<button class="btn" type="submit" name="action" value="publish">Publish</button>`
}
${article === null ? null : html`<a href="${articlePath(article)}">Preview</a>`}
</div></form>`,
  );
}

export function usersPage(ctx: PageContext, users: readonly User[], providerName: string, flash: string | null): string {
  return layout(
    ctx,
    { title: 'Users', description: 'Manage users', noindex: true },
    html`<h1>Users</h1>${flash === null ? null : html`<p class="notice ok">${flash}</p>`}
<p><a href="/admin/tokens">Ingest tokens</a></p>
<p class="meta">Subscriptions: ${providerName}.</p>
<table class="list"><thead><tr><th>Name</th><th>Email</th><th>Role</th><th>Subscriber</th></tr></thead><tbody>
${users.map(
  (u) => html`<tr data-testid="user-row"><td>${u.name}</td><td>${u.email}</td>
<td><form method="post" action="/admin/users/${u.id}/role">${csrfField(ctx)}<select name="role" aria-label="Role of ${u.email}">${(['reader', 'editor', 'admin'] as const).map(
    (r) => html`<option value="${r}" ${r === u.role ? html`selected` : null}>${r}</option>`,
  )}</select><button class="btn ghost" type="submit">Set</button></form></td>
<td><form method="post" action="/admin/users/${u.id}/subscription">${csrfField(ctx)}<input type="hidden" name="subscriber" value="${u.subscriber ? 'no' : 'yes'}">
${u.subscriber ? 'Yes ' : 'No '}<button class="btn ghost" type="submit">${u.subscriber ? 'Remove subscription' : 'Make subscriber'}</button></form></td></tr>`,
)}
</tbody></table>
<h2 class="section-title" style="margin-top:28px">Add a user</h2>
<form class="form" method="post" action="/admin/users">${csrfField(ctx)}
<label for="name">Name</label><input id="name" type="text" name="name" required maxlength="80">
<label for="email">Email</label><input id="email" type="email" name="email" required>
<label for="password">Password</label><input id="password" type="password" name="password" required minlength="10" autocomplete="new-password">
<label for="role">Role</label><select id="role" name="role"><option>reader</option><option>editor</option><option>admin</option></select>
<div class="actions"><button class="btn" type="submit">Add user</button></div></form>`,
  );
}

export function tokensPage(ctx: PageContext, tokens: readonly ApiToken[], issued: string | null): string {
  return layout(
    ctx,
    { title: 'Ingest tokens', description: 'Tokens for the ingest API', noindex: true },
    html`<h1>Ingest tokens</h1>
<p class="meta">Bearer tokens for <code>POST /api/races/:race/events</code> and <code>/import</code>, besides the one configured with SARTHE_INGEST_TOKEN. <a href="/admin/users">Users</a></p>
${
  issued === null
    ? null
    : html`<div class="notice ok" role="status"><p>New token — copy it now, it is not shown again:</p><p><code data-testid="new-token" style="word-break:break-all">${issued}</code></p></div>`
}
<table class="list"><thead><tr><th>For</th><th>Issued</th><th>Last used</th><th>State</th></tr></thead><tbody>
${tokens.map(
  (t) => html`<tr data-testid="token-row"><td>${t.name}</td><td>${time(t.createdAtMs)}</td><td>${t.lastUsedAtMs === null ? 'never' : time(t.lastUsedAtMs)}</td>
<td>${
    t.revokedAtMs !== null
      ? html`revoked ${time(t.revokedAtMs)}`
      : html`<form method="post" action="/admin/tokens/${t.id}/revoke">${csrfField(ctx)}<button class="btn ghost" type="submit">Revoke</button></form>`
  }</td></tr>`,
)}
</tbody></table>
<h2 class="section-title" style="margin-top:28px">Issue a token</h2>
<form class="form" method="post" action="/admin/tokens">${csrfField(ctx)}
<label for="token-name">What it is for</label><input id="token-name" type="text" name="name" required maxlength="120">
<div class="actions"><button class="btn" type="submit">Issue token</button></div></form>`,
  );
}
