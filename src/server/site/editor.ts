/** The editor's desk: drafts and published articles, writing, correcting, publishing. Editors and admins only. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { slugify, type Article } from '../../store/content.js';
import { field, type SiteKit } from './kit.js';
import { editArticlePage, editorListPage } from './pages.js';

const FLASH: Record<string, string> = { saved: 'Saved.', published: 'Published.', unpublished: 'Unpublished: readers no longer see it.' };
const EDITORS = ['editor', 'admin'] as const;

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

function articleId(text: string): number | null {
  return /^\d{1,12}$/.test(text) ? Number(text) : null;
}

export async function editorPages(site: FastifyInstance, { kit }: { kit: SiteKit }): Promise<void> {
  const { content } = kit;
  const csrf = { preHandler: site.csrfProtection };

  site.get<{ Querystring: { done?: string } }>('/editor', async (request, reply) => {
    if (!(await kit.needRole(request, reply, EDITORS))) return reply;
    const drafts = await content.articles({ status: 'draft', limit: 200 });
    const published = await content.articles({ status: 'published', limit: 100 });
    return kit.page(reply, editorListPage(await kit.pageContext(request, reply), drafts, published, FLASH[request.query.done ?? ''] ?? null));
  });

  site.get('/editor/new', async (request, reply) => {
    if (!(await kit.needRole(request, reply, EDITORS))) return reply;
    return kit.page(reply, editArticlePage(await kit.pageContext(request, reply), null, null));
  });

  site.post('/editor/articles', csrf, async (request, reply) => {
    if (!(await kit.needRole(request, reply, EDITORS))) return reply;
    const text = articleFields(request);
    if (text.headline === '') return kit.page(reply, editArticlePage(await kit.pageContext(request, reply), null, 'Give a headline.'), 400);
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
    if (article === null) return kit.page(reply, editArticlePage(await kit.pageContext(request, reply), null, 'Choose another headline.'), 409);
    return reply.redirect(action === 'publish' ? `/news/${article.slug}` : `/editor/articles/${article.id}?done=saved`, 303);
  });

  site.get<{ Params: { id: string }; Querystring: { done?: string } }>('/editor/articles/:id', async (request, reply) => {
    if (!(await kit.needRole(request, reply, EDITORS))) return reply;
    const id = articleId(request.params.id);
    const article = id === null ? null : await content.articleById(id);
    if (article === null) return kit.notFound(request, reply);
    return kit.page(reply, editArticlePage(await kit.pageContext(request, reply), article, null, FLASH[request.query.done ?? ''] ?? null));
  });

  site.post<{ Params: { id: string } }>('/editor/articles/:id', csrf, async (request, reply) => {
    if (!(await kit.needRole(request, reply, EDITORS))) return reply;
    const id = articleId(request.params.id);
    const article = id === null ? null : await content.articleById(id);
    if (article === null) return kit.notFound(request, reply);
    const action = field(request, 'action', 20);
    const text = articleFields(request);
    if (text.headline === '') return kit.page(reply, editArticlePage(await kit.pageContext(request, reply), article, 'Give a headline.'), 400);
    const now = Date.now();
    await content.updateArticle(article.id, text, now);
    if (action === 'publish') await content.setStatus(article.id, 'published', now);
    if (action === 'unpublish') await content.setStatus(article.id, 'draft', now);
    request.log.info({ article: article.slug, action: action || 'save', editor: request.siteUser!.email }, 'article changed');
    const done = action === 'publish' ? 'published' : action === 'unpublish' ? 'unpublished' : 'saved';
    return reply.redirect(action === 'publish' ? `/news/${article.slug}` : `/editor/articles/${article.id}?done=${done}`, 303);
  });
}
