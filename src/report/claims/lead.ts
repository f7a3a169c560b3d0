/**
 * Who leads a class and by how much, with the lead's story of the hour (a
 * change, laps led, the third car): the opening of every section while the
 * race runs. The headline and standfirst (realise.ts) read the same story.
 */
import type { CarPosition, LeadChangeFact, LeadShareFact, PitStopFact } from '../../analysis/hour-facts.js';
import type { Selection } from '../select.js';
import type { ReportFact } from '../types.js';
import { classWords, gapWords, hourPhrase, listWords, numberWord, pick, placeWords, timesWords } from '../words.js';
import {
  aheadText,
  classLeadChange,
  closeInterval,
  crewWords,
  gapClause,
  gapFact,
  goneStatus,
  known,
  lostInStopFact,
  PIT_LANE_CLAUSE,
  pitLaneLeadFact,
  onRoad,
  positionFact,
  stopOfPreviousLeader,
  wheelFact,
  wheelOf,
  type ClaimDefinition,
  type Sentence,
  type StoryBase,
} from './common.js';

export interface LeadStory extends StoryBase {
  kind: 'lead';
  class: string | null;
  leader: CarPosition;
  second: CarPosition | null;
  third: CarPosition | null;
  /** Leader and second when the hour began (same car numbers or not). */
  startLeader: CarPosition | null;
  startSecond: CarPosition | null;
  /** The last lead change of the hour, when the lead changed hands. */
  change: LeadChangeFact | null;
  changesInHour: number;
  share: LeadShareFact | null;
  /** The lead changer's pit stop, when it lost the lead in the pits. */
  previousLeaderStop: PitStopFact | null;
}

export const lead: ClaimDefinition<LeadStory> = {
  find(ctx) {
    if (ctx.finishInHour || (ctx.running === 0 && ctx.started && !ctx.fieldStopped)) return [];
    const { cars, startCars, cls } = ctx;
    const change = classLeadChange(ctx);
    const previousLeaderStop = change === null || !change.lostToStop ? null : stopOfPreviousLeader(ctx, change);
    const gap = cars[1]?.classGap ?? null;
    const tight = gap !== null && 'ms' in gap && gap.ms < 10_000;
    return [
      {
        kind: 'lead',
        weight: change !== null ? 'lead-change' : tight ? 'lead-held-tight' : 'lead-held',
        class: cls,
        leader: cars[0]!,
        second: onRoad(cars, 1),
        third: onRoad(cars, 2),
        startLeader: startCars[0] ?? null,
        // The margin when the hour began is a margin on the road too ("lead cut to" compares the two).
        startSecond: onRoad(startCars, 1),
        change,
        changesInHour: ctx.facts.lead.find((l) => l.class === cls)?.leadChangesInHour ?? 0,
        share: ctx.facts.shares.find((s) => s.class === cls) ?? null,
        previousLeaderStop,
      },
    ];
  },
  words(story, { sel, cls, m, seed, isTop, first, lapAt }) {
    const at = sel.atMs;
    const scope = cls.class;
    const out: Sentence[] = [];
    // Told only as the section's opening.
    if (!first) return out;
    const leader = story.leader;
    if (isTop) {
      // The standfirst told who leads and by how much; here the crew and the lead's story.
      const wheel = wheelOf(leader);
      const crew = crewWords(m, leader, wheel);
      const share = story.share;
      const facts: ReportFact[] = [{ kind: 'crew', car: leader.car, drivers: [...(wheel === null ? [] : [wheel.name]), ...crew.drivers.map((d) => d.name)] }];
      const wheelName = wheel === null ? '' : m.driver(wheel);
      const who = wheel === null ? `The #${leader.car}` : `The #${leader.car}, which ${wheelName} shares with ${crew.text},`;
      if (story.change !== null) {
        const c = story.change;
        facts.push({ kind: 'lead-change', car: leader.car, from: c.previousLeader.car, class: cls.class, lap: c.lap, atMs: c.atMs });
        const how = c.lostToStop && story.previousLeaderStop !== null ? `, when the #${c.previousLeader.car} made its stop` : c.newLeaderInPitLane ? PIT_LANE_CLAUSE : '';
        facts.push(...pitLaneLeadFact(c));
        if (how !== '' && how !== PIT_LANE_CLAUSE) {
          const st = story.previousLeaderStop!;
          facts.push(lostInStopFact(c, cls.class));
          m.told.add(`stop/${st.car.car}/${st.stop.inLap}`);
          facts.push({ kind: 'pit-stop', car: st.car.car, inLap: st.stop.inLap, inMs: st.stop.inMs, pitLaneMs: st.stop.pitLaneMs, atMs: at });
        }
        const shared = crew.drivers.length > 0 && wheel !== null ? `The #${leader.car}, shared by ${listWords([wheelName, ...crew.names])},` : `The #${leader.car}`;
        const lower = `the${shared.slice(3)}`;
        const took = pick(
          [`${shared} took the lead on lap ${c.lap}${how}.`, `On lap ${c.lap}, ${lower} went ahead${how}.`, `On lap ${c.lap}, ${lower} took the lead${how}.`, `${shared} has led from lap ${c.lap}${how}.`],
          `${seed}/top/took`,
        );
        out.push({ text: took, facts });
        if (story.changesInHour > 1) {
          const n = story.changesInHour;
          const changed = pick(
            [`The lead changed hands ${timesWords(n)} in the hour.`, `The lead swapped ${timesWords(n)}.`, `The hour saw ${numberWord(n)} lead changes.`],
            `${seed}/top/changes`,
          );
          out.push({
            text: changed,
            facts: [
              { kind: 'lead-change', car: leader.car, from: c.previousLeader.car, class: cls.class, lap: c.lap, atMs: c.atMs },
              { kind: 'lead-changes', class: cls.class, changes: n, fromMs: sel.fromMs, atMs: at },
            ],
          });
        }
      } else if (share !== null) {
        const led = shareSentence(sel, leader, share, lapAt, cls.class);
        facts.push(...led.facts);
        // The crew sentence turns by the hour, so two hours in a row never open alike. Laps led
        // belong to the car, never to one driver of its crew (issue 11, Spa 2019 hour 6: "With
        // Alonso at the wheel, the #8 has headed LMP1 … 71 of the 133 laps"; he drove 33): the
        // car is the subject, named alone or with its whole crew, and the driver at the wheel
        // now gets a clause of his own (check.ts tiedWordsProblems).
        const variants: Array<[string, ReportFact[]]> =
          crew.drivers.length === 0 || wheel === null
            ? [[`The #${leader.car} ${led.text}.`, []]]
            : [
                [`${who} ${led.text}.`, []],
                [`The #${leader.car}, shared by ${listWords([wheelName, ...crew.names])}, ${led.text}.`, []],
                [
                  `The #${leader.car} ${led.text}; ${wheelName} ${pick(['is now at the wheel', 'is driving it now', 'is behind the wheel now'], `${seed}/top/wheel-now`)}.`,
                  wheelFact(leader, at),
                ],
                [`The #${leader.car} of ${wheelName}, ${crew.text} ${led.text}.`, []],
              ];
        const [text, wheelNow] = variants[sel.hour % variants.length]!;
        out.push({ text, facts: [...facts, ...wheelNow] });
      }
      if (story.third !== null && !goneStatus(story.third)) {
        out.push({
          // Variants as thunks: naming a car marks it mentioned, so only the chosen one may run.
          text: pick(
            [
              () => `The ${m.car(story.third!)} ran third${gapClause(story.third!.classGap, ` behind the #${leader.car}`)}.`,
              () => `The ${m.car(story.third!)} was third overall${gapClause(story.third!.classGap, ' down')}.`,
              () => `Third was the ${m.car(story.third!)}${gapClause(story.third!.classGap, ' back')}.`,
            ],
            `${seed}/third`,
          )(),
          facts: [positionFact(story.third, scope, at), ...gapFact(story.third, scope, at), positionFact(leader, scope, at)],
        });
      }
      return out;
    }
    // Another class: leader and second with drivers and the gap, then third. A sentence about
    // the class at the report's instant names the driver at the wheel then; the driver who took
    // the lead is named only with the change, and the margin now is his only while he still drives
    // (Daytona 2019 hour 2: Hedman took the #81 into the lead, Allen was driving at the hour's end).
    const changer = story.change === null ? null : story.change.newLeaderDriver;
    const tellsChange = story.change !== null && story.second !== null && known(story.second.classGap);
    const facts: ReportFact[] = [positionFact(leader, scope, at)];
    if (tellsChange && changer !== null) facts.push({ kind: 'at-wheel', car: leader.car, driver: changer.name, atMs: story.change!.atMs });
    else facts.push(...wheelFact(leader, at));
    const d1 = m.driver(tellsChange ? (changer ?? wheelOf(leader)) : wheelOf(leader));
    const driverless = (tellsChange ? (changer ?? wheelOf(leader)) : wheelOf(leader)) === null;
    const stillDriving = changer === null || changer.name === wheelOf(leader)?.name;
    const car = m.car(leader);
    if (story.second === null) {
      facts.push(positionFact(leader, null, at));
      const only = classWords(cls.class);
      const overall = placeWords(leader.position);
      if (driverless) {
        out.push({ text: `The ${car}, alone in ${only}, ran ${overall} overall.`, facts });
        return out;
      }
      out.push({
        text: pick(
          [
            `${d1} was driving the ${car}, the only ${only} entry, which ran ${overall} overall.`,
            `The ${car}, alone in ${only}, ran ${overall} overall with ${d1} at the wheel.`,
            `Alone in ${only}, the ${car} of ${d1} was ${overall} overall.`,
            `${d1} had the ${car}, the only ${only} entry, in ${overall} overall.`,
          ],
          `${seed}/${cls.class}/only`,
        ),
        facts,
      });
      return out;
    }
    const second = story.second;
    if (!known(second.classGap)) {
      out.push({ text: driverless ? `The ${car} led ${classWords(cls.class)}.` : `${d1} led ${classWords(cls.class)} in the ${car}.`, facts });
      return out;
    }
    facts.push(positionFact(second, scope, at), ...gapFact(second, scope, at), ...wheelFact(second, at));
    const rival = m.rival(second, leader);
    const d2 = m.driver(wheelOf(second));
    // A car in the pit lane has no driver to name (the crew may be changing): the car alone.
    const vs = wheelOf(second) === null ? rival : `${d2} in ${rival}`;
    const gap = second.classGap;
    if (story.change !== null) {
      const c = story.change;
      facts.push({ kind: 'lead-change', car: leader.car, from: c.previousLeader.car, class: cls.class, lap: c.lap, atMs: c.atMs });
      const how = c.lostToStop ? ` when the #${c.previousLeader.car} pitted` : c.newLeaderInPitLane ? PIT_LANE_CLAUSE : '';
      if (c.lostToStop) facts.push(lostInStopFact(c, cls.class));
      facts.push(...pitLaneLeadFact(c));
      // The margin is the one at the report's instant ("now"), whatever happened since the change;
      // the car's, in a clause of its own, when another driver has taken over since.
      const now = stillDriving
        ? pick(
            [`, ending the hour ${aheadText(gap)} of ${vs}`, `; it now leads ${vs} by ${gapWords(gap)}`, `, and is now ${aheadText(gap)} of ${vs}`],
            `${seed}/${cls.class}/lead-now`,
          )
        : `; the #${leader.car} now leads ${vs} by ${gapWords(gap)}`;
      out.push({
        text: driverless
          ? `The ${car} took the ${classWords(cls.class)} lead on lap ${c.lap}${how}; it now leads ${vs} by ${gapWords(gap)}.`
          : `${d1} took the ${car} into the ${classWords(cls.class)} lead on lap ${c.lap}${how}${now}.`,
        facts,
      });
    } else if (driverless) {
      out.push({ text: `The ${car} led ${classWords(cls.class)}, ${gapWords(gap)} clear of ${vs}.`, facts });
    } else {
      out.push({
        text: pick(
          [
            `${d1} kept the ${car} ahead in ${classWords(cls.class)}, ${gapWords(gap)} clear of ${vs}.`,
            // The driver at the wheel and the car's margin in clauses of their own, so the one is
            // not read as the other's doing; the driver comes first, so he can only be the leader's.
            `${d1} was driving the ${car}, which led ${classWords(cls.class)} by ${gapWords(gap)} from ${vs}.`,
            `${d1} had the ${car} in front in ${classWords(cls.class)}, ${aheadText(gap)} of ${vs}.`,
          ],
          `${seed}/${cls.class}/lead`,
        ),
        facts,
      });
    }
    if (story.third !== null && !goneStatus(story.third)) {
      out.push({
        text: pick(
          [
            () => `The ${m.car(story.third!)} was third${gapClause(story.third!.classGap, ` behind the #${leader.car}`)}${closeBehind(story.third!, second)}.`,
            () => `Third went to the ${m.car(story.third!)}${gapClause(story.third!.classGap, ' back')}${closeBehind(story.third!, second)}.`,
          ],
          `${seed}/${cls.class}/third`,
        )(),
        facts: [positionFact(story.third, scope, at), ...gapFact(story.third, scope, at), ...closeFact(story.third, at), positionFact(leader, scope, at)],
      });
    }
    if (story.share !== null && story.change === null) {
      const led = shareSentence(sel, leader, story.share, lapAt, cls.class);
      out.push({ text: `The #${leader.car} ${led.text}.`, facts: led.facts });
    }
    return out;
  },
  verify: {},
};

/** ", only 0.4s behind the #77": a fight for second hidden in two gaps to the leader. */
function closeBehind(third: CarPosition, second: CarPosition): string {
  const g = closeInterval(third);
  return g !== null ? `, only ${gapWords(g)} behind the #${second.car}` : '';
}

function closeFact(third: CarPosition, at: number): ReportFact[] {
  const g = closeInterval(third);
  return g !== null ? [{ kind: 'interval', car: third.car, class: third.class, gap: g, atMs: at }] : [];
}

/** "has led every lap", "has led since the fourth hour, 158 of the 188 laps". */
export function shareSentence(
  sel: Selection,
  leader: CarPosition,
  share: LeadShareFact,
  lapAt: (car: string, crossingMs: number) => number | null,
  cls: string | null = null,
): Sentence {
  const at = sel.atMs;
  const facts: ReportFact[] = [{ kind: 'laps-led', car: leader.car, class: cls, lapsLed: share.lapsLed, leaderLaps: share.leaderLaps, atMs: at }];
  if (share.ledEveryLap) return { text: `has led every one of the ${share.leaderLaps} laps`, facts };
  const sinceLap = lapAt(leader.car, share.leadingSinceMs);
  if (sinceLap !== null) facts.push({ kind: 'led-since', car: leader.car, class: cls, sinceLap, sinceMs: share.leadingSinceMs, atMs: at });
  // The class's name sits inside the phrase so the 24 reports of a race do not repeat one (repetition.ts).
  const c = classWords(cls ?? leader.class);
  const sinceWhen = share.leadingSinceHour >= sel.hour ? `lap ${sinceLap}` : hourPhrase(share.leadingSinceHour);
  const since =
    sinceLap === null
      ? ''
      : pick([`has led ${c} since ${sinceWhen}`, `has been the ${c} leader since ${sinceWhen}`, `has headed ${c} since ${sinceWhen}`], `${sel.race}/${sel.hour}/${c}/since`);
  const most = share.share >= 0.5 ? `${share.lapsLed} of the ${share.leaderLaps} laps so far` : null;
  if (since === '') return { text: `has led ${share.lapsLed} of the ${share.leaderLaps} laps`, facts };
  return { text: most === null ? since : `${since}, and ${most}`, facts };
}
