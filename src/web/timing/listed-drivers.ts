/**
 * Drivers as the race's entry list names and rates them, for the timing
 * screen: GET /api/races/:race/drivers (served when `sarthe serve
 * --entry-list` gives the race a list). The live stream carries the name the
 * timing data writes; this adds the full name and the category.
 */
import { getJson, raceUrl, serverHas } from '../lib/api.js';
import { afterFirstFrame } from '../lib/first-frame.js';

export interface ListedDriver {
  displayName: string;
  /** Platinum, Gold, Silver or Bronze; null when the list does not rate the driver. */
  category: string | null;
}

interface DriversBody {
  entryList: boolean;
  cars: Array<{ car: string; drivers: Array<{ name: string; displayName: string; category: string | null }> }>;
}

/** A driver not yet seen is asked for again at most this often (wall ms): crews are known as drivers take the wheel. */
const REFRESH_MS = 30_000;

export class ListedDrivers {
  private readonly byCar = new Map<string, Map<string, ListedDriver>>();
  /** False once the server says it has no list for the race (or no such route): nothing more is asked. */
  private enabled = true;
  private fetchedAt = -Infinity;
  private fetching = false;

  /**
   * `onChange`: the list arrived or grew; the table redraws with it. Asked
   * for after the page's first frame: its requests (the server's OpenAPI
   * document, then the list) and their answers' work share the machine with
   * the first rows' paint, which never waits for them.
   */
  constructor(
    private readonly race: string,
    private readonly onChange: () => void,
  ) {
    this.fetchedAt = performance.now();
    void afterFirstFrame.then(() => this.refresh());
  }

  /** The listed driver of `car` named `name` in the timing data; undefined when unknown (asked again later). */
  lookup(car: string, name: string): ListedDriver | undefined {
    if (!this.enabled) return undefined;
    const found = this.byCar.get(car)?.get(name);
    if (found === undefined && performance.now() - this.fetchedAt > REFRESH_MS) void this.refresh();
    return found;
  }

  private async refresh(): Promise<void> {
    if (this.fetching || !this.enabled) return;
    this.fetching = true;
    this.fetchedAt = performance.now();
    try {
      if (!(await serverHas(['/api/races/{race}/drivers']))) {
        this.enabled = false;
        return;
      }
      const body = await getJson<DriversBody>(raceUrl(this.race, '/drivers'));
      if (!body.entryList) {
        this.enabled = false;
        return;
      }
      let grew = false;
      for (const car of body.cars) {
        let drivers = this.byCar.get(car.car);
        if (drivers === undefined) this.byCar.set(car.car, (drivers = new Map()));
        for (const d of car.drivers) {
          if (!drivers.has(d.name)) grew = true;
          drivers.set(d.name, { displayName: d.displayName, category: d.category });
        }
      }
      if (grew) this.onChange();
    } catch {
      // The screen works without the list: names as the timing data writes them.
    } finally {
      this.fetching = false;
    }
  }
}
