/**
 * CSV for every list endpoint: `?format=csv` or `Accept: text/csv` (when the
 * client does not also prefer JSON) gives a header row and one record per
 * item, written by csv-stringify (RFC 4180 quoting, CRLF line ends).
 *
 * Records are flattened the same way everywhere: a nested object becomes
 * dotted columns (`car.number`, `at.raceTimeMs`), an array of plain values
 * one cell joined with " | ", an array of objects one cell of JSON; null is an
 * empty cell. Columns are the union of the items' keys in first-seen order,
 * so sparse fields (an event's type-specific ones) still line up.
 *
 *   pandas.read_csv('http://localhost:8024/api/v1/races/lemans-2019/laps?car=8&format=csv')
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { stringify } from 'csv-stringify/sync';

export type Cell = string | number | boolean | null;

/** Flattens one item to column → cell (see the module comment). */
export function flattenRecord(value: unknown, prefix = '', into: Record<string, Cell> = {}): Record<string, Cell> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flattenRecord(inner, prefix === '' ? key : `${prefix}.${key}`, into);
    return into;
  }
  const column = prefix === '' ? 'value' : prefix;
  if (Array.isArray(value)) {
    into[column] = value.every((v) => v === null || typeof v !== 'object') ? value.map((v) => (v === null ? '' : String(v))).join(' | ') : JSON.stringify(value);
  } else if (value === undefined) {
    into[column] = null;
  } else {
    into[column] = value as Cell;
  }
  return into;
}

/** Items as CSV text: header row, then one record each; an empty list is the header alone when `columns` are given. */
export function toCsv(items: readonly unknown[], columns: readonly string[] = []): string {
  const records = items.map((item) => flattenRecord(item));
  const header = [...columns];
  const seen = new Set(header);
  for (const record of records) {
    for (const key of Object.keys(record)) {
      if (!seen.has(key)) {
        seen.add(key);
        header.push(key);
      }
    }
  }
  return stringify(
    records.map((r) => header.map((h) => r[h] ?? null)),
    { header: true, columns: header, record_delimiter: 'windows', cast: { boolean: (b) => (b ? 'true' : 'false') } },
  );
}

/** True when the request asks for CSV: ?format=csv, or Accept naming text/csv ahead of (or without) JSON. */
export function wantsCsv(request: FastifyRequest, format: 'json' | 'csv' | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  const accept = request.headers.accept ?? '';
  const csv = accept.indexOf('text/csv');
  if (csv < 0) return false;
  const json = accept.indexOf('application/json');
  return json < 0 || csv < json;
}

/**
 * Sends a list answer: the JSON body as it is, or its `items` as CSV. The
 * CSV answer keeps the body's other facts (race, at) in no column: they are
 * the query's, which the client already has.
 */
export function sendList<T extends object>(
  request: FastifyRequest,
  reply: FastifyReply,
  format: 'json' | 'csv' | undefined,
  body: T,
  items: readonly unknown[],
  columns: readonly string[] = [],
): T | FastifyReply {
  // Added to, not replaced: CORS may have set Vary: Origin already.
  const vary = reply.getHeader('vary');
  void reply.header('vary', vary === undefined ? 'Accept' : `${String(vary)}, Accept`);
  if (!wantsCsv(request, format)) return body;
  return reply.type('text/csv; charset=utf-8; header=present').send(toCsv(items, columns));
}
