/**
 * Renderers: the same Report as Markdown, HTML (every text escaped) or JSON
 * (`{headline, standfirst, sections:[{heading, paragraphs:[{text, facts}]}], tables}`).
 */
import { formatGap, reasonText } from '../model/format.js';
import type { PositionsTable, Report, TableRow } from './types.js';

export type ReportFormat = 'md' | 'html' | 'json';

function statusNote(row: TableRow): string {
  // The Pos column says NC, DNF or DSQ; the note says why, without repeating the code ("disqualified: …").
  if (row.reason !== null) return reasonText(row.reason) || row.reason;
  const status = row.status;
  return status === 'stopped' ? 'stopped' : status === 'retired' ? 'retired' : status === 'in-pit' ? 'in pits' : '';
}

function tableCells(table: PositionsTable): string[][] {
  return table.rows.map((r) => [
    r.result === '' ? String(r.position) : r.result,
    `#${r.car}`,
    r.team,
    r.drivers.join(', '),
    String(r.laps),
    // A negative time gap (the engine's, for a car passed in the pits) means nothing to a reader.
    r.gap === null || ('ms' in r.gap && r.gap.ms < 0) ? '' : formatGap(r.gap),
    statusNote(r),
  ]);
}

const HEADERS = ['Pos', 'Car', 'Team', 'Drivers', 'Laps', 'Gap', 'Status'];

/**
 * Text as Markdown that reads back as exactly that text, never as markup
 * (issue 13, item 9: a team or driver name from timing data is data). Every
 * inline markup character CommonMark knows is backslash-escaped (links,
 * images, emphasis, code, raw HTML, entities, table pipes), GFM's bare
 * autolinks are broken at their `://`, `www.` or `@`, and a block marker at
 * the start of a line (`#`, `>`, `-`, `+`, `=`, `1.`) is escaped too.
 * Checked by a property test: marked renders the result as the text itself.
 */
export function escapeMarkdown(text: string): string {
  return escapeMarkdownInline(text)
    .replace(/^(\s*)([#>+=-])/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/gm, '$1\\$2');
}

/** escapeMarkdown for text inside a line (a table cell, after `## `): no block marker to fear. */
export function escapeMarkdownInline(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()<>!|~&]/g, '\\$&')
    // A heading's closing sequence: `#`s at the end of a line.
    .replace(/#(?=[#\s]*$)/gm, '\\#')
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/(^|[^0-9A-Za-z])(www)\./gi, '$1$2\\.')
    .replace(/@/g, '\\@');
}

export function renderMarkdown(report: Report): string {
  const m = escapeMarkdown;
  const out: string[] = [`# ${m(report.headline)}`, '', `**${m(report.standfirst)}**`, ''];
  for (const section of report.sections) {
    if (section.heading !== null) out.push(`## ${m(section.heading)}`, '');
    for (const p of section.paragraphs) out.push(m(p.text), '');
  }
  out.push(`## ${m(report.tablesTitle)}`, '');
  for (const table of report.tables) {
    out.push(`### ${m(table.class)}`, '');
    out.push(`| ${HEADERS.join(' | ')} |`, `| ${HEADERS.map((h) => (h === 'Laps' || h === 'Pos' || h === 'Gap' ? '---:' : '---')).join(' | ')} |`);
    for (const row of tableCells(table)) out.push(`| ${row.map(escapeMarkdownInline).join(' | ')} |`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function renderHtml(report: Report): string {
  const e = escapeHtml;
  const out: string[] = ['<article class="race-report">', `<h1>${e(report.headline)}</h1>`, `<p class="standfirst"><strong>${e(report.standfirst)}</strong></p>`];
  for (const section of report.sections) {
    out.push('<section>');
    if (section.heading !== null) out.push(`<h2>${e(section.heading)}</h2>`);
    for (const p of section.paragraphs) out.push(`<p>${e(p.text)}</p>`);
    out.push('</section>');
  }
  out.push('<section class="positions">', `<h2>${e(report.tablesTitle)}</h2>`);
  for (const table of report.tables) {
    out.push(`<h3>${e(table.class)}</h3>`, '<table>', `<thead><tr>${HEADERS.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>`, '<tbody>');
    for (const row of tableCells(table)) out.push(`<tr>${row.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`);
    out.push('</tbody>', '</table>');
  }
  out.push('</section>', '</article>');
  return `${out.join('\n')}\n`;
}

/** The report as JSON, keys in the documented order. */
export function reportJson(report: Report): unknown {
  return {
    race: report.race,
    hour: report.hour,
    // The instant of the answer, in the one shape every answer gives it (issue 16).
    at: { raceTimeMs: report.atMs },
    final: report.final,
    headline: report.headline,
    headlineFacts: report.headlineFacts,
    standfirst: report.standfirst,
    standfirstFacts: report.standfirstFacts,
    sections: report.sections.map((s) => ({ heading: s.heading, headingFacts: s.headingFacts, class: s.class, paragraphs: s.paragraphs })),
    tablesTitle: report.tablesTitle,
    tables: report.tables,
  };
}

export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'md':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
    case 'json':
      return `${JSON.stringify(reportJson(report), null, 2)}\n`;
  }
}
