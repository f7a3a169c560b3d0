/**
 * Measuring a circuit's pit lane from the mass of ordinary stops (how the
 * values in rules/circuits/*.json were found; `sarthe pit-lane` prints it).
 *
 * For an ordinary stop (the laps either side at race pace, the in-lap's S1
 * and S2 at pace, pit lane time under 5 min) let ref be the car's median
 * clean lap, P the pit lane time, eIn = in-lap − ref, eOut = out-lap − ref.
 * The side of the stop that holds the stationary time runs long by far
 * more: eIn > eOut means the car's box is before the line. With its box
 * after the line, P − eOut is the part of the stop the out-lap does not
 * show: the drive from pit entry to the line (plus the short stretch of
 * track the pit lane bypasses after the line, about 1–2 s). Placing the
 * entry there credits the out-lap's driver exactly a reference lap.
 * Symmetrically, P − eIn for a car boxed before the line is line → exit.
 * Each car's side is the majority of its stops; the circuit's line is
 * before the boxes when under 2% of stops are boxed before it, after them
 * above 98%, else among them (Daytona, Imola: boxes on both sides).
 */
import type { CarTimeline, RaceTimeline } from '../engine/timeline.js';
import type { PitLine } from '../model/pit.js';
import { median } from './race-index.js';

export interface PitLaneMeasure {
  line: PitLine;
  /** Median P − eOut over ordinary stops of cars boxed after the line (ms); null with fewer than MIN_STOPS. */
  entryToLineMs: number | null;
  /** Median P − eIn over ordinary stops of cars boxed before the line (ms); null with fewer than MIN_STOPS. */
  lineToExitMs: number | null;
  /** Ordinary stops used, per side, and the quartiles (ms) of each measure. */
  stopsBoxAfterLine: number;
  stopsBoxBeforeLine: number;
  entryToLineQuartilesMs: [number, number] | null;
  lineToExitQuartilesMs: [number, number] | null;
}

export const MIN_STOPS = 10;
const MAX_ORDINARY_STOP_MS = 300_000;

interface OrdinaryStop {
  car: string;
  pitLaneMs: number;
  excessInMs: number;
  excessOutMs: number;
}

export function measurePitLane(timeline: RaceTimeline): PitLaneMeasure {
  const stops: OrdinaryStop[] = [];
  for (const car of timeline.cars.values()) stops.push(...ordinaryStops(car));
  const votes = new Map<string, number>();
  for (const s of stops) votes.set(s.car, (votes.get(s.car) ?? 0) + (s.excessInMs > s.excessOutMs ? 1 : -1));
  const boxBefore = stops.filter((s) => (votes.get(s.car) ?? 0) > 0);
  const boxAfter = stops.filter((s) => (votes.get(s.car) ?? 0) <= 0);
  const share = stops.length === 0 ? 0 : boxBefore.length / stops.length;
  const line: PitLine = share < 0.02 ? 'before-boxes' : share > 0.98 ? 'after-boxes' : 'among-boxes';
  const entry = boxAfter.map((s) => s.pitLaneMs - s.excessOutMs);
  const exit = boxBefore.map((s) => s.pitLaneMs - s.excessInMs);
  return {
    line,
    entryToLineMs: entry.length >= MIN_STOPS ? median(entry) : null,
    lineToExitMs: exit.length >= MIN_STOPS ? median(exit) : null,
    stopsBoxAfterLine: boxAfter.length,
    stopsBoxBeforeLine: boxBefore.length,
    entryToLineQuartilesMs: entry.length >= MIN_STOPS ? quartiles(entry) : null,
    lineToExitQuartilesMs: exit.length >= MIN_STOPS ? quartiles(exit) : null,
  };
}

function quartiles(values: number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  return [sorted[Math.floor((sorted.length - 1) / 4)]!, sorted[Math.floor(((sorted.length - 1) * 3) / 4)]!];
}

function ordinaryStops(car: CarTimeline): OrdinaryStop[] {
  const laps = car.laps;
  const plain = laps.filter((l, i) => i > 0 && !l.inPit && l.pitLaneMs === null && !laps[i - 1]!.inPit);
  if (plain.length === 0) return [];
  const best = Math.min(...plain.map((l) => l.lapMs));
  const clean = plain.filter((l) => l.lapMs < best * 1.07);
  if (clean.length < 5) return [];
  const ref = median(clean.map((l) => l.lapMs))!;
  const refSector = [0, 1].map((k) => median(clean.flatMap((l) => (l.sectorsMs[k] ? [l.sectorsMs[k]!] : []))));
  const atPace = (ms: number | null, refMs: number | null): boolean => ms !== null && refMs !== null && ms < refMs * 1.05;
  const found: OrdinaryStop[] = [];
  for (let i = 1; i + 2 < laps.length; i++) {
    const inLap = laps[i]!;
    const outLap = laps[i + 1]!;
    const before = laps[i - 1]!;
    const after = laps[i + 2]!;
    if (!inLap.inPit || outLap.pitLaneMs === null || outLap.inPit || before.inPit) continue;
    if (outLap.pitLaneMs > MAX_ORDINARY_STOP_MS) continue;
    if (!atPace(before.lapMs, ref) || !atPace(after.lapMs, ref)) continue;
    if (!atPace(inLap.sectorsMs[0], refSector[0]!) || !atPace(inLap.sectorsMs[1], refSector[1]!)) continue;
    found.push({ car: car.number, pitLaneMs: outLap.pitLaneMs, excessInMs: inLap.lapMs - ref, excessOutMs: outLap.lapMs - ref });
  }
  return found;
}
