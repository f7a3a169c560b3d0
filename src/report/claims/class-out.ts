/** A class with no car left running ("None of the five LMGTE Am cars is still running."). */
import type { CarPosition } from '../../analysis/hour-facts.js';
import { classWords, numberWord } from '../words.js';
import type { ClaimDefinition, StoryBase } from './common.js';

export interface ClassOutStory extends StoryBase {
  kind: 'class-out';
  class: string;
  cars: CarPosition[];
}

export const classOut: ClaimDefinition<ClassOutStory> = {
  find(ctx) {
    if (ctx.finishInHour || !(ctx.running === 0 && ctx.started && !ctx.fieldStopped)) return [];
    return [{ kind: 'class-out', weight: 'last-running', class: ctx.cls, cars: ctx.cars }];
  },
  words(story, { sel, cls, first }) {
    // Told only as the section's opening.
    if (!first) return [];
    return [
      {
        text: `None of the ${numberWord(story.cars.length)} ${classWords(cls.class)} ${story.cars.length === 1 ? 'car is' : 'cars is'} still running.`,
        facts: [{ kind: 'class-running', class: cls.class, running: 0, entries: story.cars.length, atMs: sel.atMs }],
      },
    ];
  },
  verify: {},
};
