/** Reads a WEC live-timing capture (SQLite: race_meta + car_entries per snapshot) into board snapshots. */
import Database from 'better-sqlite3';
import type { BoardCarRow, BoardSnapshot } from './index.js';

interface MetaRow {
  timestamp: number;
  elapsed: number;
  racestate: string;
  eventName: string;
  weather: string | null;
  airTemp: number | null;
  trackTemp: number | null;
  humidity: number | null;
  pressure: number | null;
}

export function readLiveTimingCapture(file: string): BoardSnapshot[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    // The weather columns are optional: a capture without them has no weather.
    const columns = new Set((db.prepare('PRAGMA table_info(race_meta)').all() as Array<{ name: string }>).map((c) => c.name));
    const weatherColumns = ['weather', 'airTemp', 'trackTemp', 'humidity', 'pressure']
      .map((name) => (columns.has(`params.${name}`) ? `"params.${name}" AS ${name}` : `NULL AS ${name}`))
      .join(', ');
    const meta = db
      .prepare(`SELECT "params.timestamp" AS timestamp, "params.elapsed" AS elapsed, "params.racestate" AS racestate, "params.eventName" AS eventName, ${weatherColumns} FROM race_meta ORDER BY 1`)
      .all() as MetaRow[];
    const rows = db
      .prepare(
        'SELECT timestamp, ranking, number, category, team, car, driver, lap, lastlap, pitstop, state, lastPassingTime, gap, gapPrev, classGap, classGapPrev, sector, currentSector1, currentSector2, currentSector3 FROM car_entries ORDER BY timestamp, ranking',
      )
      .all() as Array<Record<string, unknown>>;
    const byTime = new Map<number, BoardCarRow[]>();
    for (const r of rows) {
      const t = Number(r.timestamp);
      let list = byTime.get(t);
      if (list === undefined) byTime.set(t, (list = []));
      const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
      list.push({
        number: text(r.number),
        category: text(r.category),
        team: text(r.team),
        car: text(r.car),
        driver: text(r.driver),
        lap: Number(r.lap ?? 0),
        lastLap: text(r.lastlap),
        pitstop: Number(r.pitstop ?? 0),
        state: text(r.state),
        lastPassingTime: r.lastPassingTime === null ? null : Number(r.lastPassingTime),
        ranking: Number(r.ranking),
        gap: text(r.gap),
        gapPrev: text(r.gapPrev),
        classGap: text(r.classGap),
        classGapPrev: text(r.classGapPrev),
        sector: r.sector === null || r.sector === undefined ? null : Number(r.sector),
        currentSectors: [text(r.currentSector1), text(r.currentSector2), text(r.currentSector3)],
      });
    }
    return meta
      .filter((m) => byTime.has(m.timestamp))
      .map((m) => ({
        timestamp: m.timestamp,
        elapsedMs: m.elapsed * 1000,
        raceState: m.racestate ?? '',
        eventName: m.eventName ?? '',
        // °C and hPa on the WEC board; all four at 0 is a snapshot without a reading (one in the Silverstone capture).
        weather:
          (m.airTemp === 0 && m.trackTemp === 0 && m.pressure === 0) || (m.airTemp === null && m.trackTemp === null && m.weather === null)
            ? undefined
            : { conditions: m.weather ?? '', airTempC: m.airTemp, trackTempC: m.trackTemp, humidityPct: m.humidity, pressureHpa: m.pressure },
        cars: byTime.get(m.timestamp)!,
      }));
  } finally {
    db.close();
  }
}
