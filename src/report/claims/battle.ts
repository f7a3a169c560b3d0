/**
 * Two cars of a class that traded places during the hour. "The fight for
 * third" is said only when at every swap the two held third and fourth in
 * class (Le Mans 2024 hour 3: the #38 and #8 swapped as P10/P8, P5/P6 and
 * P6/P4 — a fight for no one place); otherwise they "swapped places".
 */
import type { CarPosition, DriverChangeFact, PositionSwapsFact } from '../../analysis/hour-facts.js';
import type { ReportFact } from '../types.js';
import { capitalise, classWords, minutesWords, pick, placeWords, timesWords } from '../words.js';
import { gone, positionFact, type ClaimDefinition, type FindContext, type StoryBase } from './common.js';

export interface BattleStory extends StoryBase {
  kind: 'battle';
  fact: PositionSwapsFact;
  ahead: CarPosition;
  behind: CarPosition;
  change: DriverChangeFact | null;
}

/** The class's closest fight of the hour (two swaps or more, near the front), whether told or not. */
export function classBattle(ctx: FindContext): PositionSwapsFact | undefined {
  const leadChanged = ctx.stories.some((x) => x.kind === 'lead' && (x as { change?: unknown }).change != null);
  return ctx.facts.swaps
    .filter((s) => s.class === ctx.cls && s.swaps >= 2 && Math.min(...s.classPositionsAtEnd) <= 6)
    .filter((s) => !(Math.min(...s.classPositionsAtEnd) === 1 && leadChanged))
    .sort((a, b) => b.swaps - a.swaps || Math.min(...a.classPositionsAtEnd) - Math.min(...b.classPositionsAtEnd))[0];
}

export const battle: ClaimDefinition<BattleStory> = {
  find(ctx) {
    if (ctx.finishInHour || !(ctx.running > 0 || ctx.fieldStopped)) return [];
    const fact = classBattle(ctx);
    if (fact === undefined) return [];
    const ahead = ctx.endPos.get(fact.aheadAtEnd)!;
    const other = fact.cars[0].car === fact.aheadAtEnd ? fact.cars[1].car : fact.cars[0].car;
    const behind = ctx.endPos.get(other)!;
    const lastPitSwap = [...fact.events].reverse().find((e) => e.pitCar !== null && e.driverChange);
    const change =
      lastPitSwap === undefined ? null : (ctx.facts.driverChanges.find((d) => d.car.car === lastPitSwap.pitCar && Math.abs(d.lap - lastPitSwap.lap) <= 1) ?? null);
    if (gone(ahead.status) || gone(behind.status)) return [];
    return [{ kind: 'battle', weight: 'battle', fact, ahead, behind, change }];
  },
  words(story, { sel, cls, m, seed, first }) {
    if (first) return [];
    const at = sel.atMs;
    const f = story.fact;
    const places = new Set(f.events.map((e) => e.classPlace));
    const place = places.size === 1 && !places.has(0) ? [...places][0]! : null;
    const facts: ReportFact[] = [
      { kind: 'swaps', class: f.class, cars: [f.cars[0].car, f.cars[1].car], swaps: f.swaps, fromMs: sel.fromMs, toMs: at },
      positionFact(story.ahead, cls.class, at),
      positionFact(story.behind, cls.class, at),
    ];
    const a = m.car(story.behind);
    const b = m.car(story.ahead);
    let text: string;
    if (place === null) {
      text = `The ${a} and the ${b} swapped places ${timesWords(f.swaps)} during the hour, the #${story.ahead.car} finishing it ahead.`;
    } else {
      facts.push({ kind: 'swap-place', class: f.class, cars: [f.cars[0].car, f.cars[1].car], place, fromMs: sel.fromMs, toMs: at });
      const what = place === 1 ? `the ${classWords(cls.class)} lead` : `${placeWords(place)} place${cls.rank === 0 ? '' : ` in ${classWords(cls.class)}`}`;
      text = pick(
        [
          `The fight for ${what} ebbed and flowed between the ${a} and the ${b}: they swapped places ${timesWords(f.swaps)}, and the #${story.ahead.car} ended the hour in front.`,
          `The ${a} and the ${b} traded ${what} ${timesWords(f.swaps)} during the hour, the #${story.ahead.car} finishing it ahead.`,
        ],
        `${seed}/${cls.class}/battle`,
      );
    }
    if (story.change !== null) {
      const d = story.change;
      m.told.add(`change/${d.car.car}/${d.lap}`);
      facts.push({ kind: 'driver-change', car: d.car.car, lap: d.lap, from: d.from.name, to: d.to.name, atMs: d.atMs });
      text += ` ${capitalise(m.driver(d.to))} took over the #${d.car.car} ${minutesWords(d.minutesIntoHour)}.`;
    }
    return [{ text, facts }];
  },
  verify: {},
};
