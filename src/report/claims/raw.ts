/**
 * The checker's own reading of a race: the laps, pit exits, flags and
 * classification rules of the timeline, and nothing the writer computed —
 * no standings, no hour facts, no gaps from the engine. Each meaning says
 * what a fact's words mean and tests it against that reading: "third" is the
 * third car of the class by laps completed, then by who completed the last
 * of them first; "4.5s behind" means both cars on the same lap at the
 * instant, neither in the pit lane, and the crossing times 4.5 s apart to the
 * tenth; "X pits" means X drove the in-lap.
 *
 * Sentence kinds with facts of their own keep those meanings in their file
 * (claims/battle.ts: the swaps); MEANINGS gathers all of them and the
 * compiler demands one for every fact kind.
 */
import type { DecisionEvent, LapEvent, PitOutEvent } from '../../model/events.js';
import type { Gap } from '../../model/standings.js';
import { HOUR, MINUTE } from '../../model/time.js';
import type { CarTimeline, RaceTimeline } from '../../engine/timeline.js';
import type { EntryList } from '../../analysis/entry-list.js';
import type { ReportFact } from '../types.js';
import { gapWords, timeGapWords } from '../words.js';

/** One car as the checker reads it: its entry, laps in lap order, pit exits in time order. */
export interface RawCar {
  number: string;
  class: string;
  team: string;
  manufacturer: string;
  drivers: readonly string[];
  laps: readonly LapEvent[];
  pitOuts: readonly PitOutEvent[];
}

/** A car at an instant, as the checker reads it. */
export interface RawCarAt {
  car: RawCar;
  /** The instant (race ms). */
  atMs: number;
  /**
   * Laps that count: those completed (capped at the car's finish crossing
   * once the flag has fallen), less the laps race control deducted by then.
   */
  laps: number;
  /** Laps race control deducted by the instant (`laps-deducted`). */
  deducted: number;
  /**
   * Time race control added to the car's race time by the instant, ms: its
   * `time-added` decisions, and a drive-through or stop-and-go announced
   * after the finish, which can no longer be served in the pit lane and is
   * the time race control gives with it (`penaltyMs`).
   */
  addedMs: number;
  /** Crossing of its last completed lap (0: none). */
  lastMs: number;
  /** The last lap completed ended in the pit lane, and the car has not crossed the line since. */
  inPitLane: boolean;
  /** Last crossing or pit exit (0: never seen). */
  seenMs: number;
  /** Crossed the line at or after the chequered flag. */
  finished: boolean;
  /** The race was stopped and its result declared by this instant: laps count at the stop (declaredMs). */
  declared: boolean;
}

/** What race control's decisions announced by an instant take from one car: laps, and time added to its race time. */
interface RawPenalties {
  deducted: number;
  addedMs: number;
}

const numberOrder = (a: string, b: string): number => {
  const d = Number.parseInt(a, 10) - Number.parseInt(b, 10);
  if (d !== 0 && !Number.isNaN(d)) return d;
  return a < b ? -1 : a > b ? 1 : 0;
};

/** Index of the first element whose `key` is greater than t (elements sorted by key). */
function countAtOrBefore<T>(list: readonly T[], t: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]!) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class RawRace {
  readonly cars: ReadonlyMap<string, RawCar>;
  readonly chequeredMs: number | null;
  /**
   * A race stopped and never resumed (no chequered flag): its result stands
   * at the stop (endurance-rules.md §6). The stop: the last flag shown, when
   * it is red; in a file without flags, the last crossing of a race whose
   * timing ends before its scheduled length. Null otherwise.
   */
  readonly declaredMs: number | null;
  private readonly orders = new Map<string, RawCarAt[]>();
  private readonly leaders = new Map<string, { car: string[]; atMs: number[]; laps: number }>();
  private stopList: RawStop[] | null = null;
  /** Each car's decisions that change its laps or its race time, in the order announced. */
  private readonly penaltyDecisions = new Map<string, DecisionEvent[]>();

  /** One reading per timeline (and entry list): the checker of 24 hourly reports reads the race once. */
  static of(timeline: RaceTimeline, entryList?: EntryList): RawRace {
    if (entryList !== undefined) return new RawRace(timeline, entryList);
    let found = readings.get(timeline);
    if (found === undefined || found.laps !== lapCount(timeline)) readings.set(timeline, (found = { raw: new RawRace(timeline), laps: lapCount(timeline) }));
    return found.raw;
  }

  /** The stops whose pit lane time was known at t. */
  stopsAt(t: number): RawStop[] {
    this.stopList ??= allStops(this);
    return this.stopList.filter((s) => s.knownMs <= t);
  }

  /** `entryList`: what the report was written with (driver categories); none when it had none. */
  constructor(
    readonly timeline: RaceTimeline,
    readonly entryList?: EntryList,
  ) {
    const cars = new Map<string, RawCar>();
    for (const c of timeline.cars.values()) cars.set(c.number, rawCar(c));
    this.cars = cars;
    this.chequeredMs = timeline.chequeredMs();
    this.declaredMs = this.chequeredMs === null ? stoppedAt(timeline, cars) : null;
    for (const d of timeline.decisions) {
      if (d.car === null || !['time-added', 'laps-deducted', 'drive-through', 'stop-and-go'].includes(d.kind)) continue;
      const list = this.penaltyDecisions.get(d.car) ?? [];
      list.push(d);
      this.penaltyDecisions.set(d.car, list);
    }
  }

  /**
   * Laps deducted and time added to a car's race time by race control, as
   * announced by t (endurance-rules.md §6: equal laps go by total time). A
   * drive-through or stop-and-go is served in the pit lane while the race
   * runs and changes no time; announced after the race's end (the flag, or
   * a result declared at a stop) it cannot be served, and counts as the time
   * race control gives with it, if it gives one.
   */
  penaltiesAt(car: string, t: number): RawPenalties {
    const out: RawPenalties = { deducted: 0, addedMs: 0 };
    // Final only at the flag, or at a stop that a whole file or race control's word makes the result:
    // live, a red flag may be lifted and a stop-and-go given under it is served after the restart.
    const final = this.timeline.complete || this.timeline.decisions.some((d) => d.kind === 'result-declared');
    const end = this.chequeredMs ?? (final ? this.declaredMs : null);
    for (const d of this.penaltyDecisions.get(car) ?? []) {
      if (d.atMs > t) continue;
      if (d.kind === 'laps-deducted') out.deducted += d.laps ?? 0;
      else if (d.kind === 'time-added') out.addedMs += d.penaltyMs ?? 0;
      else if (end !== null && d.atMs > end) out.addedMs += d.penaltyMs ?? 0;
    }
    return out;
  }

  /** The car at race time t. */
  carAt(car: RawCar, t: number): RawCarAt {
    const declared = this.declaredMs !== null && t >= this.declaredMs;
    let n = countAtOrBefore(car.laps, declared ? this.declaredMs! : t, (l) => l.crossingMs);
    let finished = false;
    if (this.chequeredMs !== null && t >= this.chequeredMs) {
      const finish = countAtOrBefore(car.laps, this.chequeredMs - 1, (l) => l.crossingMs);
      if (finish < n) {
        n = finish + 1;
        finished = true;
      }
    }
    const last = n > 0 ? car.laps[n - 1]! : undefined;
    const lastMs = last?.crossingMs ?? 0;
    const outs = countAtOrBefore(car.pitOuts, t, (p) => p.atMs);
    const out = outs > 0 ? car.pitOuts[outs - 1]! : undefined;
    const { deducted, addedMs } = this.penaltiesAt(car.number, t);
    return {
      car,
      atMs: t,
      laps: Math.max(0, (last?.lap ?? 0) - deducted),
      deducted,
      addedMs,
      lastMs,
      inPitLane: !finished && (last?.inPit ?? false),
      seenMs: Math.max(lastMs, finished ? 0 : (out?.atMs ?? 0)),
      finished,
      declared,
    };
  }

  /**
   * The order at race time t, overall (cls null) or in a class: laps
   * that count (completed, less laps deducted), then the race time of the
   * last of them with any time added by race control (without any, who
   * completed it first), then car number.
   * Once the flag has fallen, cars that took it come first; with the rules'
   * minimum distance, cars short of it follow the rest. A car race control
   * declared not classified (by t) follows the classified cars, and a
   * disqualified one comes last (endurance-rules.md §6).
   */
  order(cls: string | null, t: number): RawCarAt[] {
    const key = `${cls ?? ''}\u0000${t}`;
    let found = this.orders.get(key);
    if (found !== undefined) return found;
    const all = [...this.cars.values()].map((c) => this.carAt(c, t));
    const raceMs = (c: RawCarAt) => c.lastMs + c.addedMs;
    const byLaps = (a: RawCarAt, b: RawCarAt) => b.laps - a.laps || (a.laps > 0 && raceMs(a) !== raceMs(b) ? raceMs(a) - raceMs(b) : 0) || numberOrder(a.car.number, b.car.number);
    // Race control's word, as announced by t (the decision events, not the engine's classification):
    // a disqualified car is listed last, a car declared not classified after the classified ones.
    const ruled = new Map<string, number>();
    for (const d of this.timeline.decisions) {
      if (d.atMs > t || d.car === null) continue;
      if (d.kind === 'disqualified') ruled.set(d.car, 2);
      else if (d.kind === 'not-classified' && ruled.get(d.car) !== 2) ruled.set(d.car, 1);
    }
    let group = (c: RawCarAt) => ruled.get(c.car.number) ?? 0;
    if (this.declaredMs !== null && t >= this.declaredMs) {
      // Declared: a car already stopped for good at the stop is out, like one short of the minimum distance.
      const stop = this.declaredMs;
      const running = (c: RawCarAt) => c.laps > 0 && !this.silent(c.car, stop);
      const share = this.timeline.classification.minDistanceShare;
      const winnerLaps = Math.max(0, ...all.filter((c) => running(c) && !ruled.has(c.car.number)).map((c) => c.laps));
      const minimum = share === null ? 0 : Math.ceil(share * winnerLaps - 1e-9);
      group = (c) => ruled.get(c.car.number) ?? (running(c) && c.laps >= minimum ? 0 : 1);
    }
    if (this.chequeredMs !== null && t >= this.chequeredMs) {
      const share = this.timeline.classification.minDistanceShare;
      const winnerLaps = Math.max(0, ...all.filter((c) => c.finished && !ruled.has(c.car.number)).map((c) => c.laps));
      const minimum = share === null ? 0 : Math.ceil(share * winnerLaps - 1e-9);
      group = (c) => ruled.get(c.car.number) ?? (c.finished && c.laps >= minimum ? 0 : 1);
    }
    found = all.filter((c) => cls === null || c.car.class === cls).sort((a, b) => group(a) - group(b) || byLaps(a, b));
    this.orders.set(key, found);
    return found;
  }

  /** 1-based place of a car at t, overall or in its class; 0 when unknown. */
  placeOf(car: string, cls: string | null, t: number): number {
    return this.order(cls, t).findIndex((c) => c.car.number === car) + 1;
  }

  /** Who drove at t: whoever left the pits since the last crossing, else the last lap's driver. */
  driverAt(car: RawCar, t: number): string {
    const n = countAtOrBefore(car.laps, t, (l) => l.crossingMs);
    const last = n > 0 ? car.laps[n - 1]! : undefined;
    const outs = countAtOrBefore(car.pitOuts, t, (p) => p.atMs);
    const out = outs > 0 ? car.pitOuts[outs - 1]! : undefined;
    if (out !== undefined && out.atMs > (last?.crossingMs ?? 0) && out.driverNumber !== null) return out.driverName;
    return last?.driverName ?? '';
  }

  /**
   * Silent (no crossing, no pit exit) for longer than three of its best laps
   * and never less than 10 minutes (DESIGN.md, "stopped").
   */
  silent(car: RawCar, t: number): boolean {
    const at = this.carAt(car, t);
    if (at.finished) return false;
    const n = countAtOrBefore(car.laps, t, (l) => l.crossingMs);
    let best = Infinity;
    for (let i = 0; i < n; i++) best = Math.min(best, car.laps[i]!.lapMs);
    const base = Number.isFinite(best) ? Math.max(3 * best, 10 * MINUTE) : 15 * MINUTE;
    // Twice that while the safety car was out (at t or when the car was last seen): its queue laps run three best laps and more.
    const changes = this.timeline.flagChanges();
    const sc = (x: number) => {
      const n = countAtOrBefore(changes, x, (c) => c.atMs);
      return n > 0 && changes[n - 1]!.flag === 'safety-car';
    };
    return t - at.seenMs > (sc(t) || sc(at.seenMs) ? 2 * base : base);
  }

  /** Stopped or retired at t: silent for too long, out on track (a car in the garage is still in the race). */
  out(car: RawCar, t: number): boolean {
    return this.silent(car, t) && !this.carAt(car, t).inPitLane;
  }

  /** The first car to complete each lap up to t, overall or in a class. */
  lapLeaders(cls: string | null, t: number): { car: string[]; atMs: number[]; laps: number } {
    const key = `${cls ?? ''}\u0000${t}`;
    const known = this.leaders.get(key);
    if (known !== undefined) return known;
    const car: string[] = [];
    const atMs: number[] = [];
    let laps = 0;
    for (const c of this.cars.values()) {
      if (cls !== null && c.class !== cls) continue;
      const n = countAtOrBefore(c.laps, t, (l) => l.crossingMs);
      for (let i = 0; i < n; i++) {
        const lap = c.laps[i]!;
        const best = atMs[lap.lap];
        if (best === undefined || lap.crossingMs < best || (lap.crossingMs === best && numberOrder(c.number, car[lap.lap]!) < 0)) {
          atMs[lap.lap] = lap.crossingMs;
          car[lap.lap] = c.number;
        }
        if (lap.lap > laps) laps = lap.lap;
      }
    }
    const found = { car, atMs, laps };
    this.leaders.set(key, found);
    return found;
  }

  /**
   * The gap from `ahead` back to `car` at t as the words mean it, or why
   * there is none: laps down when `ahead` had completed more laps when `car`
   * last crossed; a time when both were on the same lap then (`ahead`
   * crossed that line first and had not completed the next lap), neither is
   * in the pit lane at t, and it is the difference of the two crossings.
   *
   * Race control's penalties (penaltiesAt): time added matters only between
   * cars on the same lap (endurance-rules.md §6), and is added to each one's
   * crossing, so a car behind on the road may be the one ahead. Once laps are
   * deducted from either car, the road says nothing of the gap: it is the
   * result's, laps that count, then race time with time added.
   */
  gapOnRoad(ahead: RawCarAt, car: RawCarAt): { gap: Gap } | { none: string } {
    if (ahead.car === car.car) return { gap: null };
    const a = ahead.car;
    if (car.laps === 0) return { gap: { laps: Math.max(0, ahead.laps) } };
    // The result: laps that count at the finish, then the finish crossings with time added.
    const result = (ahead.finished && car.finished) || (ahead.declared && car.declared) || ahead.deducted > 0 || car.deducted > 0;
    if (result) return { gap: ahead.laps !== car.laps ? { laps: ahead.laps - car.laps } : { ms: car.lastMs + car.addedMs - (ahead.lastMs + ahead.addedMs) } };
    // A car standing still drops a lap each time the other completes one.
    if (this.silent(car.car, car.atMs) && ahead.laps > car.laps) return { gap: { laps: ahead.laps - car.laps } };
    const n = countAtOrBefore(a.laps, car.lastMs, (l) => l.crossingMs);
    const aLapsThen = n > 0 ? a.laps[n - 1]!.lap : 0;
    const down = Math.min(aLapsThen, ahead.laps) - car.laps;
    if (down >= 1) return { gap: { laps: down } };
    const penalised = ahead.addedMs !== car.addedMs;
    // Behind on the road but ahead by race control's time: the time, if `car`'s penalty outweighs it.
    if (down < 0 && !penalised) return { none: `#${car.car.number} completed lap ${car.laps} before #${a.number} did` };
    if (ahead.inPitLane || car.inPitLane) return { none: `#${(ahead.inPitLane ? ahead : car).car.number} was in the pit lane` };
    const aCrossing = a.laps.find((l) => l.lap === car.laps)?.crossingMs;
    if (aCrossing === undefined) return { none: `#${a.number} has no lap ${car.laps}` };
    const ms = car.lastMs + car.addedMs - (aCrossing + ahead.addedMs);
    if (ms < 0) return { none: `#${car.car.number} completed lap ${car.laps} ${-ms} ms sooner than #${a.number}, time added counted` };
    return { gap: { ms } };
  }
}

/** RawRace.declaredMs, read from the flags and the laps. */
function stoppedAt(timeline: RaceTimeline, cars: ReadonlyMap<string, RawCar>): number | null {
  const changes = timeline.flagChanges();
  if (changes.length > 0) {
    const last = changes[changes.length - 1]!;
    return last.flag === 'red' ? last.atMs : null;
  }
  const scheduled = timeline.session?.scheduledDurationMs ?? null;
  // A file is the whole race; live, race control's `result-declared` says so.
  if (!(timeline.complete || timeline.decisions.some((d) => d.kind === 'result-declared')) || scheduled === null) return null;
  let lastMs = 0;
  for (const car of cars.values()) for (const l of car.laps) lastMs = Math.max(lastMs, l.crossingMs);
  return lastMs > 0 && lastMs < scheduled ? lastMs : null;
}

const readings = new WeakMap<RaceTimeline, { raw: RawRace; laps: number }>();

/** Laps and pit exits in a timeline: a timeline that grows (live) is read afresh. */
function lapCount(timeline: RaceTimeline): number {
  let n = 0;
  for (const c of timeline.cars.values()) n += c.laps.length + c.pitOuts.length;
  return n + timeline.flagChanges().length;
}

function rawCar(c: CarTimeline): RawCar {
  return {
    number: c.number,
    class: c.entry.class,
    team: c.entry.team,
    manufacturer: c.entry.manufacturer,
    drivers: c.entry.drivers.map((d) => d.name),
    laps: c.laps,
    pitOuts: [...c.pitOuts],
  };
}

/** The words a gap is written in must be the words of the gap the laps give ("rounded gap = N"). */
function sameWords(stated: Gap, actual: Gap): boolean {
  if (stated === null || actual === null) return stated === actual;
  if ('laps' in stated) return 'laps' in actual && stated.laps === actual.laps;
  return 'ms' in actual && timeGapWords(stated.ms) === timeGapWords(actual.ms);
}

type Fact<K extends ReportFact['kind']> = Extract<ReportFact, { kind: K }>;

/** Meanings shared by many sentence kinds: places, laps, gaps, drivers, stops, flags, the end of the race. */
export const SHARED_MEANINGS = {
  position(f: Fact<'position'>, raw: RawRace): string | null {
    const car = raw.cars.get(f.car);
    if (car === undefined) return `no car #${f.car}`;
    if (f.class !== null && car.class !== f.class) return `#${f.car} is in ${car.class}, not ${f.class}`;
    const place = raw.placeOf(f.car, f.class, f.atMs);
    return place === f.position ? null : `by the laps, #${f.car} was P${place}${f.class === null ? '' : ` in ${f.class}`}, not P${f.position}`;
  },
  laps(f: Fact<'laps'>, raw: RawRace): string | null {
    const car = raw.cars.get(f.car);
    if (car === undefined) return `no car #${f.car}`;
    const laps = raw.carAt(car, f.atMs).laps;
    return laps === f.laps ? null : `#${f.car} had completed ${laps} laps, not ${f.laps}`;
  },
  gap(f: Fact<'gap'>, raw: RawRace): string | null {
    const order = raw.order(f.class, f.atMs);
    const i = order.findIndex((c) => c.car.number === f.car);
    if (i < 0) return `no car #${f.car}${f.class === null ? '' : ` in ${f.class}`}`;
    return gapMeaning(raw, order[0]!, order[i]!, f.gap);
  },
  interval(f: Fact<'interval'>, raw: RawRace): string | null {
    const order = raw.order(f.class, f.atMs);
    const i = order.findIndex((c) => c.car.number === f.car);
    if (i < 1) return `#${f.car} had no car ahead${f.class === null ? '' : ` in ${f.class}`}`;
    return gapMeaning(raw, order[i - 1]!, order[i]!, f.gap);
  },
  'at-wheel'(f: Fact<'at-wheel'>, raw: RawRace): string | null {
    const car = raw.cars.get(f.car);
    if (car === undefined) return `no car #${f.car}`;
    const at = raw.carAt(car, f.atMs);
    // In the pit lane after an in-lap (past its crossing), not yet out: the driver may be changing, and nobody is "at the wheel" to name.
    if (at.inPitLane && at.seenMs === at.lastMs && f.atMs > at.lastMs) return `#${f.car} was in the pit lane at ${f.atMs}: who drives on is not known yet`;
    const driver = raw.driverAt(car, f.atMs);
    return driver === f.driver ? null : `${driver} was at the wheel of #${f.car}, not ${f.driver}`;
  },
  pitted(f: Fact<'pitted'>, raw: RawRace): string | null {
    const car = raw.cars.get(f.car);
    const lap = car?.laps.find((l) => l.lap === f.inLap);
    if (car === undefined || lap === undefined) return `#${f.car} has no lap ${f.inLap}`;
    if (!lap.inPit) return `#${f.car} lap ${f.inLap} did not end in the pit lane`;
    if (lap.driverName !== f.driver) return `${lap.driverName} drove the in-lap of #${f.car}, not ${f.driver}`;
    // The stop spans the in-lap, the pit lane and the out-lap.
    const outLapEnd = car.laps.find((l) => l.lap === f.inLap + 1)?.crossingMs ?? Infinity;
    return f.atMs >= lap.crossingMs - lap.lapMs && f.atMs <= outLapEnd ? null : `#${f.car} was not making the stop after lap ${f.inLap} at ${f.atMs}`;
  },
  crew(f: Fact<'crew'>, raw: RawRace): string | null {
    const car = raw.cars.get(f.car);
    if (car === undefined) return `no car #${f.car}`;
    const known = new Set([...car.drivers, ...car.laps.map((l) => l.driverName)]);
    const unknown = f.drivers.filter((d) => !known.has(d));
    return unknown.length === 0 ? null : `not in the crew of #${f.car}: ${unknown.join(', ')}`;
  },
  'led-since'(f: Fact<'led-since'>, raw: RawRace): string | null {
    const leaders = raw.lapLeaders(f.class, f.atMs);
    if (leaders.atMs[f.sinceLap] !== f.sinceMs) return `lap ${f.sinceLap} was first completed at ${leaders.atMs[f.sinceLap]}`;
    if (f.sinceLap > 1 && leaders.car[f.sinceLap - 1] === f.car) return `#${f.car} already led lap ${f.sinceLap - 1}`;
    for (let lap = f.sinceLap; lap <= leaders.laps; lap++) if (leaders.car[lap] !== f.car) return `#${leaders.car[lap]} led lap ${lap}`;
    return null;
  },
  'laps-led'(f: Fact<'laps-led'>, raw: RawRace): string | null {
    const leaders = raw.lapLeaders(f.class, f.atMs);
    let led = 0;
    for (let lap = 1; lap <= leaders.laps; lap++) if (leaders.car[lap] === f.car) led++;
    if (leaders.laps !== f.leaderLaps) return `the leader had completed ${leaders.laps} laps`;
    return led === f.lapsLed ? null : `the #${f.car} led ${led} laps`;
  },
  'lead-change'(f: Fact<'lead-change'>, raw: RawRace): string | null {
    const leaders = raw.lapLeaders(f.class, f.atMs);
    if (leaders.car[f.lap] !== f.car) return `#${leaders.car[f.lap]} led lap ${f.lap}`;
    if (leaders.car[f.lap - 1] !== f.from) return `#${leaders.car[f.lap - 1]} led lap ${f.lap - 1}`;
    return leaders.atMs[f.lap] === f.atMs ? null : `lap ${f.lap} was first completed at ${leaders.atMs[f.lap]}`;
  },
  'lead-changes'(f: Fact<'lead-changes'>, raw: RawRace): string | null {
    const leaders = raw.lapLeaders(f.class, f.atMs);
    let changes = 0;
    for (let lap = 2; lap <= leaders.laps; lap++) {
      const t = leaders.atMs[lap];
      if (t !== undefined && t > f.fromMs && t <= f.atMs && leaders.car[lap] !== leaders.car[lap - 1]) changes++;
    }
    return changes === f.changes ? null : `the lead changed hands ${changes} times, not ${f.changes}`;
  },
  'lead-lost-in-stop'(f: Fact<'lead-lost-in-stop'>, raw: RawRace): string | null {
    const leaders = raw.lapLeaders(f.class, f.atMs);
    if (leaders.car[f.lap] !== f.car || leaders.atMs[f.lap] !== f.atMs) return `#${leaders.car[f.lap]} completed lap ${f.lap} first, at ${leaders.atMs[f.lap]}`;
    if (leaders.car[f.lap - 1] !== f.from) return `#${leaders.car[f.lap - 1]} led lap ${f.lap - 1}`;
    // The new leader's own crossing: a car that took the lead in the pit lane was stopping too.
    const crossing = raw.cars.get(f.car)?.laps.find((l) => l.lap === f.lap);
    if (crossing === undefined || crossing.inPit) return `#${f.car} completed lap ${f.lap} in the pit lane, making its own stop`;
    // An out-lap: the new leader stopped in the same cycle, and got ahead by its own stop as much as by the other's.
    const before = raw.cars.get(f.car)?.laps.find((l) => l.lap === f.lap - 1);
    if (before?.inPit === true) return `#${f.car} pitted on lap ${f.lap - 1} too: the lead changed in the stops, not by #${f.from}'s alone`;
    const stop = raw.cars.get(f.from)?.laps.find((l) => l.lap === f.inLap);
    if (f.inLap !== f.lap && f.inLap !== f.lap - 1) return `#${f.from}'s lap ${f.inLap} is not the lap of the lead change or the one before`;
    if (stop === undefined || !stop.inPit) return `#${f.from} lap ${f.inLap} did not end in the pit lane`;
    return null;
  },
  'pit-stop'(f: Fact<'pit-stop'>, raw: RawRace): string | null {
    return stopMeaning(raw, f.car, f.inLap, f.inMs, f.pitLaneMs, f.atMs);
  },
  'driver-change'(f: Fact<'driver-change'>, raw: RawRace): string | null {
    const car = raw.cars.get(f.car);
    const lap = car?.laps.find((l) => l.lap === f.lap);
    const before = car?.laps.find((l) => l.lap === f.lap - 1);
    if (lap === undefined || before === undefined) return `no laps ${f.lap - 1}–${f.lap} of #${f.car}`;
    if (lap.driverName !== f.to || before.driverName !== f.from) return `lap ${f.lap - 1}: ${before.driverName}, lap ${f.lap}: ${lap.driverName}`;
    return before.crossingMs === f.atMs ? null : `lap ${f.lap - 1} was completed at ${before.crossingMs}`;
  },
  'flag-period'(f: Fact<'flag-period'>, raw: RawRace): string | null {
    const changes = raw.timeline.flagChanges();
    const i = changes.findIndex((c) => c.atMs === f.startMs);
    if (i < 0 || changes[i]!.flag !== f.flag) return `no ${f.flag} flag shown from ${f.startMs}`;
    const next = changes[i + 1];
    const end = next !== undefined && next.atMs <= f.atMs ? next.atMs : null;
    return end === f.endMs ? null : `the period ended at ${end}`;
  },
  status(f: Fact<'status'>, raw: RawRace): string | null {
    const car = raw.cars.get(f.car);
    if (car === undefined) return `no car #${f.car}`;
    const at = raw.carAt(car, f.atMs);
    const silent = raw.silent(car, f.atMs);
    const raceOver = raw.chequeredMs !== null && f.atMs >= raw.chequeredMs;
    switch (f.status) {
      case 'finished':
        return at.finished ? null : `#${f.car} did not take the chequered flag`;
      case 'stopped':
      case 'retired':
        return silent ? null : `#${f.car} was timed at ${at.seenMs}, within its usual laps of ${f.atMs}`;
      case 'in-pit':
        return at.inPitLane && at.seenMs === at.lastMs ? null : `#${f.car} was not in the pit lane`;
      case 'out-lap':
        return at.seenMs > at.lastMs && !silent ? null : `#${f.car} was not on an out-lap`;
      case 'running':
        return !silent && !at.inPitLane && !raceOver ? null : `#${f.car} was not running`;
    }
  },
  'last-seen'(f: Fact<'last-seen'>, raw: RawRace): string | null {
    const car = raw.cars.get(f.car);
    if (car === undefined) return `no car #${f.car}`;
    const seen = raw.carAt(car, f.atMs).seenMs;
    return seen === f.lastSeenMs ? null : `#${f.car} was last timed at ${seen}`;
  },
  chequered(f: Fact<'chequered'>, raw: RawRace): string | null {
    return raw.chequeredMs === f.atMs ? null : `the chequered flag fell at ${raw.chequeredMs}`;
  },
  'class-running'(f: Fact<'class-running'>, raw: RawRace): string | null {
    const cars = [...raw.cars.values()].filter((c) => c.class === f.class);
    const running = cars.filter((c) => !raw.out(c, f.atMs)).length;
    return running === f.running && cars.length === f.entries ? null : `${running} of the ${cars.length} ${f.class} cars were running`;
  },
  'field-stopped'(f: Fact<'field-stopped'>, raw: RawRace): string | null {
    const cars = [...raw.cars.values()];
    // Stopped out on track: silent, with laps, and not parked in the pit lane.
    const stopped = cars.filter((c) => raw.out(c, f.atMs) && raw.carAt(c, f.atMs).laps > 0);
    const since = Math.max(0, ...stopped.map((c) => raw.carAt(c, f.atMs).seenMs));
    if (stopped.length !== f.stopped || cars.length !== f.entries) return `${stopped.length} of ${cars.length} cars were stopped`;
    return since === f.sinceMs ? null : `the last of them was timed at ${since}`;
  },
  'data-ends'(f: Fact<'data-ends'>, raw: RawRace): string | null {
    if (raw.chequeredMs !== null && raw.chequeredMs <= f.atMs) return 'the chequered flag had fallen';
    // The last event, or the last crossing where the race was stopped (a decision may follow the stop).
    return raw.timeline.lastEventMs === f.atMs || raw.declaredMs === f.atMs ? null : `the data ends at ${raw.declaredMs ?? raw.timeline.lastEventMs}`;
  },
};

function gapMeaning(raw: RawRace, ahead: RawCarAt, car: RawCarAt, stated: Gap): string | null {
  const found = raw.gapOnRoad(ahead, car);
  if ('none' in found) return `no gap on the road from #${ahead.car.number} to #${car.car.number}: ${found.none}`;
  return sameWords(stated, found.gap) ? null : `the laps give #${car.car.number} ${gapWords(found.gap) || 'no gap'} behind #${ahead.car.number}, not ${gapWords(stated)}`;
}

/** A stop: lap `inLap` ended in the pit lane at inMs, and the out-lap (or pit exit) known at atMs gives the pit lane time. */
export function stopMeaning(raw: RawRace, carNumber: string, inLap: number, inMs: number, pitLaneMs: number | null, atMs: number): string | null {
  const car = raw.cars.get(carNumber);
  const lap = car?.laps.find((l) => l.lap === inLap);
  if (car === undefined || lap === undefined) return `no lap ${inLap} of #${carNumber}`;
  if (!lap.inPit || lap.crossingMs !== inMs) return `lap ${inLap} of #${carNumber} is not an in-lap at ${inMs}`;
  const outLap = car.laps.find((l) => l.lap === inLap + 1 && l.crossingMs <= atMs);
  const pitOut = car.pitOuts.find((p) => p.lap === inLap + 1 && p.atMs <= atMs);
  const actual = outLap?.pitLaneMs ?? pitOut?.pitLaneMs ?? null;
  return actual === pitLaneMs ? null : `the stop took ${actual} ms in the pit lane, not ${pitLaneMs}`;
}

/** The hour (1-based) a race instant falls in. */
export function hourOf(ms: number): number {
  return Math.max(1, Math.ceil(ms / HOUR));
}

/** The median of a list (the mean of the middle two when even); null when empty. */
export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** A stop as the laps show it: in-lap crossing, pit lane time, and when that time was known (out-lap or pit exit). */
export interface RawStop {
  car: string;
  class: string;
  inMs: number;
  pitLaneMs: number;
  knownMs: number;
}

/** Every stop of the race whose pit lane time the data gives. */
export function allStops(raw: RawRace): RawStop[] {
  const out: RawStop[] = [];
  for (const car of raw.cars.values()) {
    const byLap = new Map(car.laps.map((l) => [l.lap, l]));
    const exits = new Map(car.pitOuts.map((p) => [p.lap, p]));
    for (const lap of car.laps) {
      if (!lap.inPit) continue;
      const next = byLap.get(lap.lap + 1);
      const exit = exits.get(lap.lap + 1);
      const known: Array<[number, number]> = [];
      if (next?.pitLaneMs != null) known.push([next.crossingMs, next.pitLaneMs]);
      if (exit !== undefined) known.push([exit.atMs, exit.pitLaneMs]);
      known.sort((x, y) => x[0] - y[0]);
      if (known.length > 0) out.push({ car: car.number, class: car.class, inMs: lap.crossingMs, pitLaneMs: known[0]![1], knownMs: known[0]![0] });
    }
  }
  return out;
}
