/**
 * `sarthe check-gaps FILE [--json]`: measures Sarthe against an official
 * timing board. The capture's snapshots become timing events
 * (src/sources/livetiming); at each snapshot's instant Sarthe's standings,
 * shown with the board's own display rules (src/analysis/board-gaps.ts),
 * are compared cell by cell with the official Gap, Gap prev, Class gap and
 * Class gap prev. Lap cells must agree exactly; time cells are scored by
 * their error. The WEC board's time gaps are line gaps (a car keeps one Gap
 * prev value for the whole lap: 1,346 of 1,387 car-laps at Silverstone), so
 * their error is that of Sarthe's crossing estimates from 20 s snapshots;
 * the IMSA screen's move at timing loops.
 *
 * Prints {"snapshots","cells","byKind":{"laps":{"cells","agree"},"time":{"cells",
 * "within500ms","within1s","medianAbsErrorMs"}},"disagreements":{…by reason}}.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BOARD_COLUMNS, boardCells, imsaBoardCells, parseBoardCell, type BoardCell } from '../analysis/board-gaps.js';
import { foldEvents, type RaceTimeline } from '../engine/timeline.js';
import { standingsAt } from '../engine/standings.js';
import { badRowsWarning, snapshotInstant, snapshotsToEvents, type BadBoardRow, type BoardSnapshot } from '../sources/livetiming/index.js';
import { readLiveTimingCapture } from '../sources/livetiming/sqlite.js';
import { archiveSnapshots, readTiming71Archive } from '../sources/timing71/index.js';

export interface GapCheck {
  snapshots: number;
  cells: number;
  byKind: {
    laps: { cells: number; agree: number };
    time: { cells: number; within500ms: number; within1s: number; medianAbsErrorMs: number | null };
  };
  byColumn: Record<string, { laps: number; lapsAgree: number; time: number; timeWithin1s: number }>;
  /** Cells that disagree (lap cells) or are more than 1 s off (time cells), by reason. */
  disagreements: Record<string, number>;
  unreadableCells: number;
  /** Board rows (or laps told from them) the event schema refused, left out of the comparison (snapshotsToEvents `bad`). */
  badRows: number;
}

/**
 * Whose display rules the official cells follow: the WEC board's
 * (boardCells) or the IMSA screen's in a Timing71 archive (imsaBoardCells).
 */
export type BoardRules = 'wec' | 'imsa';

/**
 * The comparison itself, on snapshots already read. WEC snapshots (20 s
 * apart, rows lagging) are compared at the instant found by boardInstant;
 * Timing71 frames (about 1 s apart, the screen as it was at that second) at
 * their own instant.
 */
export function checkGaps(snapshots: readonly BoardSnapshot[], rules: BoardRules = 'wec', onBad: (bad: readonly BadBoardRow[]) => void = () => {}): GapCheck {
  const { events, bad, zeroEpochMs, crossingWindowMs } = snapshotsToEvents(snapshots);
  if (bad.length > 0) onBad(bad);
  const timeline = foldEvents(events);
  const result: GapCheck = {
    snapshots: 0,
    cells: 0,
    byKind: { laps: { cells: 0, agree: 0 }, time: { cells: 0, within500ms: 0, within1s: 0, medianAbsErrorMs: null } },
    byColumn: {},
    disagreements: {},
    unreadableCells: 0,
    badRows: bad.length,
  };
  const errors: number[] = [];
  const disagree = (reason: string) => (result.disagreements[reason] = (result.disagreements[reason] ?? 0) + 1);
  const seen = new Set<number>();
  for (const snapshot of [...snapshots].sort((a, b) => a.timestamp - b.timestamp)) {
    if (seen.has(snapshot.timestamp)) continue;
    seen.add(snapshot.timestamp);
    result.snapshots++;
    const instant = rules === 'wec' ? boardInstant(timeline, snapshot, zeroEpochMs, crossingWindowMs) : Math.round(snapshotInstant(snapshot) - zeroEpochMs);
    const standings = standingsAt(timeline, instant);
    const ours = rules === 'wec' ? boardCells(standings) : imsaBoardCells(standings, (car) => timeline.cars.get(car));
    const position = new Map(standings.cars.map((c, i) => [c.number, { i, laps: c.laps, lastLap: c.lastCrossingMs }]));
    const officialRank = new Map(snapshot.cars.map((r) => [r.number, r]));
    for (const row of snapshot.cars) {
      const mine = ours.get(row.number);
      for (const column of BOARD_COLUMNS) {
        const official = parseBoardCell(row[column]);
        if (official === null) {
          result.unreadableCells++;
          continue;
        }
        if (official.kind === 'empty') continue;
        const col = (result.byColumn[column] ??= { laps: 0, lapsAgree: 0, time: 0, timeWithin1s: 0 });
        result.cells++;
        const cell: BoardCell = mine?.cells[column] ?? { kind: 'empty' };
        const ref = mine?.reference[column] ?? null;
        // A lap count that differs although the board's count fits the instant within Sarthe's range
        // for that crossing (range early end ≤ instant < late end, the late end being what the
        // standings use): the snapshots cannot say on which side of the instant the crossing was.
        const straddles = (car: string, laps: number): boolean => {
          const c = timeline.cars.get(car)?.crossingOfLap(laps) ?? NaN;
          return Number.isFinite(c) && c - (crossingWindowMs.get(`${car}:${laps}`) ?? 0) <= instant && instant < c;
        };
        const why = () => {
          const me = position.get(row.number);
          if (me === undefined) return 'car not in Sarthe standings';
          if (me.laps !== row.lap) return straddles(row.number, row.lap) ? 'lap count not pinned: its crossing range straddles the board\'s instant' : 'lap count differs';
          const refRow = ref === null ? undefined : officialRank.get(ref);
          if (refRow !== undefined && position.get(ref!)!.laps !== refRow.lap) {
            return straddles(ref!, refRow.lap) ? 'reference car lap count not pinned: its crossing range straddles the board\'s instant' : 'reference car lap count differs';
          }
          // The IMSA screen lists cars by class, so its line order is not an overall ranking to compare with.
          if (rules === 'imsa') return 'order differs (the screen ranks at loops, Sarthe at the line)';
          // The cars on the same lap count whose order relative to this one differs from the board's.
          const swapped = snapshot.cars.filter((other) => {
            const them = position.get(other.number);
            return other.number !== row.number && them !== undefined && them.laps === me.laps && other.lap === row.lap && (other.ranking < row.ranking) !== (them.i < me.i);
          });
          if (swapped.length === 0) return 'order differs elsewhere (a car ahead or behind changed places)';
          const range = (car: string, laps: number): [number, number] => {
            const c = timeline.cars.get(car)?.crossingOfLap(laps) ?? NaN;
            return [c - (crossingWindowMs.get(`${car}:${laps}`) ?? 0), c];
          };
          const [a0, a1] = range(row.number, me.laps);
          const open = swapped.some((other) => {
            const [b0, b1] = range(other.number, me.laps);
            return a0 <= b1 && b0 <= a1;
          });
          return open ? 'order not pinned: the two crossings could be either way round (snapshot brackets overlap)' : 'order differs with both crossings pinned';
        };
        if (official.kind === 'laps') {
          result.byKind.laps.cells++;
          col.laps++;
          if (cell.kind === 'laps' && cell.laps === official.laps) {
            result.byKind.laps.agree++;
            col.lapsAgree++;
          } else disagree(`laps: ${why()}`);
          continue;
        }
        result.byKind.time.cells++;
        col.time++;
        if (cell.kind !== 'time') {
          disagree(`time: Sarthe shows ${cell.kind === 'laps' ? 'laps' : 'nothing'}; ${why()}`);
          continue;
        }
        const error = Math.abs(cell.ms - official.ms);
        errors.push(error);
        if (error <= 500) result.byKind.time.within500ms++;
        if (error <= 1000) {
          result.byKind.time.within1s++;
          col.timeWithin1s++;
        } else {
          const me = position.get(row.number)!;
          const window = Math.max(crossingWindowMs.get(`${row.number}:${me.laps}`) ?? 0, ref === null ? 0 : (crossingWindowMs.get(`${ref}:${position.get(ref)?.laps}`) ?? 0));
          // The WEC board's gaps are line gaps (one value per car for the whole lap: 1,346 of 1,387
          // car-laps), so there a pinned error is Sarthe's crossing estimate; the IMSA screen's move at loops.
          const between = rules === 'wec' ? 'crossings pinned by the brackets, yet off (lap times that do not chain line to line)' : 'loop vs line (the gap changed since the line)';
          disagree(window > 1000 ? 'time: line crossing not pinned by the snapshots (bracket > 1 s)' : `time: ${error > 10_000 ? 'over 10 s: ' + why() : between}`);
        }
      }
    }
  }
  errors.sort((a, b) => a - b);
  result.byKind.time.medianAbsErrorMs = errors.length === 0 ? null : errors[Math.floor(errors.length / 2)]!;
  return result;
}

/**
 * The instant a snapshot's data describe, as race ms. It is not given: the
 * rows lag the snapshot's timestamp by up to ~20 s, and not all by the same.
 * Of the line crossings within the 40 s before the latest loop passing the
 * snapshot shows, the instant just after the one at which Sarthe's lap
 * counts agree with the board's for the most cars (ties: the latest) is
 * taken. The lap counts then no longer measure timing; the cells' rules,
 * the order and the times still do.
 */
export function boardInstant(timeline: RaceTimeline, snapshot: BoardSnapshot, zeroEpochMs: number, windows: ReadonlyMap<string, number> = new Map()): number {
  const latest = Math.round(snapshotInstant(snapshot) - zeroEpochMs);
  const from = latest - 40_000;
  // Each crossing, and the instant just before it: when only the first crossing in the window
  // is one the board has not shown yet, the instant before it is the one that agrees.
  const candidates = new Set<number>([from, latest]);
  for (const car of timeline.cars.values()) {
    for (let i = car.indexAt(from); i < car.indexAt(latest); i++) {
      candidates.add(car.crossings[i]!);
      candidates.add(car.crossings[i]! - 1);
    }
  }
  // A car agrees at t when its board lap count n fits t within Sarthe's uncertainty: its
  // crossing of n lies in [estimate − window, estimate] (the estimate is the bracket's late
  // end), so t ≥ that earliest and t before its crossing of n + 1. A disagreement then says
  // the instant is wrong, not that a crossing the snapshots could not pin was misplaced.
  const fits = (row: BoardSnapshot['cars'][number], t: number): boolean => {
    const car = timeline.cars.get(row.number);
    if (car === undefined) return row.lap === 0;
    if (car.lapsAt(t) === row.lap) return true;
    const own = row.lap >= 1 ? car.crossingOfLap(row.lap) : 0;
    const next = car.crossingOfLap(row.lap + 1);
    if (!Number.isFinite(own)) return false;
    return t >= own - (windows.get(`${row.number}:${row.lap}`) ?? 0) && !(t >= next);
  };
  let best = latest;
  let bestAgree = -1;
  for (const t of [...candidates].sort((a, b) => a - b)) {
    let agree = 0;
    for (const row of snapshot.cars) if (fits(row, t)) agree++;
    if (agree >= bestAgree) {
      bestAgree = agree;
      best = t;
    }
  }
  return best;
}

export function registerCheckGaps(program: Command): void {
  program
    .command('check-gaps')
    .description('compare the gaps Sarthe computes with an official timing board, snapshot by snapshot')
    .argument('<file>', 'a live-timing capture (.sqlite, WEC board snapshots) or a Timing71 replay archive (.zip, IMSA screen)')
    .option('--json', 'print one JSON object (the default output is the same JSON, indented)')
    .action((file: string, options: { json?: boolean }) => {
      let result: GapCheck;
      const warn = (bad: readonly BadBoardRow[]) => process.stderr.write(badRowsWarning(file, bad));
      if (/\.(sqlite|db)$/i.test(file)) result = checkGaps(readLiveTimingCapture(resolve(file)), 'wec', warn);
      else if (/\.zip$/i.test(file)) result = checkGaps(archiveSnapshots(readTiming71Archive(readFileSync(resolve(file)), file)), 'imsa', warn);
      else throw new Error(`${file}: check-gaps reads a WEC live-timing capture (.sqlite) or a Timing71 replay archive (.zip)`);
      process.stdout.write(`${JSON.stringify(result, null, options.json ? undefined : 2)}\n`);
    });
}
