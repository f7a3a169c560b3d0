/**
 * What every reader sees: home, articles, the race centre, tag pages, the
 * feeds and the site's own stylesheet and script.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { slugify } from '../../store/content.js';
import { SITE_CSS, SITE_JS } from './assets.js';
import { atomFeed, rssFeed, type FeedSite } from './feeds.js';
import { isEditor, summary, type SiteKit } from './kit.js';
import { articlePage, homePage, raceCentrePage, SITE_NAME, SITE_TAGLINE, tagPage } from './pages.js';

const NEWS_LIMIT = 30;
const FEED_LIMIT = 30;

export async function publicPages(site: FastifyInstance, { kit }: { kit: SiteKit }): Promise<void> {
  const { content, hub } = kit;

  site.get('/site/site.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(SITE_CSS));
  site.get('/site/site.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(SITE_JS));

  site.get('/', async (request, reply) => {
    const news = await content.articles({ status: 'published', limit: NEWS_LIMIT });
    return kit.page(reply, homePage(await kit.pageContext(request, reply), news));
  });

  site.get<{ Params: { slug: string } }>('/news/:slug', async (request, reply) => {
    const article = await content.articleBySlug(request.params.slug);
    if (article === null || (article.status !== 'published' && !isEditor(request.siteUser))) return kit.notFound(request, reply);
    const related = (await content.articles({ status: 'published', limit: 9 })).filter((a) => a.id !== article.id).slice(0, 8);
    return kit.page(reply, articlePage(await kit.pageContext(request, reply), article, related));
  });

  site.get<{ Params: { race: string } }>('/races/:race', async (request, reply) => {
    const race = hub.get(request.params.race);
    if (race === undefined) return kit.notFound(request, reply);
    const reports = await content.articles({ status: 'published', kind: 'report', race: race.id, limit: 200 });
    return kit.page(reply, raceCentrePage(await kit.pageContext(request, reply), summary(race), reports));
  });

  site.get<{ Params: { tag: string } }>('/tags/:tag', async (request, reply) => {
    const tag = slugify(request.params.tag);
    const articles = await content.articles({ status: 'published', tag, limit: 60 });
    return kit.page(reply, tagPage(await kit.pageContext(request, reply), tag, articles, hub.get(tag)?.race.name ?? null));
  });

  const feedSite = (request: FastifyRequest): FeedSite => ({ baseUrl: kit.baseUrl(request), title: `${SITE_NAME}: latest news`, description: SITE_TAGLINE });
  site.get('/feed.rss', async (request, reply) => {
    const articles = await content.articles({ status: 'published', limit: FEED_LIMIT });
    return reply.type('application/rss+xml; charset=utf-8').send(rssFeed(feedSite(request), articles, Date.now()));
  });
  site.get('/feed.atom', async (request, reply) => {
    const articles = await content.articles({ status: 'published', limit: FEED_LIMIT });
    return reply.type('application/atom+xml; charset=utf-8').send(atomFeed(feedSite(request), articles, Date.now()));
  });
}
