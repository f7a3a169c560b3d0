/**
 * The browser app (built by Vite into dist/web) at `prefix` — `/`, or
 * `/timing/` when the news site owns `/` — or a small page pointing at the
 * API until it is built. The app's asset URLs are relative, so any prefix works.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { escapeHtml } from './site/html.js';

export async function registerWeb(app: FastifyInstance, webRoot: string | null, prefix = '/'): Promise<void> {
  // `/timing` → `/timing/`: the app's relative asset URLs need the slash.
  if (prefix !== '/') app.get(prefix.replace(/\/+$/, ''), { schema: { hide: true } }, async (_request, reply) => reply.redirect(prefix, 301));
  if (webRoot !== null && existsSync(join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, { root: resolve(webRoot), prefix, index: 'index.html' });
    return;
  }
  app.get(prefix, { schema: { hide: true } }, async (_request, reply) => {
    const races = app.sarthe.hub.list();
    const items = races
      .map((r) => `<li><b>${escapeHtml(r.race.name)}</b> (<code>${r.id}</code>): <a href="/api/races/${r.id}/standings">standings</a> · <a href="/api/races/${r.id}/live">live stream</a></li>`)
      .join('\n');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sarthe</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto">
<h1>Sarthe</h1>
<p>The web app is not built yet (Vite builds it into <code>dist/web</code>). The API is here:</p>
<ul>
<li><a href="/api/docs">API documentation</a> (<a href="/api/openapi.json">OpenAPI</a>)</li>
<li><a href="/api/races">Races</a></li>
${items}
</ul>
<p>Watch a race live from a terminal: <code>curl -N http://localhost:8024/api/races/&lt;id&gt;/live</code></p>
</body></html>
`);
  });
}
