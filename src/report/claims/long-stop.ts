/** A stop far longer than the car's usual, told with the time it cost and the places it dropped. */
import type { CarPosition, PitStopFact } from '../../analysis/hour-facts.js';
import { MINUTE } from '../../model/time.js';
import type { ReportFact } from '../types.js';
import { articleFor, capitalise, minutesWords, pick, placeWords, timeGapWords } from '../words.js';
import { gone, longAgainstStopsThen, positionFact, type ClaimDefinition, type Meaning, type StoryBase } from './common.js';
import { medianOf, stopMeaning } from './raw.js';

export interface LongStopStory extends StoryBase {
  kind: 'long-stop';
  stop: PitStopFact;
  positionAtEnd: CarPosition | null;
}

export const longStop: ClaimDefinition<LongStopStory, { 'long-stop': Meaning<'long-stop'> }> = {
  find(ctx) {
    if (ctx.finishInHour || !(ctx.running > 0 || ctx.fieldStopped)) return [];
    // At most two a class (the front-runners', then the costliest), one per car.
    return ctx.facts.stops
      .filter((s) => s.car.class === ctx.cls && s.stop.long && s.stop.pitLaneMs !== null && s.stop.lostMs !== null)
      .filter((s) => !gone(ctx.endPos.get(s.car.car)?.status)) // told as a retirement
      .filter((s) => longAgainstStopsThen(ctx.timeline, ctx.atMs, s.car.class, s.car.car, s.stop.inMs, s.stop.pitLaneMs!))
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
    const lost = timeGapWords(s.stop.lostMs!);
    const inLane = timeGapWords(s.stop.pitLaneMs!);
    const when = minutesWords(s.minutesIntoHour, sel.fromMs);
    return [
      {
        text: pick(
          [
            `The ${car} lost ${lost} at its lap-${s.stop.inLap} stop, ${when}, with ${inLane} in the pits${tail}.`,
            `${capitalise(articleFor(inLane))} ${inLane} stop on lap ${s.stop.inLap}, ${when}, cost the ${car} ${lost} more than usual${stopTail}.`,
            `The ${car}'s lap-${s.stop.inLap} stop, ${when}, took ${inLane}: ${lost} more than usual${tail}.`,
          ],
          `${seed}/${s.car.car}/long`,
        ),
        facts,
      },
    ];
  },
  verify: {
    'long-stop'(f, raw) {
      const stop = stopMeaning(raw, f.car, f.inLap, f.inMs, f.pitLaneMs, f.atMs);
      if (stop !== null) return stop;
      if (f.lostMs !== f.pitLaneMs - f.usualMs) return 'time lost is not the pit lane time minus the usual';
      // "Lost" against the usual: the median of the car's own complete stops known then (three or more), else its class's.
      // A higher usual (stops under a safety car cost more) only makes the loss smaller: never larger than against the median.
      const all = raw.stopsAt(f.atMs);
      const car = raw.cars.get(f.car)!;
      const own = all.filter((s) => s.car === f.car).map((s) => s.pitLaneMs);
      const base = medianOf(own.length >= 3 ? own : all.filter((s) => s.class === car.class).map((s) => s.pitLaneMs));
      if (base === null) return `too few complete stops in ${car.class} to say what is usual`;
      if (f.usualMs < Math.round(base) - 1) return `the usual stop was ${Math.round(base)} ms, not ${f.usualMs}`;
      // Against stops made under the same conditions: the class's stops that began within 15 minutes of it.
      const near = all.filter((s) => s.class === car.class && s.car !== f.car && Math.abs(s.inMs - f.inMs) <= 15 * MINUTE).map((s) => s.pitLaneMs);
      const nearMedian = near.length >= 3 ? medianOf(near)! : null;
      if (nearMedian !== null && f.pitLaneMs - nearMedian < 45_000) return `${car.class} stops made about then took ${Math.round(nearMedian)} ms: this one was not long`;
      // Against the stops that overlapped the same safety car (race control's flags), any class: the pit exit holds them all.
      const changes = raw.timeline.flagChanges();
      const sc = changes.flatMap((c, i) => (c.flag === 'safety-car' ? [{ from: c.atMs, to: changes[i + 1]?.atMs ?? Infinity }] : []));
      const overlaps = (inMs: number, pitLaneMs: number) => sc.findIndex((p) => p.from <= inMs + pitLaneMs && inMs <= p.to);
      const period = overlaps(f.inMs, f.pitLaneMs);
      if (period >= 0) {
        const same = all.filter((s) => s.car !== f.car && overlaps(s.inMs, s.pitLaneMs) === period).map((s) => s.pitLaneMs);
        const sameMedian = same.length >= 3 ? medianOf(same)! : null;
        if (sameMedian !== null && f.pitLaneMs - sameMedian < 45_000) return `stops under the same safety car took ${Math.round(sameMedian)} ms: this one was not long`;
      }
      return f.lostMs >= Math.max(45_000, f.usualMs / 2) ? null : `a loss of ${f.lostMs} ms is not a long stop against ${f.usualMs} ms`;
    },
  },
};
