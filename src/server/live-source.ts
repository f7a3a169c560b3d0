/**
 * Runs a live source (src/sources/source.ts) into the server: each session
 * it reports becomes a race (`<prefix>-<session key>`), its events go through
 * the one ingest path (store, engine, bus), and its state reaches the races
 * it feeds as "feed stalled since …". Bad input is logged with its source and
 * line, counted and skipped; a store refusal is logged, never thrown at the
 * source: a source never crashes the server.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { FeedStatus } from '../model/live.js';
import type { SourceStatus, TimingSource } from '../sources/source.js';
import type { RaceHub } from './races.js';

export interface LiveSourceRun {
  source: TimingSource;
  /** Race ids fed so far, in the order their sessions opened. */
  races: string[];
  status: () => SourceStatus;
  badLines: () => number;
  /** Events refused because they contradict a stored one under the same key. */
  conflicts: () => number;
  /** Resolves when the source has ended. */
  done: Promise<void>;
}

/** "rmonitor-36-barber-saturday-8-hour": the prefix (may be empty) and session key, cut to a valid race id. */
export function sessionRaceId(prefix: string, session: string): string {
  return (prefix === '' ? session : `${prefix}-${session}`).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').slice(0, 64).replace(/-+$/, '');
}

export function feedStatusText(status: SourceStatus): string {
  const since = new Date(status.sinceMs).toISOString().slice(11, 19);
  switch (status.state) {
    case 'stalled':
      return `feed stalled since ${since} UTC`;
    case 'connecting':
      return `feed connecting since ${since} UTC`;
    case 'ended':
      return `feed ended at ${since} UTC`;
    case 'live':
      return 'feed live';
  }
}

export function runLiveSource(hub: RaceHub, log: FastifyBaseLogger, source: TimingSource, prefix: string): LiveSourceRun {
  const races: string[] = [];
  let current: string | null = null;
  let status: SourceStatus = { state: 'connecting', sinceMs: Date.now(), detail: 'starting' };
  let bad = 0;
  let conflicts = 0;
  const publish = () => {
    if (current === null) return;
    const feed: FeedStatus = { source: source.name, ...status, text: feedStatusText(status) };
    hub.setFeedStatus(current, feed);
  };
  const done = source
    .run({
      events: async ({ session, events }) => {
        const race = sessionRaceId(prefix, session);
        if (race !== current) {
          // The previous session's race is no longer fed by this source.
          if (current !== null) hub.setFeedStatus(current, { source: source.name, state: 'ended', sinceMs: Date.now(), detail: `the feed moved on to ${race}`, text: feedStatusText({ state: 'ended', sinceMs: Date.now(), detail: '' }) });
          current = race;
          if (!races.includes(race)) races.push(race);
          log.info({ source: source.name, race }, 'live source: session opened');
        }
        try {
          // The feed's current word: a class or name it changes back is a correction (store/index.ts AppendOptions.restate).
          const outcome = await hub.ingest(race, events, { restate: true });
          const refused = outcome.results.filter((r) => r.status === 'conflict');
          if (refused.length > 0) {
            conflicts += refused.length;
            // A crossing out of order (a timing system's clock reset) says why; a changed lap under a stored key does not need to.
            const reasons = refused.flatMap((r) => (r.reason === undefined ? [] : [r.reason])).slice(0, 3);
            log.warn({ source: source.name, race, conflicts: refused.length, reasons }, 'live source: events contradicting stored ones were refused');
          }
        } catch (error) {
          log.error({ err: error, source: source.name, race }, 'live source: events could not be stored');
        }
        publish();
      },
      status: (next) => {
        status = next;
        const level = next.state === 'stalled' || next.state === 'connecting' ? 'warn' : 'info';
        log[level]({ source: source.name, state: next.state, detail: next.detail }, `live source ${next.state}`);
        publish();
      },
      badInput: (input) => {
        bad++;
        log.warn({ source: input.source, line: input.line, text: input.text, reason: input.reason, badLines: bad }, 'live source: bad line skipped');
      },
      log: (message, fields) => log.info({ source: source.name, ...fields }, `live source: ${message}`),
    })
    .catch((error: unknown) => log.error({ err: error, source: source.name }, 'live source failed'));
  return { source, races, status: () => status, badLines: () => bad, conflicts: () => conflicts, done };
}
