/** A Bronze driver completed the minimum drive time (only with an entry list and rules). */
import type { DriveTimeMilestoneFact } from '../../analysis/hour-facts.js';
import { capitalise, durationWords, minutesWords } from '../words.js';
import { nameKey } from '../../analysis/roster.js';
import type { ClaimDefinition, Meaning, StoryBase } from './common.js';

export interface DriveTimeStory extends StoryBase {
  kind: 'drive-time';
  fact: DriveTimeMilestoneFact;
}

export const driveTime: ClaimDefinition<DriveTimeStory, { 'drive-minimum': Meaning<'drive-minimum'> }> = {
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
  verify: {
    'drive-minimum'(f, raw) {
      const listed = raw.entryList?.cars.find((c) => c.number === f.car)?.drivers.find((d) => d.name === f.driver || nameKey(d.name) === nameKey(f.driver));
      if (listed?.category !== f.category) return `the entry list gives ${f.driver} as ${listed?.category ?? 'no category'}`;
      const car = raw.cars.get(f.car);
      const lap = car?.laps.find((l) => l.lap === f.lap);
      if (car === undefined || lap === undefined) return `#${f.car} has no lap ${f.lap}`;
      if (lap.driverName !== f.driver || lap.crossingMs !== f.atMs) return `${lap.driverName} drove lap ${f.lap} of #${f.car}, completed at ${lap.crossingMs}`;
      // Drive time: the driver's laps, less the pit lane time on their out-laps; the minimum falls on the lap that reaches it.
      let before = 0;
      for (const l of car.laps) {
        if (l.lap >= f.lap) break;
        if (l.driverName === f.driver) before += l.lapMs - (l.pitLaneMs ?? 0);
      }
      const after = before + lap.lapMs - (lap.pitLaneMs ?? 0);
      return before < f.minimumMs && after >= f.minimumMs ? null : `${f.driver} had driven ${before} ms before lap ${f.lap} and ${after} ms after it, against ${f.minimumMs} ms`;
    },
  },
};
