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
import { classStyle } from '../../model/classes.js';
import { keptInOrder } from './order.js';
import { COLUMNS, cellsOf, sameBests, shortDriverName, type Bests, type CellContext, type Column } from './cells.js';
import { FIRST_ROW_TIMING, cellClass, driverTitle, headMarkup, headerText, rowMarkup, statusTitle, teamTitle } from './markup.js';

export { FIRST_ROW_TIMING };

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

/** Whether a row already carries the first-row Element Timing identifier (the server's, or one created here). */
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
  /** The rows are the server's, taken over (constructor `adopt`). */
  readonly adopted: boolean;
  private bests: Bests | null = null;
  private readonly narrow = matchMedia('(max-width: 700px)');
  /** The rows have the phone's structure (primary cells and a panel), not the flat one. */
  private panelRows = this.narrow.matches;
  /** The last update's arguments: the rows are drawn again from them when their structure changes. */
  private last: { cars: readonly CarStanding[]; context: CellContext; viewKey: string } | null = null;
  private readonly onWidth = (): void => this.restructure();

  /**
   * `adopt`: the table the server wrote into the page (markup.ts
   * tableMarkup, server/web.ts), taken over as it stands: its rows are bound,
   * not drawn again, so the first paint does not wait for this script and
   * the script's first frame has nothing to redo. Not taken on a phone (its
   * rows have another structure): there the rows are built here.
   */
  constructor(
    private readonly options: TimingTableOptions,
    adopt: HTMLElement | null = null,
  ) {
    const adopted = adopt !== null && !this.panelRows ? adopt : null;
    this.adopted = adopted !== null;
    if (adopted !== null) {
      this.element = adopted;
    } else {
      const template = document.createElement('template');
      template.innerHTML = `<div class="timing" role="table">${headMarkup(false)}<div class="rows" role="rowgroup"></div></div>`;
      this.element = template.content.firstElementChild as HTMLElement;
    }
    this.header = this.element.querySelector<HTMLElement>('.head')!;
    for (const cell of this.header.children) this.headerCells.set(columnOf(cell as HTMLElement), cell as HTMLElement);
    this.body = this.element.querySelector<HTMLElement>('.rows')!;
    if (adopted !== null) {
      this.viewKey = 'adopted';
      for (const el of this.body.children) {
        const row = bindRow(el as HTMLElement);
        this.rows.set(row.number, row);
        this.shown.push(row.number);
      }
      if (this.element.querySelector(`[elementtiming="${FIRST_ROW_TIMING}"]`) !== null) rowsTimed = true;
    } else {
      // A phone's first script frame replaces the server's rows with its own.
      adopt?.remove();
    }
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
    for (const column of ['cls', 'gap'] as const) {
      const cell = this.headerCells.get(column)!;
      const text = headerText(column, classView);
      if (cell.textContent !== text) cell.textContent = text;
    }
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
          view.el.title = teamTitle(car);
        }
      }
      if (view.shownTone !== cell.tone) {
        view.el.className = cellClass(column, cell.tone);
        view.shownTone = cell.tone;
        if (column === 'driver') view.el.title = driverTitle(cell);
      }
    }
    if (row.shownClass !== car.class) {
      const style = classStyle(car.class);
      row.el.style.setProperty('--cls', style.colour);
      row.el.style.setProperty('--ink', style.ink);
      row.el.dataset.class = car.class;
      row.classLabel.textContent = style.short;
      row.classLabel.title = car.class;
      row.shownClass = car.class;
    }
    if (row.shownStatus !== car.status || row.shownPill !== cells.status.text) {
      row.el.classList.remove(`st-${row.shownStatus}`);
      row.el.classList.add(`st-${car.status}`);
      row.driverPill.textContent = cells.status.text;
      row.cells.status.el.title = statusTitle(car);
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

  /** A new, empty row for this car, from the same markup as the server's rows (markup.ts rowMarkup). */
  private createRow(number: string): RowView {
    const template = document.createElement('template');
    template.innerHTML = rowMarkup(number, this.options.carHref(number), this.panelRows);
    const el = template.content.firstElementChild as HTMLElement;
    if (!rowsTimed) {
      // The page's first row: the browser reports when its text is first painted (bench:web).
      el.querySelector('.c-pos')!.setAttribute('elementtiming', FIRST_ROW_TIMING);
      rowsTimed = true;
    }
    const row = bindRow(el);
    // Not shown yet in this view: the first render neither flashes nor skips it.
    row.shownPosition = 0;
    return row;
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

/** `c-gap` in a cell's class list: its column. */
function columnOf(cell: HTMLElement): Column {
  for (const name of cell.classList) {
    if (name.startsWith('c-') && (COLUMNS as readonly string[]).includes(name.slice(2))) return name.slice(2) as Column;
  }
  throw new Error(`timing table: a cell without its column class (${cell.className})`);
}

/**
 * The views of a row written by markup.ts rowMarkup (the server's, or one
 * just created): every cell's text element and text node, and what the row
 * shows now, so that an update writes only what differs from it.
 */
function bindRow(el: HTMLElement): RowView {
  const cells = {} as Record<Column, CellView>;
  for (const cell of el.querySelectorAll<HTMLElement>('.c')) {
    const column = columnOf(cell);
    const text: HTMLElement =
      column === 'num' ? cell.querySelector('a')! : column === 'cls' ? cell.querySelector('span')! : column === 'driver' ? cell.querySelector('.full')! : column === 'status' ? cell.querySelector('.pill')! : cell;
    let node: Text | null = null;
    if (column !== 'status') {
      node = text.firstChild instanceof Text ? text.firstChild : null;
      if (node === null) node = text.appendChild(document.createTextNode(''));
    }
    const tone = /(?:^| )t-(\S+)/.exec(cell.className)?.[1] ?? '';
    cells[column] = { el: cell, text, node, shownText: node?.data ?? text.textContent ?? '', shownTone: tone };
  }
  const status = /(?:^| )st-(\S+)/.exec(el.className)?.[1] ?? 'running';
  const position = Number(cells.pos.shownText);
  return {
    number: el.dataset.car!,
    el,
    cells,
    driverShort: cells.driver.el.querySelector('.short')!,
    driverPill: cells.driver.el.querySelector('.pill')!,
    classLabel: cells.cls.el.querySelector('i')!,
    shownClass: el.dataset.class ?? '',
    shownStatus: status,
    shownPill: cells.status.text.textContent ?? '',
    shownPosition: cells.pos.shownText === '' || !Number.isFinite(position) ? 0 : position,
  };
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
