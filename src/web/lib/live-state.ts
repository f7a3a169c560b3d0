/**
 * The browser's copy of the race: a LiveSnapshot, then LiveDeltas applied on
 * top (src/model/live.ts). Pure and DOM-free, so it is unit-tested in Node.
 *
 * The state is mutated in place (the screen applies up to 60 deltas a second
 * and must not copy 62 cars each time); every apply returns what changed so
 * the timing table touches only those rows.
 */
import type { FeedMessage, LiveDelta, LiveSnapshot, RaceInfo } from '../../model/live.js';
import { FEED_LIMIT } from '../../model/live.js';

export { FEED_LIMIT };
import type { CarStanding, Standings } from '../../model/standings.js';
import { sortClasses } from '../../model/classes.js';

/** A LiveSnapshot with its cars kept by number and their order apart, so deltas patch them in place. */
export interface LiveState extends Omit<LiveSnapshot, 'cars' | 'messages'> {
  /** Car numbers in overall order. */
  order: string[];
  cars: Map<string, CarStanding>;
  /** Oldest first, at most FEED_LIMIT. */
  messages: FeedMessage[];
}

/** What one apply changed, for the views to redraw only that. */
export interface Change {
  /** Cars whose fields changed (by number). */
  cars: Set<string>;
  orderChanged: boolean;
  flagChanged: boolean;
  messagesAdded: number;
  /** The state was replaced wholesale (snapshot): redraw everything. */
  reset: boolean;
}

export function emptyChange(): Change {
  return { cars: new Set(), orderChanged: false, flagChanged: false, messagesAdded: 0, reset: false };
}

/** Folds b into a (b happened after a). */
export function mergeChange(a: Change, b: Change): Change {
  for (const car of b.cars) a.cars.add(car);
  a.orderChanged ||= b.orderChanged;
  a.flagChanged ||= b.flagChanged;
  a.messagesAdded += b.messagesAdded;
  a.reset ||= b.reset;
  return a;
}

export function fromSnapshot(snapshot: LiveSnapshot): LiveState {
  return {
    seq: snapshot.seq,
    race: snapshot.race,
    raceTimeMs: snapshot.raceTimeMs,
    flag: snapshot.flag,
    chequeredMs: snapshot.chequeredMs,
    order: snapshot.cars.map((car) => car.number),
    cars: new Map(snapshot.cars.map((car) => [car.number, { ...car }])),
    messages: snapshot.messages.slice(-FEED_LIMIT),
    // The live source's state (issue 14): "feed stalled" on every live surface.
    ...(snapshot.feed === undefined ? {} : { feed: snapshot.feed }),
  };
}

/**
 * A historical classification (GET …/standings?at=) as a state the same views
 * can show. It has no seq: it is never the base of a delta.
 */
export function fromStandings(race: RaceInfo, standings: Standings, messages: FeedMessage[] = []): LiveState {
  return {
    seq: -1,
    race,
    raceTimeMs: standings.at.raceTimeMs,
    flag: standings.flag,
    chequeredMs: standings.chequeredMs,
    order: standings.cars.map((car) => car.number),
    cars: new Map(standings.cars.map((car) => [car.number, car])),
    messages: messages.filter((m) => m.raceTimeMs <= standings.at.raceTimeMs).slice(-FEED_LIMIT),
  };
}

export class OutOfSyncError extends Error {
  constructor(readonly haveSeq: number, readonly delta: LiveDelta) {
    super(`delta ${delta.seq} follows ${delta.previousSeq}, but the screen is at ${haveSeq}`);
  }
}

/**
 * Applies one delta in place. Throws OutOfSyncError when the delta does not
 * follow the state's seq (a message was lost): the caller must resynchronise
 * from a fresh snapshot rather than show a wrong order.
 */
export function applyDelta(state: LiveState, delta: LiveDelta): Change {
  if (delta.previousSeq !== state.seq) throw new OutOfSyncError(state.seq, delta);
  const change = emptyChange();
  state.seq = delta.seq;
  state.raceTimeMs = delta.raceTimeMs;
  if (delta.race !== undefined) state.race = delta.race;
  if (delta.flag !== undefined && delta.flag !== state.flag) {
    state.flag = delta.flag;
    change.flagChanged = true;
  }
  if (delta.chequeredMs !== undefined) state.chequeredMs = delta.chequeredMs;
  if (delta.feed !== undefined) state.feed = delta.feed;
  for (const patch of delta.cars) {
    const car = state.cars.get(patch.number);
    if (car === undefined) {
      // A car first seen mid-race: it needs every field, which only a full
      // standing carries; a partial one would show holes.
      if (isFullStanding(patch)) {
        state.cars.set(patch.number, { ...patch });
        if (delta.order === undefined) state.order.push(patch.number);
        change.cars.add(patch.number);
        change.orderChanged = true;
      }
      continue;
    }
    Object.assign(car, patch);
    change.cars.add(patch.number);
  }
  if (delta.order !== undefined) {
    state.order = delta.order.filter((number) => state.cars.has(number));
    change.orderChanged = true;
  }
  if (delta.messages !== undefined && delta.messages.length > 0) {
    state.messages.push(...delta.messages);
    if (state.messages.length > FEED_LIMIT) state.messages.splice(0, state.messages.length - FEED_LIMIT);
    change.messagesAdded = delta.messages.length;
  }
  return change;
}

const REQUIRED: ReadonlyArray<keyof CarStanding> = ['position', 'class', 'classPosition', 'laps', 'status'];

function isFullStanding(patch: Partial<CarStanding>): patch is CarStanding {
  return REQUIRED.every((key) => patch[key] !== undefined);
}

/** Cars in overall order, or only one class (in class order, which is the same order). */
export function carsInOrder(state: LiveState, className: string | null): CarStanding[] {
  const cars: CarStanding[] = [];
  for (const number of state.order) {
    const car = state.cars.get(number);
    if (car !== undefined && (className === null || car.class === className)) cars.push(car);
  }
  return cars;
}

/** The classes racing, fastest first (a stable order for the tabs). */
export function classesOf(state: LiveState): string[] {
  const seen = new Set<string>();
  for (const number of state.order) {
    const car = state.cars.get(number);
    if (car !== undefined) seen.add(car.class);
  }
  return sortClasses(seen);
}
