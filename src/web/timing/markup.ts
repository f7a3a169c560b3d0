/**
 * The timing table's markup, as text: the one definition of its rows.
 *
 * - The server writes the live table with it into the app's page
 *   (server/web.ts, ssr.tsx): the page shows the rows before its script
 *   has loaded, and without JavaScript it is a static snapshot.
 * - The browser builds every row it creates from the same text
 *   (table.ts createRow), then binds to it as it binds to the server's rows
 *   (table.ts bindRow): no second description of the DOM to drift apart.
 *
 * Pure (no DOM): unit-tested in Node.
 */
import type { CarStanding } from '../../model/standings.js';
import { statusLabel } from '../../model/format.js';
import { classStyle } from '../../model/classes.js';
import { COLUMNS, STATUS_TITLE, cellsOf, shortDriverName, type Cell, type CellContext, type Column } from './cells.js';

export const HEADERS: Record<Column, string> = {
  pos: 'Pos',
  num: 'No',
  cls: 'Class',
  team: 'Team',
  driver: 'Driver',
  laps: 'Laps',
  gap: 'Gap',
  int: 'Int',
  last: 'Last lap',
  best: 'Best lap',
  s1: 'S1',
  s2: 'S2',
  s3: 'S3',
  pits: 'Pit',
  stint: 'Stint',
  status: 'Status',
};

/** The smallest row height of the timing table (px, styles.css --row-h): how many rows a window can show. */
export const ROW_MIN_PX = 26;

/** What a phone shows without a tap (the rest opens in a panel under the row). */
export const PRIMARY: ReadonlySet<Column> = new Set<Column>(['pos', 'num', 'driver', 'gap', 'last']);

/**
 * The Element Timing identifier of the first row's position cell, the
 * first row the page draws: a PerformanceObserver of type `element` gets
 * the time the frame that first painted its text was presented (renderTime,
 * ms from navigation start). bench:web's firstPaintMs.
 */
export const FIRST_ROW_TIMING = 'sarthe-first-row';

/** The driver's full name, and the category (entry list) its tone shows, in words: "Frederik Vesti · Platinum". */
export function driverTitle(cell: Cell): string {
  return cell.tone.startsWith('cat-') ? `${cell.text} · ${cell.tone.slice(4).replace(/^./, (c) => c.toUpperCase())}` : cell.text;
}

/** The team cell's title: the team and its manufacturer. */
export function teamTitle(car: Pick<CarStanding, 'team' | 'manufacturer'>): string {
  return `${car.team}${car.manufacturer ? ` · ${car.manufacturer}` : ''}`;
}

/** The status cell's title: the result's reason once a car is out of the classification, else the status in words. */
export function statusTitle(car: CarStanding): string {
  return car.classified === false ? statusLabel(car) : STATUS_TITLE[car.status];
}

/** `&`, `<` and `>` escaped: text content. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text escaped for a double-quoted attribute. */
export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}

/** A cell's class attribute: `c c-gap`, with its tone `t-ob` when it has one. */
export function cellClass(column: Column, tone: string): string {
  return `c c-${column}${tone ? ` t-${tone}` : ''}`;
}

export interface RowContent {
  car: CarStanding;
  cells: Record<Column, Cell>;
  /** This row's position cell carries the first-row Element Timing identifier. */
  timed: boolean;
}

/**
 * One row of the table. Without `content`, the empty row the browser
 * creates and then fills (cells with no text, status `running`); with it,
 * the row as it shows that car.
 *
 * `panel`: a phone's structure (the five PRIMARY cells in the row, the others
 * in a `.more` panel that opens on tap, ending with a link to the car page);
 * else one line of cells in column order (styles.css).
 */
export function rowMarkup(number: string, carHref: string, panel: boolean, content: RowContent | null = null): string {
  const cells = content?.cells;
  const text = (column: Column): string => escapeText(cells?.[column].text ?? '');
  let main = '';
  let more = '';
  for (const column of COLUMNS) {
    const cell = cells?.[column];
    let attributes = `class="${cellClass(column, cell?.tone ?? '')}" role="cell" data-label="${HEADERS[column]}"`;
    if (column === 'pos' && content?.timed === true) attributes += ` elementtiming="${FIRST_ROW_TIMING}"`;
    if (content !== null && column === 'driver') attributes += ` title="${escapeAttribute(driverTitle(content.cells.driver))}"`;
    if (content !== null && column === 'team') attributes += ` title="${escapeAttribute(teamTitle(content.car))}"`;
    if (content !== null && column === 'status') attributes += ` title="${escapeAttribute(statusTitle(content.car))}"`;
    let inner: string;
    if (column === 'num') {
      inner = `<a href="${escapeAttribute(carHref)}" title="Car ${escapeAttribute(number)}: laps, stints, pit stops">${text(column)}</a>`;
    } else if (column === 'cls') {
      const style = content === null ? null : classStyle(content.car.class);
      inner = `<i${content === null ? '' : ` title="${escapeAttribute(content.car.class)}"`}>${escapeText(style?.short ?? '')}</i><span>${text(column)}</span>`;
    } else if (column === 'driver') {
      const name = cells?.driver.text ?? '';
      inner = `<span class="pill">${text('status')}</span><span class="full">${escapeText(name)}</span><span class="short">${escapeText(content === null ? '' : shortDriverName(name))}</span>`;
    } else if (column === 'status') {
      inner = `<span class="pill">${text(column)}</span>`;
    } else {
      inner = text(column);
    }
    const html = `<span ${attributes}>${inner}</span>`;
    if (panel && !PRIMARY.has(column)) more += html;
    else main += html;
  }
  if (panel) {
    main += `<div class="more">${more}<a class="c-more" href="${escapeAttribute(carHref)}">Car ${escapeText(number)}: laps, stints, pit stops ›</a></div>`;
  }
  const status = content?.car.status ?? 'running';
  let rowAttributes = `class="row st-${status}" role="row" data-car="${escapeAttribute(number)}"`;
  if (content !== null) {
    const style = classStyle(content.car.class);
    rowAttributes += ` data-class="${escapeAttribute(content.car.class)}" style="--cls: ${escapeAttribute(style.colour)}; --ink: ${escapeAttribute(style.ink)};"`;
  }
  return `<div ${rowAttributes}>${main}</div>`;
}

/** The header row: column names (a class view says "Ovr" and "Class gap"). */
export function headMarkup(classView: boolean): string {
  let html = '<div class="row head" role="row">';
  for (const column of COLUMNS) html += `<span class="c c-${column}" role="columnheader">${escapeText(headerText(column, classView))}</span>`;
  return `${html}</div>`;
}

/** A column's name in the header row. */
export function headerText(column: Column, classView: boolean): string {
  if (column === 'cls') return classView ? 'Ovr' : 'Class';
  if (column === 'gap') return classView ? 'Class gap' : 'Gap';
  return HEADERS[column];
}

export interface TableMarkupOptions {
  context: CellContext;
  /** The link to a car's page. */
  carHref: (carNumber: string) => string;
  /** The first row carries the first-row Element Timing identifier (the page's first table). */
  timed: boolean;
}

/**
 * The whole table (`div.timing` with its header and rows) showing these cars
 * in this order, in the laptop's structure: a phone's script rebuilds the
 * rows in its own (table.ts), and until then styles.css shows the five
 * primary cells of these.
 */
export function tableMarkup(cars: readonly CarStanding[], options: TableMarkupOptions): string {
  let rows = '';
  cars.forEach((car, i) => {
    rows += rowMarkup(car.number, options.carHref(car.number), false, { car, cells: cellsOf(car, options.context), timed: options.timed && i === 0 });
  });
  const classView = options.context.classView;
  return `<div class="timing${classView ? ' class-view' : ''}" role="table">${headMarkup(classView)}<div class="rows" role="rowgroup">${rows}</div></div>`;
}
