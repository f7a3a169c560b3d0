/**
 * Pit stops per car, from the in-laps (`inPit`) and the pit exits.
 *
 * A stop is an in-lap; it is complete once the car has left the pits (a
 * pit-out event, or an out-lap carrying the pit lane time) at or before `at`.
 * Pit lane time is Al Kamel's PIT_TIME, on the out-lap.
 *
 * "Usual" stop: the median pit lane time of the car's complete stops up to
 * `at`; with fewer than MIN_OWN_STOPS of them, the median of all complete
 * stops of its class. A stop is long when it took at least LONG_STOP_EXTRA
 * (or half the usual, whichever is more) longer than usual; its time lost is
 * its pit lane time minus the usual. A median ignores the odd long stop, so
 * one 20-minute repair does not make 20 minutes "usual".
 */
import type { FlagState, LapEvent } from '../model/events.js';
import { SECOND } from '../model/time.js';
import type { CarTimeline, RaceTimeline } from '../engine/timeline.js';
import { flagStateAt, instant, median, pitPartsOf, pitPartsOfLap, raceIndex, type RaceIndex } from './race-index.js';
import { inferredNeutralisationAt } from './neutralisations.js';
import type { PitBasis } from '../model/pit.js';
import { rosterOf, type DriverRef, type Roster } from './roster.js';
import type { AnalysisOptions } from './options.js';

export const MIN_OWN_STOPS = 3;
export const LONG_STOP_EXTRA_MS = 45 * SECOND;

export type { AnalysisOptions };

export interface PitStop {
  car: string;
  class: string;
  /** 1-based, per car, in race order. */
  number: number;
  inLap: number;
  /** The lap after the in-lap; null while the car is still in the pits at `at`. */
  outLap: number | null;
  /** Race time of the in-lap's crossing (the line is in the pit lane). */
  inMs: number;
  inTimeOfDayMs: number | null;
  /**
   * Estimated race time the car entered and left the pit lane. The line lies
   * somewhere in the pit lane (before the boxes at Le Mans, after them at
   * Imola or Daytona), so the stop is shared between in-lap and out-lap as
   * race-index.ts pitPartsOfLap explains; known once the out-lap is completed.
   * Before that, outMs is the pit exit the source reported, and entry is null.
   */
  pitEntryMs: number | null;
  outMs: number | null;
  /** How entry and exit were placed: from the circuit profile's measured pit lane, or estimated from lap times (model/pit.ts). */
  basis: PitBasis;
  /**
   * When the data first showed the car had left: the source's pit exit event,
   * else the out-lap's crossing. Fixed once known, unlike the estimate above,
   * so hour facts place a driver change in the hour it became known.
   */
  exitKnownMs: number | null;
  /** Time in the pit lane; null while in the pits at `at`. */
  pitLaneMs: number | null;
  /** In the pits for this long so far at `at` (equals pitLaneMs once complete). */
  elapsedMs: number;
  driverIn: DriverRef;
  /** Who left the pits; null while in the pits. */
  driverOut: DriverRef | null;
  driverChange: boolean | null;
  /**
   * Course state when the car came in (the pit exit closes under a safety car
   * at Le Mans). For a file without flags: a safety car or FCY inferred from
   * sector times (neutralisations.ts), else 'unknown'; `flagAtEntryInferred` says so.
   */
  flagAtEntry: FlagState;
  flagAtEntryInferred: boolean;
  /** The car's usual pit lane time at `at` (see above); null when too few stops to say. */
  usualPitLaneMs: number | null;
  /**
   * 'safety-car': the stop began under a safety car (race control's or
   * inferred), when the pit exit may be closed, so it is judged against the
   * median of its class's stops under a safety car instead.
   */
  usualFrom: 'car' | 'class' | 'safety-car' | null;
  /** Pit lane time minus the usual, when both are known (negative for a quick stop). */
  lostMs: number | null;
  /** Far longer than usual (still in the pits counts once it already is). */
  long: boolean;
}

/** Pit lane time on a lap that no in-lap announced: a pit lane start, or a red-flag hold. */
export interface UnmarkedPitTime {
  car: string;
  lap: number;
  atMs: number;
  pitLaneMs: number;
  reason: 'pit-lane-start' | 'no-in-lap';
}

/** The stops of one car up to `at`, without the "usual" judgement. */
export function carPitStops(car: CarTimeline, at: number, roster: Roster, timeline: RaceTimeline): PitStop[] {
  const index = raceIndex(timeline);
  const n = car.indexAt(at);
  const stops: PitStop[] = [];
  for (let i = 0; i < n; i++) {
    const lap = car.laps[i]!;
    if (!lap.inPit) continue;
    const outLap: LapEvent | undefined = i + 1 < n ? car.laps[i + 1] : undefined;
    // The latest pit exit before the out-lap ends (or before `at`) is this stop's, if any.
    const pitOut = car.pitOutAt(Math.min(outLap?.crossingMs ?? at, at));
    const exit = pitOut !== undefined && pitOut.lap === lap.lap + 1 ? pitOut : undefined;
    const pitLaneMs = outLap?.pitLaneMs ?? exit?.pitLaneMs ?? null;
    const complete = pitLaneMs !== null || outLap !== undefined;
    const driverIn = roster.driver(car.number, lap.driverNumber, lap.driverName);
    const driverOut = outLap
      ? roster.driver(car.number, outLap.driverNumber, outLap.driverName)
      : exit && exit.driverNumber !== null
        ? roster.driver(car.number, exit.driverNumber, exit.driverName)
        : null;
    stops.push({
      car: car.number,
      class: car.entry.class,
      number: stops.length + 1,
      inLap: lap.lap,
      outLap: complete ? lap.lap + 1 : null,
      inMs: lap.crossingMs,
      inTimeOfDayMs: lap.timeOfDayMs,
      pitEntryMs: outLap === undefined ? null : lap.crossingMs - pitPartsOfLap(index, car, i, n)[1],
      outMs: outLap !== undefined ? lap.crossingMs + pitPartsOfLap(index, car, i + 1, n)[0] : (exit?.atMs ?? null),
      basis: pitPartsOf(index, car).basis,
      exitKnownMs: exit?.atMs ?? outLap?.crossingMs ?? null,
      pitLaneMs,
      elapsedMs: pitLaneMs ?? Math.max(0, at - lap.crossingMs),
      driverIn,
      driverOut,
      driverChange: driverOut === null ? null : driverOut.number !== driverIn.number,
      ...flagAtEntry(index, lap.crossingMs, at),
      usualPitLaneMs: null,
      usualFrom: null,
      lostMs: null,
      long: false,
    });
  }
  return stops;
}

/** The flag as the car came in (at the in-lap's crossing of the line in the pit lane). */
function flagAtEntry(index: RaceIndex, entryMs: number, at: number): { flagAtEntry: FlagState; flagAtEntryInferred: boolean } {
  if (index.hasFlags) return { flagAtEntry: flagStateAt(index, entryMs), flagAtEntryInferred: false };
  const neutral = inferredNeutralisationAt(index.inferred(at), entryMs);
  return neutral === null ? { flagAtEntry: 'unknown', flagAtEntryInferred: false } : { flagAtEntry: neutral.kind === 'safety-car' ? 'safety-car' : 'fcy', flagAtEntryInferred: true };
}

/** Every car's stops up to `at`, each judged against the car's usual stop. */
export function pitStops(timeline: RaceTimeline, options: AnalysisOptions = {}): PitStop[] {
  const at = instant(timeline, options.at);
  const roster = rosterOf(timeline, options.entryList);
  const byCar = new Map<string, PitStop[]>();
  for (const car of timeline.cars.values()) byCar.set(car.number, carPitStops(car, at, roster, timeline));
  const classTimes = new Map<string, number[]>();
  for (const stops of byCar.values()) {
    for (const s of stops) {
      if (s.pitLaneMs === null) continue;
      let list = classTimes.get(s.class);
      if (list === undefined) classTimes.set(s.class, (list = []));
      list.push(s.pitLaneMs);
    }
  }
  const classUsual = new Map<string, number | null>();
  for (const [cls, times] of classTimes) classUsual.set(cls, times.length >= MIN_OWN_STOPS ? median(times) : null);
  const underSafetyCar = (s: PitStop) => s.flagAtEntry === 'safety-car';
  const safetyCarTimes = new Map<string, number[]>();
  for (const stops of byCar.values()) {
    for (const s of stops) {
      if (s.pitLaneMs === null || !underSafetyCar(s)) continue;
      let list = safetyCarTimes.get(s.class);
      if (list === undefined) safetyCarTimes.set(s.class, (list = []));
      list.push(s.pitLaneMs);
    }
  }
  const safetyCarUsual = (cls: string) => {
    const times = safetyCarTimes.get(cls) ?? [];
    return times.length >= MIN_OWN_STOPS ? median(times) : null;
  };

  // A stop that overlaps a safety-car period queues at the pit exit with that period's field: it is
  // judged against the stops (every class) that overlap the same period (Le Mans 2024: 36 stops under the
  // 6:37 safety car took a median 177 s; the #50's 178 s was no loss).
  const periods = safetyCarPeriods(timeline, at);
  const periodOf = (s: PitStop): number => {
    const from = s.pitEntryMs ?? s.inMs;
    const to = s.outMs ?? from + (s.pitLaneMs ?? 0);
    return periods.findIndex((p) => p.startMs <= to && from <= p.endMs);
  };
  const periodTimes = periods.map(() => [] as number[]);
  for (const stops of byCar.values()) {
    for (const s of stops) {
      const i = s.pitLaneMs === null ? -1 : periodOf(s);
      if (i >= 0) periodTimes[i]!.push(s.pitLaneMs!);
    }
  }

  const wanted = options.cars === undefined ? null : new Set(options.cars);
  const result: PitStop[] = [];
  for (const [number, stops] of byCar) {
    if (wanted !== null && !wanted.has(number)) continue;
    const own = stops.flatMap((s) => (s.pitLaneMs === null ? [] : [s.pitLaneMs]));
    const usual = own.length >= MIN_OWN_STOPS ? median(own) : (classUsual.get(stops[0]?.class ?? '') ?? null);
    const from = own.length >= MIN_OWN_STOPS ? 'car' : usual === null ? null : 'class';
    for (const s of stops) {
      const underSc = underSafetyCar(s) ? safetyCarUsual(s.class) : null;
      const period = periodOf(s);
      const inPeriod = period >= 0 && periodTimes[period]!.length >= MIN_OWN_STOPS ? median(periodTimes[period]!) : null;
      const neutral = Math.max(underSc ?? 0, inPeriod ?? 0);
      result.push(neutral === 0 ? judgeStop(s, usual, from) : judgeStop(s, Math.max(neutral, usual ?? 0), 'safety-car'));
    }
  }
  return result;
}

/** Safety-car periods up to `at` (race ms): race control's, else those inferred from sector times. */
function safetyCarPeriods(timeline: RaceTimeline, at: number): Array<{ startMs: number; endMs: number }> {
  if (!timeline.hasFlags) return raceIndex(timeline).inferred(at).filter((p) => p.kind === 'safety-car').map((p) => ({ startMs: p.startMs, endMs: p.endMs }));
  const out: Array<{ startMs: number; endMs: number }> = [];
  const changes = timeline.flagChanges();
  changes.forEach((c, i) => {
    if (c.flag === 'safety-car' && c.atMs <= at) out.push({ startMs: c.atMs, endMs: changes[i + 1]?.atMs ?? at });
  });
  return out;
}

export function isLongStop(elapsedMs: number, usualMs: number): boolean {
  return elapsedMs - usualMs >= Math.max(LONG_STOP_EXTRA_MS, usualMs / 2);
}

function judgeStop(stop: PitStop, usual: number | null, from: PitStop['usualFrom']): PitStop {
  if (usual === null) return stop;
  return {
    ...stop,
    usualPitLaneMs: usual,
    usualFrom: from,
    lostMs: stop.pitLaneMs === null ? null : stop.pitLaneMs - usual,
    long: isLongStop(stop.elapsedMs, usual),
  };
}

/** Pit lane times on laps not preceded by an in-lap, listed rather than guessed into stops. */
export function unmarkedPitTimes(timeline: RaceTimeline, options: AnalysisOptions = {}): UnmarkedPitTime[] {
  const at = instant(timeline, options.at);
  const found: UnmarkedPitTime[] = [];
  for (const car of timeline.cars.values()) {
    const n = car.indexAt(at);
    for (let i = 0; i < n; i++) {
      const lap = car.laps[i]!;
      if (lap.pitLaneMs === null || (i > 0 && car.laps[i - 1]!.inPit)) continue;
      found.push({
        car: car.number,
        lap: lap.lap,
        atMs: lap.crossingMs,
        pitLaneMs: lap.pitLaneMs,
        reason: i === 0 ? 'pit-lane-start' : 'no-in-lap',
      });
    }
  }
  return found;
}
