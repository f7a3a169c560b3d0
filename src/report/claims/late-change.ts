/**
 * In the final hour: the winner took the lead during it ("The #8 took the
 * lead on lap 380, 20 minutes into the final hour, when the #7 spent …").
 */
import type { LeadChangeFact, PitStopFact } from '../../analysis/hour-facts.js';
import type { ReportFact } from '../types.js';
import { minutesWords, timeGapWords } from '../words.js';
import { classLeadChange, lostInStopFact, PIT_LANE_CLAUSE, pitLaneLeadFact, stopOfPreviousLeader, type ClaimDefinition, type StoryBase } from './common.js';

export interface LateChangeStory extends StoryBase {
  kind: 'late-change';
  change: LeadChangeFact;
  previousLeaderStop: PitStopFact | null;
}

export const lateChange: ClaimDefinition<LateChangeStory> = {
  find(ctx) {
    if (!ctx.finishInHour) return [];
    // The final hour's own story: a winner who took the lead in it, and what the loser lost.
    const change = classLeadChange(ctx);
    if (change === null) return [];
    return [{ kind: 'late-change', weight: 'lead-change', change, previousLeaderStop: change.lostToStop ? stopOfPreviousLeader(ctx, change) : null }];
  },
  words(story, { sel, cls, m, first }) {
    if (first) return [];
    const at = sel.atMs;
    const c = story.change;
    const facts: ReportFact[] = [{ kind: 'lead-change', car: c.newLeader.car, from: c.previousLeader.car, class: cls.class, lap: c.lap, atMs: c.atMs }];
    let text = `The #${c.newLeader.car} took the lead on lap ${c.lap}, ${minutesWords(c.minutesIntoHour, sel.fromMs).replace("the hour's", "the final hour's")}`;
    const st = story.previousLeaderStop;
    // Told as the cause only when the stop is what put the winner ahead (LeadChangeFact.lostToStop).
    if (st !== null && st.stop.pitLaneMs !== null) {
      facts.push(lostInStopFact(c, cls.class));
      facts.push({ kind: 'pit-stop', car: st.car.car, inLap: st.stop.inLap, inMs: st.stop.inMs, pitLaneMs: st.stop.pitLaneMs, atMs: at });
      text += `, when the #${st.car.car} spent ${timeGapWords(st.stop.pitLaneMs)} in the pit lane on lap ${st.stop.inLap}`;
      m.told.add(`stop/${st.car.car}/${st.stop.inLap}`);
    } else if (c.lostToStop) {
      facts.push(lostInStopFact(c, cls.class));
      text += `, when the #${c.previousLeader.car} pitted`;
    } else if (c.newLeaderInPitLane) {
      facts.push(...pitLaneLeadFact(c));
      text += PIT_LANE_CLAUSE;
    }
    return [{ text: `${text}.`, facts }];
  },
  verify: {},
};
