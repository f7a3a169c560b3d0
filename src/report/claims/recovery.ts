/** A car climbing back after a long stop in an earlier hour. */
import type { CarPosition, RecoveryFact } from '../../analysis/hour-facts.js';
import { MINUTE } from '../../model/time.js';
import type { ReportFact } from '../types.js';
import { ordinal, pick, placeWords, timeGapWords } from '../words.js';
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
  words(story, { sel, cls, m, seed, first }) {
    if (first) return [];
    const at = sel.atMs;
    const r = story.fact;
    const facts: ReportFact[] = [
      { kind: 'long-stop', car: r.car.car, inLap: r.loss.inLap, inMs: r.loss.inMs, pitLaneMs: r.loss.pitLaneMs!, usualMs: r.loss.usualPitLaneMs!, lostMs: r.lostMs, atMs: at },
      { kind: 'position', car: r.car.car, class: cls.class, position: r.classPositionAtStart, atMs: sel.fromMs },
      positionFact(story.car, cls.class, at),
    ];
    // The loss and when it happened, with the climb since; several wordings,
    // none with four fixed words in a row (repetition.ts). The car is named
    // inside the chosen wording only: naming marks it mentioned.
    const lost = timeGapWords(r.lostMs);
    const stop = `${ordinal(r.lossHour)}-hour stop`;
    const from = placeWords(r.classPositionAtStart);
    const to = placeWords(r.classPositionAtEnd);
    const text = pick(
      [
        () => `This hour, the ${m.car(story.car)} climbed from ${from} to ${to} in class, after losing ${lost} in a ${stop}.`,
        () => `The ${m.car(story.car)} is recovering: it lost ${lost} in a ${stop}, and went from ${from} to ${to} in the hour.`,
        () => `Recovering from a ${stop}, which cost it ${lost}, the ${m.car(story.car)} rose from ${from} to ${to} over the hour.`,
        () => `After losing ${lost} in a ${stop}, the ${m.car(story.car)} climbed this hour, from ${from} to ${to} in class.`,
      ],
      `${seed}/${r.car.car}/recovery`,
    )();
    return [{ text, facts }];
  },
  verify: {},
};
