/** The race as the checker reads it: laps, flags and events only (filled in by the verifier step). */
import type { RaceTimeline } from '../../engine/timeline.js';

export interface RawRace {
  timeline: RaceTimeline;
}
