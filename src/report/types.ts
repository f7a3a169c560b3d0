/**
 * A race report as data: every sentence next to the facts it states, so a
 * checker can recompute each fact from the timing data (check.ts) and the
 * renderers (render.ts) only lay words out.
 *
 * A fact is a claim about the race at an instant, small enough to verify on
 * its own: "car #7 was first in LMP1 at 12:00:00", "#8 was 4.5s behind".
 * Times are race milliseconds; gaps are the engine's Gap.
 */
import type { DecisionKind, Flag } from '../model/events.js';
import type { CarStatus, Gap } from '../model/standings.js';

/**
 * The fact kinds a claim kind introduces, declared in its own file
 * (claims/<kind>.ts, by `declare module '../types.js'`): kind name → shape,
 * each with its `kind`. Empty here; what the claims add joins ReportFact.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ClaimFacts {}

/** `class: null` means overall. */
export type ReportFact =
  | ClaimFacts[keyof ClaimFacts]
  /** Place at an instant, overall or within a class. */
  | { kind: 'position'; car: string; class: string | null; position: number; atMs: number }
  | { kind: 'laps'; car: string; laps: number; atMs: number }
  /** Gap to the leader (overall) or the class leader at an instant. */
  | { kind: 'gap'; car: string; class: string | null; gap: Gap; atMs: number }
  /** Gap to the car directly ahead, overall or in the class. */
  | { kind: 'interval'; car: string; class: string | null; gap: Gap; atMs: number }
  /** Who was at the wheel (driver name as the timing writes it). */
  | { kind: 'at-wheel'; car: string; driver: string; atMs: number }
  /** `driver` drove lap `inLap` of the car, which ended in the pit lane; at atMs the car was on that in-lap, in the pits or on its out-lap. */
  | { kind: 'pitted'; car: string; driver: string; inLap: number; atMs: number }
  /** These drivers belong to the car's crew. */
  | { kind: 'crew'; car: string; drivers: string[] }
  /** The car has led every lap from `sinceLap` to the latest lap completed at atMs, and not the lap before. */
  | { kind: 'led-since'; car: string; class: string | null; sinceLap: number; sinceMs: number; atMs: number }
  /** Laps led out of the laps the leader has completed. */
  | { kind: 'laps-led'; car: string; class: string | null; lapsLed: number; leaderLaps: number; atMs: number }
  /** `car` led lap `lap` (completed at atMs), `from` had led the lap before. */
  | { kind: 'lead-change'; car: string; from: string; class: string | null; lap: number; atMs: number }
  /**
   * `from` lost the lead of lap `lap` to `car` by its stop: its lap `inLap`
   * (`lap` − 1, or `lap` itself) ended in the pit lane, and `car` completed
   * lap `lap` first, at atMs, out on track. What "as X pits" and "when X made
   * its stop" say of a lead change.
   */
  | { kind: 'lead-lost-in-stop'; car: string; from: string; class: string | null; lap: number; inLap: number; atMs: number }
  /** The lead of the class (or overall) changed hands `changes` times between fromMs and atMs: laps whose first finisher had not led the lap before. */
  | { kind: 'lead-changes'; class: string | null; changes: number; fromMs: number; atMs: number }
  /** The in-lap `inLap` (crossing at inMs) and the pit lane time on the out-lap (null: still in at atMs). */
  | { kind: 'pit-stop'; car: string; inLap: number; inMs: number; pitLaneMs: number | null; atMs: number }
  /** A stop far longer than the car's usual: time lost = pitLaneMs − usualMs. */
  | { kind: 'long-stop'; car: string; inLap: number; inMs: number; pitLaneMs: number; usualMs: number; lostMs: number; atMs: number }
  /** `to` drove lap `lap`, `from` the lap before, which was completed at atMs (the in-lap of the change). */
  | { kind: 'driver-change'; car: string; lap: number; from: string; to: string; atMs: number }
  /** A flag shown at the line from startMs until endMs (null: still shown at atMs). */
  | { kind: 'flag-period'; flag: Flag; startMs: number; endMs: number | null; atMs: number }
  | { kind: 'status'; car: string; status: CarStatus; atMs: number }
  /** Last crossing of the line (or pit exit) at or before atMs. */
  | { kind: 'last-seen'; car: string; lastSeenMs: number; atMs: number }
  /** At every swap between fromMs and toMs, the two cars held class places `place` and `place + 1`: the fight was for `place`. */
  | { kind: 'swap-place'; class: string; cars: [string, string]; place: number; fromMs: number; toMs: number }
  /** Two cars of a class traded places `swaps` times between fromMs and toMs. */
  | { kind: 'swaps'; class: string; cars: [string, string]; swaps: number; fromMs: number; toMs: number }
  /** A driver of the given category reached the minimum drive time on lap `lap` (completed at atMs). */
  | { kind: 'drive-minimum'; car: string; driver: string; category: string; minimumMs: number; lap: number; atMs: number }
  /** Race control announced this decision about the car at atMs (a penalty: penaltyMs or laps as announced, null when none). */
  | { kind: 'decision'; car: string; decision: DecisionKind; penaltyMs: number | null; laps: number | null; atMs: number }
  /** The chequered flag fell at atMs. */
  | { kind: 'chequered'; atMs: number }
  /** Cars not stopped or retired out of the class's entries. */
  | { kind: 'class-running'; class: string; running: number; entries: number; atMs: number }
  /** `stopped` of the `entries` cars were stopped or retired at atMs; the last of them was seen at sinceMs. */
  | { kind: 'field-stopped'; stopped: number; entries: number; sinceMs: number; atMs: number }
  /** The last crossing anywhere in the data (a race whose timing stops). */
  | { kind: 'data-ends'; atMs: number };

export type ReportFactKind = ReportFact['kind'];

export interface Paragraph {
  text: string;
  facts: ReportFact[];
}

export interface Section {
  /** null for the top class, which follows the standfirst without a heading. */
  heading: string | null;
  headingFacts: ReportFact[];
  /** The class this section is about. */
  class: string;
  paragraphs: Paragraph[];
}

export interface TableRow {
  position: number;
  car: string;
  team: string;
  make: string;
  drivers: string[];
  laps: number;
  /** Class gap to the class leader, as on a timing screen. */
  gap: Gap;
  status: CarStatus;
  /** Once the result stands: "" when classified, else NC, DNF or DSQ (model/format.ts resultCode). */
  result: '' | 'NC' | 'DNF' | 'DSQ';
  /** Why the car is not classified, in plain words; null otherwise. */
  reason: string | null;
}

export interface PositionsTable {
  class: string;
  rows: TableRow[];
}

export interface Report {
  race: string;
  hour: number;
  /** The instant the report describes (race ms). */
  atMs: number;
  fromMs: number;
  final: boolean;
  headline: string;
  headlineFacts: ReportFact[];
  standfirst: string;
  standfirstFacts: ReportFact[];
  sections: Section[];
  /**
   * "Positions after N hours"; "Final classification"; "Result, declared
   * under red flag at 5:45"; "Positions at 5:45, when the timing stops" —
   * never an hour the race did not reach.
   */
  tablesTitle: string;
  tables: PositionsTable[];
}
