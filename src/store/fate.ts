/**
 * The fate of every event of one append — accepted, duplicate, conflict or
 * rolled back — decided once for every store (sqlite/, postgres/), which
 * differ only in how they look up what they hold and how they write.
 */
import { reviseFact, type RevisableEvent } from '../model/events.js';
import { eventBody, type AppendEvent, type AppendOptions, type AppendResult } from './index.js';

/** An event stored under a key: its seq and its stored body (eventBody). */
export interface HeldFact {
  seq: number;
  body: string;
}

/** What a store holds, as the decision needs it; called inside the append's transaction. */
export interface HeldLookup {
  /** The event stored under `key` now (its latest), or undefined when the key is new to the race. */
  current(key: string): HeldFact | undefined;
  /** Whether this revisable fact (key, body as told) was told before under the key (told_facts). Not asked with `restate`. */
  wasTold(key: string, body: string): boolean;
}

export interface Fates {
  /** One per event, in order: status and seq (and the merged event of an accepted correction). */
  results: AppendResult[];
  /** The body to store per event (for an accepted correction: the merged fact), in order. */
  bodies: string[];
  /** Every key stored now, with its new seq and body. */
  stored: Map<string, HeldFact>;
  /** The revisable facts told in this batch, once each, as told: to record in told_facts. */
  told: Array<[key: string, body: string]>;
  /** Seq of the last event stored; null when the append stores nothing (nothing new, or `atomic` with a conflict). */
  commitSeq: number | null;
}

/**
 * Decides every event's fate, seqs handed out from `lastSeq + 1` in batch
 * order (a key may repeat inside the batch: the later sees the earlier).
 * The rules (store/index.ts AppendEvent.revisable, issue 13 item 4):
 * - a key new to the race: accepted;
 * - a lap or pit exit (not revisable) under a held key: duplicate if the same
 *   body, else conflict (a lap never changes once told);
 * - a revisable fact (session, entry) under a held key: a duplicate when it
 *   is the held body, or (without `restate`) any body told before under the
 *   key, in an earlier append or earlier in this batch; otherwise merged into
 *   the held fact (reviseFact: what it states wins, what it leaves empty is
 *   kept), accepted if the merge changes it, else a duplicate;
 * - `atomic` with any conflict: every accepted event becomes rolled-back
 *   (seq null) and nothing is stored.
 * Pure apart from `lookup`; throws nothing of its own.
 */
export function decideFates(events: readonly AppendEvent[], lastSeq: number, lookup: HeldLookup, { atomic = false, restate = false }: AppendOptions = {}): Fates {
  const results: AppendResult[] = [];
  const bodies: string[] = [];
  const stored = new Map<string, HeldFact>();
  /** `key\nbody` → [key, body] of the revisable facts told in this batch. */
  const toldNow = new Map<string, [string, string]>();
  let next = lastSeq;
  let conflicts = 0;
  for (const { key, event, revisable } of events) {
    const body = eventBody(event);
    bodies.push(body);
    const current = stored.get(key) ?? lookup.current(key);
    const toldKey = `${key}\n${body}`;
    if (current === undefined) {
      next++;
      stored.set(key, { seq: next, body });
      results.push({ status: 'accepted', seq: next });
      if (revisable) toldNow.set(toldKey, [key, body]);
    } else if (revisable) {
      const resent = current.body === body || (!restate && (toldNow.has(toldKey) || lookup.wasTold(key, body)));
      const merged = resent ? null : reviseFact(JSON.parse(current.body) as RevisableEvent, event as RevisableEvent);
      const mergedBody = merged === null ? current.body : eventBody(merged);
      toldNow.set(toldKey, [key, body]);
      if (mergedBody === current.body) {
        results.push({ status: 'duplicate', seq: current.seq });
      } else {
        next++;
        bodies[bodies.length - 1] = mergedBody;
        stored.set(key, { seq: next, body: mergedBody });
        results.push({ status: 'accepted', seq: next, event: merged! });
      }
    } else if (current.body === body) {
      results.push({ status: 'duplicate', seq: current.seq });
    } else {
      conflicts++;
      results.push({ status: 'conflict', seq: current.seq });
    }
  }
  if (atomic && conflicts > 0) {
    for (const r of results) {
      if (r.status === 'accepted') {
        r.status = 'rolled-back';
        r.seq = null;
      }
    }
    return { results, bodies, stored: new Map(), told: [], commitSeq: null };
  }
  return { results, bodies, stored, told: [...toldNow.values()], commitSeq: next === lastSeq ? null : next };
}
