/**
 * Drivers named as the race's entry list names them (full name, category)
 * on the server's standings and crew answers. The engine's standings carry
 * the name the timing data writes; the entry list is configuration of the
 * server (`sarthe serve --entry-list`), so it is applied here, at the edge,
 * not in the fold.
 */
import { makeRoster, type DriverRef } from '../analysis/roster.js';
import type { EntryList } from '../analysis/entry-list.js';
import type { RaceTimeline } from '../engine/timeline.js';
import type { CarStanding, Standings } from '../model/standings.js';

/** A standing with the driver at the wheel as the entry list knows them. */
export type ListedCarStanding = CarStanding & {
  /** The entry list's full name of the driver at the wheel ("Sébastien Bourdais"), else the data's name with capitals tamed. */
  driverDisplayName: string;
  /** Platinum, Gold, Silver or Bronze from the entry list; null when it does not rate this driver. */
  driverCategory: DriverRef['category'];
};

/**
 * `standings` with `driverDisplayName` and `driverCategory` on every car,
 * looked up by car number, DRIVER_NUMBER and name (analysis/roster.ts).
 * Without an entry list the standings are returned as they are: the same
 * JSON as `sarthe standings --json`.
 */
export function withListedDrivers<S extends Pick<Standings, 'cars'>>(standings: S, timeline: RaceTimeline, entryList: EntryList | undefined): S {
  if (entryList === undefined) return standings;
  const roster = makeRoster(timeline, entryList);
  const cars = standings.cars.map((car): ListedCarStanding => {
    const driver = roster.driver(car.number, car.driverNumber ?? 0, car.driver);
    return { ...car, driverDisplayName: driver.displayName, driverCategory: driver.category };
  });
  return { ...standings, cars };
}

/** One car's crew as GET /api/races/:race/drivers gives it. */
export interface CarCrew {
  car: string;
  class: string;
  team: string;
  drivers: DriverRef[];
}

/**
 * Every car's crew in car-number order as the timing data knows it (the
 * drivers seen so far), each driver with the entry list's full name and
 * category when the race has an entry list (category null otherwise).
 */
export function crewsOf(timeline: RaceTimeline, entryList: EntryList | undefined, order: (a: string, b: string) => number): CarCrew[] {
  const roster = makeRoster(timeline, entryList);
  return [...timeline.cars.keys()].sort(order).map((number) => {
    const ref = roster.car(number);
    return { car: number, class: ref.class, team: ref.team, drivers: roster.crew(number) };
  });
}
