/**
 * The gap columns of an official timing board, worked out from Sarthe's own
 * standings with the board's display rules, so a comparison with the board
 * measures data and ordering, not convention (`sarthe check-gaps`).
 *
 * The WEC live-timing board's rules, read off the Silverstone 2019 capture
 * (every column checked against the rows of its first snapshots):
 * - Gap (to the leader): the leader's cell is empty. A car on the leader's
 *   lap shows the time to the leader. Otherwise the first car on each lap
 *   count shows "N Lap(s)" to the leader, and the cars behind it on the same
 *   lap count show the time to that first car (not to the leader).
 * - Gap prev (interval): empty for the leader; "N Lap(s)" when the car
 *   directly ahead has completed more laps, else the time to it.
 * - Class gap and class gap prev: the same two rules within the class.
 * - Times are "s.mmm" or "m:ss.mmm"; laps "1 Lap", "2 Laps".
 *
 * Sarthe's own screens follow DESIGN.md instead (a lapped car's gap is
 * always counted to the leader, in laps when a lap down at the crossing):
 * one number per car that means the same thing wherever the car is, which
 * the WEC board's "time to the first car on your lap count" does not.
 *
 * Times are taken at the line (crossing of the same lap), as the board's are:
 * a car keeps one Gap prev value for the whole lap (1,346 of 1,387 car-laps
 * at Silverstone 2019; the others change when the car ahead changes). The
 * board ranks cars on a lap count by the line too: ranking them by the
 * latest sector line instead (tried) agreed less (lap cells 94.1 % against
 * 96.9 %).
 */
import type { Standings, CarStanding } from '../model/standings.js';
import { parseClockMs } from '../model/time.js';

export type BoardCell = { kind: 'empty' } | { kind: 'laps'; laps: number } | { kind: 'time'; ms: number };
export type BoardColumn = 'gap' | 'gapPrev' | 'classGap' | 'classGapPrev';
export const BOARD_COLUMNS: readonly BoardColumn[] = ['gap', 'gapPrev', 'classGap', 'classGapPrev'];

/** An official cell as text → its value; unreadable text is null. */
export function parseBoardCell(text: string): BoardCell | null {
  const t = text.trim();
  if (t === '') return { kind: 'empty' };
  const laps = /^(\d+) Laps?$/i.exec(t);
  if (laps !== null) return { kind: 'laps', laps: Number(laps[1]) };
  if (/^\d+(:\d\d)*(\.\d{1,3})?$/.test(t)) return { kind: 'time', ms: parseClockMs(t) };
  return null;
}

export interface BoardCells {
  cells: Record<BoardColumn, BoardCell>;
  /** The car each time or lap cell is measured to (for telling ordering from data). */
  reference: Record<BoardColumn, string | null>;
}

/** The four gap cells of every car, as the board's rules would show Sarthe's standings. */
export function boardCells(standings: Standings): Map<string, BoardCells> {
  const out = new Map<string, BoardCells>();
  const cars = standings.cars;
  const byClass = new Map<string, CarStanding[]>();
  for (const car of cars) {
    let list = byClass.get(car.class);
    if (list === undefined) byClass.set(car.class, (list = []));
    list.push(car);
  }
  const toLeader = (order: CarStanding[], i: number): [BoardCell, string | null] => {
    const car = order[i]!;
    const leader = order[0]!;
    if (i === 0) return [{ kind: 'empty' }, null];
    if (car.laps === leader.laps) return [time(car, leader), leader.number];
    const firstOnLap = order.find((c) => c.laps === car.laps)!;
    if (firstOnLap === car) return [{ kind: 'laps', laps: leader.laps - car.laps }, leader.number];
    return [time(car, firstOnLap), firstOnLap.number];
  };
  const toAhead = (order: CarStanding[], i: number): [BoardCell, string | null] => {
    if (i === 0) return [{ kind: 'empty' }, null];
    const car = order[i]!;
    const ahead = order[i - 1]!;
    if (ahead.laps > car.laps) return [{ kind: 'laps', laps: ahead.laps - car.laps }, ahead.number];
    return [time(car, ahead), ahead.number];
  };
  for (const order of byClass.values()) {
    order.forEach((car, i) => {
      const [classGap, classGapRef] = toLeader(order, i);
      const [classGapPrev, classPrevRef] = toAhead(order, i);
      out.set(car.number, {
        cells: { gap: { kind: 'empty' }, gapPrev: { kind: 'empty' }, classGap, classGapPrev },
        reference: { gap: null, gapPrev: null, classGap: classGapRef, classGapPrev: classPrevRef },
      });
    });
  }
  cars.forEach((car, i) => {
    const entry = out.get(car.number)!;
    [entry.cells.gap, entry.reference.gap] = toLeader(cars, i);
    [entry.cells.gapPrev, entry.reference.gapPrev] = toAhead(cars, i);
  });
  return out;
}

function time(car: CarStanding, ahead: CarStanding): BoardCell {
  return { kind: 'time', ms: car.lastCrossingMs - ahead.lastCrossingMs };
}

/** A car's line crossings, as the IMSA rules need them (src/engine/timeline.ts's CarTimeline fits). */
export interface CrossingLookup {
  /** Laps completed at race time t (ms). */
  lapsAt(t: number): number;
  /** Race time (ms) at which `lap` was completed; NaN when unknown. */
  crossingOfLap(lap: number): number;
}

/**
 * Gap and Int as the IMSA timing screen shows them (Timing71 archive of
 * Detroit 2026; the rules read off its rows, e.g. at 27 laps: a car on 25
 * laps 1:00.781 behind the car ahead on 26 shows that time, not "1 lap").
 * The screen lists cars by class, but both columns are overall:
 * - Gap: to the overall leader; empty for the leader.
 * - Int: to the car directly ahead overall (not the line above on the
 *   class-sorted screen); for the leader, empty.
 * - Both are counted at the car's latest line crossing (lap L): if the
 *   reference car had completed n ≥ 1 more laps than L at that instant, the
 *   cell is "n lap(s)"; otherwise it is the time from the reference's
 *   crossing of lap L to the car's. So a car a lap down by count but less
 *   than a lap behind on track shows a time, unlike on the WEC board.
 * - That time is taken at the latest timing loop both cars passed, so for a
 *   car a lap down by count it is the nearer of the two ways round: the
 *   time behind the reference (its crossing of L), or, when the reference
 *   is about to lap it, the time from the car's crossing to the
 *   reference's latest one (Detroit, 59 laps to the leader's 60: #60 shows
 *   19.056, #23 ranked behind it shows 4.063, with Int 14.993 between them).
 * No class columns (the archive has none).
 */
export function imsaBoardCells(standings: Standings, crossings: (car: string) => CrossingLookup | undefined): Map<string, BoardCells> {
  const out = new Map<string, BoardCells>();
  const cars = standings.cars;
  const cell = (car: CarStanding, ref: CarStanding): BoardCell => {
    const lookup = crossings(ref.number);
    if (lookup === undefined || car.laps <= 0) return { kind: 'empty' };
    const ahead = lookup.lapsAt(car.lastCrossingMs) - car.laps;
    if (ahead >= 1) return { kind: 'laps', laps: ahead };
    const refCrossing = lookup.crossingOfLap(car.laps);
    if (!Number.isFinite(refCrossing)) return { kind: 'empty' };
    const behind = car.lastCrossingMs - refCrossing;
    // A lap down by count, less than a lap behind: the board's time is taken at the latest loop both
    // cars passed. Of the line's two readings (the car's crossing of lap L against the reference's
    // crossing of L, or against the reference's later, latest crossing), that loop gives the nearer.
    if (ref.laps > car.laps) return { kind: 'time', ms: Math.min(behind, ref.lastCrossingMs - car.lastCrossingMs) };
    return { kind: 'time', ms: behind };
  };
  cars.forEach((car, i) => {
    const leader = cars[0]!;
    const ahead = cars[i - 1];
    out.set(car.number, {
      cells: { gap: i === 0 ? { kind: 'empty' } : cell(car, leader), gapPrev: ahead === undefined ? { kind: 'empty' } : cell(car, ahead), classGap: { kind: 'empty' }, classGapPrev: { kind: 'empty' } },
      reference: { gap: i === 0 ? null : leader.number, gapPrev: ahead?.number ?? null, classGap: null, classGapPrev: null },
    });
  });
  return out;
}
