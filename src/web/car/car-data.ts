/**
 * What the car page shows, read from the server's analysis endpoints (shapes
 * are src/analysis's records as JSON). Pure: the adapters are unit-tested.
 */
import type { CarDriveTime } from '../../analysis/drive-time.js';
import type { PitStop } from '../../analysis/pits.js';
import type { DriverRuleCheck } from '../../analysis/rules.js';
import type { CarStint, DriverStint } from '../../analysis/stints.js';
import type { LapEvent } from '../../model/events.js';

/** A completed lap as the car page needs it. */
export type CarLap = Pick<LapEvent, 'lap' | 'crossingMs' | 'lapMs' | 'sectorsMs' | 'driverNumber' | 'driverName' | 'inPit' | 'pitLaneMs' | 'flag'>;

export interface CarPageData {
  laps: CarLap[];
  pitStops: PitStop[];
  carStints: CarStint[];
  driverStints: DriverStint[];
  driveTime: CarDriveTime | null;
  /** Drive time against the regulation profile; null when the server has none. */
  checks: DriverRuleCheck[] | null;
  rulesName: string | null;
}

/** Stints of one car laid out on a race-time axis (also used by the strategy chart). */
export interface StintBar {
  startMs: number;
  endMs: number;
  driverNumber: number;
  driver: string;
  laps: number;
}

export function stintBars(stints: readonly DriverStint[] | readonly CarStint[]): StintBar[] {
  return stints.map((s) => {
    const driver = 'driver' in s ? s.driver : s.drivers[0];
    return {
      startMs: s.startMs,
      endMs: s.endMs,
      driverNumber: driver?.number ?? 0,
      driver: driver?.displayName ?? driver?.name ?? '',
      laps: s.laps,
    };
  });
}

/**
 * A y range for lap times that shows racing laps, not the 20-minute pit
 * laps that would flatten them: from just under the best to a little over
 * the slowest "normal" lap (median × 1.6, which keeps safety car laps).
 */
export function lapTimeRange(laps: readonly CarLap[]): [number, number] {
  const times = laps.map((l) => l.lapMs).sort((a, b) => a - b);
  if (times.length === 0) return [0, 1];
  const best = times[0]!;
  const median = times[Math.floor(times.length / 2)]!;
  const ceiling = median * 1.6;
  let slowest = best;
  for (const t of times) if (t <= ceiling) slowest = t;
  const pad = Math.max(1000, (slowest - best) * 0.06);
  return [Math.max(0, best - pad), slowest + pad];
}

/** A stretch of race time under one flag. */
export interface FlagSpan {
  flag: string;
  startMs: number;
  /** null while still shown. */
  endMs: number | null;
  /** Read from lap and sector times (the feed has no flags), not shown by race control. */
  inferred?: boolean;
}

/**
 * GET …/flags as spans: the server's flag changes at the line
 * (`{ known, changes: [{ atMs, flag }] }`), or analysis periods
 * (`{ known, periods }`), or, for a feed without flags, the safety cars
 * and FCYs the analysis inferred (`{ known: false, inferred }`, marked
 * `inferred`). null when there is nothing to show.
 */
export function readFlags(json: unknown): FlagSpan[] | null {
  if (isObject(json) && json.known === false && Array.isArray(json.inferred)) {
    const spans = list<{ kind: string; startMs: number; endMs: number }>(json.inferred)
      .filter((p) => p.kind === 'safety-car' || p.kind === 'fcy')
      .map((p) => ({ flag: p.kind, startMs: p.startMs, endMs: p.endMs, inferred: true }));
    return spans.length === 0 ? null : spans;
  }
  if (!isObject(json) || json.known !== true) return null;
  if (Array.isArray(json.periods)) return list<FlagSpan>(json.periods);
  const changes = list<{ atMs: number; flag: string }>(json.changes);
  return changes.map((c, i) => ({ flag: c.flag, startMs: c.atMs, endMs: changes[i + 1]?.atMs ?? null }));
}

/** Flag spans as lap ranges of one car: the laps it completed under each flag. */
export function flagLapRanges(spans: readonly FlagSpan[] | null, laps: readonly CarLap[]): Array<{ flag: string; fromLap: number; toLap: number }> {
  if (spans === null || laps.length === 0) return [];
  const ranges: Array<{ flag: string; fromLap: number; toLap: number }> = [];
  for (const span of spans) {
    if (span.flag === 'green' || span.flag === 'finish') continue;
    const end = span.endMs ?? Infinity;
    let from: number | null = null;
    let to: number | null = null;
    for (const lap of laps) {
      // The flag is read at the line: a lap completed in the span was run (at least partly) under it.
      if (lap.crossingMs >= span.startMs && lap.crossingMs < end) {
        from ??= lap.lap;
        to = lap.lap;
      }
    }
    if (from !== null && to !== null) ranges.push({ flag: span.flag, fromLap: from - 1, toLap: to });
  }
  return ranges;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/**
 * GET /api/races/:race/cars/:car as the car page needs it. The server nests
 * the analysis records (pit stops, stints, drive time, rule checks) in one
 * object; absent parts read as empty rather than failing the page.
 */
export function readCarPage(json: unknown): CarPageData {
  const body = isObject(json) ? json : {};
  const stints = isObject(body.stints) ? body.stints : {};
  const rules = isObject(body.rules) ? body.rules : null;
  const drive = isObject(body.driveTime) ? body.driveTime : isObject(body.drivers) ? body.drivers : null;
  return {
    laps: list<CarLap>(body.laps),
    pitStops: list<PitStop>(body.pitStops ?? body.stops),
    carStints: list<CarStint>(stints.carStints ?? body.carStints),
    driverStints: list<DriverStint>(stints.driverStints ?? body.driverStints),
    driveTime: drive === null ? null : (drive as unknown as CarDriveTime),
    checks: rules === null ? (Array.isArray(body.checks) ? (body.checks as DriverRuleCheck[]) : null) : list<DriverRuleCheck>(rules.checks),
    rulesName: rules !== null && typeof rules.name === 'string' ? rules.name : null,
  };
}
