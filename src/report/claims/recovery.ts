/** A car climbing back after a long stop in an earlier hour. */
import type { CarPosition, RecoveryFact } from '../../analysis/hour-facts.js';
import { MINUTE } from '../../model/time.js';
import type { ReportFact } from '../types.js';
import { hourPhrase, placeWords, timeGapWords } from '../words.js';
import { longAgainstStopsThen, positionFact, type ClaimDefinition, type StoryBase } from './common.js';

export interface RecoveryStory extends StoryBase {
  kind: 'recovery';
  fact: RecoveryFact;
  car: CarPosition;
}

export const recovery: ClaimDefinition<RecoveryStory> = {
  find(ctx) {
    if (ctx.finishInHour || !(ctx.running > 0 || ctx.fieldStopped)) return [];
    const leader = ctx.cars[0]!;
    const fact = ctx.facts.recoveries
      .filter((r) => r.car.class === ctx.cls && r.lossHour < ctx.hour && r.lostMs >= MINUTE && r.car.car !== leader.car)
      .filter((r) => longAgainstStopsThen(ctx.timeline, ctx.atMs, r.car.class, r.car.car, r.loss.inMs, r.loss.pitLaneMs!))
      .sort((a, b) => a.classPositionAtEnd - b.classPositionAtEnd)[0];
    return fact === undefined ? [] : [{ kind: 'recovery', weight: 'recovery', fact, car: ctx.endPos.get(fact.car.car)! }];
  },
  words(story, { sel, cls, m, first }) {
    if (first) return [];
    const at = sel.atMs;
    const r = story.fact;
    const facts: ReportFact[] = [
      { kind: 'long-stop', car: r.car.car, inLap: r.loss.inLap, inMs: r.loss.inMs, pitLaneMs: r.loss.pitLaneMs!, usualMs: r.loss.usualPitLaneMs!, lostMs: r.lostMs, atMs: at },
      { kind: 'position', car: r.car.car, class: cls.class, position: r.classPositionAtStart, atMs: sel.fromMs },
      positionFact(story.car, cls.class, at),
    ];
    return [
      {
        text: `The ${m.car(story.car)} is recovering after losing ${timeGapWords(r.lostMs)} in the pits in ${hourPhrase(r.lossHour)}: it climbed from ${placeWords(r.classPositionAtStart)} to ${placeWords(r.classPositionAtEnd)} in class this hour.`,
        facts,
      },
    ];
  },
  verify: {},
};
