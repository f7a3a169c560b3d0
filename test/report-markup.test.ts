/**
 * Names from timing data are never markup (issue 13, item 9): the hardening
 * case markup-in-names.csv carries links, images, HTML and javascript: in its
 * TEAM, DRIVER_NAME and CLASS cells. Every hour's report, as Markdown through
 * the site's renderer, as HTML, and as the desk's article drafts, shows them as
 * plain text: no link, image or tag comes out of a name.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Marked } from 'marked';
import { parseDocument } from 'htmlparser2';
import { foldEvents } from '../src/engine/timeline.js';
import { buildReport, reportHours } from '../src/report/build.js';
import { escapeMarkdown, escapeMarkdownInline, renderHtml, renderMarkdown } from '../src/report/render.js';
import { reportDraft, standingsDraft } from '../src/server/site/drafter.js';
import { renderMarkdown as siteMarkdown } from '../src/server/site/markdown.js';
import { parseAnalysis } from '../src/sources/alkamel/parse.js';
import { casesDir, fuzzRuns } from './helpers.js';

const marked = new Marked({ gfm: true, breaks: false, async: false });

/** Tag names in an HTML fragment. */
function tags(html: string): string[] {
  const out: string[] = [];
  const walk = (nodes: ReturnType<typeof parseDocument>['children']) => {
    for (const node of nodes) {
      if (node.type === 'tag') out.push(node.name);
      if ('children' in node) walk(node.children);
    }
  };
  walk(parseDocument(html).children);
  return out;
}

/** The text of an HTML fragment, entities decoded. */
function textOf(html: string): string {
  return parseDocument(html, { decodeEntities: true }).children.map(function text(n): string {
    return n.type === 'text' ? n.data : 'children' in n ? n.children.map(text).join('') : '';
  }).join('');
}

describe('names from timing data are never markup', () => {
  const file = join(casesDir, 'hardening', 'markup-in-names.csv');
  const timeline = foldEvents(parseAnalysis(readFileSync(file, 'utf8'), { file }).events);
  const race = { id: 'x', name: 'Markup race', scheduledDurationMs: timeline.session?.scheduledDurationMs ?? null, zeroTimeOfDayMs: null };
  const allowed = new Set(['h1', 'h2', 'h3', 'p', 'strong', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'article', 'section']);

  it('markup-in-names.csv: every hour, Markdown and HTML, shows the names as text', () => {
    const hours = reportHours(timeline);
    assert.ok(hours.length >= 1);
    for (const hour of hours) {
      const report = buildReport(timeline, hour);
      for (const html of [marked.parse(renderMarkdown(report)) as string, siteMarkdown(renderMarkdown(report)).toString(), renderHtml(report)]) {
        const extra = tags(html).filter((t) => !allowed.has(t));
        assert.deepEqual(extra, [], `hour ${hour}: no tag from a name`);
        assert.ok(textOf(html).includes('<img src=x onerror=alert(1)>[Official results](https://evil.example/phish)'), `hour ${hour}: the team name as text`);
      }
    }
  });

  it('the desk drafts (generator and standings fallback) publish no link or image from a name', () => {
    for (const drafter of [reportDraft, standingsDraft]) {
      const draft = drafter(timeline, race, 1);
      const html = siteMarkdown(draft.bodyMd).toString();
      assert.deepEqual(tags(html).filter((t) => !allowed.has(t)), [], drafter === reportDraft ? 'report draft' : 'standings draft');
      assert.ok(!/evil\.example/.test(html.replace(/>[^<]*</g, '><')), 'no attribute points at the site in the name');
    }
  });

  it('property: escapeMarkdown(text) renders as exactly the text, with no tag', () => {
    const printable = fc.string({ unit: fc.constantFrom(...'ab1 .:/@#*_[]()<>!|~&`\\-+=>wh\'"{}é'.split('')), maxLength: 40 });
    fc.assert(
      fc.property(printable, (text) => {
        const html = marked.parseInline(escapeMarkdownInline(text)) as string;
        assert.deepEqual(tags(html), []);
        assert.equal(textOf(html), text);
        const block = marked.parse(escapeMarkdown(text)) as string;
        assert.deepEqual(tags(block).filter((t) => t !== 'p'), [], `block: ${JSON.stringify(text)} → ${block}`);
        assert.equal(textOf(block).trim(), text.trim());
      }),
      { numRuns: fuzzRuns(500) },
    );
  });
});
