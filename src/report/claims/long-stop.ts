/** A stop far longer than the car's usual, told with the time it cost and the places it dropped. */
import type { CarPosition, PitStopFact } from '../../analysis/hour-facts.js';
import type { ReportFact } from '../types.js';
import { articleFor, capitalise, minutesWords, pick, placeWords, timeGapWords } from '../words.js';
import { gone, positionFact, type ClaimDefinition, type StoryBase } from './common.js';

export interface LongStopStory extends StoryBase {
  kind: 'long-stop';
  stop: PitStopFact;
  positionAtEnd: CarPosition | null;
}

export const longStop: ClaimDefinition<LongStopStory> = {
  find(ctx) {
    if (ctx.finishInHour || !(ctx.running > 0 || ctx.fieldStopped)) return [];
    // At most two a class (the front-runners', then the costliest), one per car.
    return ctx.facts.stops
      .filter((s) => s.car.class === ctx.cls && s.stop.long && s.stop.pitLaneMs !== null && s.stop.lostMs !== null)
      .filter((s) => !gone(ctx.endPos.get(s.car.car)?.status)) // told as a retirement
      .sort((a, b) => Number((a.classPositionAtEntry ?? 99) > 3) - Number((b.classPositionAtEntry ?? 99) > 3) || b.stop.lostMs! - a.stop.lostMs!)
      .filter((s, i, all) => all.findIndex((x) => x.car.car === s.car.car) === i)
      .slice(0, 2)
      .map((stop) => {
        const front = (stop.classPositionAtEntry ?? 99) <= 3;
        return { kind: 'long-stop', weight: front ? 'long-stop-front' : 'long-stop', stop, positionAtEnd: ctx.endPos.get(stop.car.car) ?? null };
      });
  },
  words(story, { sel, cls, m, seed, first }) {
    if (first) return [];
    const at = sel.atMs;
    const s = story.stop;
    const facts: ReportFact[] = [
      { kind: 'long-stop', car: s.car.car, inLap: s.stop.inLap, inMs: s.stop.inMs, pitLaneMs: s.stop.pitLaneMs!, usualMs: s.stop.usualPitLaneMs!, lostMs: s.stop.lostMs!, atMs: at },
    ];
    const car = m.car(story.positionAtEnd ?? { car: s.car.car, team: s.car.team, manufacturer: s.car.manufacturer });
    let tail = '';
    let stopTail = '';
    const end = story.positionAtEnd;
    if (end !== null && s.classPositionAtEntry !== null && s.classPositionAtEntry < end.classPosition) {
      facts.push(positionFact(end, cls.class, at), { kind: 'position', car: s.car.car, class: cls.class, position: s.classPositionAtEntry, atMs: s.stop.inMs });
      tail = `, and fell from ${placeWords(s.classPositionAtEntry)} to ${placeWords(end.classPosition)} in class`;
      stopTail = `, dropping it from ${placeWords(s.classPositionAtEntry)} to ${placeWords(end.classPosition)} in class`;
    }
    m.told.add(`stop/${s.car.car}/${s.stop.inLap}`);
    return [
      {
        text: pick(
          [
            `The ${car} lost ${timeGapWords(s.stop.lostMs!)} on its stop on lap ${s.stop.inLap}, ${minutesWords(s.minutesIntoHour)}, with ${timeGapWords(s.stop.pitLaneMs!)} in the pit lane${tail}.`,
            `${capitalise(articleFor(timeGapWords(s.stop.pitLaneMs!)))} ${timeGapWords(s.stop.pitLaneMs!)} stop on lap ${s.stop.inLap}, ${minutesWords(s.minutesIntoHour)}, cost the ${car} ${timeGapWords(s.stop.lostMs!)} on its usual time in the pits${stopTail}.`,
          ],
          `${seed}/${s.car.car}/long`,
        ),
        facts,
      },
    ];
  },
  verify: {},
};
