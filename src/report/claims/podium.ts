/** The fight for the last podium place: third and fourth within half a minute on the road. */
import type { CarPosition } from '../../analysis/hour-facts.js';
import { classWords, gapWords, pick } from '../words.js';
import { aheadText, known, onRoad, positionFact, gone, type ClaimDefinition, type StoryBase } from './common.js';
import { classBattle } from './battle.js';

export interface PodiumStory extends StoryBase {
  kind: 'podium';
  third: CarPosition;
  fourth: CarPosition;
}

export const podium: ClaimDefinition<PodiumStory> = {
  find(ctx) {
    if (ctx.finishInHour || !(ctx.running > 0 || ctx.fieldStopped)) return [];
    const third = ctx.cars[2];
    const fourth = ctx.cars[3];
    // A podium fight only when it is one: within half a minute (third place is told with the leaders anyway).
    const close = (g: CarPosition['classInterval']) => g !== null && 'ms' in g && g.ms >= 0 && g.ms < 30_000;
    if (third === undefined || fourth === undefined || gone(third.status) || gone(fourth.status) || !close(fourth.classInterval)) return [];
    if (classBattle(ctx)?.classPositionsAtEnd.includes(3) === true) return [];
    return [{ kind: 'podium', weight: 'podium', third: onRoad(ctx.cars, 2)!, fourth: onRoad(ctx.cars, 3)! }];
  },
  words(story, { sel, cls, m, seed, first }) {
    if (first) return [];
    const at = sel.atMs;
    const scope = cls.rank === 0 ? null : cls.class;
    const gap = story.fourth.classInterval;
    if (!known(gap)) return [];
    const third = m.car(story.third);
    const fourth = m.car(story.fourth);
    // Only a close margin is a "fight".
    const where = cls.rank === 0 ? '' : ` in ${classWords(cls.class)}`;
    const close = gap !== null && 'ms' in gap && gap.ms < 30_000;
    return [
      {
        // "Third", not "the final podium place" every hour: the place breaks the phrase (repetition.ts).
        text: close
          ? pick(
              [
                `The ${third} held third${where}, ${gapWords(gap)} clear of the ${fourth}.`,
                `Third${where} went to the ${third}, ${gapWords(gap)} ahead of the ${fourth}.`,
                `The ${fourth} chased the ${third} for third${where}, ${gapWords(gap)} back.`,
              ],
              `${seed}/${cls.class}/podium`,
            )
          : `The ${third} held third${where}, ${aheadText(gap)} of the ${fourth}.`,
        facts: [
          positionFact(story.third, scope ?? cls.class, at),
          positionFact(story.fourth, scope ?? cls.class, at),
          { kind: 'interval', car: story.fourth.car, class: cls.class, gap, atMs: at },
        ],
      },
    ];
  },
  verify: {},
};
