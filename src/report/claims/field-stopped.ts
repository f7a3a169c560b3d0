/** Most of the field has not crossed the line for a while: the timing shows the race halted. */
import { raceClockWords } from '../words.js';
import type { ClaimDefinition, StoryBase } from './common.js';

export interface FieldStoppedStory extends StoryBase {
  kind: 'field-stopped';
  stopped: number;
  entries: number;
  sinceMs: number;
}

export const fieldStopped: ClaimDefinition<FieldStoppedStory> = {
  find(ctx) {
    if (ctx.rank !== 0 || !ctx.fieldStopped) return [];
    return [{ kind: 'field-stopped', weight: 'red-flag', stopped: ctx.stoppedCars.length, entries: ctx.end.cars.length, sinceMs: ctx.fieldSinceMs }];
  },
  words(story, { sel, first }) {
    if (first) return [];
    return [
      {
        text: `The field is halted: ${story.stopped} of the ${story.entries} cars have not crossed the line since ${raceClockWords(story.sinceMs)} race time.`,
        facts: [{ kind: 'field-stopped', stopped: story.stopped, entries: story.entries, sinceMs: story.sinceMs, atMs: sel.atMs }],
      },
    ];
  },
  verify: {},
};
