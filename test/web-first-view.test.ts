/**
 * The app's page carries its first view (src/server/web.ts bootPage,
 * src/web/ssr.tsx, src/web/timing/markup.ts): header, tabs and the live
 * table written by the server, so the rows are painted before the script
 * has loaded and the page reads without JavaScript. Checked here against
 * the standings API (a second path: the engine's JSON, not the markup) and
 * the page's own Content-Security-Policy; in a browser by web-browser.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { DomUtils, parseDocument } from 'htmlparser2';
import { compareEvents, eventTimeMs, type TimingEvent } from '../src/model/events.js';
import type { Standings } from '../src/model/standings.js';
import { HOUR } from '../src/model/time.js';
import { buildServer } from '../src/server/app.js';
import { bootPage, CompressedPage, FIRST_VIEW_GATE, FIRST_VIEW_ROWS_WAIT_MS, inlineStyles, loadFirstView, type RenderFirstView } from '../src/server/web.js';
import { importAnalysisFiles } from '../src/sources/alkamel/import.js';
import { toAppendEvent } from '../src/store/index.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { bestsOf } from '../src/web/timing/cells.js';
import { PRIMARY, rowMarkup, tableMarkup } from '../src/web/timing/markup.js';
import { repoRoot } from './helpers.js';

const webRoot = join(repoRoot, 'dist', 'web');

type Element = NonNullable<ReturnType<typeof DomUtils.findOne>>;
const byClass = (root: Element | Element[], cls: string): Element[] =>
  DomUtils.findAll((e) => (e.attribs.class ?? '').split(' ').includes(cls), Array.isArray(root) ? root : [root]);
const text = (e: Element | undefined): string => (e === undefined ? '' : DomUtils.textContent(e));

/** The demo race's events (Le Mans 2019), read once for the whole file. */
let demo: Promise<TimingEvent[]> | undefined;
function demoEvents(): Promise<TimingEvent[]> {
  demo ??= importAnalysisFiles([join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv')]).then((r) => r.events);
  return demo;
}

/** Le Mans 2019 from `fromMs` (exclusive) to `toMs`, in the store's order. */
async function demoBetween(fromMs: number, toMs: number): Promise<TimingEvent[]> {
  return (await demoEvents()).filter((e) => eventTimeMs(e) > fromMs && eventTimeMs(e) <= toMs).sort(compareEvents);
}

/** A server holding Le Mans 2019 up to `toMs`, as `sarthe serve` without the news site (the app at /), or no app. */
async function demoServer(toMs: number, web: string | null = webRoot): Promise<FastifyInstance> {
  const store = new SqliteEventStore({ file: ':memory:' });
  await store.append('lemans-2019', (await demoBetween(-Infinity, toMs)).map(toAppendEvent));
  return buildServer({ store, webRoot: web });
}

describe('the first view in the app page', () => {
  let app: FastifyInstance;

  before(async () => {
    app = await demoServer(6.5 * HOUR);
  });
  after(() => app.close());

  it("holds the header, the tabs and every car's row in the standings API's order, read as a static snapshot", async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    const standings = (await app.inject({ method: 'GET', url: '/api/races/lemans-2019/standings' })).json() as Standings;
    const doc = parseDocument(page.body);
    const root = DomUtils.getElementById('app', doc.children)!;
    const view = byClass(root, 'first-view')[0];
    assert.ok(view !== undefined, 'the page has a first view in #app');
    assert.equal(text(DomUtils.findOne((e) => e.name === 'h1', [view])!), 'Le Mans 24 Hours 2019');
    const mode = DomUtils.findOne((e) => e.attribs['data-testid'] === 'mode', [view])!;
    assert.equal(mode.attribs['data-mode'], 'snapshot', 'says it is a snapshot, not live, until the script runs');
    assert.equal(text(mode), 'Snapshot');
    const rows = byClass(view, 'row').filter((r) => r.attribs['data-car'] !== undefined);
    assert.deepEqual(
      rows.map((r) => r.attribs['data-car']),
      standings.cars.map((c) => c.number),
      'one row a car, in the order of GET …/standings',
    );
    for (const [i, row] of rows.entries()) {
      const car = standings.cars[i]!;
      assert.equal(text(byClass(row, 'c-pos')[0]), String(car.position), `#${car.number} position`);
      assert.equal(text(byClass(row, 'c-laps')[0]), String(car.laps), `#${car.number} laps`);
      assert.equal(row.attribs['data-class'], car.class);
    }
    const timed = DomUtils.findAll((e) => e.attribs.elementtiming !== undefined, [view]);
    assert.equal(timed.length, 1, 'one element timed');
    assert.ok(byClass(rows[0]!, 'c-pos').includes(timed[0]!), "the first row's position cell");
    // The feed's messages come with the app (its heading is in the first view).
    const feed = byClass(view, 'feed')[0]!;
    assert.equal(text(DomUtils.findOne((e) => e.name === 'h2', [feed])!), 'Race feed');
    assert.equal(DomUtils.findAll((e) => e.name === 'li', [feed]).length, 0);
  });

  it('allows its one inline script by its hash in the Content-Security-Policy, and no other', async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    const doc = parseDocument(page.body);
    const inline = DomUtils.findAll((e) => e.name === 'script' && e.attribs.src === undefined && e.attribs.type === undefined, doc.children);
    assert.equal(inline.length, 1);
    const hash = createHash('sha256').update(text(inline[0])).digest('base64');
    const csp = String(page.headers['content-security-policy']);
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'))!;
    assert.deepEqual(scriptSrc.trim().split(/\s+/), ['script-src', "'self'", `'sha256-${hash}'`]);
    assert.ok(!csp.includes("'unsafe-inline'") || !scriptSrc.includes("'unsafe-inline'"));
    // The API keeps the server's policy without the hash.
    const api = await app.inject({ method: 'GET', url: '/api/races' });
    assert.ok(!String(api.headers['content-security-policy']).includes('sha256'));
  });

  it('renders once per commit, whatever the number of page loads', async () => {
    const render = (await loadFirstView(webRoot))!;
    assert.equal(typeof render, 'function', 'dist/web-ssr is built by npm run build');
    let calls = 0;
    const counting: RenderFirstView = (race, live) => {
      calls++;
      return render(race, live);
    };
    const template = inlineStyles(readFileSync(join(webRoot, 'index.html'), 'utf8'), webRoot);
    const first = bootPage(template, app.sarthe.hub, counting);
    const second = bootPage(template, app.sarthe.hub, counting);
    assert.equal(calls, 1);
    assert.equal(first, second);
  });

  it('serves the page without its first view when the renderer fails, and says why', async () => {
    const template = inlineStyles(readFileSync(join(webRoot, 'index.html'), 'utf8'), webRoot);
    const errors: unknown[] = [];
    const page = bootPage(
      template,
      app.sarthe.hub,
      () => {
        throw new Error('renderer broke');
      },
      (e) => errors.push(e),
    );
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /renderer broke/);
    assert.ok(!page.includes('<div class="first-view">'), 'no first view');
    assert.ok(!page.includes(FIRST_VIEW_GATE), 'no gate script either');
    assert.ok(page.includes('id="sarthe-boot"'), 'the boot data is still there: the app draws the page itself');
  });
});

describe('loadFirstView', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sarthe-first-view-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is null without a built renderer, and null with the error said when it does not load', async () => {
    mkdirSync(join(dir, 'web'));
    assert.equal(await loadFirstView(join(dir, 'web')), null);
    mkdirSync(join(dir, 'web-ssr'));
    writeFileSync(join(dir, 'web-ssr', 'ssr.js'), "throw new Error('half-built');\n");
    const errors: unknown[] = [];
    assert.equal(await loadFirstView(join(dir, 'web'), (e) => errors.push(e)), null);
    assert.match(String(errors[0]), /half-built/);
  });
});

describe('FIRST_VIEW_GATE', () => {
  interface GateRun {
    hidden: boolean;
    /** The style the gate added, while it is in the page. */
    style: () => string | null;
    /** A load error reaching window in the capture phase. */
    error: (tagName: string) => void;
    /** The gate's timers, run. */
    timers: () => void;
    timerMs: number[];
  }

  /** Runs the gate as the page's head would, with this hash, stored delay and window height. */
  function gate(hash: string, delay: string | null, innerHeight = 900): GateRun {
    const classes = new Set<string>();
    let style: { textContent: string; removed: boolean } | null = null;
    const listeners: Array<(e: { target: { tagName: string } }) => void> = [];
    const timers: Array<{ fn: () => void; ms: number }> = [];
    const document = {
      documentElement: { classList: { add: (c: string) => classes.add(c) } },
      createElement: () => {
        const element = { textContent: '', removed: false, remove: () => (element.removed = true) };
        return element;
      },
      head: { appendChild: (e: { textContent: string; removed: boolean }) => (style = e) },
    };
    const localStorage = { getItem: () => delay };
    const addEventListener = (type: string, fn: (e: { target: { tagName: string } }) => void, capture: boolean) => {
      assert.equal(type, 'error');
      assert.equal(capture, true, 'resource errors do not bubble: capture');
      listeners.push(fn);
    };
    const setTimeout = (fn: () => void, ms: number) => timers.push({ fn, ms });
    new Function('location', 'localStorage', 'document', 'innerHeight', 'addEventListener', 'setTimeout', FIRST_VIEW_GATE)({ hash }, localStorage, document, innerHeight, addEventListener, setTimeout);
    return {
      hidden: classes.has('no-first-view'),
      style: () => (style === null || (style as { removed: boolean }).removed ? null : (style as { textContent: string }).textContent),
      error: (tagName) => listeners.forEach((fn) => fn({ target: { tagName } })),
      timers: () => timers.forEach((t) => t.fn()),
      timerMs: timers.map((t) => t.ms),
    };
  }

  it('shows the first view at the live overall timing only', () => {
    for (const hash of ['', '#', '#/']) assert.equal(gate(hash, null).hidden, false, hash);
    for (const hash of ['#/car/7', '#/charts', '#/?class=LMP2', '#/?at=6:00:00', '#/?race=spa-2024', '#/?race=x&embed=1']) assert.equal(gate(hash, null).hidden, true, hash);
  });

  it('hides it from a viewer with a delay set, whose rows would be ahead', () => {
    assert.equal(gate('', '30').hidden, true);
    assert.equal(gate('', '0').hidden, false);
    assert.equal(gate('', 'nonsense').hidden, false);
  });

  it('leaves the rows the window cannot show to the app (26 px rows)', () => {
    assert.equal(gate('', null, 900).style(), '.first-view .rows>.row:nth-child(n+36){display:none}');
    assert.equal(gate('', null, 390).style(), '.first-view .rows>.row:nth-child(n+16){display:none}');
    assert.equal(gate('#/car/7', null).style(), null);
  });

  it('shows them all when a script fails to load, or after FIRST_VIEW_ROWS_WAIT_MS without the app', () => {
    const failed = gate('', null);
    failed.error('IMG');
    assert.notEqual(failed.style(), null, 'an image failing is not the app failing');
    failed.error('SCRIPT');
    assert.equal(failed.style(), null);
    const slow = gate('', null);
    assert.deepEqual(slow.timerMs, [FIRST_VIEW_ROWS_WAIT_MS]);
    slow.timers();
    assert.equal(slow.style(), null);
  });
});

describe('timing table markup', () => {
  const car = {
    number: '7',
    class: 'LM"P1',
    team: '<b>Toyota</b> & "Gazoo"',
    manufacturer: 'Toyota',
    driver: 'Kamui KOBAYASHI',
  };

  it('escapes text and attributes', async () => {
    const standings = await (async () => {
      const server = await demoServer(1 * HOUR, null);
      try {
        return (await server.inject({ method: 'GET', url: '/api/races/lemans-2019/standings' })).json() as Standings;
      } finally {
        await server.close();
      }
    })();
    const cars = standings.cars.map((c, i) => (i === 0 ? { ...c, ...car } : c));
    const html = tableMarkup(cars, { context: { classView: false, bests: bestsOf(cars) }, carHref: (n) => `#/car/${n}?a=1&b="2"`, timed: true });
    assert.ok(!html.includes('<b>Toyota'), 'no markup from a team name');
    const doc = parseDocument(html);
    const first = byClass(doc.children as Element[], 'row').find((r) => r.attribs['data-car'] === '7')!;
    assert.equal(first.attribs['data-class'], 'LM"P1');
    assert.equal(text(byClass(first, 'c-team')[0]), '<b>Toyota</b> & "Gazoo"');
    assert.equal(byClass(first, 'c-team')[0]!.attribs.title, '<b>Toyota</b> & "Gazoo" · Toyota');
    assert.equal(DomUtils.findOne((e) => e.name === 'a', [first])!.attribs.href, '#/car/7?a=1&b="2"');
    assert.equal(DomUtils.findAll((e) => e.attribs.elementtiming !== undefined, doc.children as Element[]).length, 1);
  });

  it("gives a phone's row the primary cells and a panel with the others and the car link", () => {
    const doc = parseDocument(rowMarkup('51', '#/car/51', true));
    const row = doc.children[0] as Element;
    const direct = (row.children as Element[]).filter((e) => e.type === 'tag');
    const more = direct.find((e) => e.attribs.class === 'more')!;
    assert.deepEqual(
      direct.filter((e) => e !== more).map((e) => e.attribs.class),
      [...PRIMARY].map((c) => `c c-${c}`),
    );
    const inPanel = (more.children as Element[]).filter((e) => e.type === 'tag');
    assert.equal(inPanel.length, 16 - PRIMARY.size + 1);
    assert.equal(inPanel[inPanel.length - 1]!.attribs.href, '#/car/51');
  });
});

describe('the app page on the wire', () => {
  let app: FastifyInstance;

  before(async () => {
    app = await demoServer(2 * HOUR);
  });
  after(() => app.close());

  const get = (acceptEncoding: string | null) => app.inject({ method: 'GET', url: '/', headers: acceptEncoding === null ? {} : { 'accept-encoding': acceptEncoding } });

  it('sends the same page in br, gzip or identity as asked, q=0 refusing a coding', async () => {
    const plain = await get('identity');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(plain.body.includes('<div class="first-view">'));
    const cases: Array<[string, string | undefined]> = [
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0, gzip;q=0.5', 'gzip'],
      ['*', 'br'],
    ];
    for (const [accept, coding] of cases) {
      const response = await get(accept);
      assert.equal(response.headers['content-encoding'], coding, accept);
      const bytes = response.rawPayload;
      const text = coding === 'br' ? brotliDecompressSync(bytes).toString() : coding === 'gzip' ? gunzipSync(bytes).toString() : bytes.toString();
      assert.equal(text, plain.body, `${accept}: the same page`);
      assert.match(String(response.headers.vary), /accept-encoding/i, 'Vary: Accept-Encoding');
    }
  });

  it('compresses a page once, and anew when it changes', async () => {
    const cache = new CompressedPage();
    const a = cache.get('<p>one</p>'.repeat(200), 'br');
    assert.equal(cache.get('<p>one</p>'.repeat(200), 'br'), a, 'the same Buffer: not compressed again');
    assert.equal(gunzipSync(cache.get('<p>one</p>'.repeat(200), 'gzip')).toString(), '<p>one</p>'.repeat(200));
    assert.notEqual(cache.get('<p>two</p>'.repeat(200), 'br'), a);
    assert.equal(brotliDecompressSync(cache.get('<p>two</p>'.repeat(200), 'br')).toString(), '<p>two</p>'.repeat(200));
    // Through the server: a commit changes the page (its snapshot and first view), and so the bytes sent.
    const first = (await get('br')).rawPayload;
    await app.sarthe.hub.ingest('lemans-2019', await demoBetween(2 * HOUR, 2.2 * HOUR));
    const after = await get('br');
    assert.notDeepEqual(after.rawPayload, first);
    assert.equal(brotliDecompressSync(after.rawPayload).toString(), (await get('identity')).body);
  });
});
