/**
 * The official result (DESIGN.md "Official result"; endurance-rules.md §6):
 * race control's decisions applied from the instant they were announced, and
 * the classification profile's rules applied at the finish.
 */
import type { ClassificationProfile } from '../model/classification.js';
import type { DecisionEvent } from '../model/events.js';
import { formatDuration } from '../model/time.js';
import type { CarTimeline } from './timeline.js';

/** What race control's decisions announced by some instant do to one car. */
export interface CarDecisions {
  /** Laps deducted (DecisionEvent kind laps-deducted), summed. */
  lapsDeducted: number;
  /** Time added to the car's race time (kind time-added), ms, summed. */
  addedMs: number;
  /** The disqualification, if any. */
  disqualified: DecisionEvent | null;
  /** A "not classified" decision, if any. */
  notClassified: DecisionEvent | null;
}

/**
 * Decisions announced at or before `at`, per car. A drive-through or
 * stop-and-go is served in the pit lane and changes no result, unless it is
 * announced after `resultMs` (the chequered flag, or a result declared at a
 * stop): it can no longer be served, and race control converts it to time
 * added to the car's race time, given in `penaltyMs` (none given: nothing is
 * added, no amount is guessed). Notes and the other kinds change no result.
 */
export function decisionsAt(decisions: readonly DecisionEvent[], at: number, resultMs: number | null = null): Map<string, CarDecisions> {
  const byCar = new Map<string, CarDecisions>();
  for (const d of decisions) {
    if (d.atMs > at) break; // kept in time order by the timeline
    if (d.car === null) continue;
    let c = byCar.get(d.car);
    if (c === undefined) byCar.set(d.car, (c = { lapsDeducted: 0, addedMs: 0, disqualified: null, notClassified: null }));
    if (d.kind === 'laps-deducted') c.lapsDeducted += d.laps ?? 0;
    else if (d.kind === 'time-added') c.addedMs += d.penaltyMs ?? 0;
    else if (d.kind === 'disqualified') c.disqualified ??= d;
    else if (d.kind === 'not-classified') c.notClassified ??= d;
    else if ((d.kind === 'drive-through' || d.kind === 'stop-and-go') && resultMs !== null && d.atMs > resultMs) c.addedMs += d.penaltyMs ?? 0;
  }
  return byCar;
}

/** Laps the profile's final-lap rule deducts, or 'not-classified'; 0 when none applies. */
export function finalLapPenalty(profile: ClassificationProfile, car: CarTimeline, finish: number): number | 'not-classified' {
  const rule = profile.finalLap;
  const lap = car.lapAtIndex(finish);
  if (rule === null || lap === undefined) return 0;
  const timedMs = lap.lapMs - (rule.pitLaneCounts ? 0 : (lap.pitLaneMs ?? 0));
  if (rule.notClassifiedOverMs !== null && timedMs > rule.notClassifiedOverMs) return 'not-classified';
  for (const band of rule.lapsDeducted) if (timedMs > band.overMs) return band.laps;
  return 0;
}

/** Plain words for a final lap over the rule's limit. */
export function finalLapReason(car: CarTimeline, finish: number, profile: ClassificationProfile): string {
  const lap = car.lapAtIndex(finish)!;
  const timedMs = lap.lapMs - (profile.finalLap?.pitLaneCounts ? 0 : (lap.pitLaneMs ?? 0));
  return `final lap of ${formatDuration(timedMs)}, over the ${formatDuration(profile.finalLap!.notClassifiedOverMs!)} limit`;
}

/** "covered less than 70% of the winner's distance (96 of 311 laps)". */
export function shortDistanceReason(share: number, laps: number, winnerLaps: number): string {
  return `covered less than ${Math.round(share * 100)}% of the winner's distance (${laps} of ${winnerLaps} laps)`;
}

/** Minimum laps for a classification: the share of the winner's laps, rounded up (4.9 → 5). */
export function minimumLaps(share: number, winnerLaps: number): number {
  // Rounded to 1e-9 first so 0.7 × 310 = 216.99999999999997 is 217, not 218.
  return Math.ceil(Math.round(share * winnerLaps * 1e9) / 1e9);
}

/** Race control's decision in the feed's words ("#7: drive-through penalty (unsafe release)"). */
export function decisionText(d: DecisionEvent): string {
  const who = d.car === null ? 'Race control' : `#${d.car}`;
  const why = d.reason === '' ? '' : ` (${d.reason})`;
  switch (d.kind) {
    case 'drive-through':
      return `${who}: drive-through penalty${why}`;
    case 'stop-and-go':
      return `${who}: stop-and-go penalty${d.penaltyMs === null ? '' : ` of ${formatDuration(d.penaltyMs)}`}${why}`;
    case 'time-added':
      return `${who}: ${d.penaltyMs === null ? 'time' : formatDuration(d.penaltyMs)} added to its race time${why}`;
    case 'laps-deducted':
      return `${who}: ${d.laps === 1 ? '1 lap' : `${d.laps ?? 'laps'} laps`} deducted${why}`;
    case 'disqualified':
      return `${who} is disqualified${why}`;
    case 'not-classified':
      return `${who} is not classified${why}`;
    case 'stop-time-added':
      return `${who}: ${d.penaltyMs === null ? 'time' : formatDuration(d.penaltyMs)} added to its next pit stop${why}`;
    case 'lap-time-deleted':
      return `${who}: lap time deleted${d.lap === null ? '' : ` (lap ${d.lap})`}${why}`;
    case 'reprimand':
      return `${who}: reprimand${why}`;
    case 'warning':
      return `${who}: warning${why}`;
    case 'no-further-action':
      return `${who}: no further action${why}`;
    case 'mechanical-black-flag':
      return `${who}: black and orange flag, to stop and repair${why}`;
    case 'note':
      return d.text !== '' ? d.text : `${who}${why}`;
    case 'result-declared':
      return `${who}: the race will not be resumed; the result is declared as it stood${why}`;
  }
}

/**
 * The pit stop that serves a drive-through or stop-and-go: the car's first
 * in-lap completed after the decision was announced (penalties are served in
 * the pit lane, endurance-rules.md §5). Null while none, or for other kinds.
 */
export function servingStop(d: DecisionEvent, car: CarTimeline): { lap: number; crossingMs: number } | null {
  if (d.kind !== 'drive-through' && d.kind !== 'stop-and-go') return null;
  for (let i = car.indexAt(d.atMs), n = car.lapTotal; i < n; i++) {
    const lap = car.lapAtIndex(i)!;
    if (lap.inPit) return { lap: lap.lap, crossingMs: lap.crossingMs };
  }
  return null;
}
