export { foldEvents, RaceTimeline, CarTimeline, upperBound } from './timeline.js';
export { standingsAt, classKey, compareCarNumbers, stoppedAfterMs } from './standings.js';
export { gapBehind } from './gap.js';
