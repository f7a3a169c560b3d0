/**
 * Where the car page and the charts get their analysis: the server's
 * analysis routes when its OpenAPI document lists them, else computed in the
 * browser from the server's raw data — the engine and src/analysis are pure,
 * so the browser can fold the same events and ask the same questions (a
 * server without those routes still gets working pages). Loaded only with
 * the car and chart pages.
 *
 * - car page: GET …/cars/:car gives the car's entry, laps and pit exits; one
 *   car's timeline is enough for its pit stops, stints and drive time.
 * - charts: GET …/events (paged) gives every stored event; they are folded
 *   once and then fetched incrementally (`after=<last seq>`).
 *
 * Not here: drive-time rule checks (src/analysis/rules.ts pulls zod, ~90 kB
 * gzipped): the car page shows them only when the server sends them.
 */
import { driveTimes, type CarDriveTime } from '../../analysis/drive-time.js';
import { lapChart, type CarHistory } from '../../analysis/history.js';
import { pitStops, type PitStop } from '../../analysis/pits.js';
import { stints, type CarStints } from '../../analysis/stints.js';
import { RaceTimeline } from '../../engine/timeline.js';
import type { EntryEvent, LapEvent, PitOutEvent, SessionEvent, TimingEvent } from '../../model/events.js';
import type { RaceInfo } from '../../model/live.js';
import { atParam, getJson, raceUrl, serverHas } from '../lib/api.js';
import { readCarPage, type CarPageData } from '../car/car-data.js';

function sessionOf(race: RaceInfo): SessionEvent {
  return { type: 'session', name: race.name, zeroTimeOfDayMs: race.zeroTimeOfDayMs, scheduledDurationMs: race.scheduledDurationMs };
}

interface ServerCar {
  entry?: EntryEvent;
  laps?: LapEvent[];
  pitOuts?: PitOutEvent[];
  at?: { raceTimeMs: number };
}

const CAR_ROUTES = ['/api/races/{race}/pit-stops', '/api/races/{race}/stints', '/api/races/{race}/drive-time'];

/**
 * Everything the car page shows at `atMs` (null: live): GET …/cars/:car, plus
 * the server's pit stops, stints and drive time for that car when it has
 * those routes, else the same analysis computed here from the car's laps.
 */
export async function loadCarPage(race: RaceInfo, car: string, atMs: number | null, signal: AbortSignal): Promise<CarPageData> {
  const at = atMs === null ? '' : `at=${atParam(atMs)}`;
  const detail = await getJson<unknown>(raceUrl(race.id, `/cars/${encodeURIComponent(car)}${at ? `?${at}` : ''}`), signal);
  if (!(await serverHas(CAR_ROUTES))) return carPageData(detail, race);
  const query = `?car=${encodeURIComponent(car)}${at ? `&${at}` : ''}`;
  const [stops, stintsBody, drive] = await Promise.all([
    getJson<{ pitStops: PitStop[] }>(raceUrl(race.id, `/pit-stops${query}`), signal),
    getJson<{ stints: CarStints[] }>(raceUrl(race.id, `/stints${query}`), signal),
    getJson<{ driveTime: CarDriveTime[] }>(raceUrl(race.id, `/drive-time${query}`), signal),
  ]);
  const own = stintsBody.stints.find((s) => s.car === car);
  return {
    ...readCarPage(detail),
    pitStops: stops.pitStops,
    carStints: own?.carStints ?? [],
    driverStints: own?.driverStints ?? [],
    driveTime: drive.driveTime.find((d) => d.car.car === car) ?? null,
  };
}

/** The car page's data: the server's analysis when it sends it, else computed here from the car's laps. */
export function carPageData(json: unknown, race: RaceInfo): CarPageData {
  const server = readCarPage(json);
  if (server.pitStops.length > 0 || server.carStints.length > 0 || server.driveTime !== null) return server;
  const body = (typeof json === 'object' && json !== null ? json : {}) as ServerCar;
  const laps = body.laps ?? [];
  if (body.entry === undefined || laps.length === 0) return server;
  const timeline = new RaceTimeline();
  timeline.apply(sessionOf(race));
  timeline.apply(body.entry);
  for (const lap of laps) timeline.apply(lap);
  for (const out of body.pitOuts ?? []) timeline.apply(out);
  const at = body.at?.raceTimeMs ?? timeline.lastEventMs;
  const car = body.entry.car;
  const carStints = stints(timeline, { at, cars: [car] })[0];
  return {
    ...server,
    pitStops: pitStops(timeline, { at, cars: [car] }),
    carStints: carStints?.carStints ?? [],
    driverStints: carStints?.driverStints ?? [],
    driveTime: driveTimes(timeline, { at, cars: [car] })[0] ?? null,
  };
}

/** GET …/events: stored events (src/store StoredEvent) after a seq. */
interface EventsPage {
  lastSeq: number;
  events: Array<{ seq: number; event: TimingEvent }>;
}

const PAGE = 10_000;

/** Every event of a race, folded once and kept up to date by fetching only what is new. */
class RaceMirror {
  readonly timeline = new RaceTimeline();
  private seq = 0;
  private pending: Promise<void> | null = null;

  constructor(private readonly race: RaceInfo) {
    this.timeline.apply(sessionOf(race));
  }

  /** Fetches the events stored since the last call. */
  update(signal?: AbortSignal): Promise<void> {
    this.pending ??= this.fetchNew(signal).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async fetchNew(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const response = await fetch(raceUrl(this.race.id, `/events?after=${this.seq}&limit=${PAGE}`), { signal: signal ?? null });
      if (!response.ok) throw new Error(`events: HTTP ${response.status}`);
      const page = (await response.json()) as EventsPage;
      for (const stored of page.events) {
        // The stored session event replaces the one made from RaceInfo.
        this.timeline.apply(stored.event);
        if (stored.seq > this.seq) this.seq = stored.seq;
      }
      if (page.events.length < PAGE || this.seq >= page.lastSeq) return;
    }
  }
}

const mirrors = new Map<string, RaceMirror>();

export interface ChartData {
  lapChart: CarHistory[];
  stints: CarStints[];
}

/** Lap chart and stints of every car at `at` (null: the latest known instant). */
export async function chartData(race: RaceInfo, at: number | null, signal?: AbortSignal): Promise<ChartData> {
  let mirror = mirrors.get(race.id);
  if (mirror === undefined) mirrors.set(race.id, (mirror = new RaceMirror(race)));
  await mirror.update(signal);
  const options = { at: at === null ? null : Math.min(at, mirror.timeline.lastEventMs) };
  return { lapChart: lapChart(mirror.timeline, options), stints: stints(mirror.timeline, options) };
}
