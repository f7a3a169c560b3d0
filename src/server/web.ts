/**
 * The browser app (built by Vite into dist/web) at `prefix` — `/`, or
 * `/timing/` when the news site owns `/` — or a small page pointing at the
 * API until it is built. The app's asset URLs are relative, so any prefix works.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { LiveSnapshot, RaceInfo } from '../model/live.js';
import { ROW_MIN_PX } from '../web/timing/markup.js';
import { CSP_DIRECTIVES, cspHeader } from './limits.js';
import type { RaceHub } from './races.js';
import { raceSummary } from './rest.js';
import { escapeHtml } from './site/html.js';
import { acceptsCoding } from './wire.js';

/**
 * The app's first view (src/web/ssr.tsx, built by `vite build --ssr` into
 * dist/web-ssr/ssr.js): the header, tabs and live table of a race's
 * snapshot, as HTML.
 */
export type RenderFirstView = (race: RaceInfo, live: { race: string; eventId: string; snapshot: LiveSnapshot }) => string;

/** How long the rows below the window wait for the app before they show anyway (ms): a script that failed or is blocked. */
export const FIRST_VIEW_ROWS_WAIT_MS = 5000;

/**
 * Runs in the page's head before its first paint:
 * - the first view shows the newest race live and overall, so it is hidden
 *   (styles.css `.no-first-view`) when the URL's hash asks for anything else
 *   (a car, the charts, a class, an instant, another race, the news site's
 *   embed) or the viewer has a delay set (its rows would be ahead of the
 *   delayed ones); the app then draws its page as before;
 * - else the rows the window cannot show wait for the app (display: none
 *   until it takes the table over, out of `.first-view`): the first frame's
 *   style, layout and paint cover what is seen (bench:web first paint), as
 *   the app's own first frame does (timing-screen.tsx firstFrameRows); if a
 *   script fails to load, or FIRST_VIEW_ROWS_WAIT_MS pass without the app,
 *   they show.
 * Without JavaScript the whole first view stays: a static snapshot.
 * Allowed by its hash in the page's Content-Security-Policy (FIRST_VIEW_CSP).
 */
export const FIRST_VIEW_GATE =
  "var h=location.hash,d=0;try{d=Number(localStorage.getItem('sarthe.viewerDelaySeconds'))||0}catch(e){}" +
  "if(d>0||(h!==''&&h!=='#'&&h!=='#/'))document.documentElement.classList.add('no-first-view');" +
  `else{var s=document.createElement('style');s.textContent='.first-view .rows>.row:nth-child(n+'+(Math.ceil(innerHeight/${ROW_MIN_PX})+1)+'){display:none}';document.head.appendChild(s);` +
  // The app never came (its script failed or is blocked): every row, as without JavaScript.
  `var u=function(){s.remove()};addEventListener('error',function(e){if(e.target&&e.target.tagName==='SCRIPT')u()},true);setTimeout(u,${FIRST_VIEW_ROWS_WAIT_MS})}`;

/** The app page's Content-Security-Policy: the server's (limits.ts), with the gate script allowed by its SHA-256. */
export const FIRST_VIEW_CSP = cspHeader({
  ...CSP_DIRECTIVES,
  scriptSrc: [...CSP_DIRECTIVES.scriptSrc, `'sha256-${createHash('sha256').update(FIRST_VIEW_GATE).digest('base64')}'`],
});

/** Where the first view goes in the app's index.html: the whole content of `<div id="app">`. */
const APP_ROOT = /<div id="app">[\s\S]*?<\/div>/;

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
 *
 * With `renderFirstView` (loadFirstView) and a live snapshot, `#app` holds
 * the race's first view (rendered once per commit), the head FIRST_VIEW_GATE,
 * and the boot data goes to the end of the body instead, after the view. A
 * renderer that throws is reported to `onError` and the page goes without
 * its first view.
 */
export function bootPage(template: string, hub: RaceHub, renderFirstView: RenderFirstView | null = null, onError: (error: unknown) => void = () => undefined): string {
  if (hub.loading) return template;
  const races = hub.list();
  const newest = races[races.length - 1];
  let json = `{"races":${JSON.stringify(races.map(raceSummary))}`;
  let view = '';
  if (newest !== undefined && newest.epoch !== '' && newest.seq > 0) {
    const eventId = `${newest.seq}-${newest.epoch}`;
    json += `,"live":{"race":${JSON.stringify(newest.id)},"eventId":${JSON.stringify(eventId)},"snapshot":${newest.snapshotData()}}`;
    if (renderFirstView !== null) {
      try {
        view = firstView(renderFirstView, newest.id, eventId, () => renderFirstView(newest.race, { race: newest.id, eventId, snapshot: newest.snapshot() }));
      } catch (error) {
        // The page without its first view is the app as before: it draws everything itself.
        onError(error);
      }
    }
  }
  json += '}';
  // JSON has `<`, `>` and `&` only inside strings, where the escapes read the same.
  const script = `<script id="sarthe-boot" type="application/json">${json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')}</script>`;
  if (view === '') return PRELOAD.test(template) ? template.replace(PRELOAD, () => script) : template.replace('</head>', () => `${script}</head>`);
  // With a first view, the boot data goes after it, at the end of the body: the view is parsed
  // (and can be painted) before the ~100 KB of JSON the script reads only once the page is parsed.
  return template
    .replace(PRELOAD, '')
    .replace('</head>', () => `<script>${FIRST_VIEW_GATE}</script></head>`)
    .replace(APP_ROOT, () => `<div id="app">${view}</div>`)
    .replace('</body>', () => `${script}</body>`);
}

/** The last first view written, per renderer: one render per race and commit, whatever the number of page loads. */
const firstViews = new WeakMap<RenderFirstView, { key: string; html: string }>();

function firstView(render: RenderFirstView, race: string, eventId: string, draw: () => string): string {
  const key = `${race}@${eventId}`;
  const cached = firstViews.get(render);
  if (cached?.key === key) return cached.html;
  const html = draw();
  firstViews.set(render, { key, html });
  return html;
}

/**
 * The first-view renderer built next to the app (`<webRoot>/../web-ssr/ssr.js`),
 * or null when it is not there (an app built before it existed, Vite's dev
 * server): the page then has no first view and the app draws it all.
 */
export async function loadFirstView(webRoot: string, onError: (error: unknown) => void = () => undefined): Promise<RenderFirstView | null> {
  const path = join(webRoot, '..', 'web-ssr', 'ssr.js');
  if (!existsSync(path)) return null;
  try {
    const module = (await import(pathToFileURL(path).href)) as { renderFirstView?: RenderFirstView };
    return typeof module.renderFirstView === 'function' ? module.renderFirstView : null;
  } catch (error) {
    onError(error);
    return null;
  }
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

/** The content codings the app's page is sent in, best first. */
type PageCoding = 'br' | 'gzip';

/**
 * The coding to send the app's page in for this Accept-Encoding: br, else
 * gzip, else null (identity), each as wire.ts acceptsCoding reads the header
 * (RFC 9110 §12.5.3: q=0 refuses a coding, `*` stands for any not named).
 */
export function pageCoding(header: string | string[] | undefined): PageCoding | null {
  return acceptsCoding(header, 'br') ? 'br' : acceptsCoding(header, 'gzip') ? 'gzip' : null;
}

/**
 * The last page compressed, per coding: the app's page is the same bytes for
 * every load until the next commit (bootPage), and compressing ~170 KB at
 * every load was most of what a load cost the server once the page carried
 * its first view (a reviewer's 100 sequential loads: 2.88 → 3.62 s).
 * Brotli at quality 4, as @fastify/compress compresses the rest.
 */
export class CompressedPage {
  private page = '';
  private readonly bytes = new Map<PageCoding, Buffer>();

  get(page: string, coding: PageCoding): Buffer {
    if (page !== this.page) {
      this.page = page;
      this.bytes.clear();
    }
    let bytes = this.bytes.get(coding);
    if (bytes === undefined) {
      bytes =
        coding === 'br'
          ? brotliCompressSync(page, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4, [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT } })
          : gzipSync(page);
      this.bytes.set(coding, bytes);
    }
    return bytes;
  }
}

export async function registerWeb(app: FastifyInstance, webRoot: string | null, prefix = '/'): Promise<void> {
  // `/timing` → `/timing/`: the app's relative asset URLs need the slash.
  if (prefix !== '/') app.get(prefix.replace(/\/+$/, ''), { schema: { hide: true } }, async (_request, reply) => reply.redirect(prefix, 301));
  if (webRoot !== null && existsSync(join(webRoot, 'index.html'))) {
    // The page itself carries the newest race's snapshot (bootPage): never cached, never stale.
    const template = inlineStyles(readFileSync(join(webRoot, 'index.html'), 'utf8'), webRoot);
    const render = await loadFirstView(webRoot, (error) => app.log.error({ err: error }, 'web: the first-view renderer (dist/web-ssr) failed to load: pages are served without it'));
    const onRenderError = (error: unknown): void => app.log.error({ err: error }, 'web: the first view failed to render: the page is served without it');
    const compressed = new CompressedPage();
    for (const path of [prefix, `${prefix}index.html`]) {
      app.get(path, { schema: { hide: true } }, async (request, reply) => {
        const page = bootPage(template, app.sarthe.hub, render, onRenderError);
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', FIRST_VIEW_CSP);
        const coding = pageCoding(request.headers['accept-encoding']);
        if (coding === null) return reply.send(page);
        // Compressed here, once per page (a commit, a change of the race list), not once per load:
        // @fastify/compress leaves an answer that already has its Content-Encoding.
        return reply.header('content-encoding', coding).send(compressed.get(page, coding));
      });
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
