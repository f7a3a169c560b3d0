/** A car that stopped during the hour: where, after how many laps, when it was last timed. */
import type { CarPosition } from '../../analysis/hour-facts.js';
import type { ReportFact } from '../types.js';
import { classWords, pick, placeWords, raceClockWords } from '../words.js';
import { HOUR } from '../../model/time.js';
import { gone, lapsFact, type ClaimDefinition, type StoryBase } from './common.js';

export interface RetirementStory extends StoryBase {
  kind: 'retirement';
  car: CarPosition;
  startPosition: number | null;
  lastSeenMs: number;
  lastLapInPit: boolean;
}

export const retirement: ClaimDefinition<RetirementStory> = {
  find(ctx) {
    // Cars that stopped during the hour (not the data simply ending, not a halted field).
    if (ctx.finishInHour || !(ctx.running > 0 || ctx.fieldStopped) || ctx.dataEnds || ctx.fieldStopped) return [];
    const startStatus = new Map(ctx.start.cars.map((c) => [c.number, c]));
    const out: RetirementStory[] = [];
    for (const c of ctx.cars) {
      const before = startStatus.get(c.car);
      if (!gone(c.status) || gone(before?.status) || c.laps === 0) continue;
      const car = ctx.timeline.cars.get(c.car)!;
      const n = car.indexAt(ctx.atMs);
      const last = car.laps[n - 1];
      const out_ = car.pitOutAt(ctx.atMs);
      const startPosition = before !== undefined && before.laps > 0 ? before.classPosition : null;
      out.push({
        kind: 'retirement',
        weight: startPosition !== null && startPosition <= 3 ? 'leader-retired' : 'retirement',
        car: c,
        startPosition,
        lastSeenMs: Math.max(last?.crossingMs ?? 0, out_?.atMs ?? 0),
        lastLapInPit: last?.inPit ?? false,
      });
    }
    return out;
  },
  words(story, { sel, cls, m, seed, first }) {
    if (first) return [];
    const at = sel.atMs;
    const car = m.car(story.car);
    const facts: ReportFact[] = [
      { kind: 'status', car: story.car.car, status: story.car.status, atMs: at },
      { kind: 'last-seen', car: story.car.car, lastSeenMs: story.lastSeenMs, atMs: at },
      lapsFact(story.car, at),
    ];
    let lead = '';
    if (story.startPosition !== null) {
      facts.push({ kind: 'position', car: story.car.car, class: cls.class, position: story.startPosition, atMs: sel.fromMs });
      lead = `, ${placeWords(story.startPosition)} in ${classWords(cls.class)} ${at - sel.fromMs === HOUR ? 'an hour earlier' : 'when the hour began'},`;
    }
    return [
      {
        // As a desk writes it, not as a log: where it stopped, after how many laps, when it was last timed.
        text: story.lastLapInPit
          ? `The ${car}${lead} went into the pits after ${story.car.laps} laps at ${raceClockWords(story.lastSeenMs)} race time and has not come back out.`
          : pick(
              [
                `The ${car}${lead} stopped on track, last timed at ${raceClockWords(story.lastSeenMs)} race time after ${story.car.laps} laps.`,
                `Out on track, the ${car}${lead} stopped after ${story.car.laps} laps, last timed at ${raceClockWords(story.lastSeenMs)} race time.`,
              ],
              `${seed}/${story.car.car}/retirement`,
            ),
        facts,
      },
    ];
  },
  verify: {},
};
