/**
 * CSV for every list endpoint: `?format=csv` or `Accept: text/csv` (when the
 * client does not also prefer JSON) gives a header row and one record per
 * item, written by csv-stringify (RFC 4180 quoting, CRLF line ends).
 *
 * The columns of a list are fixed by its row schema (schemas.ts CSV_ROWS, the
 * same zod schemas the OpenAPI document publishes): the same header whatever
 * the filters or the data, so `pandas.read_csv` gives the same frame for one
 * car or all, an empty list or a full one (issue 16). A nested object is
 * dotted columns (`driverIn.name`, `gap.ms`, `event.crossingMs`), a union
 * of objects the union of their columns (a `{ ms }` or `{ laps }` gap:
 * `gap.ms`, `gap.provisional`, `gap.laps`); a null object or an absent field
 * is empty cells. Every array (sector times, drivers) is one cell of JSON,
 * `[60123,null,71002]`: one way for all, read back with json.loads.
 *
 *   pandas.read_csv('http://localhost:8024/api/v1/races/lemans-2019/laps?car=8&format=csv')
 */
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import type { z } from 'zod';
import { CSV_ROWS } from './schemas.js';

export type Cell = string | number | boolean | null;

/** Flattens one item to column → cell (see the module comment). */
export function flattenRecord(value: unknown, prefix = '', into: Record<string, Cell> = {}): Record<string, Cell> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flattenRecord(inner, prefix === '' ? key : `${prefix}.${key}`, into);
    return into;
  }
  const column = prefix === '' ? 'value' : prefix;
  if (Array.isArray(value)) into[column] = JSON.stringify(value);
  else if (value === undefined) into[column] = null;
  else into[column] = value as Cell;
  return into;
}

/** The zod definition fields csvColumns reads (zod 4 keeps them in `_zod.def`). */
interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
}
const defOf = (schema: z.ZodType): ZodDef => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/** The schema a value of `schema` has once wrappers (nullable, optional, default, pipe, lazy) are taken off. */
function unwrap(schema: z.ZodType): z.ZodType {
  const def = defOf(schema);
  if (def.innerType !== undefined) return unwrap(def.innerType);
  if (def.type === 'pipe') return unwrap(defOf(def.out!).type === 'transform' ? def.in! : def.out!);
  if (def.type === 'lazy') return unwrap(def.getter!());
  return schema;
}

/**
 * The CSV columns of rows of `schema`, in its field order: a nested object
 * (or a union of objects) as dotted columns, anything else as one column.
 * Throws on a schema it cannot flatten (a record of unknown keys).
 */
export function csvColumns(schema: z.ZodType, prefix = ''): string[] {
  const inner = unwrap(schema);
  const def = defOf(inner);
  const name = (key: string) => (prefix === '' ? key : `${prefix}.${key}`);
  if (def.type === 'object') return Object.entries(def.shape!).flatMap(([key, field]) => csvColumns(field, name(key)));
  if (def.type === 'union') {
    const objects = def.options!.map(unwrap).filter((o) => !['null', 'undefined'].includes(defOf(o).type));
    if (objects.length > 0 && objects.every((o) => defOf(o).type === 'object')) return [...new Set(objects.flatMap((o) => csvColumns(o, prefix)))];
  }
  if (def.type === 'record' || def.type === 'map') throw new Error(`CSV column ${prefix || '(row)'}: a ${def.type} has no fixed columns`);
  return [prefix === '' ? 'value' : prefix];
}

/** Flattens one item to the cells of `columns`; throws on a value no column takes (see toCsv). */
function csvCells(item: unknown, columns: readonly string[], known: ReadonlySet<string>): Cell[] {
  const record = flattenRecord(item);
  for (const [key, cell] of Object.entries(record)) {
    if (known.has(key) || (cell === null && columns.some((c) => c.startsWith(`${key}.`)))) continue;
    throw new Error(`CSV: field "${key}" has no column in this list's row schema (server/schemas.ts CSV_ROWS)`);
  }
  return columns.map((c) => spreadsheetSafe(record[c] ?? null));
}

/**
 * A text cell a spreadsheet would run as a formula (`=HYPERLINK(…)` as a
 * team name, OWASP "CSV injection": it starts with = + - @, a tab or a CR)
 * gets a leading `'`, which spreadsheets show as text and hide. Numbers are
 * left alone (a negative number stays a number for pandas); csv-stringify's
 * own escape_formulas would quote them too.
 */
function spreadsheetSafe(cell: Cell): Cell {
  return typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

const STRINGIFY = { record_delimiter: 'windows', cast: { boolean: (b: boolean) => (b ? 'true' : 'false') } } as const;

/**
 * Items as CSV text: the header row `columns`, then one record per item.
 * Throws when an item holds a value no column takes (the row schema is
 * behind the data: a defect the tests catch); a null in place of an
 * object is its columns left empty.
 */
export function toCsv(items: readonly unknown[], columns: readonly string[]): string {
  const known = new Set(columns);
  return stringify(
    items.map((item) => csvCells(item, columns, known)),
    { ...STRINGIFY, header: true, columns: [...columns] },
  );
}

/** Wall ms of CSV writing between two turns of the event loop (as a store load, races.ts LOAD_SLICE_MS). */
export const CSV_SLICE_MS = 20;
/** Records written between two readings of the clock. */
const CSV_BATCH = 50;

/**
 * The same text as toCsv, in chunks written CSV_SLICE_MS at a time with a
 * turn of the event loop between them: the full laps of a 24-hour race
 * (18,765 rows, about 2 s to write on a busy machine) must not hold the
 * server, its health probe included, for the whole answer (issue 16).
 */
export async function* csvChunks(items: readonly unknown[], columns: readonly string[]): AsyncGenerator<string> {
  const known = new Set(columns);
  yield stringify([], { ...STRINGIFY, header: true, columns: [...columns] });
  let i = 0;
  while (i < items.length) {
    const started = performance.now();
    let chunk = '';
    // Written CSV_BATCH records at a time, the clock read between batches.
    do {
      const batch = items.slice(i, i + CSV_BATCH).map((item) => csvCells(item, columns, known));
      i += batch.length;
      chunk += stringify(batch, STRINGIFY);
    } while (i < items.length && performance.now() - started < CSV_SLICE_MS);
    yield chunk;
    if (i < items.length) await nextTurn();
  }
}

/**
 * True when the request asks for CSV: ?format=csv, or an Accept header that
 * prefers text/csv to application/json by quality (RFC 9110 §12.5.1: the
 * most specific range that matches gives a type its q; q=0 is "not
 * acceptable"; a tie goes to JSON, the default). `text/csv;q=0` is JSON,
 * `text/csv;q=0.5, application/json` is JSON, `text/*` alone is CSV.
 */
export function wantsCsv(request: FastifyRequest, format: 'json' | 'csv' | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  const accept = request.headers.accept;
  if (accept === undefined || accept.trim() === '') return false;
  const csv = acceptQuality(accept, 'text', 'csv');
  const json = acceptQuality(accept, 'application', 'json');
  return csv > json;
}

/** The quality an Accept header gives type/subtype: from its most specific matching range, 0 when none matches. */
export function acceptQuality(accept: string, type: string, subtype: string): number {
  let best = -1;
  let quality = 0;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const [t, s] = range.split('/');
    const specificity = t === type && s === subtype ? 2 : t === type && s === '*' ? 1 : t === '*' && s === '*' ? 0 : -1;
    if (specificity < best || specificity < 0) continue;
    const q = params.find((p) => p.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    const qValue = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
    if (specificity > best) {
      best = specificity;
      quality = qValue;
    } else quality = Math.max(quality, qValue);
  }
  return quality;
}

/** Lists longer than this are streamed (csvChunks); shorter ones take well under a slice to write. */
const CSV_STREAM_ROWS = 500;

/** The CSV header of each list route, from its row schema (computed once). */
const COLUMNS = new Map(Object.entries(CSV_ROWS).map(([url, schema]) => [url, csvColumns(schema)]));

/** The CSV columns of a list route (by its Fastify route URL); throws for a route with no row schema. */
export function listColumns(routeUrl: string): readonly string[] {
  const columns = COLUMNS.get(routeUrl);
  if (columns === undefined) throw new Error(`no CSV row schema for ${routeUrl} (server/schemas.ts CSV_ROWS)`);
  return columns;
}

/**
 * Sends a list answer: the JSON body as it is, or its `items` as CSV with
 * the route's columns (CSV_ROWS). The CSV answer keeps the body's other
 * facts (race, at) in no column: they are the query's, which the client
 * already has.
 */
export function sendList<T extends object>(request: FastifyRequest, reply: FastifyReply, format: 'json' | 'csv' | undefined, body: T, items: readonly unknown[]): T | FastifyReply {
  // Added to, not replaced: CORS may have set Vary: Origin already.
  const vary = reply.getHeader('vary');
  void reply.header('vary', vary === undefined ? 'Accept' : `${String(vary)}, Accept`);
  if (!wantsCsv(request, format)) return body;
  const columns = listColumns(request.routeOptions.url ?? '');
  void reply.type('text/csv; charset=utf-8; header=present');
  // A short list in one piece (with its Content-Length); a long one streamed in slices.
  if (items.length <= CSV_STREAM_ROWS) return reply.send(toCsv(items, columns));
  return reply.send(Readable.from(csvChunks(items, columns)));
}
