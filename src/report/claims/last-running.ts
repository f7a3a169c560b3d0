/** The last car of a class still running ("The #63 … is the last of the four GTD cars still running."). */
import type { CarPosition } from '../../analysis/hour-facts.js';
import { classWords, numberWord } from '../words.js';
import { gone, type ClaimDefinition, type StoryBase } from './common.js';

export interface LastRunningStory extends StoryBase {
  kind: 'last-running';
  car: CarPosition;
  entries: number;
}

export const lastRunning: ClaimDefinition<LastRunningStory> = {
  find(ctx) {
    if (ctx.finishInHour || !(ctx.running > 0 || ctx.fieldStopped)) return [];
    if (ctx.running !== 1 || ctx.cars.length <= 1 || ctx.fieldStopped) return [];
    const survivor = ctx.cars.find((c) => !gone(c.status))!;
    return [{ kind: 'last-running', weight: 'last-running', car: survivor, entries: ctx.cars.length }];
  },
  words(story, { sel, cls, m, first }) {
    if (first) return [];
    const at = sel.atMs;
    return [
      {
        text: `The ${m.car(story.car)} is the last of the ${numberWord(story.entries)} ${classWords(cls.class)} cars still running.`,
        facts: [
          { kind: 'class-running', class: cls.class, running: 1, entries: story.entries, atMs: at },
          { kind: 'status', car: story.car.car, status: story.car.status, atMs: at },
        ],
      },
    ];
  },
  verify: {},
};
