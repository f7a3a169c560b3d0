/**
 * Classification at any instant t, computed from the timeline index without
 * refolding: per car a binary search for its laps at t, then one sort.
 *
 * Order (DESIGN.md): more laps first; equal laps → who completed that lap
 * earlier. Gaps follow the DESIGN.md definition exactly (see gap.ts).
 */
import type { Best, CarStanding, CarStatus, Gap, Standings } from '../model/standings.js';
import { decisionsAt, finalLapPenalty, finalLapReason, minimumLaps, shortDistanceReason } from './classification.js';
import { finishIndex, overdueAt, redFlagResultMs } from './finish.js';
import { RETIRED_REASON } from '../model/format.js';
import { MINUTE } from '../model/time.js';
import { gapBehind, type CarAtInstant, type GapRule } from './gap.js';
import type { CarTimeline, RaceTimeline } from './timeline.js';

export interface StandingsOptions {
  /** Only this class (compared case-insensitively, spaces ignored). */
  className?: string;
  /**
   * Where time gaps are measured (gap.ts): 'line' (the default: the
   * classification at the line, as official boards and the reports give it)
   * or 'timing-points' (the live timing screen: at S1, S2 and the line).
   */
  gaps?: GapRule;
}

interface Row extends CarAtInstant {
  /** Index into car.laps of the last completed lap counted, or -1. */
  last: number;
  status: CarStatus;
  driverNumber: number | null;
  driver: string;
  /** Laps before decisions and final-lap deductions (what the car completed). */
  rawLaps: number;
  /** Race time of the last counted crossing plus any time added, for the order. */
  timeMs: number;
  /** Decisions or final-lap rules changed its laps: gaps compare laps, then timeMs. */
  adjusted: boolean;
  /** Time race control added to its race time by the instant, ms (timeMs includes it). */
  addedMs: number;
  /** Once the result stands: classified or not (undefined while still running to the flag). */
  classified?: boolean;
  reason?: string;
  /** Disqualified cars are listed last, after the other unclassified ones. */
  disqualified: boolean;
}

/** Normalises a class name for matching: "LMGTE Am" = "lmgteam" = "LMGTE-AM". */
export function classKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * A car counts as stopped after this long without crossing the line or
 * leaving the pits: three of its best laps, and never less than 10 minutes
 * (safety car laps at Le Mans run close to twice a racing lap).
 */
export function stoppedAfterMs(car: CarTimeline, index: number, underSafetyCar = false): number {
  const best = index >= 0 ? car.bestLapAt(index) : Infinity;
  const base = Number.isFinite(best) ? Math.max(3 * best, 10 * MINUTE) : 15 * MINUTE;
  // Behind a safety car a lap may take three best laps and more: the queue held at pit exit (Le Mans 2024,
  // 12:49–13:00: laps of 10m49s under SF, three times a 3m27s best). Twice the silence before "stopped".
  return underSafetyCar ? 2 * base : base;
}

/** The safety car was out at t or at the car's last sighting (race control's flags; none without them). */
export function underSafetyCarAt(timeline: RaceTimeline, t: number, lastSeenMs: number): boolean {
  return timeline.hasFlags && (timeline.flagAt(t) === 'safety-car' || timeline.flagAt(lastSeenMs) === 'safety-car');
}

/**
 * The classification at race time t (null: after everything known).
 *
 * Decisions announced by t apply (laps deducted, time added, DSQ, NC). Once
 * the chequered flag has fallen (finish.ts), each car's laps stop at its own
 * finish crossing, and the result applies the timeline's classification
 * profile: DSQ and NC decisions, taking the flag (a car still short of the
 * line is undecided until it is overdue), the final-lap rule, then the
 * minimum distance against the overall winner. Unclassified cars follow the
 * classified ones, disqualified cars last; gaps then compare laps at the
 * finish, then time (a lap down at the flag is "1 lap").
 */
export function standingsAt(timeline: RaceTimeline, t: number | null, options: StandingsOptions = {}): Standings {
  const at = t ?? timeline.lastEventMs;
  const chequeredMs = timeline.chequeredMs();
  const raceOver = chequeredMs !== null && at >= chequeredMs;
  const redFlagMs = chequeredMs === null ? redFlagResultMs(timeline) : null;
  const declared = redFlagMs !== null && at >= redFlagMs;
  const profile = timeline.classification;
  // A drive-through or stop-and-go converts to time only once the result is final: the flag, or a
  // red-flag result of a whole file or declared by race control (live, a red flag may yet be lifted).
  const finalRedFlagMs = redFlagMs !== null && (timeline.complete || timeline.decisions.some((d) => d.kind === 'result-declared')) ? redFlagMs : null;
  const decided = decisionsAt(timeline.decisions, at, chequeredMs ?? finalRedFlagMs);
  const rows: Row[] = [];
  // After the flag: cars one lap late to the line, and how many are still on time.
  const late: Row[] = [];
  let expected = 0;
  for (const car of timeline.cars.values()) {
    // Declared under red flag, each car stands as it was when the race was stopped, whatever
    // instant is asked after it (a decision announced later moves `at`, not the result).
    const stateAt = declared ? redFlagMs : at;
    let n = car.indexAt(stateAt);
    const finish = raceOver ? finishIndex(car, chequeredMs) : -1;
    const finished = finish >= 0 && finish < n;
    if (finished) n = finish + 1;
    const last = n - 1;
    const lastLap = car.lapAtIndex(last);
    const rawLaps = lastLap?.lap ?? 0;
    const lastCrossingMs = lastLap?.crossingMs ?? 0;
    const pitOut = car.pitOutAt(stateAt);
    const leftPitsSinceCrossing = !finished && pitOut !== undefined && pitOut.atMs > lastCrossingMs;
    const lastSeenMs = leftPitsSinceCrossing ? pitOut.atMs : lastCrossingMs;
    // The safety car only lengthens the threshold (stoppedAfterMs): the flags are read only for a
    // car silent past the plain one, so the live read after a commit of late laps does not place
    // their flags (a merge from the earliest of them) for cars that are running.
    const silence = stateAt - lastSeenMs;
    const silentTooLong = !finished && silence > stoppedAfterMs(car, last) && silence > stoppedAfterMs(car, last, underSafetyCarAt(timeline, stateAt, lastSeenMs));

    let status: CarStatus;
    if (finished) status = 'finished';
    else if (silentTooLong) status = raceOver ? 'retired' : lastLap?.inPit && !leftPitsSinceCrossing ? 'in-pit' : 'stopped';
    else if (lastLap?.inPit && !leftPitsSinceCrossing) status = 'in-pit';
    else if (leftPitsSinceCrossing) status = 'out-lap';
    else status = 'running';

    // Who is at the wheel: whoever left the pits last, else the last lap's driver.
    const driverNumber = leftPitsSinceCrossing && pitOut.driverNumber !== null ? pitOut.driverNumber : (lastLap?.driverNumber ?? null);
    const driver = leftPitsSinceCrossing && pitOut.driverNumber !== null ? pitOut.driverName : (lastLap?.driverName ?? '');

    const d = decided.get(car.number);
    let laps = Math.max(0, rawLaps - (d?.lapsDeducted ?? 0));
    const row: Row = {
      car,
      laps,
      lastCrossingMs,
      // A car parked in the garage is treated like a stopped one for gaps,
      // or its gap would freeze at its last crossing (DESIGN.md, Gap).
      stationary: silentTooLong,
      last,
      status,
      driverNumber,
      driver,
      rawLaps,
      timeMs: lastCrossingMs + (d?.addedMs ?? 0),
      adjusted: d !== undefined && d.lapsDeducted > 0,
      addedMs: d?.addedMs ?? 0,
      disqualified: d?.disqualified != null,
    };
    if (raceOver) {
      if (d?.disqualified) setOut(row, `disqualified${d.disqualified.reason ? `: ${d.disqualified.reason}` : ''}`);
      else if (d?.notClassified) setOut(row, `not classified${d.notClassified.reason ? `: ${d.notClassified.reason}` : ''}`);
      else if (finished) {
        const penalty = finalLapPenalty(profile, car, finish);
        if (penalty === 'not-classified') setOut(row, finalLapReason(car, finish, profile));
        else {
          if (penalty > 0) {
            row.laps = laps = Math.max(0, laps - penalty);
            row.adjusted = true;
          }
          row.classified = true;
        }
      } else if (!profile.mustTakeFlag) row.classified = true;
      else if (chequeredMs - lastSeenMs > stoppedAfterMs(car, last)) setOut(row, RETIRED_REASON);
      // Still short of the line: out once it is two of its laps late, or one
      // lap late with no other car still expected at the line (the real
      // finishing laps of the Le Mans, WEC and IMSA files run at most 1.2× the
      // lap before, bar a final lap with a stop in it).
      else if (silentTooLong || overdueAt(car, last, at, 2) || last < 0) takeOut(row);
      else if (overdueAt(car, last, at)) late.push(row);
      else expected++;
    } else if (declared) {
      // Declared under red flag: nobody takes a flag; a car already stopped for good retired.
      if (d?.disqualified) setOut(row, `disqualified${d.disqualified.reason ? `: ${d.disqualified.reason}` : ''}`);
      else if (d?.notClassified) setOut(row, `not classified${d.notClassified.reason ? `: ${d.notClassified.reason}` : ''}`);
      else if (last < 0 || redFlagMs - lastSeenMs > stoppedAfterMs(car, last)) setOut(row, RETIRED_REASON);
      else row.classified = true;
    } else if (d?.disqualified) {
      setOut(row, `disqualified${d.disqualified.reason ? `: ${d.disqualified.reason}` : ''}`);
    }
    rows.push(row);
  }
  if (expected === 0) for (const row of late) takeOut(row);

  const resultStands = raceOver || declared;
  if (resultStands && profile.minDistanceShare !== null) {
    const share = profile.minDistanceShare;
    const winner = rows.filter((r) => r.classified === true).sort(compareRows)[0];
    if (winner !== undefined) {
      const minimum = minimumLaps(share, winner.laps);
      for (const row of rows) if (row.classified === true && row.laps < minimum) setOut(row, shortDistanceReason(share, row.laps, winner.laps));
    }
  }

  rows.sort(resultStands ? compareResultRows : compareRows);
  const gapRule = options.gaps ?? 'line';
  const gap = (a: Row, b: Row): Gap => {
    if (resultStands || a.adjusted || b.adjusted) return resultGap(a, b);
    return a.addedMs > 0 || b.addedMs > 0 ? penalisedGap(a, b, at, gapRule) : gapBehind(a, b, at, gapRule);
  };

  // Best laps and sectors at t, overall and per class, from the prefix indexes.
  const overallBest = newBests();
  const classBest = new Map<string, Bests>();
  for (const row of rows) {
    if (row.last < 0) continue;
    const key = row.car.entry.class;
    let cb = classBest.get(key);
    if (cb === undefined) classBest.set(key, (cb = newBests()));
    const lapBest = row.car.bestLapAt(row.last);
    if (lapBest < overallBest.lap) overallBest.lap = lapBest;
    if (lapBest < cb.lap) cb.lap = lapBest;
    for (let s = 0; s < 3; s++) {
      const sb = row.car.bestSectorAt(s, row.last);
      if (sb < overallBest.sectors[s]!) overallBest.sectors[s] = sb;
      if (sb < cb.sectors[s]!) cb.sectors[s] = sb;
    }
  }

  const wanted = options.className === undefined ? undefined : classKey(options.className);
  const classLeader = new Map<string, Row>();
  const classAhead = new Map<string, Row>();
  const classCount = new Map<string, number>();
  const leader = rows[0];
  const cars: CarStanding[] = [];
  rows.forEach((row, i) => {
    const entry = row.car.entry;
    const cls = entry.class;
    const classPosition = (classCount.get(cls) ?? 0) + 1;
    classCount.set(cls, classPosition);
    const cLeader = classLeader.get(cls) ?? row;
    if (!classLeader.has(cls)) classLeader.set(cls, row);
    const cAhead = classAhead.get(cls);
    classAhead.set(cls, row);
    if (wanted !== undefined && classKey(cls) !== wanted) return;

    const lap = row.car.lapAtIndex(row.last);
    const cb = classBest.get(cls) ?? newBests();
    const personalBestLap = row.last >= 0 ? row.car.bestLapAt(row.last) : Infinity;
    // Lap numbers of in-laps (0: none), so that no index is looked up.
    const lastInLap = row.last >= 0 ? row.car.lastInLapNumberAt(row.last) : 0;
    // While in the pits the stint just ended is shown; after leaving, the new one.
    const stintStart =
      lap !== undefined && lastInLap === lap.lap && row.status === 'in-pit'
        ? row.last > 0
          ? row.car.lastInLapNumberAt(row.last - 1)
          : 0
        : lastInLap;
    cars.push({
      position: i + 1,
      number: row.car.number,
      class: cls,
      classPosition,
      group: entry.group,
      team: entry.team,
      manufacturer: entry.manufacturer,
      driver: row.driver,
      driverNumber: row.driverNumber,
      laps: row.laps,
      gap: leader === undefined ? null : gap(leader, row),
      interval: i === 0 ? null : gap(rows[i - 1]!, row),
      classGap: gap(cLeader, row),
      classInterval: cAhead === undefined ? null : gap(cAhead, row),
      lastLapMs: lap?.lapMs ?? null,
      lastLapBest: lap === undefined ? null : rank(lap.lapMs, personalBestLap, cb.lap, overallBest.lap),
      bestLapMs: Number.isFinite(personalBestLap) ? personalBestLap : null,
      lastSectorsMs: lap === undefined ? [null, null, null] : [lap.sectorsMs[0], lap.sectorsMs[1], lap.sectorsMs[2]],
      lastSectorsBest: [0, 1, 2].map((s) => {
        const value = lap?.sectorsMs[s] ?? null;
        if (value === null) return null;
        return rank(value, row.car.bestSectorAt(s, row.last), cb.sectors[s]!, overallBest.sectors[s]!);
      }) as [Best, Best, Best],
      bestSectorsMs: [0, 1, 2].map((s) => {
        const v = row.last >= 0 ? row.car.bestSectorAt(s, row.last) : Infinity;
        return Number.isFinite(v) ? v : null;
      }) as [number | null, number | null, number | null],
      pitStops: row.last >= 0 ? row.car.pitStopsAt(row.last) : 0,
      stintLaps: lap === undefined ? 0 : lap.lap - stintStart,
      status: row.status,
      lastCrossingMs: row.lastCrossingMs,
      classified: row.classified ?? null,
      reason: row.reason ?? null,
    });
  });

  const standings: Standings = { at: { raceTimeMs: at }, flag: timeline.flagAt(at), chequeredMs: raceOver ? chequeredMs : null, cars };
  if (raceOver) standings.result = { declared: 'chequered', atMs: chequeredMs, profile: profile.name };
  else if (declared) standings.result = { declared: 'red-flag', atMs: redFlagMs, profile: profile.name };
  return standings;
}

function takeOut(row: Row): void {
  setOut(row, 'did not take the chequered flag');
  if (row.status === 'running' || row.status === 'out-lap') row.status = 'stopped';
}

function setOut(row: Row, reason: string): void {
  row.classified = false;
  row.reason = reason;
}

/** After the flag: classified (or still running to the line) first, then unclassified, disqualified last. */
function compareResultRows(a: Row, b: Row): number {
  const ga = a.disqualified ? 2 : a.classified === false ? 1 : 0;
  const gb = b.disqualified ? 2 : b.classified === false ? 1 : 0;
  return ga !== gb ? ga - gb : compareRows(a, b);
}

/** Laps counted, then time: the gap of a result (DESIGN.md, "After the finish"). */
function resultGap(a: Row, b: Row): Gap {
  if (a.car === b.car) return null;
  // A car that never reached the line after the flag has no time to compare: laps only.
  if (a.laps > b.laps) return { laps: a.laps - b.laps };
  // Listed behind a car it was not behind (an unclassified car on as many laps, reached sooner, or on
  // more): no gap is true, so none is given rather than "0 laps" (cases/results leader-stops-on-final-lap).
  if (a.laps < b.laps || b.laps === 0 || b.timeMs < a.timeMs) return null;
  return { ms: b.timeMs - a.timeMs };
}

/**
 * While the race runs, the gap between cars one of which has time added to
 * its race time: time added matters only between cars on the same lap
 * (endurance-rules.md §6). On as many laps: the two race times. Otherwise
 * the road's gap (gap.ts; the leader that has just crossed is not a lap
 * ahead yet, §7), with the time added to each when it is a time; none when
 * that leaves the car listed behind ahead in race time (listed behind only
 * by the lap the other has just completed).
 */
function penalisedGap(a: Row, b: Row, now: number, rule: GapRule): Gap {
  if (a.car === b.car) return null;
  if (a.laps === b.laps && b.laps > 0 && !b.stationary) return b.timeMs >= a.timeMs ? { ms: b.timeMs - a.timeMs } : null;
  const road = gapBehind(a, b, now, rule);
  // Level on laps by the road (the car behind standing still): the race times decide, as above.
  if (road !== null && 'laps' in road && road.laps === 0) return b.timeMs >= a.timeMs ? { ms: b.timeMs - a.timeMs } : null;
  if (road === null || !('ms' in road)) return road;
  const ms = road.ms + b.addedMs - a.addedMs;
  if (ms < 0) return null;
  return road.provisional === true ? { ms, provisional: true } : { ms };
}

function compareRows(a: Row, b: Row): number {
  if (a.laps !== b.laps) return b.laps - a.laps;
  if (a.laps > 0 && a.timeMs !== b.timeMs) return a.timeMs - b.timeMs;
  // Before the first crossing: car number order.
  return compareCarNumbers(a.car.number, b.car.number);
}

/** Cars in a stable, readable order: numeric, then as text ("7" before "007"). */
export function compareCarNumbers(a: string, b: string): number {
  const d = Number.parseInt(a, 10) - Number.parseInt(b, 10);
  if (d !== 0 && !Number.isNaN(d)) return d;
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Bests {
  lap: number;
  sectors: [number, number, number];
}

function newBests(): Bests {
  return { lap: Infinity, sectors: [Infinity, Infinity, Infinity] };
}

/** Purple for the best overall, class best, green for a personal best. */
function rank(value: number, personal: number, cls: number, overall: number): Best {
  if (value <= overall) return 'overall';
  if (value <= cls) return 'class';
  if (value <= personal) return 'personal';
  return null;
}
