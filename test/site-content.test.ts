/**
 * The coverage site's content: the store and its migrations, the hourly desk
 * filing reports as the demo race passes each hour (published or left for an
 * editor), corrections keeping the address, pages and their metadata, ad
 * slots for everyone but subscribers, and the RSS/Atom feeds checked
 * against their specs' required elements with an XML parser.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { DomUtils, parseDocument } from 'htmlparser2';
import { compareEvents, eventTimeMs } from '../src/model/events.js';
import { HOUR } from '../src/model/time.js';
import { HourlyDesk, reportSlug } from '../src/server/site/hourly-desk.js';
import { escapeXml, rfc3339, rfc822 } from '../src/server/site/feeds.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import Database from 'better-sqlite3';
import { CONTENT_MIGRATIONS, SqliteContentStore } from '../src/store/sqlite/content.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { repoRoot } from './helpers.js';
import { post } from './server-helpers.js';
import { createUser, FormClient, siteServer } from './site-helpers.js';

type XmlElement = ReturnType<typeof DomUtils.findOne> & object;
/** Direct child elements named `tag`. */
function kids(node: { children: unknown[] }, tag: string): XmlElement[] {
  return node.children.filter((c): c is XmlElement => typeof c === 'object' && c !== null && 'name' in c && (c as XmlElement).name === tag);
}

const DEMO = join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv');

async function ingestUpTo(app: FastifyInstance, race: string, untilMs: number): Promise<void> {
  const { events } = await importAnalysisFiles([DEMO], { lenient: false });
  const due = [...events].sort(compareEvents).filter((e) => eventTimeMs(e) <= untilMs);
  for (let i = 0; i < due.length; i += 2000) {
    const response = await post(app, race, due.slice(i, i + 2000));
    assert.ok(response.statusCode < 300, response.body.slice(0, 200));
  }
}

// The content store's behaviour is checked on every store by store-contract.ts; here, SQLite's own migrations.
describe('content store (SQLite)', () => {
  it('migrates a fresh file once, shares it with the event store, and keeps data across reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-content-'));
    try {
      const file = join(dir, 'sarthe.db');
      const events = new SqliteEventStore({ file });
      const content = new SqliteContentStore({ file });
      assert.equal(content.schemaVersion, CONTENT_MIGRATIONS.length);
      const user = await content.createUser({ email: 'Ann@Example.test', name: 'Ann', role: 'editor', passwordHash: 'scrypt$x' });
      assert.equal((await content.userByEmail('ann@example.TEST'))?.id, user.id, 'emails compare case-insensitively');
      const article = await content.createArticle(
        { slug: 'first', kind: 'article', status: 'draft', headline: 'First', standfirst: 'S', bodyMd: 'B', byline: 'Ann', tags: ['Le Mans', 'LMP2'], race: null, hour: null },
        1000,
      );
      assert.deepEqual(article?.tags, ['le-mans', 'lmp2']);
      assert.equal(await content.createArticle({ ...article!, slug: 'first' }, 2000), null, 'a slug is taken once');
      await content.close();
      await events.close();
      // A database from before migration 2 is upgraded in place when opened.
      const old = new Database(file);
      old.exec('DROP TABLE api_tokens; DELETE FROM content_migrations WHERE version = 2;');
      old.close();
      const reopened = new SqliteContentStore({ file });
      assert.equal(reopened.schemaVersion, 2);
      assert.deepEqual(await reopened.apiTokens(), []);
      assert.equal((await reopened.articleBySlug('first'))?.headline, 'First');
      assert.equal((await reopened.articles({ tag: 'le-mans' })).length, 1);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

});

describe('hourly desk on the demo race', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await siteServer({ autoPublish: true });
    await ingestUpTo(app, 'lemans-2019', 2 * HOUR + 5 * 60_000);
    await app.site.desk.tick();
  });
  after(async () => app.close());

  it('files one published report per full hour passed, and none for the hour still running', async () => {
    const reports = await app.site.content.articles({ kind: 'report', race: 'lemans-2019' });
    assert.deepEqual(reports.map((r) => r.hour).sort(), [1, 2]);
    assert.ok(reports.every((r) => r.status === 'published'));
    assert.equal(reports.find((r) => r.hour === 2)?.slug, reportSlug('lemans-2019', 2));
    assert.equal(reportSlug('lemans-2019', 2), 'lemans-2019-after-2-hours');
    assert.equal(reportSlug('lemans-2019', 1), 'lemans-2019-after-1-hour');
    const two = reports.find((r) => r.hour === 2)!;
    assert.match(two.headline, /Le Mans/);
    assert.match(two.bodyMd, /Positions after (2|two) hours/);
    await app.site.desk.tick();
    assert.equal((await app.site.content.articles({ kind: 'report' })).length, 2, 'a second look files nothing twice');
  });

  it('the hours a race has passed: strictly past the hour, never beyond the scheduled length', () => {
    assert.equal(HourlyDesk.hoursPassed(0, null), 0);
    assert.equal(HourlyDesk.hoursPassed(HOUR, null), 0);
    assert.equal(HourlyDesk.hoursPassed(HOUR + 1, null), 1);
    assert.equal(HourlyDesk.hoursPassed(24 * HOUR + 300_000, 24 * HOUR), 24);
  });

  it('home lists the latest news newest first with the live panel; the article page has OpenGraph and article metadata', async () => {
    const home = await app.inject({ method: 'GET', url: '/' });
    assert.equal(home.statusCode, 200);
    const first = home.body.indexOf('/news/lemans-2019-after-2-hours');
    const second = home.body.indexOf('/news/lemans-2019-after-1-hour');
    assert.ok(first > 0 && second > first, 'hour 2 before hour 1');
    assert.match(home.body, /data-testid="live-panel"/);
    assert.match(home.body, /<iframe class="timing-frame[^"]*" src="\/timing\/#\/\?race=lemans-2019&embed=1"/);
    assert.match(home.body, /data-ad-slot="home-side"/);

    const page = await app.inject({ method: 'GET', url: '/news/lemans-2019-after-2-hours' });
    assert.equal(page.statusCode, 200);
    for (const property of ['og:title', 'og:description', 'og:type', 'og:url', 'article:published_time', 'article:author', 'article:tag']) {
      assert.match(page.body, new RegExp(`<meta property="${property}" content="[^"]+">`), property);
    }
    assert.match(page.body, /<meta property="og:type" content="article">/);
    assert.match(page.body, /"@type":"ReportageNewsArticle"/);
    assert.match(page.body, /<table>/, 'positions tables rendered');
    assert.match(page.body, /By <strong>Sarthe race desk<\/strong>/);
    assert.match(page.body, /href="\/news\/lemans-2019-after-1-hour"/, 'related latest news');
  });

  it('race centre: timing screen, latest report and every report; tag page; unknown pages 404', async () => {
    const centre = await app.inject({ method: 'GET', url: '/races/lemans-2019' });
    assert.equal(centre.statusCode, 200);
    assert.match(centre.body, /data-testid="latest-report">[\s\S]*?after-2-hours/);
    assert.match(centre.body, /<b>Hour 1<\/b>[\s\S]*<b>Hour 2<\/b>/);
    assert.match(centre.body, /timing-frame tall/);
    const tag = await app.inject({ method: 'GET', url: '/tags/hourly-reports' });
    assert.equal((tag.body.match(/data-testid="news-item"/g) ?? []).length, 2);
    assert.equal((await app.inject({ method: 'GET', url: '/races/nope' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/news/nope' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/timing/' })).statusCode, 200, 'the web app moved to /timing/');
    const bare = await app.inject({ method: 'GET', url: '/timing' });
    assert.equal(bare.statusCode, 301);
    assert.equal(bare.headers.location, '/timing/');
  });

  it('a subscriber sees no ad slot; a reader does', async () => {
    const sub = await createUser(app, 'sub@example.test', 'reader', true);
    const reader = await createUser(app, 'plain@example.test', 'reader', false);
    const subscriber = new FormClient(app);
    await subscriber.login(sub.email, sub.password);
    const plain = new FormClient(app);
    await plain.login(reader.email, reader.password);
    for (const url of ['/', '/news/lemans-2019-after-2-hours', '/races/lemans-2019']) {
      assert.doesNotMatch((await subscriber.get(url)).body, /data-ad-slot/, url);
      assert.match((await plain.get(url)).body, /data-ad-slot/, url);
    }
  });

  it('RSS 2.0 and Atom feeds: required elements, absolute links, RFC 822 / RFC 3339 dates, escaping', async () => {
    await app.site.content.createArticle(
      { slug: 'amp-test', kind: 'article', status: 'published', headline: 'Rock & <roll> "quotes"', standfirst: "It's \u0001fine", bodyMd: 'x', byline: 'Ann', tags: ['news'], race: null, hour: null },
      Date.now() + 1000,
    );
    const rss = await app.inject({ method: 'GET', url: '/feed.rss', headers: { host: 'sarthe.example' } });
    assert.match(String(rss.headers['content-type']), /^application\/rss\+xml/);
    const rssDoc = parseDocument(rss.body, { xmlMode: true });
    const root = kids(rssDoc, 'rss')[0]!;
    assert.equal(root.attribs.version, '2.0');
    const channel = kids(root, 'channel')[0]!;
    for (const required of ['title', 'link', 'description']) assert.equal(kids(channel, required).length, 1, required);
    const items = kids(channel, 'item');
    assert.equal(items.length, 3);
    const RFC822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
    for (const item of items) {
      const text = (tag: string) => DomUtils.textContent(kids(item, tag)[0]!);
      assert.ok(text('title').length > 0);
      assert.match(text('link'), /^http:\/\/sarthe\.example\/news\/[a-z0-9-]+$/);
      assert.match(text('pubDate'), RFC822);
      assert.equal(text('guid'), text('link'));
    }
    assert.match(rss.body, /<title>Rock &amp; &lt;roll&gt; &quot;quotes&quot;<\/title>/);
    assert.doesNotMatch(rss.body, /\u0001/);

    const atom = await app.inject({ method: 'GET', url: '/feed.atom', headers: { host: 'sarthe.example' } });
    assert.match(String(atom.headers['content-type']), /^application\/atom\+xml/);
    const atomDoc = parseDocument(atom.body, { xmlMode: true });
    const feed = kids(atomDoc, 'feed')[0]!;
    assert.equal(feed.attribs.xmlns, 'http://www.w3.org/2005/Atom');
    const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
    const child = kids;
    for (const required of ['id', 'title', 'updated']) assert.equal(child(feed, required).length, 1, `feed ${required}`);
    assert.match(DomUtils.textContent(child(feed, 'updated')[0]!), RFC3339);
    assert.equal(child(feed, 'link').find((l) => l.attribs.rel === 'self')?.attribs.href, 'http://sarthe.example/feed.atom');
    const entries = child(feed, 'entry');
    assert.equal(entries.length, 3);
    for (const entry of entries) {
      for (const required of ['id', 'title', 'updated']) assert.equal(child(entry, required).length, 1, `entry ${required}`);
      assert.match(DomUtils.textContent(child(entry, 'updated')[0]!), RFC3339);
      assert.ok(child(entry, 'link')[0]?.attribs.href?.startsWith('http://sarthe.example/news/'));
      // Atom requires an author on each entry unless the feed has one; both have it here.
      assert.equal(child(child(entry, 'author')[0]!, 'name').length, 1);
    }
    assert.equal(new Set(entries.map((e) => DomUtils.textContent(child(e, 'id')[0]!))).size, 3, 'ids unique');
  });

  it('date and escaping helpers', () => {
    assert.equal(rfc822(Date.UTC(2019, 5, 16, 15, 0, 0)), 'Sun, 16 Jun 2019 15:00:00 GMT');
    assert.equal(rfc3339(Date.UTC(2019, 5, 16, 15, 0, 0, 250)), '2019-06-16T15:00:00Z');
    assert.equal(escapeXml(`a&b<c>"d'\u0000`), 'a&amp;b&lt;c&gt;&quot;d&apos;');
  });
});

describe('editor review instead of auto-publish', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await siteServer({ autoPublish: false });
    await ingestUpTo(app, 'lemans-2019', HOUR + 60_000);
    await app.site.desk.tick();
  });
  after(async () => app.close());

  it('the report waits as a draft; an editor corrects and publishes it under the same address', async () => {
    const draft = await app.site.content.reportOf('lemans-2019', 1);
    assert.equal(draft?.status, 'draft');
    assert.equal((await app.inject({ method: 'GET', url: '/' })).body.includes(draft!.slug), false, 'readers do not see drafts');
    const login = await createUser(app, 'ed@example.test', 'editor');
    const editor = new FormClient(app);
    await editor.login(login.email, login.password);
    const list = await editor.get('/editor');
    assert.match(list.body, new RegExp(`/editor/articles/${draft!.id}`));
    await editor.get(`/editor/articles/${draft!.id}`);
    const body = `${draft!.bodyMd}\n\nCorrected by the desk.`;
    const published = await editor.post(`/editor/articles/${draft!.id}`, { headline: draft!.headline, standfirst: draft!.standfirst, tags: draft!.tags.join(', '), body, action: 'publish' });
    assert.equal(published.statusCode, 303);
    assert.equal(published.headers.location, `/news/${draft!.slug}`);
    const page = await app.inject({ method: 'GET', url: `/news/${draft!.slug}` });
    assert.match(page.body, /Corrected by the desk\./);
    // A later correction keeps the address and shows "Updated".
    await editor.get(`/editor/articles/${draft!.id}`);
    await editor.post(`/editor/articles/${draft!.id}`, { headline: `${draft!.headline} (corrected)`, standfirst: draft!.standfirst, tags: '', body, action: 'save' });
    const again = await app.inject({ method: 'GET', url: `/news/${draft!.slug}` });
    assert.match(again.body, /\(corrected\)<\/h1>/);
    assert.match(again.body, /Updated <time/);
  });
});
