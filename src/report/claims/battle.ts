/**
 * Two cars of a class that traded places during the hour. "The fight for
 * third" is said only when at every swap the two held third and fourth in
 * class (Le Mans 2024 hour 3: the #38 and #8 swapped as P10/P8, P5/P6 and
 * P6/P4 — a fight for no one place); otherwise they "swapped places".
 */
import type { CarPosition, DriverChangeFact, PositionSwapsFact } from '../../analysis/hour-facts.js';
import type { ReportFact } from '../types.js';
import { capitalise, classWords, minutesWords, pick, placeWords, timesWords } from '../words.js';
import { gone, positionFact, type ClaimDefinition, type Meaning, type FindContext, type StoryBase } from './common.js';
import type { RawCar, RawRace } from './raw.js';
import { decisionsAt } from '../../engine/classification.js';

export interface BattleStory extends StoryBase {
  kind: 'battle';
  fact: PositionSwapsFact;
  ahead: CarPosition;
  behind: CarPosition;
  change: DriverChangeFact | null;
}

/**
 * Race control has changed the order of the class by the hour's end: time
 * added to a car's race time or laps deducted. Its places are then the
 * result's, not the road's on which swaps are counted, and a swap on the road
 * may be no change of place at all: no battle is told.
 */
function orderRuled(ctx: FindContext): boolean {
  for (const [car, d] of decisionsAt(ctx.timeline.decisions, ctx.atMs)) {
    if ((d.addedMs > 0 || d.lapsDeducted > 0) && ctx.timeline.cars.get(car)?.entry.class === ctx.cls) return true;
  }
  return false;
}

/** The class's closest fight of the hour (two swaps or more, near the front), whether told or not. */
export function classBattle(ctx: FindContext): PositionSwapsFact | undefined {
  if (orderRuled(ctx)) return undefined;
  const leadChanged = ctx.stories.some((x) => x.kind === 'lead' && (x as { change?: unknown }).change != null);
  return ctx.facts.swaps
    .filter((s) => s.class === ctx.cls && s.swaps >= 2 && Math.min(...s.classPositionsAtEnd) <= 6)
    .filter((s) => !(Math.min(...s.classPositionsAtEnd) === 1 && leadChanged))
    .sort((a, b) => b.swaps - a.swaps || Math.min(...a.classPositionsAtEnd) - Math.min(...b.classPositionsAtEnd))[0];
}

export const battle: ClaimDefinition<BattleStory, { swaps: Meaning<'swaps'>; 'swap-place': Meaning<'swap-place'> }> = {
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
    // Several verbs and endings, none with four fixed words in a row, so a race's
    // 50 battles do not read alike (repetition.ts); chosen by hour and cars.
    const key = `${seed}/${cls.class}/${f.cars[0].car}/${f.cars[1].car}/battle`;
    const times = timesWords(f.swaps);
    const ending = pick(
      [
        `, ending with the #${story.ahead.car} in front`,
        `; the #${story.ahead.car} came out ahead`,
        `, the #${story.ahead.car} ending in front`,
        `; the #${story.ahead.car} finished ahead`,
        `, and the #${story.ahead.car} ended up ahead`,
      ],
      `${key}/end`,
    );
    let text: string;
    if (place === null) {
      const verb = pick(['swapped places', 'traded places', 'changed places', 'exchanged places'], `${key}/verb`);
      text = `The ${a} and the ${b} ${verb} ${times}${ending}.`;
    } else {
      facts.push({ kind: 'swap-place', class: f.class, cars: [f.cars[0].car, f.cars[1].car], place, fromMs: sel.fromMs, toMs: at });
      const what = place === 1 ? `the ${classWords(cls.class)} lead` : `${placeWords(place)} place${cls.rank === 0 ? '' : ` in ${classWords(cls.class)}`}`;
      text = pick(
        [
          `${capitalise(what)} changed hands ${times} between the ${a} and the ${b}${ending}.`,
          `The ${a} and the ${b} traded ${what} ${times}${ending}.`,
          `The ${a} and the ${b} disputed ${what}: they swapped ${times}${ending}.`,
        ],
        `${key}/place`,
      );
    }
    if (story.change !== null) {
      const d = story.change;
      m.told.add(`change/${d.car.car}/${d.lap}`);
      facts.push({ kind: 'driver-change', car: d.car.car, lap: d.lap, from: d.from.name, to: d.to.name, atMs: d.atMs });
      text += ` ${capitalise(m.driver(d.to))} took over the #${d.car.car} ${minutesWords(d.minutesIntoHour, sel.fromMs)}.`;
    }
    return [{ text, facts }];
  },
  verify: {
    swaps(f, raw) {
      const swaps = swapInstants(raw, f.cars[0], f.cars[1], f.fromMs, f.toMs).length;
      return swaps === f.swaps ? null : `the #${f.cars[0]} and #${f.cars[1]} swapped places ${swaps} times, not ${f.swaps}`;
    },
    'swap-place'(f, raw) {
      // "The fight for third": at every swap the two cars held third and fourth in class.
      for (const t of swapInstants(raw, f.cars[0], f.cars[1], f.fromMs, f.toMs)) {
        const [lo, hi] = f.cars.map((c) => raw.placeOf(c, f.class, t)).sort((x, y) => x - y);
        if (lo !== f.place || hi !== f.place + 1) return `at ${t} the #${f.cars[0]} and #${f.cars[1]} held P${lo} and P${hi} in ${f.class}, not P${f.place} and P${f.place + 1}`;
      }
      return null;
    },
  },
};

/**
 * The instants in (fromMs, toMs] at which two cars traded places on the
 * road: a crossing by one of them completing the lap the other was still on,
 * which put it ahead (more laps; equal laps, crossed first).
 */
export function swapInstants(raw: RawRace, a: string, b: string, fromMs: number, toMs: number): number[] {
  const ca = raw.cars.get(a);
  const cb = raw.cars.get(b);
  if (ca === undefined || cb === undefined) return [];
  const state = (c: RawCar, t: number) => {
    const done = c.laps.filter((l) => l.crossingMs <= t);
    const last = done[done.length - 1];
    return { laps: last?.lap ?? 0, last: last?.crossingMs ?? 0 };
  };
  const sa = state(ca, fromMs);
  const sb = state(cb, fromMs);
  const order = (x: string, y: string) => (x === y ? 0 : Number.parseInt(x, 10) - Number.parseInt(y, 10) || (x < y ? -1 : 1));
  const aAhead = () => sa.laps > sb.laps || (sa.laps === sb.laps && (sa.last < sb.last || (sa.last === sb.last && order(a, b) < 0)));
  const events: Array<{ t: number; car: 'a' | 'b'; lap: number }> = [];
  for (const [c, key] of [[ca, 'a'], [cb, 'b']] as const) {
    for (const l of c.laps) if (l.crossingMs > fromMs && l.crossingMs <= toMs) events.push({ t: l.crossingMs, car: key, lap: l.lap });
  }
  events.sort((x, y) => x.t - y.t || order(x.car === 'a' ? a : b, y.car === 'a' ? a : b));
  let ahead = aAhead();
  const swaps: number[] = [];
  for (const e of events) {
    const s = e.car === 'a' ? sa : sb;
    s.laps = e.lap;
    s.last = e.t;
    const now = aAhead();
    if (now !== ahead) {
      const [winner, loser] = now ? [sa, sb] : [sb, sa];
      // Before both have a lap the order is only the grid's (unknown here): no swap.
      if (winner.laps === loser.laps + 1 && loser.laps > 0) swaps.push(e.t);
      ahead = now;
    }
  }
  return swaps;
}
