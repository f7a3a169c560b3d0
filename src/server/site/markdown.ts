/**
 * Article bodies: Markdown as editors write it → HTML a reader's browser may
 * run nothing from. marked renders (raw HTML in the Markdown passes through
 * it), then sanitize-html keeps an allow-list of tags and attributes and
 * only http(s)/mailto links — script, event handlers (onerror=…), style,
 * iframes and javascript: URLs all go. The page's Content-Security-Policy
 * (no inline script) is the second line of defence.
 */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { trusted, type Html } from './html.js';

const marked = new Marked({ gfm: true, breaks: false, async: false });

const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h2', 'h3', 'h4', 'blockquote', 'ul', 'ol', 'li', 'strong', 'em', 'b', 'i', 'del', 's', 'code', 'pre',
    'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'sup', 'sub',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['align'],
    td: ['align'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Links leave with no referrer and no handle on this window.
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow' } }),
  },
};
ALLOWED.allowedAttributes = { ...ALLOWED.allowedAttributes, a: ['href', 'title', 'rel'] };

export function sanitise(htmlText: string): string {
  return sanitizeHtml(htmlText, ALLOWED);
}

export function renderMarkdown(markdown: string): Html {
  return trusted(sanitise(marked.parse(markdown) as string));
}

/** Plain text of Markdown, for descriptions (OpenGraph, feeds' summaries). */
export function markdownText(markdown: string, maxChars = 300): string {
  const text = sanitizeHtml(marked.parse(markdown) as string, { allowedTags: [], allowedAttributes: {} })
    .replace(/\s+/g, ' ')
    .trim();
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1).replace(/\s+\S*$/, '')}…`;
}
