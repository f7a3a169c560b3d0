/**
 * The gap to the car ahead, between cars on the same lap (issue 11, Deliver
 * 3: "1m46s behind the #38", not only "one lap back" from the leader). The
 * first car from fourth to sixth in its class that is within two minutes of
 * the car directly ahead on the road — same lap, neither in the pit lane —
 * and is not already told in a fight of its own.
 *
 * Its facts are shared ones (claims/raw.ts): the two places and the interval,
 * whose meaning is exactly the sentence's: the same lap at the instant,
 * neither car in the pit lane, the rounded gap as written.
 */
import type { CarPosition } from '../../analysis/hour-facts.js';
import { classWords, gapWords, placeWords } from '../words.js';
import { goneStatus, onRoad, positionFact, type ClaimDefinition, type StoryBase } from './common.js';

export interface GapAheadStory extends StoryBase {
  kind: 'gap-ahead';
  car: CarPosition;
  ahead: CarPosition;
}

/** Within two minutes of the car ahead: a chase, not a car on its own. */
export const GAP_AHEAD_MAX_MS = 120_000;

export const gapAhead: ClaimDefinition<GapAheadStory> = {
  find(ctx) {
    if (ctx.finishInHour || !(ctx.running > 0 || ctx.fieldStopped)) return [];
    // Cars already in a fight of their own this hour.
    const told = new Set<string>();
    for (const s of ctx.stories) {
      const x = s as { kind: string; ahead?: CarPosition; behind?: CarPosition; third?: CarPosition; fourth?: CarPosition };
      if (x.kind !== 'battle' && x.kind !== 'podium') continue;
      for (const c of [x.ahead, x.behind, x.third, x.fourth]) if (c !== undefined) told.add(c.car);
    }
    for (let i = 3; i <= 5 && i < ctx.cars.length; i++) {
      const car = onRoad(ctx.cars, i)!;
      const ahead = ctx.cars[i - 1]!;
      const g = car.classInterval;
      if (g === null || !('ms' in g) || g.ms < 0 || g.ms >= GAP_AHEAD_MAX_MS) continue;
      if (goneStatus(car) || goneStatus(ahead) || told.has(car.car)) continue;
      return [{ kind: 'gap-ahead', weight: 'podium', car, ahead }];
    }
    return [];
  },
  words(story, { sel, cls, m, first }) {
    if (first) return [];
    const at = sel.atMs;
    const { car, ahead } = story;
    const where = cls.rank === 0 ? '' : ` in ${classWords(cls.class)}`;
    return [
      {
        text: `The ${m.car(car)} ran ${placeWords(car.classPosition)}${where}, ${gapWords(car.classInterval)} behind the #${ahead.car}.`,
        facts: [positionFact(car, cls.class, at), positionFact(ahead, cls.class, at), { kind: 'interval', car: car.car, class: cls.class, gap: car.classInterval, atMs: at }],
      },
    ];
  },
  verify: {},
};
