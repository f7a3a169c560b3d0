/**
 * Combines event sets from several files or batches of one race. Hourly
 * exports each hold every lap so far, so the same lap arrives many times:
 * events are deduplicated by idempotency key, and a key seen again with other
 * data is a conflict worth stopping for rather than silently picking one.
 */
import type { TimingEvent } from '../model/events.js';
import { compareEvents, eventKey, reviseFact, sameEvent } from '../model/events.js';

export interface EventConflict {
  key: string;
  first: { source: string; event: TimingEvent };
  second: { source: string; event: TimingEvent };
}

export class MergeConflictError extends Error {
  constructor(readonly conflicts: EventConflict[]) {
    const shown = conflicts
      .slice(0, 5)
      .map((c) => `${c.key}: ${c.first.source} and ${c.second.source} disagree`)
      .join('\n');
    super(`${conflicts.length} event(s) differ between inputs:\n${shown}`);
    this.name = 'MergeConflictError';
  }
}

/**
 * Session and entry facts merge as the store merges them (model/events.ts
 * reviseFact: what a later set states wins, what it leaves empty is kept,
 * crews are a union); laps, pit exits and decisions must agree wherever they repeat.
 */
export function mergeEventSets(sets: Array<{ source: string; events: TimingEvent[] }>): TimingEvent[] {
  if (sets.length === 1) return sets[0]!.events;
  const byKey = new Map<string, { source: string; event: TimingEvent }>();
  const conflicts: EventConflict[] = [];
  for (const { source, events } of sets) {
    for (const event of events) {
      const key = eventKey(event);
      const seen = byKey.get(key);
      if (seen === undefined) {
        byKey.set(key, { source, event });
      } else if ((event.type === 'session' && seen.event.type === 'session') || (event.type === 'entry' && seen.event.type === 'entry')) {
        byKey.set(key, { source, event: reviseFact(seen.event, event) });
      } else if (!sameEvent(seen.event, event)) {
        conflicts.push({ key, first: seen, second: { source, event } });
      }
    }
  }
  if (conflicts.length > 0) throw new MergeConflictError(conflicts);
  return [...byKey.values()].map((v) => v.event).sort(compareEvents);
}
