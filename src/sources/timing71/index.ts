/**
 * Timing71 replay archives (a zip of the official timing screen as it was
 * shown, e.g. IMSA Detroit 2026) → board snapshots → timing events, and the
 * race-control messages as `{atMs, text}` records. Pure: the zip's bytes come
 * in (the CLI reads the file); fflate unpacks them.
 *
 * The archive's layout (read off the Detroit 2026 archive, see
 * ../shared/data/real/SOURCES.md):
 * - `manifest.json`: `colSpec`, the columns of a board row ([name, type, …]),
 *   here Num, State, Class, PIC, Driver, Team, Car, Laps, Gap, Int, S1–S3,
 *   Last, Best, VFT, Pits; `startTime` (epoch s).
 * - `<epoch s>.json` keyframes: `cars` (rows in colSpec order, in the
 *   screen's order, which is by class), `session` (`flagState`,
 *   `timeElapsed` in s, …), `messages` (the latest ones, newest first:
 *   [epoch ms, category, text, type, car?]).
 * - `<epoch s>i.json` diffs against the frame before: `cars` and `session`
 *   hold only `["change", path, [old, new]]` operations (path [row, column]
 *   or [row, column, part] for the [value, highlight] cells); `messages` the
 *   new messages.
 * A row is a screen line, not a car: when cars swap places the Num cell of
 * the line changes, so frames are rebuilt line by line and read by car number.
 *
 * Sectors: the S1–S3 cells (with their "old" highlight) say which sector
 * the car is in and the times of the lap in progress (boardSectors), so the
 * snapshot adapter tells each S1 and S2 crossing as a sector event at the
 * lap's start crossing + S1 (+ S2), as it does for the WEC board.
 *
 * Times: the file name gives the frame's instant to the second, and frames
 * come about one a second, so a lap's line crossing is bracketed to about a
 * second before the lap times narrow it (src/sources/livetiming does that;
 * here a frame's instant stands in for the board's "latest loop passing").
 */
import { unzipSync, strFromU8 } from 'fflate';
import type { TimingEvent } from '../../model/events.js';
import { snapshotsToEvents, type BadBoardRow, type BoardCarRow, type BoardSnapshot } from '../livetiming/index.js';

/** A cell as the archive stores it: a value, or [value, highlight] ("pb", "sb", "old"). */
type Cell = string | number | null | [string | number | null, string];

export interface Timing71Frame {
  /** Epoch ms of the frame (from its file name, whole seconds). */
  atMs: number;
  /** Screen lines in colSpec order. */
  cars: Cell[][];
  flagState: string;
  /** Race time shown (ms), when the session gives it. */
  elapsedMs: number | null;
  /** Race time left (ms), when the session gives it. */
  remainingMs: number | null;
}

export interface Timing71Archive {
  name: string;
  description: string;
  columns: string[];
  frames: Timing71Frame[];
  /** Every message once, oldest first: [epoch ms, category, text, type, car?]. */
  messages: Array<{ atMs: number; category: string; text: string; type: string | null; car: string | null }>;
}

/** A race-control message with its instant (epoch ms), as the decisions parser takes it. */
export interface RaceControlMessage {
  atMs: number;
  text: string;
}

export class Timing71Error extends Error {}

const FRAME = /^(?:.*\/)?(\d+)(i?)\.json$/;

/** Unpacks a replay zip into its frames and messages. Throws Timing71Error saying which file and what is wrong. */
export function readTiming71Archive(zip: Uint8Array, source = 'archive'): Timing71Archive {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (error) {
    throw new Timing71Error(`${source}: not a zip archive (${(error as Error).message})`);
  }
  const json = (name: string): Record<string, unknown> => {
    try {
      return JSON.parse(strFromU8(files[name]!)) as Record<string, unknown>;
    } catch (error) {
      throw new Timing71Error(`${source}: ${name} is not JSON (${(error as Error).message})`);
    }
  };
  const manifestName = Object.keys(files).find((n) => /(^|\/)manifest\.json$/.test(n));
  if (manifestName === undefined) throw new Timing71Error(`${source}: no manifest.json (not a Timing71 replay archive)`);
  const manifest = json(manifestName);
  const colSpec = manifest.colSpec;
  if (!Array.isArray(colSpec)) throw new Timing71Error(`${source}: ${manifestName} has no colSpec`);
  const columns = colSpec.map((c) => String(Array.isArray(c) ? c[0] : c));
  const names = Object.keys(files)
    .map((n) => ({ n, m: FRAME.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => Number(a.m[1]) - Number(b.m[1]) || (a.m[2] === '' ? -1 : 1));
  if (names.length === 0 || names[0]!.m[2] !== '') throw new Timing71Error(`${source}: the archive does not start with a keyframe`);
  const frames: Timing71Frame[] = [];
  const seenMessages = new Set<string>();
  const messages: Timing71Archive['messages'] = [];
  let cars: Cell[][] = [];
  let session: Record<string, unknown> = {};
  for (const { n, m } of names) {
    const data = json(n);
    if (m[2] === '') {
      if (!Array.isArray(data.cars)) throw new Timing71Error(`${source}: keyframe ${n} has no cars`);
      cars = (data.cars as Cell[][]).map((row) => [...row]);
      session = { ...((data.session as Record<string, unknown>) ?? {}) };
    } else {
      cars = cars.map((row) => [...row]);
      for (const op of (data.cars as unknown[]) ?? []) applyCarChange(cars, op, `${source}: ${n}`);
      for (const op of (data.session as unknown[]) ?? []) {
        if (Array.isArray(op) && op[0] === 'change' && typeof op[1] === 'string' && Array.isArray(op[2])) session[op[1]] = op[2][1];
      }
    }
    for (const msg of (data.messages as unknown[]) ?? []) {
      if (!Array.isArray(msg) || typeof msg[0] !== 'number' || typeof msg[2] !== 'string') continue;
      const key = `${msg[0]}|${msg[2]}`;
      if (seenMessages.has(key)) continue;
      seenMessages.add(key);
      messages.push({ atMs: msg[0], category: String(msg[1] ?? ''), text: msg[2], type: msg[3] == null ? null : String(msg[3]), car: msg[4] == null ? null : String(msg[4]) });
    }
    const seconds = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 1000) : null);
    frames.push({ atMs: Number(m[1]) * 1000, cars, flagState: String(session.flagState ?? ''), elapsedMs: seconds(session.timeElapsed), remainingMs: seconds(session.timeRemain) });
  }
  messages.sort((a, b) => a.atMs - b.atMs);
  return { name: String(manifest.name ?? ''), description: String(manifest.description ?? ''), columns, frames, messages };
}

function applyCarChange(cars: Cell[][], op: unknown, where: string): void {
  if (!Array.isArray(op) || op[0] !== 'change' || !Array.isArray(op[1]) || !Array.isArray(op[2])) {
    throw new Timing71Error(`${where}: unknown operation ${JSON.stringify(op).slice(0, 80)} (only "change" is known)`);
  }
  const [row, column, part] = op[1] as number[];
  const value = (op[2] as Cell[])[1] ?? null;
  const line = cars[row!];
  if (line === undefined) throw new Timing71Error(`${where}: change to screen line ${row} of ${cars.length}`);
  if (part === undefined) line[column!] = value;
  else {
    const cell = line[column!];
    const pair: [string | number | null, string] = Array.isArray(cell) ? [cell[0], cell[1]] : [cell ?? null, ''];
    (pair as unknown[])[part] = value;
    line[column!] = pair;
  }
}

/**
 * The race-control messages of the archive (category "Race Control"), oldest
 * first, at race time: `atMs` is ms since race time zero (`zeroEpochMs`, the
 * epoch ms of the start), negative before it.
 */
export function raceControlMessages(archive: Timing71Archive, zeroEpochMs: number): RaceControlMessage[] {
  return archive.messages
    .filter((m) => m.category === 'Race Control' || m.type === 'raceControl')
    .map((m) => ({ atMs: m.atMs - zeroEpochMs, text: m.text }));
}

export interface Timing71Import {
  /** Timing events (session, entries, laps, pit exits, flags), race time in ms. */
  events: TimingEvent[];
  /** Race-control messages at race time, for the decisions parser. */
  raceControl: RaceControlMessage[];
  /** Epoch ms of race time zero. */
  zeroEpochMs: number;
  /** Screen rows (or laps told from them) the event schema refused, left out (livetiming snapshotsToEvents). */
  bad: BadBoardRow[];
}

/**
 * A replay zip → timing events and race-control messages. The session's
 * scheduled length is the screen's elapsed + remaining time (taken at the
 * first frame that shows both once the race is green); the name is the
 * manifest's description. Throws Timing71Error on a zip that is not a
 * Timing71 archive.
 */
export function timing71Events(zip: Uint8Array, source = 'archive'): Timing71Import {
  const archive = readTiming71Archive(zip, source);
  const { events, bad, zeroEpochMs } = snapshotsToEvents(archiveSnapshots(archive));
  const clock = archive.frames.find((f) => f.flagState === 'green' && f.elapsedMs !== null && f.remainingMs !== null);
  const scheduledDurationMs = clock === undefined ? null : Math.round((clock.elapsedMs! + clock.remainingMs!) / 1000) * 1000;
  const withSession = events.map((e) => (e.type === 'session' ? { ...e, scheduledDurationMs } : e));
  return { events: withSession, raceControl: raceControlMessages(archive, zeroEpochMs), zeroEpochMs, bad };
}

/** Timing71's flagState → the WEC board's race state words the snapshot adapter reads. */
const FLAG_STATES: Record<string, string> = { green: 'green', fcy: 'yellow', yellow: 'yellow', sc: 'safety_car', red: 'red', chequered: 'chk', none: '' };

/** A number of seconds (the archive's times) → "m:ss.mmm" or "s.mmm"; anything else as text. */
function timeText(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return value === null || value === undefined ? '' : String(value).trim();
  const ms = Math.round(value * 1000);
  const minutes = Math.floor(ms / 60_000);
  const rest = ((ms % 60_000) / 1000).toFixed(3);
  return minutes > 0 ? `${minutes}:${rest.padStart(6, '0')}` : rest;
}

const plain = (cell: Cell | undefined): unknown => (Array.isArray(cell) ? cell[0] : cell);

/**
 * Frames → board snapshots, so the snapshot adapter (src/sources/livetiming)
 * turns them into events and check-gaps compares them. A frame's instant is
 * every car's "latest passing". Gap goes to `gap`, Int to `gapPrev`; the
 * archive has no class gap columns. State "PIT" is the WEC board's "In".
 * Frames before the green flag (flagState "none", no laps) are kept: they
 * carry the entry list.
 */
export function archiveSnapshots(archive: Timing71Archive): BoardSnapshot[] {
  const col = (name: string) => {
    const i = archive.columns.indexOf(name);
    if (i < 0) throw new Timing71Error(`the archive's colSpec has no "${name}" column (it has ${archive.columns.join(', ')})`);
    return i;
  };
  const [num, state, cls, driver, team, car, laps, gap, int, last, pits] = ['Num', 'State', 'Class', 'Driver', 'Team', 'Car', 'Laps', 'Gap', 'Int', 'Last', 'Pits'].map(col) as number[];
  // Sector columns are optional: an archive without them tells no sector crossings.
  const [s1, s2, s3] = ['S1', 'S2', 'S3'].map((name) => archive.columns.indexOf(name)) as [number, number, number];
  const withSectors = s1 >= 0 && s2 >= 0 && s3 >= 0;
  const startMs = archive.frames.find((f) => f.flagState === 'green')?.atMs ?? archive.frames[0]?.atMs ?? 0;
  return archive.frames.map((frame) => ({
    timestamp: frame.atMs,
    elapsedMs: frame.elapsedMs ?? frame.atMs - startMs,
    raceState: FLAG_STATES[frame.flagState] ?? frame.flagState,
    eventName: archive.description || archive.name,
    sampled: true,
    cars: frame.cars.map((row, i): BoardCarRow => {
      const sectors = withSectors ? boardSectors(row[s1], row[s2], row[s3]) : NO_SECTOR_COLUMNS;
      return {
        number: String(plain(row[num!]) ?? '').trim(),
        category: String(plain(row[cls!]) ?? ''),
        team: String(plain(row[team!]) ?? ''),
        car: String(plain(row[car!]) ?? ''),
        driver: String(plain(row[driver!]) ?? ''),
        lap: Number(plain(row[laps!]) ?? 0) || 0,
        lastLap: cellText(row[last!]),
        pitstop: Number(plain(row[pits!]) ?? 0) || 0,
        state: String(plain(row[state!]) ?? '') === 'PIT' ? 'In' : String(plain(row[state!]) ?? ''),
        lastPassingTime: frame.atMs,
        ranking: i + 1,
        gap: cellText(row[gap!]),
        gapPrev: cellText(row[int!]),
        classGap: '',
        classGapPrev: '',
        sector: sectors.sector,
        currentSectors: sectors.currentSectors,
      };
    }),
  }));
}

/**
 * The S1–S3 cells of a screen line → the WEC board's `sector` and
 * `currentSectors` (livetiming BoardCarRow). The IMSA screen marks a sector
 * time "old" once the car is past the next line: after the finish line all
 * three are the completed lap's (sector 1); past S1, S2 and S3 are old and
 * S1 is the lap's (sector 2); past S2, only S3 is old (sector 3). On the
 * first lap the cells not yet reached are blank instead of old. Any other
 * pattern (all old in the pit lane; a frame that briefly shows the car's
 * best sectors with S2 old and S3 not, Detroit 2026 #31 at 20:43:22) says
 * nothing of which lap the times belong to: no sector, no times.
 */
function boardSectors(c1: Cell | undefined, c2: Cell | undefined, c3: Cell | undefined): BoardSectors {
  // A frame copies its lines but shares the cells it did not change, and no cell is changed in place
  // (applyCarChange puts a new one): the same three cells read as the last time.
  const cached = Array.isArray(c1) ? sectorsOfCells.get(c1) : undefined;
  if (cached !== undefined && cached.c2 === c2 && cached.c3 === c3) return cached.sectors;
  const [f1, f2, f3] = [fresh(c1), fresh(c2), fresh(c3)];
  const sectors: BoardSectors =
    f1 && f2 && f3
      ? { sector: 1, currentSectors: [cellText(c1), cellText(c2), cellText(c3)] }
      : f1 && !f2 && !f3
        ? { sector: 2, currentSectors: [cellText(c1), '', ''] }
        : f1 && f2 && !f3
          ? { sector: 3, currentSectors: [cellText(c1), cellText(c2), ''] }
          : NO_SECTORS;
  if (Array.isArray(c1)) sectorsOfCells.set(c1, { c2, c3, sectors });
  return sectors;
}

const NO_SECTOR_COLUMNS: BoardSectors = { sector: undefined, currentSectors: undefined };
type BoardSectors = Readonly<Pick<BoardCarRow, 'sector' | 'currentSectors'>>;
const NO_SECTORS: BoardSectors = { sector: null, currentSectors: ['', '', ''] };
const sectorsOfCells = new WeakMap<object, { c2: Cell | undefined; c3: Cell | undefined; sectors: BoardSectors }>();

/** A sector cell with a time not marked "old" (the alternative, on a screen line: old or blank). */
function fresh(cell: Cell | undefined): boolean {
  if (Array.isArray(cell) && cell[1] === 'old') return false;
  const value = plain(cell);
  return typeof value === 'number' || (value !== null && value !== undefined && String(value).trim() !== '');
}

/** timeText of a cell's value; a time stays on the screen for many frames, so each is written once. */
const timeTexts = new Map<number, string>();
function cellText(cell: Cell | undefined): string {
  const value = plain(cell);
  if (typeof value !== 'number') return timeText(value);
  let text = timeTexts.get(value);
  if (text === undefined) {
    if (timeTexts.size > 100_000) timeTexts.clear();
    timeTexts.set(value, (text = timeText(value)));
  }
  return text;
}
