/** Reads Al Kamel files from disk and merges several exports of one race. */
import { readFile } from 'node:fs/promises';
import type { TimingEvent } from '../../model/events.js';
import { mergeEventSets } from '../merge.js';
import { ImportError, parseAnalysis, type ImportIssue, type ParsedAnalysis } from './parse.js';

export interface ImportResult {
  events: TimingEvent[];
  files: ParsedAnalysis[];
  /** Every line skipped in lenient mode, across files. */
  skipped: ImportIssue[];
  /** Every line kept with a warning in lenient mode, across files. */
  warnings: ImportIssue[];
}

export async function readAnalysisFile(path: string, lenient = false): Promise<ParsedAnalysis> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ImportError([{ file: path, line: 0, message: `cannot read the file: ${reason}` }]);
  }
  return parseAnalysis(text, { file: path, lenient });
}

/** Imports one or more exports of the same race, in the order given. */
export async function importAnalysisFiles(paths: string[], options: { lenient?: boolean } = {}): Promise<ImportResult> {
  if (paths.length === 0) throw new Error('no input file given');
  const files: ParsedAnalysis[] = [];
  for (const path of paths) files.push(await readAnalysisFile(path, options.lenient));
  return {
    events: mergeEventSets(files.map((f) => ({ source: f.file, events: f.events }))),
    files,
    skipped: files.flatMap((f) => f.skipped),
    warnings: files.flatMap((f) => f.warnings),
  };
}
