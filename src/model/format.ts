/** Formatting of engine values at the edge, as timing screens write them. */
import type { Gap } from './standings.js';
import { formatLapTime } from './time.js';

/** `1:04.412`, `35.100`, `1 lap`, `3 laps`; empty for the reference car. */
export function formatGap(gap: Gap): string {
  if (gap === null) return '';
  if ('laps' in gap) return gap.laps === 1 ? '1 lap' : `${gap.laps} laps`;
  return formatLapTime(gap.ms);
}
