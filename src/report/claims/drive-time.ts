/** A Bronze driver completed the minimum drive time (only with an entry list and rules). */
import type { DriveTimeMilestoneFact } from '../../analysis/hour-facts.js';
import { capitalise, durationWords, minutesWords } from '../words.js';
import type { ClaimDefinition, StoryBase } from './common.js';

export interface DriveTimeStory extends StoryBase {
  kind: 'drive-time';
  fact: DriveTimeMilestoneFact;
}

export const driveTime: ClaimDefinition<DriveTimeStory> = {
  find(ctx) {
    if (ctx.finishInHour || !(ctx.running > 0 || ctx.fieldStopped)) return [];
    return ctx.facts.milestones
      .filter((fact) => fact.car.class === ctx.cls && fact.driver.category === 'Bronze')
      .map((fact) => ({ kind: 'drive-time', weight: 'drive-time', fact }));
  },
  words(story, { m, first }) {
    if (first) return [];
    const f = story.fact;
    return [
      {
        text: `${capitalise(m.driver(f.driver))}, the Bronze-rated driver of the #${f.car.car}, completed the ${durationWords(f.minimumMs)} minimum drive time on lap ${f.lap}, ${minutesWords(f.minutesIntoHour)}.`,
        facts: [{ kind: 'drive-minimum', car: f.car.car, driver: f.driver.name, category: 'Bronze', minimumMs: f.minimumMs, lap: f.lap, atMs: f.atMs }],
      },
    ];
  },
  verify: {},
};
