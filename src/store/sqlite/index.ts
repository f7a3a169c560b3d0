/**
 * The embedded event store: one SQLite file (default ./data/sarthe.db), WAL
 * journal, several races side by side.
 *
 * Durability: `synchronous = FULL` — every commit fsyncs the WAL before
 * append() returns, so an event reported "accepted" survives a power cut,
 * not only a process crash (NORMAL would only promise the latter in WAL mode).
 * The cost is one fsync per append, not per event: ingest batches.
 *
 * better-sqlite3 is synchronous; an append of 1,000 events holds the event
 * loop for a few milliseconds (bench/README.md). A Postgres store would be
 * asynchronous behind the same interface.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { TimingEvent } from '../../model/events.js';
import { decideFates } from '../fate.js';
import {
  type AppendEvent,
  type AppendOptions,
  type AppendOutcome,
  type EventStore,
  type StoredEvent,
  type StoredRace,
} from '../index.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for tests that need no durability. */
  file: string;
  /** 'full' (default, see above) or 'normal' (survives a crash of the process, not of the machine). */
  synchronous?: 'full' | 'normal';
}

/** Rows per multi-row INSERT. */
const ROWS_PER_STATEMENT = 100;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS races (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  last_seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  race TEXT NOT NULL,
  seq INTEGER NOT NULL,
  key TEXT NOT NULL,
  body TEXT NOT NULL,
  commit_seq INTEGER NOT NULL,
  stored_at INTEGER NOT NULL,
  PRIMARY KEY (race, seq)
) WITHOUT ROWID;
-- The current event under each idempotency key (a revised entry moves it on).
CREATE TABLE IF NOT EXISTS event_keys (
  race TEXT NOT NULL,
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (race, key)
) WITHOUT ROWID;
-- Every session or entry fact as it was told (before merging), so that a
-- resend of an older one is known as a resend and changes nothing.
CREATE TABLE IF NOT EXISTS told_facts (
  race TEXT NOT NULL,
  key TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (race, key, body)
) WITHOUT ROWID;
`;

interface Appended {
  outcome: AppendOutcome;
  /** Updates the known keys; null when nothing was stored. */
  remember: (() => void) | null;
}

interface KeyRow {
  seq: number;
  body: string;
}

interface EventRow {
  seq: number;
  key: string;
  body: string;
  commit_seq: number;
}

interface RaceRow {
  id: string;
  last_seq: number;
  created_at: number;
}

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly statements;
  /**
   * Per race, the keys already stored (key → seq) as of `lastSeq`: a new key
   * then costs no query, and only a key seen before is looked up to compare
   * bodies. Checked against the race's last_seq inside each transaction, so
   * another writer of the same file only costs a reload.
   */
  private readonly known = new Map<string, { lastSeq: number; seqByKey: Map<string, number> }>();
  private readonly appendTx: Database.Transaction<(race: string, events: readonly AppendEvent[], options: AppendOptions) => Appended>;

  constructor(options: SqliteStoreOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.statements = {
      race: db.prepare<[string], RaceRow>('SELECT id, last_seq, created_at FROM races WHERE id = ?'),
      races: db.prepare<[], RaceRow>('SELECT id, last_seq, created_at FROM races ORDER BY created_at, id'),
      insertRace: db.prepare<[string, number, number]>('INSERT INTO races (id, created_at, last_seq) VALUES (?, ?, ?)'),
      updateRace: db.prepare<[number, string]>('UPDATE races SET last_seq = ? WHERE id = ?'),
      currentByKey: db.prepare<[string, string], KeyRow>(
        'SELECT k.seq AS seq, e.body AS body FROM event_keys k JOIN events e ON e.race = k.race AND e.seq = k.seq WHERE k.race = ? AND k.key = ?',
      ),
      insertEvent: db.prepare<[string, number, string, string, number, number]>(
        'INSERT INTO events (race, seq, key, body, commit_seq, stored_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertEvents: db.prepare(
        `INSERT INTO events (race, seq, key, body, commit_seq, stored_at) VALUES ${Array(ROWS_PER_STATEMENT).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`,
      ),
      upsertKeys: db.prepare(
        `INSERT INTO event_keys (race, key, seq) VALUES ${Array(ROWS_PER_STATEMENT).fill('(?, ?, ?)').join(', ')} ON CONFLICT (race, key) DO UPDATE SET seq = excluded.seq`,
      ),
      upsertKey: db.prepare<[string, string, number]>(
        'INSERT INTO event_keys (race, key, seq) VALUES (?, ?, ?) ON CONFLICT (race, key) DO UPDATE SET seq = excluded.seq',
      ),
      wasTold: db.prepare<[string, string, string], { one: number }>('SELECT 1 AS one FROM told_facts WHERE race = ? AND key = ? AND body = ?'),
      tell: db.prepare<[string, string, string]>('INSERT OR IGNORE INTO told_facts (race, key, body) VALUES (?, ?, ?)'),
      keysOf: db.prepare<[string], { key: string; seq: number }>('SELECT key, seq FROM event_keys WHERE race = ?'),
      since: db.prepare<[string, number, number], EventRow>(
        'SELECT seq, key, body, commit_seq FROM events WHERE race = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
    };
    this.appendTx = db.transaction((race: string, events: readonly AppendEvent[], options: AppendOptions) => this.appendNow(race, events, options));
  }

  async append(race: string, events: readonly AppendEvent[], options: AppendOptions = {}): Promise<AppendOutcome> {
    if (events.length === 0) return { results: [], commitSeq: null, committedAtMs: Date.now() };
    // .immediate takes the write lock up front: seqs are read and handed out under it.
    const { outcome, remember } = this.appendTx.immediate(race, events, options);
    remember?.();
    // Stamped once the transaction has committed (fsynced): what "accepted" means.
    outcome.committedAtMs = Date.now();
    return outcome;
  }

  private appendNow(race: string, events: readonly AppendEvent[], { atomic = false, restate = false }: AppendOptions): Appended {
    const s = this.statements;
    const raceRow = s.race.get(race);
    const lastSeq = raceRow?.last_seq ?? 0;
    let known = this.known.get(race);
    if (known === undefined || known.lastSeq !== lastSeq) {
      known = { lastSeq, seqByKey: new Map(s.keysOf.all(race).map((row) => [row.key, row.seq])) };
      this.known.set(race, known);
    }
    // Pass 1: decide every event's fate (the rules every store shares: fate.ts).
    const held = known;
    const { results, bodies, stored, told, commitSeq: decided } = decideFates(
      events,
      lastSeq,
      {
        current: (key) => (held.seqByKey.has(key) ? s.currentByKey.get(race, key) : undefined),
        wasTold: (key, body) => s.wasTold.get(race, key, body) !== undefined,
      },
      { atomic, restate },
    );
    const committedAtMs = Date.now();
    if (decided === null) return { outcome: { results, commitSeq: null, committedAtMs }, remember: null };
    // Pass 2: write. commit_seq is known now that every seq is handed out.
    const commitSeq = decided;
    const eventRows: Array<string | number> = [];
    const keyRows: Array<string | number> = [];
    results.forEach((r, i) => {
      if (r.status !== 'accepted') return;
      const key = events[i]!.key;
      eventRows.push(race, r.seq!, key, bodies[i]!, commitSeq, committedAtMs);
      keyRows.push(race, key, r.seq!);
    });
    this.writeRows(eventRows, 6, s.insertEvents, s.insertEvent);
    this.writeRows(keyRows, 3, s.upsertKeys, s.upsertKey);
    for (const [key, body] of told) s.tell.run(race, key, body);
    if (raceRow === undefined) s.insertRace.run(race, committedAtMs, commitSeq);
    else s.updateRace.run(commitSeq, race);
    // Applied by append() once the transaction has committed (a throw rolls back and skips it).
    const remember = () => {
      for (const [key, { seq }] of stored) held.seqByKey.set(key, seq);
      held.lastSeq = commitSeq;
    };
    return { outcome: { results, commitSeq, committedAtMs }, remember };
  }

  /**
   * Writes rows of `width` values: ROWS_PER_STATEMENT at a time with the
   * multi-row statement, the rest one by one. A statement per row costs more
   * than the row itself in better-sqlite3 (bench/README.md).
   */
  private writeRows(values: Array<string | number>, width: number, many: Database.Statement, one: Database.Statement): void {
    const step = ROWS_PER_STATEMENT * width;
    let i = 0;
    for (; i + step <= values.length; i += step) many.run(values.slice(i, i + step));
    for (; i < values.length; i += width) one.run(values.slice(i, i + width));
  }

  async readSince(race: string, afterSeq: number, limit = Number.MAX_SAFE_INTEGER): Promise<StoredEvent[]> {
    return this.statements.since.all(race, afterSeq, limit).map((row) => ({
      seq: row.seq,
      key: row.key,
      // Written by append() from a validated event: parsed back without re-validating.
      event: JSON.parse(row.body) as TimingEvent,
      commitSeq: row.commit_seq,
    }));
  }

  async races(): Promise<StoredRace[]> {
    return this.statements.races.all().map(toStoredRace);
  }

  async race(id: string): Promise<StoredRace | null> {
    const row = this.statements.race.get(id);
    return row === undefined ? null : toStoredRace(row);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toStoredRace(row: RaceRow): StoredRace {
  return { id: row.id, lastSeq: row.last_seq, createdAtMs: row.created_at };
}
