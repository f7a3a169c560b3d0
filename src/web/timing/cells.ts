/**
 * What each cell of the timing screen says about one car: text and a tone
 * (best-lap colours, status). Pure, so the rules are unit-tested in Node and
 * the table only compares strings to decide which cells to touch.
 */
import { formatGap, resultCode } from '../../model/format.js';
import type { Best, CarStanding, CarStatus, Gap } from '../../model/standings.js';
import { formatLapTime, HOUR } from '../../model/time.js';

export const COLUMNS = [
  'pos',
  'num',
  'cls',
  'team',
  'driver',
  'laps',
  'gap',
  'int',
  'last',
  'best',
  's1',
  's2',
  's3',
  'pits',
  'stint',
  'status',
] as const;
export type Column = (typeof COLUMNS)[number];

/** Tone of a time: purple for a class or overall best, green for a personal best. */
export type Tone = '' | 'ob' | 'cb' | 'pb';

export interface Cell {
  text: string;
  tone: string;
}

/** Fastest laps at the instant shown, overall and per class. */
export interface Bests {
  overallLapMs: number;
  classLapMs: Map<string, number>;
}

export interface CellContext {
  /** One class is shown: positions and gaps are within the class. */
  classView: boolean;
  bests: Bests;
  /** The race's entry list (full names, categories), when the server has one: see listed-drivers.ts. */
  listed?: { lookup(car: string, name: string): { displayName: string; category: string | null } | undefined };
}

export function bestsOf(cars: Iterable<CarStanding>): Bests {
  let overallLapMs = Infinity;
  const classLapMs = new Map<string, number>();
  for (const car of cars) {
    if (car.bestLapMs === null) continue;
    if (car.bestLapMs < overallLapMs) overallLapMs = car.bestLapMs;
    if (car.bestLapMs < (classLapMs.get(car.class) ?? Infinity)) classLapMs.set(car.class, car.bestLapMs);
  }
  return { overallLapMs, classLapMs };
}

export function sameBests(a: Bests, b: Bests | null): boolean {
  if (b === null || a.overallLapMs !== b.overallLapMs || a.classLapMs.size !== b.classLapMs.size) return false;
  for (const [cls, ms] of a.classLapMs) if (b.classLapMs.get(cls) !== ms) return false;
  return true;
}

export function toneOf(best: Best): Tone {
  switch (best) {
    case 'overall':
      return 'ob';
    case 'class':
      return 'cb';
    case 'personal':
      return 'pb';
    default:
      return '';
  }
}

export const STATUS_LABEL: Record<CarStatus, string> = {
  running: '',
  'out-lap': 'OUT',
  'in-pit': 'PIT',
  stopped: 'STOP',
  retired: 'RET',
  finished: 'FIN',
};

export const STATUS_TITLE: Record<CarStatus, string> = {
  running: 'Running',
  'out-lap': 'Out lap',
  'in-pit': 'In the pits',
  stopped: 'Stopped on track or in the garage',
  retired: 'Retired',
  finished: 'Finished',
};

/**
 * A time for a fixed-width cell (cells are sized for "12:32.473"): an hour
 * or more drops its milliseconds, "1:14:12" rather than "1:14:12.169" cut to
 * "1:14:12.1…" (a car repaired in the garage; issue 15). The car page and
 * the API keep the milliseconds.
 */
export function cellTime(ms: number): string {
  if (Math.abs(ms) < HOUR) return formatLapTime(ms);
  const sign = ms < 0 ? '-' : '';
  const s = Math.floor(Math.abs(ms) / 1000);
  return `${sign}${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** A gap in a cell: laps as formatGap writes them, times by cellTime. */
export function cellGap(gap: Gap): string {
  if (gap === null || 'laps' in gap) return formatGap(gap);
  return gap.provisional ? `≥${cellTime(gap.ms)}` : cellTime(gap.ms);
}

function time(ms: number | null): string {
  return ms === null ? '' : cellTime(ms);
}

/**
 * "Jose Maria LOPEZ" → "J. LOPEZ": Al Kamel writes surnames in capitals, so
 * the surname is the run of upper-case words; the first given name gives the
 * initial.
 */
export function shortDriverName(name: string): string {
  const words = name.trim().split(/\s+/).filter((w) => w.length > 0);
  if (words.length <= 1) return name.trim();
  const isUpper = (w: string): boolean => w === w.toUpperCase() && w !== w.toLowerCase();
  const firstUpper = words.findIndex(isUpper);
  if (firstUpper <= 0) {
    // No capitals, or the surname comes first ("LOPEZ Jose"): keep the last word.
    return firstUpper === 0 ? words.filter(isUpper).join(' ') : `${words[0]![0]}. ${words[words.length - 1]}`;
  }
  return `${words[0]![0]}. ${words.slice(firstUpper).join(' ')}`;
}

/** The driver at the wheel: the entry list's full name, its category as the tone (t-cat-gold …), when listed. */
function driverCell(car: CarStanding, context: CellContext): Cell {
  const listed = context.listed?.lookup(car.number, car.driver);
  if (listed === undefined) return { text: car.driver, tone: '' };
  return { text: listed.displayName, tone: listed.category === null ? '' : `cat-${listed.category.toLowerCase()}` };
}

/** The text and tone of every column for one car. */
export function cellsOf(car: CarStanding, context: CellContext): Record<Column, Cell> {
  const { classView, bests } = context;
  const gap = classView ? car.classGap : car.gap;
  const interval = classView ? car.classInterval : car.interval;
  const classBest = bests.classLapMs.get(car.class) ?? Infinity;
  const bestTone: Tone =
    car.bestLapMs === null ? '' : car.bestLapMs <= bests.overallLapMs ? 'ob' : car.bestLapMs <= classBest ? 'cb' : '';
  return {
    pos: { text: String(classView ? car.classPosition : car.position), tone: '' },
    num: { text: car.number, tone: '' },
    // Overall view: the class and the place in it; class view: the overall place.
    cls: { text: classView ? String(car.position) : String(car.classPosition), tone: '' },
    team: { text: car.team, tone: '' },
    driver: driverCell(car, context),
    laps: { text: String(car.laps), tone: '' },
    gap: { text: gap === null ? (car.laps > 0 ? 'Leader' : '') : cellGap(gap), tone: gap === null ? 'lead' : '' },
    int: { text: cellGap(interval), tone: '' },
    last: { text: time(car.lastLapMs), tone: toneOf(car.lastLapBest) },
    best: { text: time(car.bestLapMs), tone: bestTone },
    s1: { text: time(car.lastSectorsMs[0]), tone: toneOf(car.lastSectorsBest[0]) },
    s2: { text: time(car.lastSectorsMs[1]), tone: toneOf(car.lastSectorsBest[1]) },
    s3: { text: time(car.lastSectorsMs[2]), tone: toneOf(car.lastSectorsBest[2]) },
    pits: { text: String(car.pitStops), tone: '' },
    stint: { text: String(car.stintLaps), tone: '' },
    // Once the result stands, an unclassified car says NC, DNF or DSQ, not FIN or RET (issue 10: one clear status).
    status: { text: resultCode(car) || STATUS_LABEL[car.status], tone: car.status },
  };
}
