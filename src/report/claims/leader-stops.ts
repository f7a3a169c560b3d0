/** Routine stops of the two leading cars of the top class, with the driver changes they made. */
import type { DriverChangeFact, PitStopFact } from '../../analysis/hour-facts.js';
import type { ReportFact } from '../types.js';
import { capitalise, listWords, minutesWords, numberWord, pick } from '../words.js';
import type { ClaimDefinition, StoryBase } from './common.js';

export interface LeaderStopsStory extends StoryBase {
  kind: 'leader-stops';
  stops: PitStopFact[];
  changes: DriverChangeFact[];
}

export const leaderStops: ClaimDefinition<LeaderStopsStory> = {
  find(ctx) {
    if (ctx.finishInHour || !(ctx.running > 0 || ctx.fieldStopped) || ctx.rank !== 0) return [];
    const front = ctx.cars.slice(0, 2).map((c) => c.car);
    const stops = ctx.facts.stops.filter((s) => front.includes(s.car.car) && !s.stop.long);
    const changes = ctx.facts.driverChanges.filter((d) => front.includes(d.car.car) && d.stopNumber !== null);
    return stops.length > 0 ? [{ kind: 'leader-stops', weight: 'leader-stops', stops, changes }] : [];
  },
  words(story, { sel, m, seed, first }) {
    if (first) return [];
    const at = sel.atMs;
    const stops = story.stops.filter((s) => !m.told.has(`stop/${s.car.car}/${s.stop.inLap}`));
    // Every stop told already (a lead change, a long stop): nothing left to say.
    if (stops.length === 0) return [];
    story = { ...story, stops, changes: story.changes.filter((d) => !m.told.has(`change/${d.car.car}/${d.lap}`)) };
    const parts = story.stops.map((s) => `the #${s.car.car} on lap ${s.stop.inLap}`);
    const facts: ReportFact[] = story.stops.map((s) => ({ kind: 'pit-stop', car: s.car.car, inLap: s.stop.inLap, inMs: s.stop.inMs, pitLaneMs: s.stop.pitLaneMs, atMs: at }));
    const one = story.stops[0]!;
    const oneChange = story.stops.length === 1 ? story.changes.find((d) => d.car.car === one.car.car && d.lap === one.stop.inLap + 1) : undefined;
    if (oneChange !== undefined) {
      m.told.add(`change/${oneChange.car.car}/${oneChange.lap}`);
      facts.push({ kind: 'driver-change', car: oneChange.car.car, lap: oneChange.lap, from: oneChange.from.name, to: oneChange.to.name, atMs: oneChange.atMs });
    }
    const key = `${seed}/${story.stops.map((s) => `${s.car.car}/${s.stop.inLap}`).join('/')}/leader-stops`;
    const came = pick(['pitted', 'stopped', 'came in'], `${key}/verb`);
    let text =
      story.stops.length === 1
        ? `The #${one.car.car} ${came} on lap ${one.stop.inLap}, ${minutesWords(one.minutesIntoHour, sel.fromMs)}${oneChange === undefined ? '' : `, with ${m.driver(oneChange.to)} taking over`}.`
        : `${pick(['Both leaders pitted', 'The leaders stopped once each', 'The top two each stopped once'], `${key}/both`)}: ${listWords(parts)}.`;
    const shown = new Set(story.stops.map((s) => s.car.car));
    if (story.stops.length > 2) {
      const n = numberWord(story.stops.length);
      text = pick([`The top two pitted ${n} times between them.`, `Between them, the leaders stopped ${n} times.`, `The leaders made ${n} stops between them.`], `${key}/many`);
    }
    for (const d of story.changes.slice(0, 2)) {
      if (!shown.has(d.car.car) || m.told.has(`change/${d.car.car}/${d.lap}`)) continue;
      facts.push({ kind: 'driver-change', car: d.car.car, lap: d.lap, from: d.from.name, to: d.to.name, atMs: d.atMs });
      text += ` ${capitalise(m.driver(d.to))} took over the #${d.car.car} ${minutesWords(d.minutesIntoHour, sel.fromMs)}.`;
    }
    return [{ text, facts }];
  },
  verify: {},
};
