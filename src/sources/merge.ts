/**
 * Combines event sets from several files or batches of one race. Hourly
 * exports each hold every lap so far, so the same lap arrives many times:
 * events are deduplicated by idempotency key, and a key seen again with other
 * data is a conflict worth stopping for rather than silently picking one.
 */
import type { EntryEvent, TimingEvent } from '../model/events.js';
import { compareEvents, eventKey, sameEvent } from '../model/events.js';

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
 * Later sets win for session and entry facts (a later export knows more of the
 * crew); laps and pit exits must agree wherever they repeat.
 */
export function mergeEventSets(sets: Array<{ source: string; events: TimingEvent[] }>): TimingEvent[] {
  if (sets.length === 1) return sets[0]!.events;
  const byKey = new Map<string, { source: string; event: TimingEvent }>();
  const conflicts: EventConflict[] = [];
  for (const { source, events } of sets) {
    for (const event of events) {
      const key = eventKey(event);
      const seen = byKey.get(key);
      if (seen === undefined || event.type === 'session') {
        byKey.set(key, { source, event });
      } else if (event.type === 'entry') {
        byKey.set(key, { source, event: mergeEntry(seen.event as EntryEvent, event) });
      } else if (!sameEvent(seen.event, event)) {
        conflicts.push({ key, first: seen, second: { source, event } });
      }
    }
  }
  if (conflicts.length > 0) throw new MergeConflictError(conflicts);
  return [...byKey.values()].map((v) => v.event).sort(compareEvents);
}

function mergeEntry(earlier: EntryEvent, later: EntryEvent): EntryEvent {
  const drivers = new Map(earlier.drivers.map((d) => [d.number, d]));
  for (const d of later.drivers) drivers.set(d.number, d);
  return { ...later, drivers: [...drivers.values()].sort((a, b) => a.number - b.number) };
}
