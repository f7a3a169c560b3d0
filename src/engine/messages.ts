/**
 * The race feed: one-line messages ("#8 pits", "#7 takes the lead") found by
 * comparing a car's standing before and after a change. Each generator is a
 * small pure function of (previous car, current car) that returns one
 * message or nothing; `feedMessages` runs them in a fixed order.
 */
import type { DecisionEvent, FlagState } from '../model/events.js';
import { decisionText, servingStop } from './classification.js';
import type { FeedMessage } from '../model/live.js';
import type { CarStanding, Standings } from '../model/standings.js';
import { formatDuration, formatLapTime } from '../model/time.js';
import type { RaceTimeline } from './timeline.js';

export interface MessageContext {
  /** The instant of the current standing. */
  raceTimeMs: number;
  /** Read only, for what a standing does not carry (a pit stop's lane time). */
  timeline: RaceTimeline;
}

export type CarMessage = (previous: CarStanding, current: CarStanding, context: MessageContext) => FeedMessage | null;

export const pitIn: CarMessage = (previous, current) =>
  previous.status !== 'in-pit' && current.status === 'in-pit'
    ? carMessage('pit-in', current, current.lastCrossingMs, `#${current.number} pits at the end of lap ${current.laps}`)
    : null;

export const pitOut: CarMessage = (previous, current, context) => {
  if (previous.status !== 'in-pit' || (current.status !== 'out-lap' && current.status !== 'running')) return null;
  const exit = context.timeline.cars.get(current.number)?.pitOutAt(context.raceTimeMs);
  const laneMs = exit !== undefined && exit.atMs > previous.lastCrossingMs ? exit.pitLaneMs : null;
  const at = exit !== undefined && laneMs !== null ? exit.atMs : context.raceTimeMs;
  const text = laneMs === null ? `#${current.number} leaves the pits` : `#${current.number} leaves the pits after ${formatDuration(laneMs)}`;
  return carMessage('pit-out', current, at, text);
};

export const driverChange: CarMessage = (previous, current, context) =>
  previous.driverNumber !== null && current.driverNumber !== null && previous.driverNumber !== current.driverNumber
    ? carMessage('driver-change', current, context.raceTimeMs, `#${current.number}: ${current.driver || `driver ${current.driverNumber}`} takes over from ${previous.driver || `driver ${previous.driverNumber}`}`)
    : null;

export const bestLap: CarMessage = (previous, current) => {
  if (current.lastCrossingMs === previous.lastCrossingMs || current.lastLapMs === null) return null;
  const time = formatLapTime(current.lastLapMs);
  if (current.lastLapBest === 'overall') return carMessage('best-lap', current, current.lastCrossingMs, `Fastest lap: #${current.number} ${time}`);
  if (current.lastLapBest === 'class') return carMessage('best-lap', current, current.lastCrossingMs, `${current.class} fastest lap: #${current.number} ${time}`);
  return null;
};

// Before anyone has completed a lap the "order" is the grid by car number: no leader to change.
export const leadChange: CarMessage = (previous, current, context) =>
  current.position === 1 && previous.position !== 1 && current.laps > 0
    ? carMessage('lead-change', current, context.raceTimeMs, `#${current.number} takes the lead`)
    : null;

export const classLeadChange: CarMessage = (previous, current, context) =>
  current.classPosition === 1 && previous.classPosition !== 1 && current.laps > 0
    ? carMessage('class-lead-change', current, context.raceTimeMs, `${current.class}: #${current.number} leads the class`)
    : null;

export const stopped: CarMessage = (previous, current, context) =>
  previous.status !== 'stopped' && current.status === 'stopped'
    ? carMessage('stopped', current, context.raceTimeMs, `#${current.number} has stopped (last seen on lap ${current.laps})`)
    : null;

export const retired: CarMessage = (previous, current, context) =>
  previous.status !== 'retired' && current.status === 'retired'
    ? carMessage('retired', current, context.raceTimeMs, `#${current.number} retires after ${current.laps} laps`)
    : null;

export const finished: CarMessage = (previous, current) =>
  previous.status !== 'finished' && current.status === 'finished'
    ? carMessage('finished', current, current.lastCrossingMs, `#${current.number} finishes P${current.position} (${current.class} P${current.classPosition}, ${current.laps} laps)`)
    : null;

/**
 * The order messages appear in when one change holds several. Causes before
 * consequences: a stop (pit in/out, driver change) often makes a new leader,
 * so pit messages come before lead changes; a lap's time before the
 * positions it changed; end-of-race states last.
 */
export const CAR_MESSAGES: readonly CarMessage[] = [
  pitIn,
  pitOut,
  driverChange,
  bestLap,
  leadChange,
  classLeadChange,
  stopped,
  retired,
  finished,
];

const FLAG_WORDS: Record<Exclude<FlagState, 'unknown'>, string> = {
  green: 'Green flag: racing resumes',
  'safety-car': 'Safety car',
  fcy: 'Full course yellow',
  red: 'Red flag: the race is stopped',
  finish: 'Chequered flag',
};

/** Race control: the flag shown at the line changed. */
export function flagChange(previous: Standings, current: Standings): FeedMessage | null {
  if (previous.flag === current.flag || current.flag === 'unknown') return null;
  return { kind: 'flag', raceTimeMs: current.at.raceTimeMs, text: FLAG_WORDS[current.flag] };
}

/**
 * Race control: decisions announced in (previous, current], in the order
 * announced, and penalties served in that interval (the car's first in-lap
 * after a drive-through or stop-and-go, classification.ts servingStop).
 */
export function raceControl(previous: Standings, current: Standings, timeline: RaceTimeline): FeedMessage[] {
  const from = previous.at.raceTimeMs;
  const to = current.at.raceTimeMs;
  const messages: FeedMessage[] = [];
  for (const d of timeline.decisions) {
    if (d.atMs > from && d.atMs <= to) messages.push(decisionMessage(d, current, d.atMs, decisionText(d)));
    const car = d.car === null ? undefined : timeline.cars.get(d.car);
    const served = car === undefined ? null : servingStop(d, car);
    if (served !== null && served.crossingMs > from && served.crossingMs <= to) {
      const what = d.kind === 'drive-through' ? 'drive-through' : 'stop-and-go';
      messages.push(decisionMessage(d, current, served.crossingMs, `#${d.car} serves its ${what} penalty at the end of lap ${served.lap}`));
    }
  }
  return messages;
}

/**
 * Race control: decisions that arrived after the classification before them
 * was taken, stamped at or before its instant (an announcement stamped "now"
 * reaches the server after laps crossed a moment later): raceControl's
 * window (previous, current] has passed them, so the live race tells them
 * with the next classification, at their announced instant.
 */
export function lateDecisions(decisions: readonly DecisionEvent[], current: Standings): FeedMessage[] {
  return decisions.map((d) => decisionMessage(d, current, d.atMs, decisionText(d)));
}

function decisionMessage(d: DecisionEvent, current: Standings, raceTimeMs: number, text: string): FeedMessage {
  const cls = d.car === null ? undefined : current.cars.find((c) => c.number === d.car)?.class;
  return { kind: 'race-control', raceTimeMs, ...(d.car === null ? {} : { car: d.car }), ...(cls === undefined ? {} : { class: cls }), text };
}

/**
 * Every message between two classifications of the same race: the flag and
 * race control first (they explain what follows, e.g. stops under the safety
 * car, a position lost to a penalty), then each car generator in
 * CAR_MESSAGES order over the cars in overall order. Cars that just appeared
 * have no "before" and say nothing.
 */
export function feedMessages(previous: Standings | null, current: Standings, timeline: RaceTimeline): FeedMessage[] {
  if (previous === null) return [];
  const messages: FeedMessage[] = [];
  const flag = flagChange(previous, current);
  if (flag !== null) messages.push(flag);
  if (timeline.decisions.length > 0) messages.push(...raceControl(previous, current, timeline));
  const before = new Map(previous.cars.map((car) => [car.number, car]));
  const context: MessageContext = { raceTimeMs: current.at.raceTimeMs, timeline };
  for (const generate of CAR_MESSAGES) {
    for (const car of current.cars) {
      const old = before.get(car.number);
      if (old === undefined) continue;
      const message = generate(old, car, context);
      if (message !== null) messages.push(message);
    }
  }
  return messages;
}

function carMessage(kind: FeedMessage['kind'], car: CarStanding, raceTimeMs: number, text: string): FeedMessage {
  return { kind, raceTimeMs, car: car.number, class: car.class, text };
}
