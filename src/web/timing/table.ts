/**
 * The timing table, driven by hand rather than by a virtual DOM: rows are
 * keyed by car number and kept for the life of the page, each cell remembers
 * what it shows, and an update writes only the cells whose text or tone
 * changed and moves only the rows whose place changed. At 60× replay that is
 * a few dozen text writes per frame (bench:web measures it).
 *
 * Two row structures (createRow), chosen by the screen's width and rebuilt
 * when it crosses 700 px: on a phone, a five-column grid with the other
 * columns in a panel that opens on tap; wider, one line of floated cells in
 * column order (styles.css), which a new lap time re-lays out in about half
 * the time a 16-track grid row takes, and which a screen reader reads in the
 * order of the column headers.
 */
import type { CarStanding } from '../../model/standings.js';
import { statusLabel } from '../../model/format.js';
import { classStyle } from '../../model/classes.js';
import { keptInOrder } from './order.js';
import { COLUMNS, STATUS_TITLE, cellsOf, sameBests, shortDriverName, type Bests, type CellContext, type Column } from './cells.js';

/** The driver's full name, and the category (entry list) its tone shows, in words: "Frederik Vesti · Platinum". */
function driverTitle(cell: { text: string; tone: string }): string {
  return cell.tone.startsWith('cat-') ? `${cell.text} · ${cell.tone.slice(4).replace(/^./, (c) => c.toUpperCase())}` : cell.text;
}

const HEADERS: Record<Column, string> = {
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

/** What a phone shows without a tap. */
const PRIMARY: ReadonlySet<Column> = new Set<Column>(['pos', 'num', 'driver', 'gap', 'last']);

interface CellView {
  /** The cell: carries the tone classes. */
  el: HTMLElement;
  /** Where the text goes (the cell itself or a span in it). */
  text: HTMLElement;
  /**
   * The text node kept for the page's life, written through `.data`: setting
   * `textContent` replaced the node at every change, so each new lap time
   * cost a node inserted (styled) and one removed from layout, not just a
   * relayout of the text (bench:web, ~150 a second at 60×). Null for the
   * status pill, whose `:empty` rule must see its text come and go.
   */
  node: Text | null;
  shownText: string;
  shownTone: string;
}

interface RowView {
  number: string;
  el: HTMLElement;
  cells: Record<Column, CellView>;
  driverShort: HTMLElement;
  driverPill: HTMLElement;
  classLabel: HTMLElement;
  shownClass: string;
  shownStatus: string;
  /** The status pill's text as shown (NC/DNF/DSQ once the result stands, else the status's). */
  shownPill: string;
  /** Position shown last time, in the current view; 0 before the first render. */
  shownPosition: number;
}

/**
 * The Element Timing identifier of the first row's position cell, the
 * first row the page draws: a PerformanceObserver of type `element` gets
 * the time the frame that first painted its text was presented (renderTime,
 * ms from navigation start). bench:web's firstPaintMs.
 */
export const FIRST_ROW_TIMING = 'sarthe-first-row';
let rowsTimed = false;

export interface TimingTableOptions {
  /** A row was chosen (click on a laptop; the car link on a phone). */
  onSelect: (carNumber: string) => void;
  /** The link to a car's page. */
  carHref: (carNumber: string) => string;
}

export class TimingTable {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly headerCells = new Map<Column, HTMLElement>();
  private readonly body: HTMLElement;
  private readonly rows = new Map<string, RowView>();
  /** Car numbers in the order the DOM shows them. */
  private shown: string[] = [];
  private viewKey = '';
  private bests: Bests | null = null;
  private readonly narrow = matchMedia('(max-width: 700px)');
  /** The rows have the phone's structure (primary cells and a panel), not the flat one. */
  private panelRows = this.narrow.matches;
  /** The last update's arguments: the rows are drawn again from them when their structure changes. */
  private last: { cars: readonly CarStanding[]; context: CellContext; viewKey: string } | null = null;
  private readonly onWidth = (): void => this.restructure();

  constructor(private readonly options: TimingTableOptions) {
    this.element = document.createElement('div');
    this.element.className = 'timing';
    this.element.setAttribute('role', 'table');
    this.header = document.createElement('div');
    this.header.className = 'row head';
    this.header.setAttribute('role', 'row');
    for (const column of COLUMNS) {
      const cell = document.createElement('span');
      cell.className = `c c-${column}`;
      cell.setAttribute('role', 'columnheader');
      cell.textContent = HEADERS[column];
      this.headerCells.set(column, cell);
      this.header.append(cell);
    }
    this.body = document.createElement('div');
    this.body.className = 'rows';
    this.body.setAttribute('role', 'rowgroup');
    this.element.append(this.header, this.body);
    this.body.addEventListener('click', (event) => this.onClick(event));
    this.narrow.addEventListener('change', this.onWidth);
  }

  /** Stops following the screen's width (the table is gone). */
  dispose(): void {
    this.narrow.removeEventListener('change', this.onWidth);
  }

  /**
   * Shows these cars in this order. `viewKey` names the view (overall, a
   * class, an instant of time travel): position changes within one view
   * flash, a change of view does not.
   */
  update(cars: readonly CarStanding[], context: CellContext, viewKey: string, changed: ReadonlySet<string> | null = null): void {
    this.last = { cars, context, viewKey };
    const sameView = viewKey === this.viewKey;
    if (!sameView) {
      this.viewKey = viewKey;
      this.setHeaders(context.classView);
    }
    // A cell depends only on its car and the context: unchanged cars keep their cells.
    const all = !sameView || changed === null || !sameBests(context.bests, this.bests);
    this.bests = context.bests;
    for (const car of cars) {
      let row = this.rows.get(car.number);
      if (row === undefined) {
        row = this.createRow(car.number);
        this.rows.set(car.number, row);
      } else if (!all && row.shownPosition !== 0 && !changed.has(car.number)) {
        continue;
      }
      this.renderRow(row, car, context, sameView);
    }
    this.placeRows(cars);
  }

  /** The screen crossed 700 px: every row is built again in the other structure. */
  private restructure(): void {
    if (this.narrow.matches === this.panelRows) return;
    this.panelRows = this.narrow.matches;
    for (const row of this.rows.values()) row.el.remove();
    this.rows.clear();
    this.shown = [];
    if (this.last !== null) this.update(this.last.cars, this.last.context, this.last.viewKey, null);
  }

  private setHeaders(classView: boolean): void {
    this.headerCells.get('cls')!.textContent = classView ? 'Ovr' : 'Class';
    this.headerCells.get('gap')!.textContent = classView ? 'Class gap' : 'Gap';
    this.headerCells.get('int')!.textContent = 'Int';
    this.element.classList.toggle('class-view', classView);
  }

  private renderRow(row: RowView, car: CarStanding, context: CellContext, animate: boolean): void {
    const cells = cellsOf(car, context);
    for (const column of COLUMNS) {
      const cell = cells[column];
      const view = row.cells[column];
      if (view.shownText !== cell.text) {
        if (view.node !== null) view.node.data = cell.text;
        else view.text.textContent = cell.text;
        view.shownText = cell.text;
        if (column === 'driver') {
          row.driverShort.textContent = shortDriverName(cell.text);
          view.el.title = driverTitle(cell);
        } else if (column === 'team') {
          view.el.title = `${car.team}${car.manufacturer ? ` · ${car.manufacturer}` : ''}`;
        }
      }
      if (view.shownTone !== cell.tone) {
        view.el.className = `c c-${column}${cell.tone ? ` t-${cell.tone}` : ''}`;
        view.shownTone = cell.tone;
        if (column === 'driver') view.el.title = driverTitle(cell);
      }
    }
    if (row.shownClass !== car.class) {
      const style = classStyle(car.class);
      row.el.style.setProperty('--cls', style.colour);
      row.el.style.setProperty('--ink', style.ink);
      row.classLabel.textContent = style.short;
      row.classLabel.title = car.class;
      row.shownClass = car.class;
    }
    if (row.shownStatus !== car.status || row.shownPill !== cells.status.text) {
      row.el.classList.remove(`st-${row.shownStatus}`);
      row.el.classList.add(`st-${car.status}`);
      row.driverPill.textContent = cells.status.text;
      row.cells.status.el.title = car.classified === false ? statusLabel(car) : STATUS_TITLE[car.status];
      row.shownStatus = car.status;
      row.shownPill = cells.status.text;
    }
    const position = Number(cells.pos.text);
    if (animate && row.shownPosition !== 0 && position !== row.shownPosition) {
      flash(row.el, position < row.shownPosition ? 'gain' : 'loss');
    }
    row.shownPosition = position;
  }

  /**
   * Puts the rows in order with the fewest moves: the rows already in order
   * among themselves (the longest run of them, keptInOrder) stay, the others
   * are moved. A car that drops ten places moves once, not the ten it fell
   * behind: a moved row is re-attached, so restyled and laid out whole.
   */
  private placeRows(cars: readonly CarStanding[]): void {
    const wanted = cars.map((car) => car.number);
    const wantedSet = new Set(wanted);
    const stay: string[] = [];
    for (const number of this.shown) {
      if (wantedSet.has(number)) {
        stay.push(number);
      } else {
        const row = this.rows.get(number)!;
        row.el.remove();
        row.shownPosition = 0;
      }
    }
    const keep = keptInOrder(stay, wanted);
    let next: HTMLElement | null = null;
    for (let i = wanted.length - 1; i >= 0; i--) {
      const number = wanted[i]!;
      const el = this.rows.get(number)!.el;
      if (!keep.has(number)) this.body.insertBefore(el, next);
      next = el;
    }
    this.shown = wanted;
  }

  private createRow(number: string): RowView {
    const el = document.createElement('div');
    el.className = 'row st-running';
    el.setAttribute('role', 'row');
    el.dataset.car = number;
    const cells = {} as Record<Column, CellView>;
    // Phones: the secondary columns live in a panel under the row, opened by a tap.
    // Wider screens: every cell straight in the row, in column order.
    const more = this.panelRows ? document.createElement('div') : null;
    if (more !== null) more.className = 'more';
    let driverShort: HTMLElement | undefined;
    let driverPill: HTMLElement | undefined;
    let classLabel: HTMLElement | undefined;
    for (const column of COLUMNS) {
      const cell = document.createElement('span');
      cell.className = `c c-${column}`;
      cell.setAttribute('role', 'cell');
      cell.dataset.label = HEADERS[column];
      let text: HTMLElement = cell;
      if (column === 'num') {
        const link = document.createElement('a');
        link.href = this.options.carHref(number);
        link.title = `Car ${number}: laps, stints, pit stops`;
        cell.append(link);
        text = link;
      } else if (column === 'cls') {
        classLabel = document.createElement('i');
        text = document.createElement('span');
        cell.append(classLabel, text);
      } else if (column === 'driver') {
        driverPill = document.createElement('span');
        driverPill.className = 'pill';
        text = document.createElement('span');
        text.className = 'full';
        driverShort = document.createElement('span');
        driverShort.className = 'short';
        cell.append(driverPill, text, driverShort);
      } else if (column === 'status') {
        text = document.createElement('span');
        text.className = 'pill';
        cell.append(text);
      }
      if (column === 'pos' && !rowsTimed) {
        // The page's first row: the browser reports when its text is first painted (bench:web).
        cell.setAttribute('elementtiming', FIRST_ROW_TIMING);
        rowsTimed = true;
      }
      const node = column === 'status' ? null : text.appendChild(document.createTextNode(''));
      cells[column] = { el: cell, text, node, shownText: '', shownTone: '' };
      (more === null || PRIMARY.has(column) ? el : more).append(cell);
    }
    if (more !== null) {
      // On a phone the panel that opens on tap ends with a link to the car page.
      const link = document.createElement('a');
      link.className = 'c-more';
      link.href = this.options.carHref(number);
      link.textContent = `Car ${number}: laps, stints, pit stops ›`;
      more.append(link);
      el.append(more);
    }
    return {
      number,
      el,
      cells,
      driverShort: driverShort!,
      driverPill: driverPill!,
      classLabel: classLabel!,
      shownClass: '',
      shownStatus: 'running',
      shownPill: '',
      shownPosition: 0,
    };
  }

  private onClick(event: MouseEvent): void {
    const target = event.target as HTMLElement;
    const rowEl = target.closest<HTMLElement>('.row');
    const number = rowEl?.dataset.car;
    if (rowEl === null || number === undefined) return;
    if (target.closest('a') !== null) {
      // A plain click keeps the page's class and instant; modified clicks open the href as is.
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      this.options.onSelect(number);
    } else if (this.panelRows) {
      const open = rowEl.classList.toggle('open');
      rowEl.setAttribute('aria-expanded', String(open));
    } else {
      this.options.onSelect(number);
    }
  }
}

/** How long a row stays tinted after it changed position. */
const FLASH_MS = 2000;

/**
 * A short tint of the row: green when it gained places, red when it lost.
 * A class set now and removed once, not an animation: an animation restyles
 * (and, without a GPU, repaints) every frame it runs — at 60× replay some row
 * is always flashing, which cost more than all the updates together.
 */
const flashing = new Map<HTMLElement, number>();
let flashTimer: ReturnType<typeof setTimeout> | undefined;

function flash(el: HTMLElement, kind: 'gain' | 'loss'): void {
  el.classList.remove(kind === 'gain' ? 'loss' : 'gain');
  el.classList.add(kind);
  flashing.set(el, performance.now() + FLASH_MS);
  if (flashTimer === undefined) flashTimer = setTimeout(endFlashes, FLASH_MS);
}

function endFlashes(): void {
  flashTimer = undefined;
  const now = performance.now();
  let next = Infinity;
  for (const [el, until] of flashing) {
    if (until <= now + 16) {
      el.classList.remove('gain', 'loss');
      flashing.delete(el);
    } else {
      next = Math.min(next, until);
    }
  }
  if (Number.isFinite(next)) flashTimer = setTimeout(endFlashes, next - now);
}
