/**
 * RMonitor → timing events (specs/rmonitor.md §7), one line at a time. The
 * same decoder serves a live TCP feed, a capture replayed as live and a file
 * import, so all three give the same events.
 *
 * - `$B` with a new run number opens a new session: a race of its own, with
 *   its type from the run name (or the configured default).
 * - `$A`/`$COMP` + `$C` → entries (name fields are display strings: the team
 *   in amateur captures); a renamed class re-issues the entries it holds.
 * - `$J` gives a lap (lap time, crossing) once the `$G` that follows says
 *   which lap it completed; `$G` with more laps than any lap told, and a `$H`
 *   best lap not yet known, become a board row (joined partway, missed lap).
 *   A lap the feed did not send is missing, never invented.
 * - `$I` clears the board (positions, pending passings); what was already
 *   told stays told, and the refresh after it re-sends rows that are then
 *   recognised as known: nothing counted twice, nothing lost.
 * - `$F` gives the flag at each crossing ("Yellow" → full-course yellow: the
 *   feed cannot tell SC, FCY or Code 60 apart).
 * - `$L` passings (IMSA Enhanced RMonitor, spec §5 "Extensions") give the
 *   pit lane as observed: a lap whose line passing was SFP (the line in the
 *   pit lane) is an in-lap; a POP (pit out) after a PIP (pit in) is a
 *   pit-out at the POP's instant with pit lane time POP − PIP, also carried
 *   by the out-lap. A POP without an observed PIP (a car that starts the
 *   session in the pit lane, or a missed pit-in loop) tells nothing: its
 *   pit lane time would be invented. Passing times are time of day; race
 *   time = time of day − offset, the offset taken from an SFT/SFP passing
 *   and the $J of the same crossing (ms exact), or until then from $F
 *   (time of day − race time, 1 s resolution).
 *
 * - No sector events. Base RMonitor has no split, sector or intermediate
 *   loop record: `$J` is the line passing that completes a lap (its TotalTime
 *   is the next `$G`'s). IMSA's `$L` could name track timelines other than
 *   the line (T2…, with `$T` saying which timeline ends which section), but
 *   in every capture we hold (ALMS Sebring 2009, the only ones with `$L`)
 *   the one track timeline is T1 "SFT", the finish line, beside the pit
 *   timelines P1–P3 (SFP, POP, PIP), and no capture has `$T`. Which line an
 *   intermediate timeline is, and so which sector it ends, is not known:
 *   such passings are ignored rather than guessed.
 *
 * RMonitor has no drivers: laps carry driver number 1 and no name.
 */
import type { EntryEvent, Flag, SessionType, TimingEvent } from '../../model/events.js';
import { canonicalJson, EntryEventSchema, LapEventSchema, BoardEventSchema, PitOutEventSchema, SessionEventSchema } from '../../model/events.js';
import type { BadInput, SessionBatch } from '../source.js';
import { ZodError } from 'zod';
import { formatRaceTime } from '../../model/time.js';
import { parseRecord, RecordError, type RMonitorRecord } from './parse.js';

export interface DecoderOptions {
  /** Source name for bad-input reports, e.g. the file or rmonitor://host:port. */
  source: string;
  /** Session type when the run name does not say (--session-type). */
  sessionType?: SessionType;
}

interface Competitor {
  number: string;
  team: string;
  classNo: number | null;
}

interface CarKnown {
  /** Laps told so far (lap or board events). */
  laps: number;
  crossingMs: number;
  /** Highest lap number told as a lap event. */
  lastLapEvent: number;
  bestLapMs: number | null;
  /** Board position last told in a board row (null: none told), and the refresh it belongs to. */
  position: number | null;
  refresh: number;
  /** Instant of the last board row told (-1: none): the next is stated after it, so a sort by time keeps their order. */
  boardAtMs: number;
}

/** What the `$L` passings said of a car's pit lane (time of day, ms). */
interface CarPit {
  /** PIP passing since the last pit-out, if any. */
  inAtTodMs: number | null;
  /** The latest line passing was SFP (in the pit lane): the lap it completes is an in-lap. */
  lineInPit: boolean;
  /** Time of day of the latest SFT/SFP passing (pairs with the $J that follows). */
  lineTodMs: number | null;
  /** Pit lane time of the last pit-out, for the out-lap's lap event. */
  outLapPitLaneMs: number | null;
}

interface Session {
  key: string;
  runNo: number;
  name: string;
  type: SessionType;
  sessionSent: boolean;
  known: Map<string, CarKnown>;
  entries: Map<string, string>;
  pits: Map<string, CarPit>;
  /** The board was cleared since it gave its places ($I, or the run came back): the next board row starts a refresh. */
  placesStale: boolean;
  /** Board refreshes so far (0: the session's first board). */
  refresh: number;
}

/** Session type from the run name; null when the name does not say. */
export function sessionTypeFromName(name: string): SessionType | null {
  if (/qualif|\bquali\b/i.test(name)) return 'qualifying';
  if (/practi[cs]e|warm[- ]?up/i.test(name)) return 'practice';
  if (/\btest\b|hpde|track ?day/i.test(name)) return 'test';
  if (/\brace\b|enduro|\bhours?\b|\d+\s*(h|hr|hrs)\b|grand prix|\bfinal\b/i.test(name)) return 'race';
  return null;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

/** Map a $F flag to the model's course state; null for none or unknown. */
export function flagFromRMonitor(raw: string): Flag | null {
  switch (raw.trim().toLowerCase()) {
    case 'green':
      return 'green';
    case 'yellow':
    case 'purple':
    case 'purple60':
      return 'fcy';
    case 'red':
      return 'red';
    case 'finish':
      return 'finish';
    default:
      return null;
  }
}

const SILENCE_NEW_SESSION_MS = 12 * 3_600_000;
/** How far a $J/$G total may run ahead of the feed's $F race clock before the line is refused (ms). */
const TOTAL_AHEAD_OF_CLOCK_MS = 5 * 60_000;
/**
 * How far a total may lead the last $F race time and still move the session
 * clock (ms): $F counts whole seconds and is sent after the crossings of its
 * second; in the real captures totals lead it by up to 6.2 s, where the relay
 * delivered the $F of three seconds late (barber-2025-8h-finish-stopped-cars).
 */
const TOTAL_CLOCK_LEAD_MS = 10_000;
/** Orbits sends $F every second; past this many records without one, its race time is not current. */
const FEED_CLOCK_FRESH_RECORDS = 50;
const DAY_MS = 24 * 3_600_000;

/** A time-of-day difference across midnight (ms): in [−12 h, 12 h). */
function dayDiff(ms: number): number {
  return ((((ms + DAY_MS / 2) % DAY_MS) + DAY_MS) % DAY_MS) - DAY_MS / 2;
}
const CAR = /^[0-9A-Za-z]{1,8}$/;

export class RMonitorDecoder {
  private session: Session | null = null;
  /** Every session opened, by key (a run may come back). */
  private readonly sessions = new Map<string, Session>();
  private readonly classes = new Map<number, string>();
  private readonly competitors = new Map<string, Competitor>();
  /** Board rows since the last $I (positions are only meaningful together). */
  private readonly boardG = new Map<string, { position: number; laps: number; totalMs: number | null }>();
  private readonly boardH = new Map<string, { position: number; bestLap: number; bestLapMs: number | null }>();
  /** $J passings waiting for the $G that says which lap they completed. */
  private readonly pending = new Map<string, { lapMs: number; totalMs: number; inPit: boolean }>();
  /** Time of day − race time (ms): from an $L line passing and its $J (exact), else from $F (1 s). */
  private todOffsetMs: number | null = null;
  private todOffsetExact = false;
  private flagOffsetMs: number | null = null;
  private flag: Flag | null = null;
  /** Session race time as the feed last showed it (max of $F race time under a flag and every total). */
  private clockMs = 0;
  /**
   * The feed's own race clock: the highest $F race time under a flag, once it
   * has shown two different values (a running clock, not a frozen field).
   * Null until then, and after a new session opens.
   */
  private feedClockMs: number | null = null;
  private feedClockFirstMs: number | null = null;
  /** The session clock was moved by a total since the session opened or the stream was cut. */
  private clockTrusted = false;
  /** A total refused as ahead of the clock (no running $F), waiting for another car to confirm it. */
  private unconfirmedJump: { regNo: string; totalMs: number } | null = null;
  /** Records since the last $F: the feed clock is only current for FEED_CLOCK_FRESH_RECORDS. */
  private recordsSinceFeedClock = 0;
  private lineNo = 0;
  /** The line being decoded (trimmed, cut to 200 characters), for bad-input reports. */
  private lineText = '';
  /** Last relay receive time (epoch ms), and a silence waiting for the next race time to judge it. */
  private relayMs: number | null = null;
  private splitPending = false;
  private splits = 0;
  private out: SessionBatch[] = [];
  /** Lines skipped as unreadable. */
  badLines = 0;
  /** Records seen, by type (for logs and tests). */
  readonly counts = new Map<string, number>();

  constructor(private readonly options: DecoderOptions, private readonly onBad: (bad: BadInput) => void = () => {}) {}

  /** The current session's key, or null before the first $B. */
  get sessionKey(): string | null {
    return this.session?.key ?? null;
  }

  /**
   * The stream was cut (a reconnection, a relay silence): the feed's race
   * clock read before it is no longer current, so no total is judged by it
   * until the next running $F.
   */
  streamInterrupted(): void {
    this.feedClockMs = null;
    this.feedClockFirstMs = null;
    this.clockTrusted = false;
    this.unconfirmedJump = null;
  }

  /** Decodes one line; returns the events it produced, by session. Never throws for bad input. */
  push(line: string): SessionBatch[] {
    this.lineNo++;
    const text = line.replace(/^\uFEFF/, '').trim();
    this.lineText = text.slice(0, 200);
    if (text === '') return [];
    if (text.startsWith('##')) {
      this.relayLine(text);
      return [];
    }
    let record: RMonitorRecord;
    try {
      record = parseRecord(text);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      this.badLines++;
      this.onBad({ source: this.options.source, line: this.lineNo, text: text.slice(0, 200), reason: error.message });
      return [];
    }
    this.counts.set(record.kind, (this.counts.get(record.kind) ?? 0) + 1);
    this.recordsSinceFeedClock++;
    this.out = [];
    this.splitIfPending(record);
    try {
      this.apply(record);
    } catch (error) {
      // An event the model refuses (a value out of its bounds that the
      // record syntax allows): the line is bad input, never a throw that
      // would cut a live connection. Events emitted before it stand.
      if (!(error instanceof ZodError)) throw error;
      const issue = error.issues[0];
      this.reportBad(`${issue?.path.join('.') || 'event'}: ${issue?.message ?? error.message}`);
    }
    return this.out;
  }

  private emit(event: TimingEvent): void {
    const session = this.session;
    if (session === null) return;
    if (!session.sessionSent) {
      session.sessionSent = true;
      this.emit(SessionEventSchema.parse({ type: 'session', name: session.name, sessionType: session.type }));
    }
    const last = this.out[this.out.length - 1];
    if (last !== undefined && last.session === session.key) last.events.push(event);
    else this.out.push({ session: session.key, events: [event] });
  }

  private apply(r: RMonitorRecord): void {
    switch (r.kind) {
      case 'B':
        return this.openSession(r.runNo, r.description);
      case 'I':
        // Clear the scoreboard; what was told stays told (spec §7.2). The
        // places given so far are older than any the refresh gives.
        this.boardG.clear();
        this.boardH.clear();
        this.pending.clear();
        if (this.session !== null) this.session.placesStale = true;
        return;
      case 'C': {
        const name = r.description.trim();
        const before = this.classes.get(r.classNo);
        this.classes.set(r.classNo, name);
        if (before !== name) for (const [regNo, c] of this.competitors) if (c.classNo === r.classNo) this.sendEntry(regNo);
        return;
      }
      case 'A':
      case 'COMP': {
        const team = [r.firstName, r.lastName].map((s) => s.trim()).filter((s) => s !== '').join(' ');
        const before = this.competitors.get(r.regNo);
        this.competitors.set(r.regNo, { number: r.number, team: team !== '' ? team : (before?.team ?? ''), classNo: r.classNo ?? before?.classNo ?? null });
        this.sendEntry(r.regNo);
        return;
      }
      case 'F':
        this.flag = flagFromRMonitor(r.flag);
        // Before the green the race time can hold junk ("00:59:59"): only trust it under a flag.
        if (this.flag !== null && r.raceTimeMs !== null && r.raceTimeMs > this.clockMs) this.clockMs = r.raceTimeMs;
        if (this.flag !== null && r.raceTimeMs !== null) {
          if (this.feedClockFirstMs === null) this.feedClockFirstMs = r.raceTimeMs;
          // The max: a relay can deliver an older $F late (barber-2025-8h-finish-stopped-cars, 21:57:32).
          else if (r.raceTimeMs !== this.feedClockFirstMs) this.feedClockMs = Math.max(this.feedClockMs ?? r.raceTimeMs, r.raceTimeMs);
          this.recordsSinceFeedClock = 0;
        }
        if (this.flag !== null && r.raceTimeMs !== null && r.timeOfDayMs !== null) {
          this.flagOffsetMs = r.timeOfDayMs - r.raceTimeMs;
          if (!this.todOffsetExact) this.todOffsetMs = this.flagOffsetMs;
        }
        return;
      case 'J': {
        const pit = this.session?.pits.get(r.regNo);
        if (pit !== undefined && pit.lineTodMs !== null && r.totalMs !== null) {
          // The line passing and this $J are the same crossing, unless the $J
          // comes late (a lap re-scored under a red flag at Sebring: 10 min
          // off): only a pair within 2 s of the $F clock calibrates.
          const offset = pit.lineTodMs - r.totalMs;
          if (this.flagOffsetMs === null || Math.abs(dayDiff(offset - this.flagOffsetMs)) <= 2_000) {
            this.todOffsetMs = offset;
            this.todOffsetExact = true;
          }
          pit.lineTodMs = null;
        }
        if (r.lapMs === null || r.totalMs === null) {
          if (pit !== undefined) pit.lineInPit = false;
          return; // first crossing: start of timing, not a lap
        }
        if (this.aheadOfClock(r.regNo, r.totalMs)) return;
        this.tick(r.totalMs);
        this.pending.set(r.regNo, { lapMs: r.lapMs, totalMs: r.totalMs, inPit: pit?.lineInPit ?? false });
        if (pit !== undefined) pit.lineInPit = false;
        // Records are not ordered (spec §2): the $G may have come first.
        this.settle(r.regNo);
        return;
      }
      case 'G':
        if (r.totalMs !== null && this.aheadOfClock(r.regNo, r.totalMs)) return;
        this.refreshStarts();
        this.boardG.set(r.regNo, { position: r.position, laps: r.laps, totalMs: r.totalMs });
        if (r.totalMs !== null) this.tick(r.totalMs);
        this.settle(r.regNo);
        return;
      case 'H':
        this.refreshStarts();
        this.boardH.set(r.regNo, { position: r.position, bestLap: r.bestLap, bestLapMs: r.bestLapMs });
        this.settle(r.regNo);
        return;
      case 'L':
        return this.passing(r);
      case 'COR':
      case 'E':
      case 'unknown':
        return;
    }
  }

  /**
   * Relay framing (`##YYYY-MM-DD HH:MM:SS.fff`, UTC receive time). A feed
   * silent for more than 12 hours within one run is another day's session
   * under the same run number (a capture spliced from two days: the Barber
   * "stopped cars" excerpt, whose second part resumes at race time 07:55 with
   * every car 18 laps short of where it stood at 07:43), not a continuation: a
   * live session sends $F every second, and even a 24-hour race has no
   * 12-hour silence.
   */
  private relayLine(text: string): void {
    const m = /^##(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)/.exec(text);
    if (m === null) return;
    const at = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    if (this.relayMs !== null && at - this.relayMs > SILENCE_NEW_SESSION_MS && this.session !== null) this.splitPending = true;
    if (this.relayMs !== null && at - this.relayMs > TOTAL_AHEAD_OF_CLOCK_MS) this.streamInterrupted();
    this.relayMs = at;
  }

  private splitIfPending(record: RMonitorRecord): void {
    if (!this.splitPending || this.session === null) return;
    this.splitPending = false;
    if (record.kind === 'B' && record.runNo !== this.session.runNo) return;
    const { runNo, name } = this.session;
    this.splits++;
    this.session = null;
    this.openSession(runNo, name, `-part${this.splits + 1}`);
  }

  /**
   * A total time well ahead of the race clock is a corrupt line, not a
   * crossing: taken, it would move the session clock (every board row's
   * instant, the race's hours, the report desk) hours ahead for every car.
   * It is reported as bad input and ignored. The clock it is judged by:
   * - the feed's own running $F clock while it is current (within
   *   FEED_CLOCK_FRESH_RECORDS records): totals and $F come from the same
   *   timing system within seconds, so TOTAL_AHEAD_OF_CLOCK_MS is a generous
   *   margin (no real capture comes near it);
   * - else the session clock the totals built, once one total has been read
   *   since the session opened or the stream was cut. A real jump (a feed
   *   with no $F that skipped ahead) is confirmed by a second car's total
   *   near the first, and read from there.
   * After a relay silence or a reconnection nothing is judged until the next
   * total (barber-2025-8h-finish-and-reset resumes 7 h later and is read as
   * it comes).
   */
  private aheadOfClock(regNo: string, totalMs: number): boolean {
    const feedCurrent = this.feedClockMs !== null && this.recordsSinceFeedClock <= FEED_CLOCK_FRESH_RECORDS;
    const reference = feedCurrent ? this.feedClockMs! : this.clockTrusted ? this.clockMs : null;
    if (reference === null || totalMs <= reference + TOTAL_AHEAD_OF_CLOCK_MS) return false;
    if (!feedCurrent) {
      const jump = this.unconfirmedJump;
      if (jump !== null && jump.regNo !== regNo && Math.abs(jump.totalMs - totalMs) <= TOTAL_AHEAD_OF_CLOCK_MS) {
        this.unconfirmedJump = null;
        return false;
      }
      this.unconfirmedJump = { regNo, totalMs };
    }
    const clock = feedCurrent ? "the feed's race clock" : 'the race clock';
    this.reportBad(`total time ${formatRaceTime(totalMs, true)} is ahead of ${clock} ${formatRaceTime(reference, true)}${feedCurrent ? ' ($F)' : ''} by more than ${TOTAL_AHEAD_OF_CLOCK_MS / 60_000} min`);
    return true;
  }

  /**
   * A crossing's total moves the session clock. While the feed's $F clock is
   * current it is the authority: a total moves the clock at most
   * TOTAL_CLOCK_LEAD_MS past it, so one car's wrong total shifts no other
   * car's board instant by more than that.
   */
  private tick(raceMs: number): void {
    const current = this.feedClockMs !== null && this.recordsSinceFeedClock <= FEED_CLOCK_FRESH_RECORDS;
    const ms = current ? Math.min(raceMs, this.feedClockMs! + TOTAL_CLOCK_LEAD_MS) : raceMs;
    if (ms > this.clockMs) this.clockMs = ms;
    this.clockTrusted = true;
  }

  private openSession(runNo: number, description: string, suffix = ''): void {
    const name = description.trim() === '' ? `Run ${runNo}` : description.trim();
    if (this.session !== null && this.session.runNo === runNo) {
      if (this.session.name !== name) {
        // Same run, new name: a correction of the session's facts.
        this.session.name = name;
        if (this.session.sessionSent) this.emit(SessionEventSchema.parse({ type: 'session', name, sessionType: this.session.type }));
      }
      return;
    }
    const key = `${runNo}-${slug(name) || 'run'}${suffix}`;
    // A run that comes back later in the day continues where it stood: same
    // race in the store, same laps told.
    const earlier = this.sessions.get(key);
    this.session = earlier ?? {
      key,
      runNo,
      name,
      type: sessionTypeFromName(name) ?? this.options.sessionType ?? 'race',
      sessionSent: false,
      known: new Map(),
      entries: new Map(),
      pits: new Map(),
      placesStale: false,
      refresh: 0,
    };
    this.sessions.set(key, this.session);
    this.boardG.clear();
    this.boardH.clear();
    this.pending.clear();
    this.clockMs = 0;
    this.streamInterrupted();
    if (earlier !== undefined) earlier.placesStale = true;
    for (const regNo of this.competitors.keys()) this.sendEntry(regNo);
  }

  /**
   * The first board row after the board was cleared ($I, or the run left and
   * came back) starts a refresh: places it gives rank before older ones. A
   * session that ends with $I and a new run keeps its last board as it was.
   */
  private refreshStarts(): void {
    const session = this.session;
    if (session === null || !session.placesStale) return;
    session.placesStale = false;
    session.refresh++;
  }

  private sendEntry(regNo: string): void {
    const session = this.session;
    const c = this.competitors.get(regNo);
    if (session === null || c === undefined) return;
    if (!CAR.test(regNo)) {
      this.reportBad(`registration number "${regNo}" is not a car number (letters and digits, up to 8)`);
      return;
    }
    const className = c.classNo === null ? '' : (this.classes.get(c.classNo) ?? '');
    const entry: EntryEvent = EntryEventSchema.parse({
      type: 'entry',
      car: regNo,
      class: (className !== '' ? className : c.classNo === null ? 'Unclassed' : `Class ${c.classNo}`).slice(0, 40),
      team: c.team.slice(0, 120),
    });
    const body = canonicalJson(entry);
    if (session.entries.get(regNo) === body) return;
    session.entries.set(regNo, body);
    this.emit(entry);
  }

  private reportBad(reason: string): void {
    this.badLines++;
    this.onBad({ source: this.options.source, line: this.lineNo, text: this.lineText, reason });
  }

  /** Tells whatever the board and the pending passing say about the car that is not told yet. */
  private settle(regNo: string): void {
    const session = this.session;
    if (session === null) return;
    if (!CAR.test(regNo)) return this.reportBad(`registration number "${regNo}" is not a car number (letters and digits, up to 8)`);
    let known = session.known.get(regNo);
    if (known === undefined) session.known.set(regNo, (known = { laps: 0, crossingMs: 0, lastLapEvent: 0, bestLapMs: null, position: null, refresh: 0, boardAtMs: -1 }));
    if (!session.entries.has(regNo)) {
      if (!this.competitors.has(regNo)) this.competitors.set(regNo, { number: regNo, team: '', classNo: null });
      this.sendEntry(regNo);
    }
    const g = this.boardG.get(regNo);
    const pend = this.pending.get(regNo);
    if (g !== undefined && g.laps > 0 && g.totalMs !== null) {
      if (pend !== undefined && pend.totalMs === g.totalMs && g.laps > known.lastLapEvent) {
        this.pending.delete(regNo);
        this.emit(
          LapEventSchema.parse({
            type: 'lap',
            car: regNo,
            lap: g.laps,
            crossingMs: g.totalMs,
            lapMs: pend.lapMs,
            sectorsMs: [null, null, null],
            driverNumber: 1,
            inPit: pend.inPit,
            pitLaneMs: this.takeOutLapPitLane(session, regNo),
            flag: this.flag,
          }),
        );
        known.lastLapEvent = g.laps;
        known.laps = g.laps;
        known.crossingMs = g.totalMs;
        if (known.bestLapMs === null || pend.lapMs < known.bestLapMs) known.bestLapMs = pend.lapMs;
      } else if (g.laps !== known.laps || g.totalMs !== known.crossingMs) {
        // Joined partway, a missed lap, or the timing system corrected the
        // count (after a reset): the board's latest word, not an invented lap.
        known.laps = g.laps;
        known.crossingMs = g.totalMs;
        this.sendBoard(session, regNo, known);
        return;
      }
    }
    const h = this.boardH.get(regNo);
    if (h !== undefined && h.bestLapMs !== known.bestLapMs) return this.sendBoard(session, regNo, known);
    // A car nothing else orders (no lap in a race, no timed lap elsewhere)
    // keeps the board's place: the grid order before the start, say.
    const unordered = session.type === 'race' ? known.laps === 0 : known.bestLapMs === null;
    const position = this.boardPosition(session, regNo);
    if (unordered && position !== null && (position !== known.position || session.refresh !== known.refresh)) this.sendBoard(session, regNo, known);
  }

  /** The car's place on the board: `$G` in a race (by laps), `$H` elsewhere (by best lap); null when not on it. */
  private boardPosition(session: Session, regNo: string): number | null {
    const row = session.type === 'race' ? this.boardG.get(regNo) : this.boardH.get(regNo);
    return row === undefined || row.position < 1 ? null : row.position;
  }

  /**
   * An `$L` passing. Pit lane timelines by name (IMSA ERM: SFT line on
   * track, SFP line in the pit lane, PIP pit in, POP pit out); other
   * timelines (intermediate loops: none in our captures, see the module
   * note) and unknown cars ("Tx…" transponders) are ignored.
   */
  private passing(r: Extract<RMonitorRecord, { kind: 'L' }>): void {
    const session = this.session;
    if (session === null || r.timeOfDayMs === null || !CAR.test(r.car)) return;
    let pit = session.pits.get(r.car);
    if (pit === undefined) session.pits.set(r.car, (pit = { inAtTodMs: null, lineInPit: false, lineTodMs: null, outLapPitLaneMs: null }));
    switch (r.timelineName.toUpperCase()) {
      case 'SFT':
      case 'SFP':
        pit.lineInPit = r.timelineName.toUpperCase() === 'SFP';
        pit.lineTodMs = r.timeOfDayMs;
        return;
      case 'PIP':
        pit.inAtTodMs = r.timeOfDayMs;
        return;
      case 'POP': {
        const inAt = pit.inAtTodMs;
        pit.inAtTodMs = null;
        if (inAt === null || this.todOffsetMs === null) return;
        const pitLaneMs = dayDiff(r.timeOfDayMs - inAt);
        const atMs = this.raceMsOfDay(r.timeOfDayMs);
        if (pitLaneMs <= 0 || atMs <= 0) return;
        const known = session.known.get(r.car);
        pit.outLapPitLaneMs = pitLaneMs;
        this.emit(PitOutEventSchema.parse({ type: 'pit-out', car: r.car, lap: (known?.laps ?? 0) + 1, atMs, pitLaneMs }));
        return;
      }
      default:
        return;
    }
  }

  /** Race time (ms) of a time of day, across midnight within half a day of the session clock. */
  private raceMsOfDay(todMs: number): number {
    let ms = todMs - this.todOffsetMs!;
    while (ms < this.clockMs - DAY_MS / 2) ms += DAY_MS;
    return ms;
  }

  private takeOutLapPitLane(session: Session, regNo: string): number | null {
    const pit = session.pits.get(regNo);
    if (pit === undefined || pit.outLapPitLaneMs === null) return null;
    const ms = pit.outLapPitLaneMs;
    pit.outLapPitLaneMs = null;
    return ms;
  }

  private sendBoard(session: Session, regNo: string, known: CarKnown): void {
    const h = this.boardH.get(regNo);
    // The board's best lap is the timing system's (it may have discarded a
    // lap, e.g. a 3 s "lap" from a double passing); without one, ours stands.
    if (h !== undefined) known.bestLapMs = h.bestLapMs;
    const best = h !== undefined && h.bestLapMs !== null ? h : null;
    const position = this.boardPosition(session, regNo);
    // Not on the board since it was cleared: the place told before stands, with its refresh.
    if (position !== null) {
      known.position = position;
      known.refresh = session.refresh;
    }
    this.emit(
      BoardEventSchema.parse({
        type: 'board',
        car: regNo,
        laps: known.laps,
        crossingMs: known.crossingMs,
        atMs: (known.boardAtMs = Math.max(this.clockMs, known.crossingMs, known.boardAtMs + 1)),
        bestLap: best !== null && best.bestLap > 0 ? best.bestLap : null,
        bestLapMs: known.bestLapMs,
        position: known.position,
        refresh: known.refresh,
      }),
    );
  }
}
