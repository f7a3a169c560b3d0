/**
 * RSS 2.0 and Atom (RFC 4287) feeds of the latest news. Absolute links
 * throughout (feed readers need them); dates RFC 822 in RSS and RFC 3339 in
 * Atom; every text escaped for XML, with characters XML 1.0 forbids removed.
 */
import type { Article } from '../../store/content.js';
import { markdownText } from './markdown.js';

export interface FeedSite {
  /** Absolute base, no trailing slash: https://sarthe.example */
  baseUrl: string;
  title: string;
  description: string;
}

// Control characters other than tab, newline and carriage return are not allowed in XML 1.0.
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function escapeXml(text: string): string {
  return text.replace(XML_FORBIDDEN, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** RFC 822 (as updated by RFC 1123): "Wed, 25 Nov 2026 04:26:16 GMT". */
export function rfc822(ms: number): string {
  return new Date(ms).toUTCString();
}

/** RFC 3339: "2026-11-25T04:26:16Z". */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function articleUrl(site: FeedSite, article: Article): string {
  return `${site.baseUrl}/news/${encodeURIComponent(article.slug)}`;
}

function summary(article: Article): string {
  return article.standfirst.trim() !== '' ? article.standfirst : markdownText(article.bodyMd);
}

/** Newest change of a published article: its correction, else its publication. */
function updatedMs(article: Article): number {
  return Math.max(article.publishedAtMs ?? article.updatedAtMs, article.correctedAtMs ?? 0);
}

export function rssFeed(site: FeedSite, articles: readonly Article[], nowMs: number): string {
  const lastBuild = articles.length > 0 ? Math.max(...articles.map(updatedMs)) : nowMs;
  const items = articles.map((a) => {
    const url = escapeXml(articleUrl(site, a));
    return [
      '    <item>',
      `      <title>${escapeXml(a.headline)}</title>`,
      `      <link>${url}</link>`,
      `      <guid isPermaLink="true">${url}</guid>`,
      `      <pubDate>${rfc822(a.publishedAtMs ?? a.updatedAtMs)}</pubDate>`,
      `      <description>${escapeXml(summary(a))}</description>`,
      `      <dc:creator>${escapeXml(a.byline)}</dc:creator>`,
      ...a.tags.map((t) => `      <category>${escapeXml(t)}</category>`),
      '    </item>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>${escapeXml(site.title)}</title>
    <link>${escapeXml(site.baseUrl)}/</link>
    <description>${escapeXml(site.description)}</description>
    <language>en</language>
    <lastBuildDate>${rfc822(lastBuild)}</lastBuildDate>
    <atom:link href="${escapeXml(site.baseUrl)}/feed.rss" rel="self" type="application/rss+xml"/>
${items.join('\n')}
  </channel>
</rss>
`;
}

export function atomFeed(site: FeedSite, articles: readonly Article[], nowMs: number): string {
  const updated = articles.length > 0 ? Math.max(...articles.map(updatedMs)) : nowMs;
  const entries = articles.map((a) => {
    const url = escapeXml(articleUrl(site, a));
    return [
      '  <entry>',
      `    <id>${url}</id>`,
      `    <title type="text">${escapeXml(a.headline)}</title>`,
      `    <link rel="alternate" type="text/html" href="${url}"/>`,
      `    <published>${rfc3339(a.publishedAtMs ?? a.updatedAtMs)}</published>`,
      `    <updated>${rfc3339(updatedMs(a))}</updated>`,
      `    <author><name>${escapeXml(a.byline)}</name></author>`,
      ...a.tags.map((t) => `    <category term="${escapeXml(t)}"/>`),
      `    <summary type="text">${escapeXml(summary(a))}</summary>`,
      '  </entry>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <id>${escapeXml(site.baseUrl)}/</id>
  <title type="text">${escapeXml(site.title)}</title>
  <subtitle type="text">${escapeXml(site.description)}</subtitle>
  <updated>${rfc3339(updated)}</updated>
  <link rel="self" type="application/atom+xml" href="${escapeXml(site.baseUrl)}/feed.atom"/>
  <link rel="alternate" type="text/html" href="${escapeXml(site.baseUrl)}/"/>
  <author><name>Sarthe</name></author>
${entries.join('\n')}
</feed>
`;
}
