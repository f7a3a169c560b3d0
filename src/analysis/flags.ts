/**
 * Race control: flag periods from the flag shown at each crossing of the
 * line (Al Kamel FLAG_AT_FL, 2023 files on). A period starts at the first
 * crossing that shows its flag and ends at the first crossing that shows
 * another; the true change happened between that crossing and the one
 * before it, which each record also gives. Files without flags say
 * "unknown" for race control's flags, and carry the neutralisations read
 * from lap and sector times (neutralisations.ts), each `inferred: true`.
 */
import type { Flag } from '../model/events.js';
import type { RaceTimeline } from '../engine/timeline.js';
import type { AnalysisOptions } from './options.js';
import { crossingsUpTo, instant, raceIndex } from './race-index.js';
import { inferNeutralisations, neutralisationInForce, type InferredNeutralisation } from './neutralisations.js';

export interface FlagPeriod {
  flag: Flag;
  /** First crossing showing this flag. */
  startMs: number;
  /** Last crossing before it (showing the previous flag): the change came after this. */
  previousCrossingMs: number | null;
  /** First crossing showing another flag; null while still shown at `at`. */
  endMs: number | null;
  /** endMs (or `at` while ongoing) − startMs. */
  durationMs: number;
  /** Laps completed by all cars under this flag (crossings showing it). */
  carLaps: number;
  /** Laps the race leader completed under it, and which. */
  leaderLaps: number;
  firstLeaderLap: number | null;
  lastLeaderLap: number | null;
}

export type RaceControl =
  | {
      known: false;
      flag: 'unknown';
      /** Read from lap and sector times up to `at` (an ongoing one ends at `at`); not race control's word. */
      inferred: InferredNeutralisation[];
      /** The safety car or FCY in force at `at` by those laps (neutralisationInForce; ends at `at`), or null: what a timing screen shows then. */
      inForce: InferredNeutralisation | null;
    }
  | { known: true; periods: FlagPeriod[] };

export function flagPeriods(timeline: RaceTimeline, options: Pick<AnalysisOptions, 'at'> = {}): RaceControl {
  const index = raceIndex(timeline);
  const at = instant(timeline, options.at);
  if (!index.hasFlags) return unknownFlags(timeline, at);
  const periods: FlagPeriod[] = [];
  const changes = index.flagTimes.length;
  for (let i = 0; i < changes; i++) {
    const startMs = index.flagTimes[i]!;
    if (startMs > at) break;
    const next = index.flagTimes[i + 1];
    const endMs = next !== undefined && next <= at ? next : null;
    const to = endMs ?? at;
    const first = crossingsUpTo(index, startMs - 1);
    const last = endMs === null ? crossingsUpTo(index, at) : crossingsUpTo(index, endMs - 1);
    let leaderLaps = 0;
    let firstLeaderLap: number | null = null;
    let lastLeaderLap: number | null = null;
    for (let k = first; k < last; k++) {
      if (index.position[k] !== 1) continue;
      const lap = index.crossingCar[k]!.laps[index.crossingLapIndex[k]!]!.lap;
      leaderLaps++;
      firstLeaderLap ??= lap;
      lastLeaderLap = lap;
    }
    periods.push({
      flag: index.flagValues[i]!,
      startMs,
      previousCrossingMs: first > 0 ? index.crossingMs[first - 1]! : null,
      endMs,
      durationMs: to - startMs,
      carLaps: last - first,
      leaderLaps,
      firstLeaderLap,
      lastLeaderLap,
    });
  }
  return { known: true, periods };
}

/**
 * Answers for files without flags, kept per timeline and instant while the
 * laps completed by then stay the same (lapsKnownAt): live, every viewer
 * asks for the same race minute (web/lib/screen.ts INFERRED_STEP_MS) while
 * laps keep arriving, which would recompute the inference (~60 ms on Le
 * Mans 2019) at each request. A lap completed by `at` replaced later, other
 * than each car's last, is not seen (the inference's own memo, by event
 * count, is).
 */
const unknownByAt = new WeakMap<RaceTimeline, Map<number, { laps: string; control: RaceControl }>>();
const KEPT_INSTANTS = 16;

function unknownFlags(timeline: RaceTimeline, at: number): RaceControl {
  const laps = lapsKnownAt(timeline, at);
  let kept = unknownByAt.get(timeline);
  if (kept === undefined) unknownByAt.set(timeline, (kept = new Map()));
  const hit = kept.get(at);
  if (hit !== undefined && hit.laps === laps) return hit.control;
  const inForce = neutralisationInForce(timeline, at);
  // The list and inForce tell one story: a period the laps end early (they run out before `at`) but still in force ends at `at`.
  const inferred = inferredUpTo(timeline, at).map((p) => (inForce !== null && p.kind !== 'slow-zone' && p.startMs === inForce.startMs ? inForce : p));
  const control: RaceControl = { known: false, flag: 'unknown', inferred, inForce };
  kept.delete(at);
  if (kept.size >= KEPT_INSTANTS) kept.delete(kept.keys().next().value!);
  kept.set(at, { laps, control });
  return control;
}

/** Each car's laps completed by `at`: how many, and the last one's times. */
function lapsKnownAt(timeline: RaceTimeline, at: number): string {
  let key = '';
  for (const car of timeline.cars.values()) {
    const n = car.indexAt(at);
    const last = n > 0 ? car.laps[n - 1] : undefined;
    key += `${car.number}:${n}:${last?.crossingMs}:${last?.lapMs}:${last?.sectorsMs.join(',')}:${last?.pitLaneMs}:${last?.inPit};`;
  }
  return key;
}

/** Inferred periods as known at `at` (from the laps completed by then), cut at `at` while ongoing. */
export function inferredUpTo(timeline: RaceTimeline, at: number): InferredNeutralisation[] {
  return inferNeutralisations(timeline, at)
    .filter((p) => p.startMs <= at)
    .map((p) => (p.endMs <= at ? p : { ...p, endMs: at, durationMs: at - p.startMs }));
}
