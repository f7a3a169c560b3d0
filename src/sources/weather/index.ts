/**
 * Weather station readings → `weather` timing events (model/events.ts).
 *
 * IMSA's Al Kamel weather CSV (shared/data/real/imsa/*-weather.csv, one row a
 * minute), header
 * `TIME_UTC_SECONDS,TIME_UTC_STR,AIR_TEMP,TRACK_TEMP,HUMIDITY,PRESSURE,WIND_SPEED,WIND_DIRECTION,RAIN,`:
 * - TIME_UTC_SECONDS: Unix seconds (UTC);
 * - AIR_TEMP, TRACK_TEMP: °F (Petit Le Mans 2024 starts at 74 °F air, 80 °F
 *   track on an October afternoon in Georgia), kept as °C to 0.1;
 * - HUMIDITY: %; PRESSURE: inHg (29.37), kept as hPa to 0.1;
 * - RAIN: -1 in every row of both shared files, read as "no reading" (null);
 *   0 as dry and a positive value as rain;
 * - WIND_SPEED / WIND_DIRECTION: not kept (the file does not say the speed's unit).
 *
 * The lap files give race time zero as a local time of day
 * (`session.zeroTimeOfDayMs`, HOUR − ELAPSED); the station stamps UTC. The
 * circuit's IANA time zone (rules/circuits, `timeZone`) joins the two, so
 * daylight saving is the zone database's business, not a guess from the
 * data. Readings before race time zero (the grid) are left out.
 *
 * Errors: a WeatherError naming the file, line and column; nothing is
 * returned from a file with a bad row (a station file is small: fix it or
 * leave it out).
 */
import { WeatherEventSchema, type WeatherEvent } from '../../model/events.js';
import { MAX_RACE_TIME_MS } from '../../model/time.js';

export class WeatherError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly column: string | null,
    reason: string,
  ) {
    super(`${source}:${line}${column === null ? '' : ` (${column})`}: ${reason}`);
    this.name = 'WeatherError';
  }
}

const DAY_MS = 86_400_000;
const HPA_PER_INHG = 33.8639;

/** Where race time zero is: the local time of day it fell at, and the circuit's time zone. */
export interface RaceClock {
  /** Local time of day of race time zero (ms since local midnight). */
  zeroTimeOfDayMs: number;
  /** IANA time zone of the circuit. */
  timeZone: string;
}

/** ms to add to a UTC instant to get the local wall clock of `timeZone` at that instant. */
export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(utcMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * Parses an IMSA weather CSV into weather events at race time. `clock` places
 * race time zero; `source` names the file in errors.
 * @throws WeatherError on a header without the columns above or a bad cell.
 */
export function imsaWeatherEvents(text: string, clock: RaceClock, source: string): WeatherEvent[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toUpperCase());
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new WeatherError(source, 1, name, `no ${name} column: not an IMSA weather file (header: ${header.filter(Boolean).join(', ')})`);
    return i;
  };
  const cols = { time: col('TIME_UTC_SECONDS'), air: col('AIR_TEMP'), track: col('TRACK_TEMP'), humidity: col('HUMIDITY'), pressure: col('PRESSURE'), rain: col('RAIN') };
  const events: WeatherEvent[] = [];
  let utcZeroMs: number | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const number = (name: keyof typeof cols, required: boolean): number | null => {
      const raw = (cells[cols[name]] ?? '').trim();
      if (raw === '' && !required) return null;
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) throw new WeatherError(source, i + 1, header[cols[name]]!, `expected a number, got ${JSON.stringify(raw.slice(0, 40))}`);
      return value;
    };
    const utcMs = number('time', true)! * 1000;
    if (!Number.isInteger(utcMs) || utcMs < 0) throw new WeatherError(source, i + 1, 'TIME_UTC_SECONDS', 'expected whole Unix seconds');
    if (utcZeroMs === null) {
      // The first reading fixes the day: race time zero is within 12 hours of it.
      const localTod = (((utcMs + zoneOffsetMs(utcMs, clock.timeZone)) % DAY_MS) + DAY_MS) % DAY_MS;
      let sinceZero = localTod - clock.zeroTimeOfDayMs;
      if (sinceZero > DAY_MS / 2) sinceZero -= DAY_MS;
      if (sinceZero <= -DAY_MS / 2) sinceZero += DAY_MS;
      utcZeroMs = utcMs - sinceZero;
    }
    const atMs = utcMs - utcZeroMs;
    const fahrenheit = (name: 'air' | 'track'): number | null => {
      const f = number(name, false);
      return f === null ? null : round1(((f - 32) * 5) / 9);
    };
    const air = fahrenheit('air');
    const track = fahrenheit('track');
    const humidity = number('humidity', false);
    const inHg = number('pressure', false);
    const rain = number('rain', false);
    if (atMs < 0) continue; // before the start
    if (atMs > MAX_RACE_TIME_MS) throw new WeatherError(source, i + 1, 'TIME_UTC_SECONDS', 'more than the longest race after race time zero');
    const parsed = WeatherEventSchema.safeParse({
      type: 'weather',
      atMs,
      airTempC: air,
      trackTempC: track,
      humidityPct: humidity,
      pressureHpa: inHg === null ? null : round1(inHg * HPA_PER_INHG),
      rain: rain === null || rain < 0 ? null : rain > 0,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new WeatherError(source, i + 1, String(issue.path[0] ?? ''), issue.message);
    }
    events.push(parsed.data);
  }
  return events;
}
