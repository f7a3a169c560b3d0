/**
 * The event store in Postgres, for several processes on several machines:
 * the same contract as the SQLite store (store/index.ts, sqlite/index.ts),
 * checked by the same tests (test/store-contract.ts).
 *
 * One append is one transaction on one connection:
 * 1. the race's counter row is created or locked (`INSERT … ON CONFLICT DO
 *    UPDATE … RETURNING last_seq`): concurrent appends to one race, from any
 *    process, queue on that row lock, so seqs are handed out gap-free;
 * 2. the keys of the batch already stored are read (one query, only when a
 *    key was seen before: the current event under a key is its latest, found
 *    by the index on (race, key, seq)), and for revisable facts the bodies
 *    told before;
 * 3. every event's fate is decided in memory by the rules every store shares
 *    (store/fate.ts decideFates);
 * 4. events and told facts are written and the counter row is moved
 *    on in one statement (`unnest` of arrays in data-modifying CTEs: one
 *    round trip whatever the batch size), and COMMIT returns once the WAL is flushed
 *    (`synchronous_commit = on`, pool.ts). Only then is the batch accepted.
 * A transaction that stores nothing is rolled back, so a race is created by
 * its first stored event, as in SQLite.
 */
import pg from 'pg';
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
import { inTransaction, query } from './pool.js';

interface RaceRow {
  id: string;
  last_seq: number;
  created_at: number;
}

interface EventRow {
  seq: number;
  key: string;
  body: string;
  commit_seq: number;
}

/** Thrown inside the transaction to roll it back when the append stores nothing. */
class NothingStored extends Error {
  constructor(readonly outcome: AppendOutcome) {
    super('nothing stored');
  }
}

export class PostgresEventStore implements EventStore {
  /**
   * Per race, the keys already stored (key → seq) as of `lastSeq`: a new key
   * costs no lookup. Checked against the locked counter row in each
   * transaction, so another writer (another process) only costs a reload.
   */
  private readonly known = new Map<string, { lastSeq: number; seqByKey: Map<string, number> }>();

  private closed = false;

  /**
   * `pool` may be shared with the content store (open.ts): `onClose` runs on
   * the first close() and decides whether the pool ends (default: it does).
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly onClose: () => Promise<void> = () => pool.end(),
  ) {}

  async append(race: string, events: readonly AppendEvent[], options: AppendOptions = {}): Promise<AppendOutcome> {
    if (events.length === 0) return { results: [], commitSeq: null, committedAtMs: Date.now() };
    let remember: (() => void) | null = null;
    let outcome: AppendOutcome;
    try {
      const startedAtMs = Date.now();
      // Creates the counter row or locks it (the no-op update takes the row lock and returns the row),
      // in the round trip of BEGIN: the race id is escaped as a literal, the time is an integer.
      const lock = `INSERT INTO races (id, created_at, last_seq) VALUES (${escapeLiteral(race)}, ${Math.trunc(startedAtMs)}, 0)
        ON CONFLICT (id) DO UPDATE SET last_seq = races.last_seq RETURNING id, last_seq, created_at`;
      outcome = await inTransaction(
        this.pool,
        `append to ${race}`,
        async (client, locked) => {
          const appended = await this.appendNow(client, race, events, options, startedAtMs, (locked[0] as RaceRow).last_seq);
          remember = appended.remember;
          return appended.outcome;
        },
        lock,
      );
    } catch (error) {
      if (error instanceof NothingStored) return error.outcome;
      throw error;
    }
    (remember as (() => void) | null)?.();
    // Stamped once COMMIT has returned (WAL flushed): what "accepted" means.
    outcome.committedAtMs = Date.now();
    return outcome;
  }

  private async appendNow(
    client: pg.PoolClient,
    race: string,
    events: readonly AppendEvent[],
    { atomic = false, restate = false }: AppendOptions,
    startedAtMs: number,
    /** The race's last seq, read with its counter row locked. */
    lastSeq: number,
  ): Promise<{ outcome: AppendOutcome; remember: () => void }> {
    let known = this.known.get(race);
    if (known === undefined || known.lastSeq !== lastSeq) {
      const keys = await client.query<{ key: string; seq: number }>('SELECT key, max(seq) AS seq FROM events WHERE race = $1 GROUP BY key', [race]);
      known = { lastSeq, seqByKey: new Map(keys.rows.map((row) => [row.key, row.seq])) };
      this.known.set(race, known);
    }
    // The stored body of every key of the batch seen before, and the facts told under the revisable ones.
    const seenKeys = [...new Set(events.filter((e) => known.seqByKey.has(e.key)).map((e) => e.key))];
    const currentByKey = new Map<string, { seq: number; body: string }>();
    const told = new Set<string>();
    if (seenKeys.length > 0) {
      const current = await client.query<{ key: string; seq: number; body: string }>(
        `SELECT DISTINCT ON (key) key, seq, body FROM events WHERE race = $1 AND key = ANY($2::text[]) ORDER BY key, seq DESC`,
        [race, seenKeys],
      );
      for (const row of current.rows) currentByKey.set(row.key, { seq: row.seq, body: row.body });
      const revisableKeys = [...new Set(events.filter((e) => e.revisable && known.seqByKey.has(e.key)).map((e) => e.key))];
      if (revisableKeys.length > 0 && !restate) {
        const rows = await client.query<{ key: string; body: string }>('SELECT key, body FROM told_facts WHERE race = $1 AND key = ANY($2::text[])', [
          race,
          revisableKeys,
        ]);
        for (const row of rows.rows) told.add(`${row.key}\n${row.body}`);
      }
    }

    // Decide every event's fate: the rules every store shares (fate.ts).
    const { results, bodies, stored, told: toldRows, commitSeq: decided } = decideFates(
      events,
      lastSeq,
      { current: (key) => currentByKey.get(key), wasTold: (key, body) => told.has(`${key}\n${body}`) },
      { atomic, restate },
    );
    if (decided === null) throw new NothingStored({ results, commitSeq: null, committedAtMs: Date.now() });

    const commitSeq = decided;
    const seqs: number[] = [];
    const keys: string[] = [];
    const storedBodies: string[] = [];
    results.forEach((r, i) => {
      if (r.status !== 'accepted') return;
      seqs.push(r.seq!);
      keys.push(events[i]!.key);
      storedBodies.push(bodies[i]!);
    });
    // One statement, one round trip: the events, the facts as told, and the counter row moved on.
    await client.query(
      `WITH stored AS (
         INSERT INTO events (race, seq, key, body, commit_seq, stored_at)
         SELECT $1::text, s, k, b, $5::bigint, $6::bigint FROM unnest($2::bigint[], $3::text[], $4::text[]) AS t (s, k, b)
       ), told AS (
         INSERT INTO told_facts (race, key, body) SELECT $1::text, k, b FROM unnest($7::text[], $8::text[]) AS t (k, b)
         ON CONFLICT DO NOTHING
       )
       UPDATE races SET last_seq = $5::bigint WHERE id = $1::text`,
      [race, seqs, keys, storedBodies, commitSeq, startedAtMs, toldRows.map(([k]) => k), toldRows.map(([, b]) => b)],
    );
    const cache = known;
    // Applied by append() once COMMIT has returned (a failure skips it).
    const remember = () => {
      for (const [key, { seq }] of stored) cache.seqByKey.set(key, seq);
      cache.lastSeq = commitSeq;
    };
    return { outcome: { results, commitSeq, committedAtMs: startedAtMs }, remember };
  }

  async readSince(race: string, afterSeq: number, limit = Number.MAX_SAFE_INTEGER): Promise<StoredEvent[]> {
    const { rows } = await query<EventRow>(
      this.pool,
      `read ${race}`,
      'SELECT seq, key, body, commit_seq FROM events WHERE race = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [race, afterSeq, limit],
    );
    return rows.map((row) => ({
      seq: row.seq,
      key: row.key,
      // Written by append() from a validated event: parsed back without re-validating.
      event: JSON.parse(row.body) as TimingEvent,
      commitSeq: row.commit_seq,
    }));
  }

  async races(): Promise<StoredRace[]> {
    // A counter row at 0 is a race whose first append is still open: not a race yet.
    const { rows } = await query<RaceRow>(this.pool, 'list races', 'SELECT id, last_seq, created_at FROM races WHERE last_seq > 0 ORDER BY created_at, id');
    return rows.map(toStoredRace);
  }

  async race(id: string): Promise<StoredRace | null> {
    const { rows } = await query<RaceRow>(this.pool, `read race ${id}`, 'SELECT id, last_seq, created_at FROM races WHERE id = $1 AND last_seq > 0', [id]);
    return rows.length === 0 ? null : toStoredRace(rows[0]!);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.onClose();
  }
}

function toStoredRace(row: RaceRow): StoredRace {
  return { id: row.id, lastSeq: row.last_seq, createdAtMs: row.created_at };
}

/** A string as an SQL literal (the driver's escaping: quotes doubled, E'' when it holds a backslash). */
function escapeLiteral(text: string): string {
  return pg.escapeLiteral(text);
}
