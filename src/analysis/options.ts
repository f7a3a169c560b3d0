/** Options every analysis takes. */
import type { EntryList } from './entry-list.js';

export interface AnalysisOptions {
  /** Race time of the analysis (ms); only data at or before it counts. Default: end of data. */
  at?: number | null;
  /** Driver categories, display names, team short names. */
  entryList?: EntryList;
  /** Only these cars (by number, as text). */
  cars?: readonly string[];
}
