/**
 * The classification at one instant, as the engine computes it and every
 * consumer (CLI, API, live screen, reports) reads it.
 */
import type { FlagState } from './events.js';

/**
 * Distance from one car back to another: null for the car it is measured
 * from, a time when both are on the same lap (see DESIGN.md), else whole laps.
 */
export type Gap = null | { ms: number; provisional?: true } | { laps: number };

export type CarStatus = 'running' | 'out-lap' | 'in-pit' | 'stopped' | 'retired' | 'finished';

/** How a sector or lap time compares with the best ones at that instant. */
export type Best = 'overall' | 'class' | 'personal' | null;

export interface CarStanding {
  position: number;
  number: string;
  class: string;
  classPosition: number;
  group: string;
  team: string;
  manufacturer: string;
  /** Driver at the wheel: of the last lap completed, or of the lap being run. */
  driver: string;
  driverNumber: number | null;
  laps: number;
  gap: Gap;
  interval: Gap;
  classGap: Gap;
  classInterval: Gap;
  lastLapMs: number | null;
  lastLapBest: Best;
  bestLapMs: number | null;
  /** Sectors of the last completed lap. */
  lastSectorsMs: [number | null, number | null, number | null];
  lastSectorsBest: [Best, Best, Best];
  bestSectorsMs: [number | null, number | null, number | null];
  pitStops: number;
  /** Laps completed since the car last left the pits (or since the start). */
  stintLaps: number;
  status: CarStatus;
  /** Race time of the last crossing of the line (0 before the first). */
  lastCrossingMs: number;
  /**
   * Once the result stands (after the chequered flag, or declared under red
   * flag): classified or not. Null before, and for a car still running to
   * the line after the flag (always present, so a live delta can clear it).
   */
  classified: boolean | null;
  /** Why a car is not classified, in plain words ("did not take the chequered flag"); null otherwise. */
  reason: string | null;
}

/** How the result was reached: at the chequered flag, or declared when the race was stopped and not resumed. */
export interface RaceResult {
  declared: 'chequered' | 'red-flag';
  /** Race time of the chequered flag, or of the stop the result is declared at. */
  atMs: number;
  /** Name of the classification profile applied (rules/classification-*.json). */
  profile: string;
}

export interface Standings {
  at: { raceTimeMs: number };
  flag: FlagState;
  /** Race time of the chequered flag, once it has fallen. */
  chequeredMs: number | null;
  /** Present once the result stands. */
  result?: RaceResult;
  cars: CarStanding[];
}
