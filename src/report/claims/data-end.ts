/**
 * The timing stops inside the hour without a chequered flag (Daytona 2019).
 * Told by the headline and standfirst (realise.ts), which read this story:
 * the section says nothing more.
 */
import type { ClaimDefinition, StoryBase } from './common.js';

export interface DataEndStory extends StoryBase {
  kind: 'data-end';
  lastMs: number;
}

export const dataEnd: ClaimDefinition<DataEndStory> = {
  find(ctx) {
    return ctx.rank === 0 && ctx.dataEnds ? [{ kind: 'data-end', weight: 'red-flag', lastMs: ctx.dataEndMs }] : [];
  },
  words: () => [],
  verify: {},
};
