/**
 * The hourly desk's drafting, run in the event store's thread
 * (store/sqlite/worker.ts, loaded as an extension): drafting one hour's report
 * reads the whole race (tens to hundreds of ms of CPU for a 40,000-lap race,
 * more on a busy machine) and would otherwise hold the server's event loop
 * (issue 13: /api/health p99 ≤ 100 ms while a bulk ingest passes the hours).
 *
 * The thread keeps its own timeline of each race it drafted, built from the
 * store, commit by commit in seq order, exactly as the server builds its own
 * (races.ts loadAll: the live state is a function of the store alone), and
 * brought up to the seq the desk asks for before each draft: the draft is the
 * one the server's timeline would give at that seq. A timeline costs ~9 MB
 * per 40,000 laps.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EntryList } from '../../analysis/entry-list.js';
import { resultStatus, type ResultStatus } from '../../engine/finish.js';
import { standingsAt } from '../../engine/standings.js';
import { RaceTimeline } from '../../engine/timeline.js';
import type { RaceInfo } from '../../model/live.js';
import type { EventStore } from '../../store/index.js';
import { draftWithFallback, type ReportDraft } from './drafter.js';

/** Events read from the store per query while a timeline catches up. */
const PAGE = 5000;

export interface RemoteDraftCall {
  race: string;
  /** The race's seq when the desk asked: the draft reads the store up to it, not past it. */
  seq: number;
  info: RaceInfo;
  hour: number;
  entryList: EntryList | null;
  /** Also say whether the result is final (the result hour). */
  status: boolean;
  /** Race ms after the flag at which the result is final anyway (HourlyDeskOptions.settleMs). */
  settleMs: number;
}

export interface RemoteDraft {
  draft: ReportDraft;
  /** Why the report generator failed and the plain standings report was drafted instead (null: it did not). */
  generatorError: string | null;
  /** The result's status at the race's live instant (seq), when asked. */
  status: { status: ResultStatus; declaredUnderRed: boolean } | null;
}

/** The result's status at a timeline's live instant: what HourlyDesk.statusOf says on the server's own. */
export function statusAt(timeline: RaceTimeline, settleMs: number): { status: ResultStatus; declaredUnderRed: boolean } {
  const standings = standingsAt(timeline, timeline.lastEventMs);
  return { status: resultStatus(standings, settleMs), declaredUnderRed: standings.result?.declared === 'red-flag' };
}

/**
 * A full collection of this thread's heap, run after each draft: a draft
 * leaves tens of MB of garbage (every car's laps read into hour facts), which
 * V8 would otherwise let pile up in the old generation until its next limit,
 * and this heap counts in the server's RSS (the abuse test's cap, 300 MB:
 * 67 MB of thread heap at the peak without it). It pauses this thread only,
 * never the server's event loop. Null where V8 refuses the flag.
 */
const collect: (() => void) | null = (() => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
})();

export function threadMethods(store: EventStore): { draftReport: (call: RemoteDraftCall) => Promise<RemoteDraft> } {
  const races = new Map<string, { timeline: RaceTimeline; seq: number }>();
  /** The last entry list per race, so the analyses' caches (keyed by the list) hit across drafts. */
  const lists = new Map<string, { json: string; list: EntryList | null }>();
  return {
    async draftReport(call) {
      let held = races.get(call.race);
      if (held === undefined || held.seq > call.seq) {
        held = { timeline: new RaceTimeline(), seq: 0 };
        races.set(call.race, held);
      }
      while (held.seq < call.seq) {
        const page = await store.readSince(call.race, held.seq, Math.min(PAGE, call.seq - held.seq));
        if (page.length === 0) throw new Error(`race ${call.race}: the store holds nothing after seq ${held.seq}; the desk asked for seq ${call.seq}`);
        for (const stored of page) held.timeline.apply(stored.event);
        held.seq = page[page.length - 1]!.seq;
      }
      const json = JSON.stringify(call.entryList);
      let known = lists.get(call.race);
      if (known?.json !== json) lists.set(call.race, (known = { json, list: call.entryList }));
      const list = known.list;
      let generatorError: string | null = null;
      const drafter = draftWithFallback(
        (error) => (generatorError = error instanceof Error ? (error.stack ?? error.message) : String(error)),
        () => list,
      );
      const draft = drafter(held.timeline, call.info, call.hour);
      const status = call.status ? statusAt(held.timeline, call.settleMs) : null;
      collect?.();
      return { draft, generatorError, status };
    },
  };
}
