/**
 * Where a pit stop sits relative to the timing line. Al Kamel gives the pit
 * lane time (PIT_TIME) on the out-lap, and the in-lap's crossing of the line
 * in the pit lane, but not how much of the stop came before the line (in the
 * in-lap) and how much after (in the out-lap). That is pit-lane geometry, a
 * fact of the circuit: with the line before a car's box, the pit entry is a
 * near-constant drive before the line (about 9 s at Le Mans) and the rest of
 * the stop lies after it; with the line after the box, the pit exit is a
 * near-constant drive after the line and the stop lies in the in-lap.
 * Circuit profiles (rules/circuits/*.json, validated by CircuitProfileSchema)
 * give those times; a circuit without one falls back to sharing the stop in
 * proportion to how far each lap ran over the car's best lap, and says so
 * (`basis: 'estimated'`).
 *
 * One rule for the source (placing the pit exit) and the analysis (drive
 * time, stints): `pitTimeBeforeLine`.
 */
import { z } from 'zod';

const ms = z.number().int().nonnegative();

/** One measured value with where it came from. */
export const MeasuredMsSchema = z.strictObject({
  /** Milliseconds. */
  ms,
  /** Season of the data it was measured on. */
  year: z.number().int().min(1900).max(2100),
  /** Files or captures it was measured on. */
  source: z.string().min(1),
  /** How it was found (method, sample size, spread). */
  method: z.string().min(1),
});
export type MeasuredMs = z.infer<typeof MeasuredMsSchema>;

/**
 * Where the timing line crosses the pit lane: before every box (the stop
 * lies in the out-lap), after every box (in the in-lap), or among the boxes
 * (each car's side follows from its own stops: `boxSide`).
 */
export const PitLineSchema = z.enum(['before-boxes', 'after-boxes', 'among-boxes']);
export type PitLine = z.infer<typeof PitLineSchema>;

/** What placement needs, as carried on the session event. */
export const PitLaneSchema = z.strictObject({
  /** Circuit id, the profile's file name ("le-mans"). */
  circuit: z.string().min(1).max(60),
  line: PitLineSchema,
  /** Pit entry to the timing line, driven without stopping (cars whose box is after the line); null if not measured. */
  entryToLineMs: ms.nullable(),
  /** Timing line to pit exit, driven without stopping (cars whose box is before the line); null if not measured. */
  lineToExitMs: ms.nullable(),
});
export type PitLane = z.infer<typeof PitLaneSchema>;

export const CircuitProfileSchema = z
  .strictObject({
    circuit: z.string().regex(/^[a-z0-9-]+$/, 'circuit id is lower-case letters, digits and -'),
    name: z.string().min(1),
    /** Race names (as the source names them) that run here: case-insensitive substrings. */
    races: z.array(z.string().min(1)).min(1),
    /**
     * The circuit's IANA time zone ("America/New_York"): what turns a time of
     * day in the lap files (local) and a UTC stamp (a weather station) into
     * the same race time. Optional: only sources stamped in UTC need it.
     */
    timeZone: z
      .string()
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, 'an IANA time zone, e.g. "Europe/Paris"')
      .optional(),
    pitLane: z.strictObject({
      line: z.strictObject({ value: PitLineSchema, year: z.number().int(), source: z.string().min(1), method: z.string().min(1) }),
      entryToLine: MeasuredMsSchema.nullable(),
      lineToExit: MeasuredMsSchema.nullable(),
    }),
    notes: z.array(z.string()).default([]),
  })
  .refine((p) => p.pitLane.line.value === 'after-boxes' || p.pitLane.entryToLine !== null, {
    message: 'a line before (or among) the boxes needs entryToLine',
  })
  .refine((p) => p.pitLane.line.value === 'before-boxes' || p.pitLane.lineToExit !== null, {
    message: 'a line after (or among) the boxes needs lineToExit',
  });
export type CircuitProfile = z.infer<typeof CircuitProfileSchema>;

export function pitLaneOf(profile: CircuitProfile): PitLane {
  return {
    circuit: profile.circuit,
    line: profile.pitLane.line.value,
    entryToLineMs: profile.pitLane.entryToLine?.ms ?? null,
    lineToExitMs: profile.pitLane.lineToExit?.ms ?? null,
  };
}

/** How a stop was placed: from the circuit's measured pit lane, or estimated from lap times. */
export type PitBasis = 'circuit-profile' | 'estimated';

/** The laps a placement reads (a subset of LapEvent). */
export interface PitLap {
  lapMs: number;
  inPit: boolean;
  pitLaneMs: number | null;
}

/**
 * Which side of the line a car's box is on. With the line among the boxes,
 * a car whose box is before the line runs its stops in the in-lap, so over
 * its stops the in-lap exceeds the out-lap; the majority of its stops
 * decides. 'after' (the common case) when the car has no stop yet.
 */
export function boxSide(pitLane: PitLane | null, laps: readonly PitLap[]): 'before' | 'after' {
  if (pitLane === null || pitLane.line === 'before-boxes') return 'after';
  if (pitLane.line === 'after-boxes') return 'before';
  let inLapLonger = 0;
  let outLapLonger = 0;
  for (let i = 0; i + 1 < laps.length; i++) {
    const inLap = laps[i]!;
    const outLap = laps[i + 1]!;
    if (!inLap.inPit || outLap.pitLaneMs === null) continue;
    if (inLap.lapMs > outLap.lapMs) inLapLonger++;
    else outLapLonger++;
  }
  return inLapLonger > outLapLonger ? 'before' : 'after';
}

/**
 * Pit lane time (ms) of one stop that lies before the line, i.e. in the
 * in-lap. With a profile: the box after the line → the measured pit entry
 * to line time; the box before the line → the stop less the measured line
 * to pit exit time. Without one: shared in proportion to how much each lap
 * exceeded the car's best lap. Never more than the stop or than what the
 * in-lap can still hold (`roomMs`, less when the in-lap was also an out-lap).
 */
export function pitTimeBeforeLine(
  pitLaneMs: number,
  inLapMs: number,
  outLapMs: number,
  bestLapMs: number,
  /** What the in-lap can still hold (less when it was also an out-lap). */
  roomMs: number = inLapMs,
  placement: { pitLane: PitLane | null; side: 'before' | 'after' } = { pitLane: null, side: 'after' },
): number {
  const bound = (beforeMs: number): number => Math.max(0, Math.min(roomMs, pitLaneMs, Math.max(beforeMs, pitLaneMs - outLapMs)));
  const { pitLane, side } = placement;
  if (pitLane !== null) {
    if (side === 'after' && pitLane.entryToLineMs !== null) return bound(pitLane.entryToLineMs);
    if (side === 'before' && pitLane.lineToExitMs !== null) return bound(pitLaneMs - pitLane.lineToExitMs);
  }
  const excessIn = Math.max(0, inLapMs - bestLapMs);
  const excessOut = Math.max(0, outLapMs - bestLapMs);
  const share = excessIn + excessOut === 0 ? 0 : Math.round((pitLaneMs * excessIn) / (excessIn + excessOut));
  return bound(share);
}

/** 'circuit-profile' when the profile measures the side of the line this car's stops use. */
export function pitBasis(pitLane: PitLane | null, side: 'before' | 'after'): PitBasis {
  if (pitLane === null) return 'estimated';
  const measured = side === 'after' ? pitLane.entryToLineMs : pitLane.lineToExitMs;
  return measured === null ? 'estimated' : 'circuit-profile';
}
