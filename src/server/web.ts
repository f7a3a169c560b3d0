/**
 * The browser app (built by Vite into dist/web) at `prefix` — `/`, or
 * `/timing/` when the news site owns `/` — or a small page pointing at the
 * API until it is built. The app's asset URLs are relative, so any prefix works.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { RaceHub } from './races.js';
import { raceSummary } from './rest.js';
import { escapeHtml } from './site/html.js';

/** Where the server puts the boot data in the app's index.html: in place of the race list's preload. */
const PRELOAD = /<link rel="preload" href="\/api\/races"[^>]*>/;

/**
 * The app's index.html with its first data inlined: `<script
 * id="sarthe-boot" type="application/json">` holding `{ races, live }`,
 * where `races` is what GET /api/races answers and `live` the newest race's
 * live snapshot (`snapshot`, a LiveSnapshot as the SSE stream's first event)
 * with its SSE id (`eventId`, `<seq>-<epoch>`) for the stream to carry on
 * from. The app draws the rows from it as soon as its script runs, instead
 * of asking for the race list, then the stream, then waiting for the
 * snapshot (three round trips before the first row; bench:web first paint).
 * `live` is left out before the race's first commit; the whole script while
 * the stored races are still loading (the app then asks as before).
 */
export function bootPage(template: string, hub: RaceHub): string {
  if (hub.loading) return template;
  const races = hub.list();
  const newest = races[races.length - 1];
  let json = `{"races":${JSON.stringify(races.map(raceSummary))}`;
  if (newest !== undefined && newest.epoch !== '' && newest.seq > 0) {
    json += `,"live":{"race":${JSON.stringify(newest.id)},"eventId":${JSON.stringify(`${newest.seq}-${newest.epoch}`)},"snapshot":${newest.snapshotData()}}`;
  }
  json += '}';
  // JSON has `<`, `>` and `&` only inside strings, where the escapes read the same.
  const script = `<script id="sarthe-boot" type="application/json">${json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')}</script>`;
  return PRELOAD.test(template) ? template.replace(PRELOAD, () => script) : template.replace('</head>', () => `${script}</head>`);
}

/** Vite's stylesheet link in the app's index.html (relative to the page: `./assets/main-<hash>.css`). */
const STYLESHEET = /<link rel="stylesheet"[^>]*href="\.\/(assets\/[^"]+\.css)"[^>]*>/g;

/**
 * The app's index.html with its stylesheets in `<style>` elements instead of
 * links: the page's first paint waits for its styles, and on a busy machine
 * each request the page makes before it is a trip through the browser's
 * network process and this server (bench:web). ~18 KB of CSS, ~5 KB
 * gzipped, sent with every load of a page that is never cached anyway (it
 * carries the live snapshot). The Content-Security-Policy allows inline
 * styles (`style-src 'self' 'unsafe-inline'`). A link whose file is missing
 * stays a link.
 */
export function inlineStyles(template: string, webRoot: string): string {
  return template.replace(STYLESHEET, (link, path: string) => {
    const file = join(webRoot, path);
    if (!existsSync(file)) return link;
    // `</style` would end the element early; CSS never needs it (an escape reads the same).
    return `<style>${readFileSync(file, 'utf8').replace(/<\/style/gi, '<\\/style')}</style>`;
  });
}

export async function registerWeb(app: FastifyInstance, webRoot: string | null, prefix = '/'): Promise<void> {
  // `/timing` → `/timing/`: the app's relative asset URLs need the slash.
  if (prefix !== '/') app.get(prefix.replace(/\/+$/, ''), { schema: { hide: true } }, async (_request, reply) => reply.redirect(prefix, 301));
  if (webRoot !== null && existsSync(join(webRoot, 'index.html'))) {
    // The page itself carries the newest race's snapshot (bootPage): never cached, never stale.
    const template = inlineStyles(readFileSync(join(webRoot, 'index.html'), 'utf8'), webRoot);
    for (const path of [prefix, `${prefix}index.html`]) {
      app.get(path, { schema: { hide: true } }, async (_request, reply) =>
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(bootPage(template, app.sarthe.hub)),
      );
    }
    await app.register(fastifyStatic, { root: resolve(webRoot), prefix, index: false });
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
