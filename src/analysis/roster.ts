/**
 * Who is who: cars and drivers as analysis records name them, from the
 * timing data's entries completed by the optional entry list.
 */
import type { RaceTimeline } from '../engine/timeline.js';
import { raceIndex, type RaceIndex } from './race-index.js';
import type { DriverCategory, EntryList, EntryListCar, EntryListDriver } from './entry-list.js';
import { driverName } from '../model/names.js';

/** A car as every analysis record names it. */
export interface CarRef {
  car: string;
  class: string;
  group: string;
  team: string;
  /** From the entry list; the full team name when it gives none. */
  teamShort: string;
  manufacturer: string;
}

/** A driver as every analysis record names it. */
export interface DriverRef {
  car: string;
  /** DRIVER_NUMBER within the crew. */
  number: number;
  /** As the timing data writes it ("Fernando ALONSO"). */
  name: string;
  /** For people: the entry list's, else the data's name with capitals tamed ("Fernando Alonso"). */
  displayName: string;
  /** For second mentions in reports ("Alonso"). */
  surname: string;
  /** Only an entry list knows it; null without one. */
  category: DriverCategory | null;
}

export interface Roster {
  car(number: string): CarRef;
  driver(car: string, driverNumber: number, name: string): DriverRef;
  /** The crew as known from the data (entry event), in driver-number order. */
  crew(car: string): DriverRef[];
}

const rosters = new WeakMap<RaceIndex, Map<EntryList | null, Roster>>();

/**
 * The roster of a timeline with an entry list, shared by every analysis of
 * the same timeline state (the race index is rebuilt with new events, and the
 * rosters with it): names are worked out once, not once per hour report.
 */
export function rosterOf(timeline: RaceTimeline, entryList?: EntryList): Roster {
  const index = raceIndex(timeline);
  let byList = rosters.get(index);
  if (byList === undefined) rosters.set(index, (byList = new Map()));
  let roster = byList.get(entryList ?? null);
  if (roster === undefined) byList.set(entryList ?? null, (roster = makeRoster(timeline, entryList)));
  return roster;
}

export function makeRoster(timeline: RaceTimeline, entryList?: EntryList): Roster {
  const listed = new Map<string, EntryListCar>((entryList?.cars ?? []).map((c) => [c.number, c]));
  const cars = new Map<string, CarRef>();
  // car → driver number → name → ref: looked up once per lap, so no key strings.
  const drivers = new Map<string, Map<number, Map<string, DriverRef>>>();
  const crews = new Map<string, DriverRef[]>();
  const roster: Roster = {
    car(number) {
      let ref = cars.get(number);
      if (ref === undefined) {
        const entry = timeline.cars.get(number)?.entry;
        const fromList = listed.get(number);
        const team = entry?.team || fromList?.team || '';
        ref = {
          car: number,
          class: entry?.class ?? '',
          group: entry?.group ?? '',
          team,
          teamShort: fromList?.teamShort ?? team,
          manufacturer: entry?.manufacturer ?? '',
        };
        cars.set(number, ref);
      }
      return ref;
    },
    driver(car, driverNumber, name) {
      let byNumber = drivers.get(car);
      if (byNumber === undefined) drivers.set(car, (byNumber = new Map()));
      let byName = byNumber.get(driverNumber);
      if (byName === undefined) byNumber.set(driverNumber, (byName = new Map()));
      let ref = byName.get(name);
      if (ref === undefined) {
        const fromList = findListedDriver(listed.get(car), driverNumber, name);
        const shownName = name || fromList?.name || `Driver ${driverNumber}`;
        ref = {
          car,
          number: driverNumber,
          name: shownName,
          displayName: fromList?.displayName ?? tameCapitals(shownName),
          surname: fromList?.surname ?? surnameOf(shownName),
          category: fromList?.category ?? null,
        };
        byName.set(name, ref);
      }
      return ref;
    },
    crew(car) {
      let crew = crews.get(car);
      if (crew === undefined) {
        const entry = timeline.cars.get(car)?.entry;
        crews.set(car, (crew = (entry?.drivers ?? []).map((d) => roster.driver(car, d.number, d.name))));
      }
      return crew;
    },
  };
  return roster;
}

function findListedDriver(car: EntryListCar | undefined, driverNumber: number, name: string): EntryListDriver | undefined {
  if (car === undefined) return undefined;
  const key = nameKey(name);
  return (
    car.drivers.find((d) => d.number === driverNumber && (name === '' || nameKey(d.name) === key)) ??
    car.drivers.find((d) => nameKey(d.name) === key) ??
    car.drivers.find((d) => d.number === driverNumber && d.number !== undefined) ??
    uniqueBySurname(car.drivers, name)
  );
}

function uniqueBySurname(drivers: EntryListDriver[], name: string): EntryListDriver | undefined {
  const surname = nameKey(surnameOf(name));
  if (surname === '') return undefined;
  const found = drivers.filter((d) => nameKey(d.surname ?? surnameOf(d.name)) === surname);
  return found.length === 1 ? found[0] : undefined;
}

/** "José María LÓPEZ" and "Jose Maria Lopez" are the same driver. */
export function nameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** WEC files shout surnames ("Fernando ALONSO"); people write "Fernando Alonso". */
export function tameCapitals(name: string): string {
  return driverName(name).full;
}

/** The shouted words of a WEC name ("DE VRIES"), else the last word (IMSA "Mark Kvamme"). */
export function surnameOf(name: string): string {
  return driverName(name).surname;
}
