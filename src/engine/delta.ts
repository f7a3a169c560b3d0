/**
 * Live deltas: what changed between two classifications, cars and fields
 * only, and the reverse (apply a delta to a snapshot). Pure.
 *
 * The contract (src/model/live.ts, tested): applyDelta(snapshot at seq A,
 * delta A→B) equals the snapshot at seq B, field for field.
 */
import type { LiveDelta, LiveSnapshot } from '../model/live.js';
import type { CarStanding, Standings } from '../model/standings.js';

/** The part of a delta that depends only on the two classifications. */
export type StandingsChange = Pick<LiveDelta, 'raceTimeMs' | 'cars' | 'order' | 'flag' | 'chequeredMs'>;

/**
 * Changed cars with only their changed fields (plus `number`); a car not in
 * `previous` comes whole. `order` only when the overall order changed; `flag`
 * and `chequeredMs` only when they changed.
 */
export function diffStandings(previous: Standings | null, next: Standings): StandingsChange {
  const before = new Map<string, CarStanding>();
  for (const car of previous?.cars ?? []) before.set(car.number, car);
  const cars: StandingsChange['cars'] = [];
  for (const car of next.cars) {
    const old = before.get(car.number);
    if (old === undefined) {
      cars.push(car);
      continue;
    }
    let patch: (Partial<CarStanding> & { number: string }) | undefined;
    for (const field of Object.keys(car) as Array<keyof CarStanding>) {
      if (sameValue(old[field], car[field])) continue;
      patch ??= { number: car.number };
      (patch as Record<string, unknown>)[field] = car[field];
    }
    if (patch !== undefined) cars.push(patch);
  }
  const change: StandingsChange = { raceTimeMs: next.at.raceTimeMs, cars };
  const orderChanged =
    previous === null ||
    previous.cars.length !== next.cars.length ||
    next.cars.some((car, i) => previous.cars[i]!.number !== car.number);
  if (orderChanged) change.order = next.cars.map((car) => car.number);
  if (previous === null || previous.flag !== next.flag) change.flag = next.flag;
  if (previous === null || previous.chequeredMs !== next.chequeredMs) change.chequeredMs = next.chequeredMs;
  return change;
}

/**
 * The snapshot after `delta`, as a new object (the input is not changed).
 * Feed messages are kept to the last `messageLimit`, as the server keeps them.
 * Throws when the delta does not follow the snapshot: applying it would show
 * a wrong state, and the viewer must resynchronise instead.
 */
export function applyDelta(snapshot: LiveSnapshot, delta: LiveDelta, messageLimit: number): LiveSnapshot {
  if (delta.previousSeq !== snapshot.seq) {
    throw new Error(`delta ${delta.seq} follows ${delta.previousSeq}, but the snapshot is at ${snapshot.seq}`);
  }
  const cars = new Map(snapshot.cars.map((car) => [car.number, car]));
  const order = snapshot.cars.map((car) => car.number);
  for (const patch of delta.cars) {
    const car = cars.get(patch.number);
    if (car === undefined) {
      cars.set(patch.number, { ...(patch as CarStanding) });
      order.push(patch.number);
    } else {
      cars.set(patch.number, { ...car, ...patch });
    }
  }
  const messages = [...snapshot.messages, ...(delta.messages ?? [])];
  return {
    seq: delta.seq,
    race: delta.race ?? snapshot.race,
    raceTimeMs: delta.raceTimeMs,
    flag: delta.flag ?? snapshot.flag,
    chequeredMs: delta.chequeredMs !== undefined ? delta.chequeredMs : snapshot.chequeredMs,
    cars: (delta.order ?? order).map((number) => {
      const car = cars.get(number);
      if (car === undefined) throw new Error(`delta ${delta.seq} orders car ${number}, which it never sent`);
      return car;
    }),
    messages: messages.slice(Math.max(0, messages.length - messageLimit)),
    ...(delta.feed !== undefined ? { feed: delta.feed } : snapshot.feed !== undefined ? { feed: snapshot.feed } : {}),
  };
}

/** Equality of the small JSON values a standing holds (numbers, text, gaps, sector triples). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameValue(v, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
