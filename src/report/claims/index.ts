/**
 * Every kind of sentence a report writes, in the order the finder looks for
 * them (the first story of a class opens its section; the rest are ranked by
 * STORY_WEIGHTS, ties in this order). Each kind is one file with its finder,
 * its words and its verifier side by side; the `satisfies` below makes the
 * compiler demand all three of every kind. Adding a kind: one file (story,
 * finder, words, meanings, the fact kinds it introduces and how the read-back
 * reads them), its test, and a line each in StoryByKind, CLAIMS and MEANINGS
 * (plus its weights in select.ts when it brings new ones).
 */
import type { ReportFactKind } from '../types.js';
import type { ClaimDefinition, FactReadings, Meaning } from './common.js';
import { SHARED_MEANINGS } from './raw.js';
import { battle, type BattleStory } from './battle.js';
import { classOut, type ClassOutStory } from './class-out.js';
import { dataEnd, type DataEndStory } from './data-end.js';
import { driveTime, type DriveTimeStory } from './drive-time.js';
import { fieldStopped, type FieldStoppedStory } from './field-stopped.js';
import { finish, type FinishStory } from './finish.js';
import { flag, type FlagStory } from './flag.js';
import { inferredFlag, type InferredFlagStory } from './inferred-flag.js';
import { gapAhead, type GapAheadStory } from './gap-ahead.js';
import { lastRunning, type LastRunningStory } from './last-running.js';
import { lateChange, type LateChangeStory } from './late-change.js';
import { lead, type LeadStory } from './lead.js';
import { leaderStops, type LeaderStopsStory } from './leader-stops.js';
import { longStop, type LongStopStory } from './long-stop.js';
import { penalty, type PenaltyStory } from './penalty.js';
import { podium, type PodiumStory } from './podium.js';
import { recovery, type RecoveryStory } from './recovery.js';
import { retirement, type RetirementStory } from './retirement.js';
import { weather, type WeatherStory } from './weather.js';

export interface StoryByKind {
  finish: FinishStory;
  'late-change': LateChangeStory;
  'class-out': ClassOutStory;
  lead: LeadStory;
  retirement: RetirementStory;
  'last-running': LastRunningStory;
  'long-stop': LongStopStory;
  battle: BattleStory;
  podium: PodiumStory;
  'gap-ahead': GapAheadStory;
  penalty: PenaltyStory;
  recovery: RecoveryStory;
  'drive-time': DriveTimeStory;
  'leader-stops': LeaderStopsStory;
  flag: FlagStory;
  'inferred-flag': InferredFlagStory;
  'data-end': DataEndStory;
  'field-stopped': FieldStoppedStory;
  weather: WeatherStory;
}

export type ClaimKind = keyof StoryByKind;
export type Story = StoryByKind[ClaimKind];

/** The registry, in finding order. */
export const CLAIMS = {
  finish,
  'late-change': lateChange,
  'class-out': classOut,
  lead,
  retirement,
  'last-running': lastRunning,
  'long-stop': longStop,
  battle,
  podium,
  'gap-ahead': gapAhead,
  penalty,
  recovery,
  'drive-time': driveTime,
  'leader-stops': leaderStops,
  flag,
  'inferred-flag': inferredFlag,
  'data-end': dataEnd,
  'field-stopped': fieldStopped,
  weather,
} satisfies { [K in ClaimKind]: ClaimDefinition<StoryByKind[K]> };

export const CLAIM_KINDS = Object.keys(CLAIMS) as ClaimKind[];

/** How the checker reads the fact kinds the claims introduce (ClaimDefinition.readings), gathered from every kind. */
export const FACT_READINGS: FactReadings = Object.assign({}, ...CLAIM_KINDS.map((k) => (CLAIMS[k] as { readings?: FactReadings }).readings ?? {}));

/** A kind's definition, for a story whose kind is known only at run time. */
export function claimOf<S extends Story>(story: S): ClaimDefinition<S> {
  return CLAIMS[story.kind] as unknown as ClaimDefinition<S>;
}

/**
 * What every fact kind means, read from the raw laps and events: the shared
 * meanings and each sentence kind's own. A fact kind with no meaning does not compile.
 */
export const MEANINGS = {
  ...SHARED_MEANINGS,
  ...battle.verify,
  ...longStop.verify,
  ...driveTime.verify,
  ...penalty.verify,
  ...weather.verify,
  ...flag.verify,
  ...inferredFlag.verify,
} satisfies { [K in ReportFactKind]: Meaning<K> };
