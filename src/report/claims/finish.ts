/**
 * The finish: the class's podium at the chequered flag, told as the
 * section's opening ("X, Y and Z won LMP2 in the #22 …, 4.5s ahead of …").
 */
import type { CarPosition } from '../../analysis/hour-facts.js';
import type { ReportFact } from '../types.js';
import { capitalise, classWords, placeWords } from '../words.js';
import { aheadText, crewWords, gapClause, gapFact, known, positionFact, type ClaimDefinition, type Sentence, type StoryBase } from './common.js';

export interface FinishStory extends StoryBase {
  kind: 'finish';
  class: string | null;
  podium: CarPosition[];
  chequeredMs: number;
}

export const finish: ClaimDefinition<FinishStory> = {
  find(ctx) {
    if (!ctx.finishInHour) return [];
    // The podium is of classified cars: an unclassified one is listed after them (engine standings).
    return [{ kind: 'finish', weight: 'finish', class: ctx.cls, podium: ctx.cars.filter((c) => c.classified !== false).slice(0, 3), chequeredMs: ctx.chequeredMs! }];
  },
  words(story, { sel, cls, m, isTop, first }) {
    const at = sel.atMs;
    const scope = cls.class;
    const out: Sentence[] = [];
    // Told only as the section's opening; the headline and standfirst tell the overall win.
    if (!first) return out;
    const [winner, second, third] = story.podium;
    if (winner === undefined) return out;
    if (isTop) {
      if (second !== undefined) {
        const facts: ReportFact[] = [positionFact(second, scope, at), ...gapFact(second, scope, at), { kind: 'crew', car: second.car, drivers: second.crew.map((d) => d.name) }];
        // A source with no driver names (a Timing71 replay's board) gives no crew to name.
        const crew2 = crewWords(m, second, null).text;
        let text = `${capitalise(m.rival(second, winner))}${crew2 === '' ? '' : `, shared by ${crew2},`} finished second${gapClause(second.classGap, ' behind')}`;
        if (third !== undefined) {
          facts.push(positionFact(third, scope, at), ...gapFact(third, scope, at));
          text += `, and the ${m.car(third)} completed the podium${gapClause(third.classGap, ' down')}`;
        }
        out.push({ text: `${text}.`, facts });
      }
      return out;
    }
    const crew = crewWords(m, winner, null);
    const facts: ReportFact[] = [positionFact(winner, cls.class, at), { kind: 'crew', car: winner.car, drivers: crew.drivers.map((d) => d.name) }];
    if (cls.cars.length === 1) {
      facts.push({ kind: 'status', car: winner.car, status: winner.status, atMs: at }, positionFact(winner, null, at));
      const verb = winner.status === 'finished' ? 'took the chequered flag' : 'did not take the chequered flag';
      out.push({ text: crew.text === '' ? `The ${m.car(winner)} ${verb}, the class's only entry, ${placeWords(winner.position)} overall.` : `${crew.text} ${verb} in the ${m.car(winner)}, the class's only entry, ${placeWords(winner.position)} overall.`, facts });
      return out;
    }
    let text = crew.text === '' ? `The ${m.car(winner)} won ${classWords(cls.class)}` : `${crew.text} won ${classWords(cls.class)} in the ${m.car(winner)}`;
    if (second !== undefined) {
      facts.push(positionFact(second, cls.class, at), ...gapFact(second, cls.class, at));
      text += known(second.classGap) ? `, ${aheadText(second.classGap)} of ${m.rival(second, winner)}` : `, ahead of ${m.rival(second, winner)}`;
    }
    out.push({ text: `${text}.`, facts });
    if (third !== undefined) {
      out.push({
        text: `The ${m.car(third)} completed the class podium${gapClause(third.classGap, ' behind the winner')}.`,
        facts: [positionFact(third, cls.class, at), ...gapFact(third, cls.class, at)],
      });
    }
    return out;
  },
  verify: {},
};
