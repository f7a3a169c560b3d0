/**
 * Times are integers of milliseconds everywhere inside Sarthe; these helpers
 * parse them from text and format them only at the edge.
 */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/**
 * The longest race Sarthe follows: 168 hours (a week). The longest endurance
 * races ever run are the 84-hour Marathon de la Route at the Nürburgring
 * (1965–1971, revived in 2024); 24 hours is the usual longest. Every race time,
 * lap time, sector, pit stop and scheduled length is bounded by it (the event
 * schema, model/events.ts), so no loop that race time drives (the hourly
 * report desk, `sarthe report --all`, hourly positions) runs for more than
 * this many hours (issue 13, item 1).
 */
export const MAX_RACE_HOURS = 168;
export const MAX_RACE_TIME_MS = MAX_RACE_HOURS * HOUR;

/**
 * Parses a clock-style duration: `ss.fff`, `m:ss.fff`, `mm:ss.fff`,
 * `h:mm:ss.fff` or `hh:mm:ss.fff` (fraction optional, 1–3 digits), as Al Kamel
 * and RMonitor write them. Returns NaN when the text is not such a time.
 *
 * Hand-written on purpose: it runs about 100,000 times per Le Mans file, and
 * the import must cost no more than twice splitting the file (bench/).
 */
export function parseClockMs(text: string): number {
  return parseClockRange(text, 0, text.length);
}

/** parseClockMs over text[start, end), so a parser need not cut the cell out. */
export function parseClockRange(text: string, start: number, end: number): number {
  const n = end;
  if (n <= start) return NaN;
  let total = 0; // whole seconds so far, as h/m/s fields accumulate
  let field = 0;
  let digits = 0;
  let colons = 0;
  let i = start;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      field = field * 10 + (c - 48);
      digits++;
    } else if (c === 58 /* : */) {
      if (digits === 0 || colons === 2) return NaN;
      // minutes and seconds after a colon must be below 60 when a field follows
      if (colons > 0 && field >= 60) return NaN;
      total = total * 60 + field;
      field = 0;
      digits = 0;
      colons++;
    } else if (c === 46 /* . */) {
      break;
    } else {
      return NaN;
    }
  }
  if (digits === 0) return NaN;
  if (colons > 0 && field >= 60) return NaN;
  total = total * 60 + field;
  let fractionMs = 0;
  if (i < n) {
    // text[i] is '.'
    const fractionDigits = n - i - 1;
    if (fractionDigits < 1 || fractionDigits > 3) return NaN;
    let scale = 100;
    for (let j = i + 1; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c < 48 || c > 57) return NaN;
      fractionMs += (c - 48) * scale;
      scale /= 10;
    }
  }
  return total * 1000 + fractionMs;
}

/**
 * Parses a race-time instant given by a person: `22h`, `6:30` (h:mm),
 * `5:59:59.5`, `90m`, `1h30m`, `45s`, or a plain number of hours.
 * Returns null for "end" (the last instant known). Throws on anything else,
 * and on an instant past MAX_RACE_TIME_MS (no race lasts that long).
 */
export function parseRaceTime(text: string): number | null {
  const ms = parseRaceTimeUnbounded(text);
  if (ms !== null && !(ms <= MAX_RACE_TIME_MS)) {
    throw new Error(`race time "${text}" is past ${MAX_RACE_HOURS}h, the longest race Sarthe follows`);
  }
  return ms;
}

function parseRaceTimeUnbounded(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'end' || t === 'now' || t === 'live') return null;
  const units = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(t);
  if (units && (units[1] ?? units[2] ?? units[3]) !== undefined) {
    const h = Number(units[1] ?? 0);
    const m = Number(units[2] ?? 0);
    const s = Number(units[3] ?? 0);
    return Math.round(h * HOUR + m * MINUTE + s * SECOND);
  }
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * HOUR);
  const parts = t.split(':');
  if (parts.length === 2 && /^\d+$/.test(parts[0]!) && /^\d{1,2}$/.test(parts[1]!)) {
    const minutes = Number(parts[1]);
    if (minutes < 60) return Number(parts[0]) * HOUR + minutes * MINUTE;
  }
  if (parts.length === 3) {
    const ms = parseClockMs(t);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new Error(
    `cannot read race time "${text}": use e.g. 22h, 6:30 (hours:minutes), 5:59:59.5, 90m or end`,
  );
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Lap or sector time as timing screens show it: `1:42.567`, `35.433`, `1:02:03.456`. */
export function formatLapTime(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(Math.round(ms));
  const h = Math.floor(abs / HOUR);
  const m = Math.floor((abs % HOUR) / MINUTE);
  const s = Math.floor((abs % MINUTE) / SECOND);
  const f = abs % SECOND;
  if (h > 0) return `${sign}${h}:${pad(m, 2)}:${pad(s, 2)}.${pad(f, 3)}`;
  if (m > 0) return `${sign}${m}:${pad(s, 2)}.${pad(f, 3)}`;
  return `${sign}${s}.${pad(f, 3)}`;
}

/** Race time as a clock: `6:00:00`, `23:59:59.5` when the fraction matters. */
export function formatRaceTime(ms: number, withMillis = false): string {
  const abs = Math.max(0, Math.round(ms));
  const h = Math.floor(abs / HOUR);
  const m = Math.floor((abs % HOUR) / MINUTE);
  const s = Math.floor((abs % MINUTE) / SECOND);
  const base = `${h}:${pad(m, 2)}:${pad(s, 2)}`;
  return withMillis ? `${base}.${pad(abs % SECOND, 3)}` : base;
}

/** Time of day from milliseconds since midnight (wrapped into one day). */
export function formatTimeOfDay(ms: number): string {
  const day = 24 * HOUR;
  const t = ((Math.round(ms) % day) + day) % day;
  return `${pad(Math.floor(t / HOUR), 2)}:${pad(Math.floor((t % HOUR) / MINUTE), 2)}:${pad(Math.floor((t % MINUTE) / SECOND), 2)}`;
}

/** A duration as people say it: `45s`, `2m17s`, `1h05m`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / SECOND);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60, 2)}s`;
  return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60), 2)}m`;
}
