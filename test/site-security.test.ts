/**
 * The site's security promises, each on the real app (inject): a reader
 * cannot publish, an anonymous visitor cannot ingest or edit, Markdown
 * cannot run script, a forged form post is refused, log-in is rate limited,
 * passwords and sessions are stored as hashes, cookies are HttpOnly/SameSite.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { renderMarkdown } from '../src/server/site/markdown.js';
import { safeNext } from '../src/server/site/index.js';
import { ADMIN, createUser, FormClient, siteServer } from './site-helpers.js';

const EVIL_MARKDOWN = [
  'Intro paragraph.',
  '',
  '<script>alert("xss")</script>',
  '',
  '<img src="x" onerror="alert(1)">',
  '',
  '[click me](javascript:alert(2))',
  '',
  '<a href="JaVaScRiPt:alert(3)">caps</a> <iframe src="https://evil.example"></iframe>',
  '',
  '<p onclick="alert(4)" style="background:url(javascript:alert(5))">styled</p>',
  '',
  '<svg><script>alert(6)</script></svg> <object data="x.swf"></object>',
].join('\n');

function assertInert(html: string): void {
  // The site's own script and the JSON-LD block are the only script elements.
  assert.doesNotMatch(html, /<script(?![^>]*(application\/ld\+json|src="\/site\/site\.js"))/i, 'no script element from the article');
  assert.doesNotMatch(html, /\son\w+\s*=/i, 'no event handler attribute');
  assert.doesNotMatch(html, /javascript:/i, 'no javascript: URL');
  assert.doesNotMatch(html, /<(iframe|object|svg)\b(?![^>]*class="timing-frame")/i, 'no embedded content from the article');
}

describe('Markdown is rendered inert', () => {
  it('drops script, event handlers, javascript: URLs, style and embeds; keeps the text and safe links', () => {
    const html = renderMarkdown(`${EVIL_MARKDOWN}\n\n[a safe link](https://example.org/x) and **bold**`).text;
    assertInert(html);
    assert.match(html, /<p>Intro paragraph\.<\/p>/);
    assert.match(html, /<a href="https:\/\/example.org\/x" rel="noopener noreferrer nofollow">a safe link<\/a>/);
    assert.match(html, /<strong>bold<\/strong>/);
    assert.doesNotMatch(html, /style=/);
  });

  it('a Markdown table (the positions tables of a report) survives', () => {
    const html = renderMarkdown('| Pos | Car |\n|---:|---|\n| 1 | #8 |').text;
    assert.match(html, /<table>[\s\S]*<td align="right">1<\/td>[\s\S]*<\/table>/);
  });

  it('log-in redirects stay on this site', () => {
    assert.equal(safeNext('/news/x'), '/news/x');
    assert.equal(safeNext('//evil.example/'), '/');
    assert.equal(safeNext('/\\evil.example'), '/');
    assert.equal(safeNext('https://evil.example/'), '/');
    assert.equal(safeNext(undefined), '/');
  });
});

describe('site security on the real app', () => {
  let app: FastifyInstance;
  let draftId: number;

  before(async () => {
    app = await siteServer({ loginAttemptsPerMinute: 20 });
    const draft = await app.site.content.createArticle(
      { slug: 'a-draft', kind: 'article', status: 'draft', headline: 'A draft', standfirst: 'Not yet', bodyMd: 'Body.', byline: 'Desk', tags: ['news'], race: null, hour: null },
      Date.now(),
    );
    draftId = draft!.id;
  });
  after(async () => app.close());

  it('the first admin comes from the options, with an scrypt hash and no password in clear', async () => {
    const admin = await app.site.content.userByEmail(ADMIN.email);
    assert.equal(admin?.role, 'admin');
    assert.match(admin!.passwordHash, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    assert.ok(!admin!.passwordHash.includes(ADMIN.password));
  });

  it('the session cookie is HttpOnly and SameSite=Lax, and only its hash is stored', async () => {
    const client = new FormClient(app);
    const response = await client.login(ADMIN.email, ADMIN.password);
    assert.equal(response.statusCode, 303);
    const cookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((c) => c.startsWith('sarthe_session='));
    assert.ok(cookie, 'a session cookie');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    const token = client.cookies.get('sarthe_session')!;
    const admin = await app.site.content.userByEmail(ADMIN.email);
    assert.equal((await app.site.content.sessionUser(token, Date.now()))?.id, undefined, 'the raw token is not a stored id');
    assert.ok(admin);
  });

  it('a wrong password is refused', async () => {
    const client = new FormClient(app);
    const response = await client.login(ADMIN.email, 'not-the-password');
    assert.equal(response.statusCode, 401);
    assert.equal(client.cookies.get('sarthe_session'), undefined);
  });

  it('an anonymous visitor cannot edit, publish, see drafts or reach the admin', async () => {
    const visitor = new FormClient(app);
    await visitor.get('/login'); // a valid CSRF token: what stops the visitor must be the missing log-in
    const edit = await visitor.get(`/editor/articles/${draftId}`);
    assert.equal(edit.statusCode, 303);
    assert.match(String(edit.headers.location), /^\/login\?next=/);
    const post = await visitor.post(`/editor/articles/${draftId}`, { headline: 'Hacked', standfirst: '', tags: '', body: 'x', action: 'publish' });
    assert.equal(post.statusCode, 401);
    const create = await visitor.post('/editor/articles', { headline: 'Hacked', standfirst: '', tags: '', body: 'x', action: 'publish' });
    assert.equal(create.statusCode, 401);
    assert.equal((await visitor.get('/news/a-draft')).statusCode, 404);
    assert.equal((await visitor.get('/admin/users')).statusCode, 303);
    const article = await app.site.content.articleById(draftId);
    assert.equal(article?.status, 'draft');
    assert.equal(article?.headline, 'A draft');
    assert.equal((await app.site.content.articles({ status: 'published' })).length, 0);
  });

  it('an anonymous visitor cannot ingest timing events', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/races/hack/events',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify([{ type: 'session', name: 'x' }]),
    });
    assert.equal(response.statusCode, 401);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/races/hack/events',
      headers: { 'content-type': 'application/json', authorization: 'Bearer guess' },
      payload: '[]',
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(app.sarthe.hub.get('hack'), undefined);
  });

  it('a reader can register but cannot publish, edit or manage users', async () => {
    const reader = new FormClient(app);
    await reader.get('/register');
    const registered = await reader.post('/register', { name: 'Rita Reader', email: 'rita@example.test', password: 'reader-password-1' });
    assert.equal(registered.statusCode, 303);
    assert.equal((await app.site.content.userByEmail('rita@example.test'))?.role, 'reader');
    assert.equal((await reader.login('rita@example.test', 'reader-password-1')).statusCode, 303);
    assert.equal((await reader.get('/editor')).statusCode, 403);
    await reader.get('/');
    const publish = await reader.post(`/editor/articles/${draftId}`, { headline: 'Reader news', standfirst: '', tags: '', body: 'x', action: 'publish' });
    assert.equal(publish.statusCode, 403);
    const promote = await reader.post(`/admin/users/${(await app.site.content.userByEmail('rita@example.test'))!.id}/role`, { role: 'admin' });
    assert.equal(promote.statusCode, 403);
    assert.equal((await app.site.content.userByEmail('rita@example.test'))?.role, 'reader');
    assert.equal((await app.site.content.articleById(draftId))?.status, 'draft');
  });

  it('forged form posts are refused: no token, a wrong token, another site', async () => {
    const editorLogin = await createUser(app, 'eddie@example.test', 'editor');
    const editor = new FormClient(app);
    assert.equal((await editor.login(editorLogin.email, editorLogin.password)).statusCode, 303);
    await editor.get(`/editor/articles/${draftId}`);
    const fields = { headline: 'Forged', standfirst: '', tags: '', body: 'x', action: 'publish' };

    const noToken = await app.inject({
      method: 'POST',
      url: `/editor/articles/${draftId}`,
      headers: { cookie: [...editor.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
    assert.equal(noToken.statusCode, 403);
    assert.equal((await editor.post(`/editor/articles/${draftId}`, { ...fields, _csrf: 'wrong-token' })).statusCode, 403);
    // Another visitor's valid token is worth nothing with this editor's cookies.
    const other = new FormClient(app);
    await other.get('/login');
    assert.equal((await editor.post(`/editor/articles/${draftId}`, { ...fields, _csrf: other.csrf })).statusCode, 403);
    // The right token, sent by another site's page.
    assert.equal((await editor.post(`/editor/articles/${draftId}`, fields, { origin: 'https://evil.example' })).statusCode, 403);
    assert.equal((await editor.post(`/editor/articles/${draftId}`, fields, { 'sec-fetch-site': 'cross-site' })).statusCode, 403);
    assert.equal((await app.site.content.articleById(draftId))?.status, 'draft', 'nothing forged got through');

    // The same editor, from the site's own form: accepted.
    const real = await editor.post(`/editor/articles/${draftId}`, { ...fields, headline: 'A real headline' }, { origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' });
    assert.equal(real.statusCode, 303, real.body.slice(0, 300));
    assert.equal((await app.site.content.articleById(draftId))?.status, 'published');
  });

  it('an article with script in its Markdown is stored as written and served inert', async () => {
    const editorLogin = { email: 'eddie@example.test', password: 'editor-password-1' };
    const editor = new FormClient(app);
    await editor.login(editorLogin.email, editorLogin.password);
    await editor.get('/editor/new');
    const created = await editor.post('/editor/articles', { headline: 'Evil <b>headline</b>', standfirst: '"quoted" & <i>x</i>', tags: 'news', body: EVIL_MARKDOWN, action: 'publish' });
    assert.equal(created.statusCode, 303);
    const page = await editor.get(String(created.headers.location));
    assert.equal(page.statusCode, 200);
    assertInert(page.body);
    assert.match(page.body, /<h1>Evil &lt;b&gt;headline&lt;\/b&gt;<\/h1>/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    const feed = await app.inject({ method: 'GET', url: '/feed.rss' });
    assert.match(feed.body, /<title>Evil &lt;b&gt;headline&lt;\/b&gt;<\/title>/);
  });

  it('an admin issues an ingest token, shown once; it works until revoked; a reader cannot issue one', async () => {
    const admin = new FormClient(app);
    await admin.login(ADMIN.email, ADMIN.password);
    await admin.get('/admin/tokens');
    const issued = await admin.post('/admin/tokens', { name: 'timing feed' });
    assert.equal(issued.statusCode, 200);
    const token = /data-testid="new-token"[^>]*>([^<]+)</.exec(issued.body)?.[1];
    assert.ok(token !== undefined && token.startsWith('sarthe_'));
    assert.equal((await app.site.content.apiTokens())[0]?.tokenHash.includes(token), false, 'only a hash is stored');
    const ingest = (bearer: string) =>
      app.inject({
        method: 'POST',
        url: '/api/races/token-race/events',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        payload: JSON.stringify([{ type: 'session', name: 'Token race', zeroTimeOfDayMs: 0, scheduledDurationMs: 3_600_000 }]),
      });
    const accepted = await ingest(token);
    assert.ok(accepted.statusCode < 300, accepted.body.slice(0, 300));
    assert.equal((await admin.get('/admin/tokens')).body.includes(token), false, 'not shown again');
    const id = (await app.site.content.apiTokens())[0]!.id;
    assert.equal((await admin.post(`/admin/tokens/${id}/revoke`, {})).statusCode, 303);
    assert.equal((await ingest(token)).statusCode, 401);

    const reader = new FormClient(app);
    await reader.login('rita@example.test', 'reader-password-1');
    assert.equal((await reader.get('/admin/tokens')).statusCode, 403);
    await reader.get('/');
    assert.equal((await reader.post('/admin/tokens', { name: 'mine' })).statusCode, 403);
    assert.equal((await app.site.content.apiTokens()).length, 1);
  });

  it('log-in is rate limited per address', async () => {
    const client = new FormClient(app);
    await client.get('/login');
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await client.post('/login', { email: 'nobody@example.test', password: 'guess-guess-1', next: '/' })).statusCode);
    assert.ok(statuses.includes(429), `statuses ${statuses.join(',')}`);
    assert.ok(statuses.filter((s) => s === 401).length <= 20, 'at most the limit gets an answer');
    assert.equal(statuses[statuses.length - 1], 429);
  });
});

describe('ingest with the site on and no SARTHE_INGEST_TOKEN', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await siteServer({}, { ingestToken: undefined });
  });
  after(async () => app.close());

  const post = (headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/api/races/no-token/events', headers: { 'content-type': 'application/json', ...headers }, payload: '[]' });

  it('is disabled (503, saying so) until an admin issues a token, then refuses a wrong one (401), and is disabled again once it is revoked', async () => {
    const disabled = await post({});
    assert.equal(disabled.statusCode, 503);
    assert.match(disabled.body, /ingest is disabled/);
    assert.equal((await post({ authorization: 'Bearer guess' })).statusCode, 503);
    const issued = await app.site.content.createApiToken({ name: 'feed', tokenHash: 'hash-of-nothing', createdBy: null }, Date.now());
    assert.equal((await post({})).statusCode, 401);
    assert.equal((await post({ authorization: 'Bearer guess' })).statusCode, 401);
    await app.site.content.revokeApiToken(issued.id, Date.now());
    assert.equal((await post({ authorization: 'Bearer guess' })).statusCode, 503);
    assert.equal(app.sarthe.hub.get('no-token'), undefined);
  });
});
