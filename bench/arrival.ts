/**
 * Arrival-order benchmark (issue 13, item 7): the same 100,000 timing events
 * folded in race order, in reverse and shuffled, each against the in-order
 * fold measured in the same run, interleaved. Two shapes of arrival:
 * - `fold`: the whole set at once (an import, a restart replay of one commit);
 * - `commits`: in commits of `commitEvents`, with the live classification
 *   read after each one, as the live hub does after every store commit.
 * Each order's events are objects made in that order (structuredClone of
 * the reordered list), as a store read or the ingest parser makes them as
 * they arrive. `permuted` repeats the ratios with the objects made in race
 * order and only the list reordered (what this bench measured before): there
 * a shuffled fold also pays a cache miss for each event it reads, which no
 * real arrival has (bench/README.md).
 * Prints JSON; the target is every ratio ≤ 2 (bench/README.md).
 */
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents, RaceTimeline } from '../src/engine/timeline.js';
import type { Flag, TimingEvent } from '../src/model/events.js';
import { median, round } from './stats.js';

const FLAGS: Flag[] = ['green', 'green', 'green', 'safety-car', 'fcy'];

/** A made-up race of `cars` cars and `events` events in race order: entries, then laps with sectors, flags and pit stops. */
export function raceEvents(events: number, cars = 60): TimingEvent[] {
  const out: TimingEvent[] = [{ type: 'session', name: 'Arrival bench', zeroTimeOfDayMs: null, scheduledDurationMs: null }];
  for (let c = 0; c < cars; c++) {
    out.push({ type: 'entry', car: String(c + 1), class: c % 2 === 0 ? 'LMP2' : 'LMGT3', group: '', team: `Team ${c + 1}`, manufacturer: 'Make', drivers: [] });
  }
  const laps = Math.ceil((events - out.length) / cars);
  const lapMs = (c: number, l: number) => 200_000 + c * 97 + ((l * 7919 + c * 31) % 5000);
  const crossing = new Array<number>(cars).fill(0);
  for (let l = 1; l <= laps && out.length < events; l++) {
    for (let c = 0; c < cars && out.length < events; c++) {
      const ms = lapMs(c, l);
      crossing[c]! += ms;
      out.push({
        type: 'lap', car: String(c + 1), lap: l, crossingMs: crossing[c]!, lapMs: ms,
        sectorsMs: [Math.round(ms * 0.3), Math.round(ms * 0.4), ms - Math.round(ms * 0.3) - Math.round(ms * 0.4)],
        driverNumber: 1 + (Math.floor(l / 30) % 3), driverName: '', inPit: l % 30 === 0, pitLaneMs: null,
        flag: FLAGS[Math.floor(crossing[c]! / 3_600_000) % FLAGS.length]!, timeOfDayMs: null, kph: null, topSpeedKph: null,
      });
    }
  }
  return out;
}

function shuffled<T>(items: readonly T[], seed = 13): T[] {
  const out = [...items];
  let s = seed;
  const next = () => ((s = (s * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Folds every event, then reads the classification at the end. */
export function foldAll(events: readonly TimingEvent[]): RaceTimeline {
  const timeline = foldEvents(events);
  standingsAt(timeline, null);
  return timeline;
}

/** Applies the events in commits, reading the live classification after each, as the hub does. */
export function foldInCommits(events: readonly TimingEvent[], commitEvents: number): RaceTimeline {
  const timeline = new RaceTimeline();
  for (let i = 0; i < events.length; i += commitEvents) {
    for (let k = i; k < Math.min(i + commitEvents, events.length); k++) timeline.apply(events[k]!);
    standingsAt(timeline, null);
  }
  return timeline;
}

export interface ArrivalBench {
  events: number;
  commitEvents: number;
  foldInOrderMs: number;
  foldReverseMs: number;
  foldShuffledMs: number;
  foldReverseRatio: number;
  foldShuffledRatio: number;
  commitsInOrderMs: number;
  commitsReverseMs: number;
  commitsShuffledMs: number;
  commitsReverseRatio: number;
  commitsShuffledRatio: number;
  /** The same medians in CPU time of the process (in order in ms, the others as ratios to it). */
  cpu: { foldInOrderMs: number; foldReverseRatio: number; foldShuffledRatio: number; commitsInOrderMs: number; commitsReverseRatio: number; commitsShuffledRatio: number };
  /** CPU medians with every order's events the objects made in race order, only the list reordered (the bench before 2026-12-01). */
  permuted: { foldInOrderMs: number; foldReverseRatio: number; foldShuffledRatio: number; commitsInOrderMs: number; commitsReverseRatio: number; commitsShuffledRatio: number };
}

export function benchArrival(count = 100_000, commitEvents = 1000, runs = 7): ArrivalBench {
  const raceOrder = raceEvents(count);
  const permuted = { inOrder: raceOrder, reverse: [...raceOrder].reverse(), shuffled: shuffled(raceOrder) };
  const orders = { inOrder: structuredClone(permuted.inOrder), reverse: structuredClone(permuted.reverse), shuffled: structuredClone(permuted.shuffled) };
  const times: Record<string, number[]> = {};
  const cpuTimes: Record<string, number[]> = {};
  const time = (name: string, fn: () => unknown) => {
    const t = performance.now();
    const c = cpuMs();
    fn();
    (cpuTimes[name] ??= []).push(cpuMs() - c);
    (times[name] ??= []).push(performance.now() - t);
  };
  for (let r = 0; r < runs + 1; r++) {
    for (const [name, events] of Object.entries(orders)) {
      time(`fold:${name}`, () => foldAll(events));
      time(`commits:${name}`, () => foldInCommits(events, commitEvents));
    }
    for (const [name, events] of Object.entries(permuted)) {
      time(`permuted fold:${name}`, () => foldAll(events));
      time(`permuted commits:${name}`, () => foldInCommits(events, commitEvents));
    }
  }
  // The first round warms the JIT up: dropped.
  const ms = (name: string) => round(median(times[name]!.slice(1)));
  const cpu = (name: string) => round(median(cpuTimes[name]!.slice(1)));
  const result = {
    events: count,
    commitEvents,
    foldInOrderMs: ms('fold:inOrder'),
    foldReverseMs: ms('fold:reverse'),
    foldShuffledMs: ms('fold:shuffled'),
    commitsInOrderMs: ms('commits:inOrder'),
    commitsReverseMs: ms('commits:reverse'),
    commitsShuffledMs: ms('commits:shuffled'),
  };
  return {
    ...result,
    foldReverseRatio: round(result.foldReverseMs / result.foldInOrderMs),
    foldShuffledRatio: round(result.foldShuffledMs / result.foldInOrderMs),
    commitsReverseRatio: round(result.commitsReverseMs / result.commitsInOrderMs),
    commitsShuffledRatio: round(result.commitsShuffledMs / result.commitsInOrderMs),
    cpu: {
      foldInOrderMs: cpu('fold:inOrder'),
      foldReverseRatio: round(cpu('fold:reverse') / cpu('fold:inOrder')),
      foldShuffledRatio: round(cpu('fold:shuffled') / cpu('fold:inOrder')),
      commitsInOrderMs: cpu('commits:inOrder'),
      commitsReverseRatio: round(cpu('commits:reverse') / cpu('commits:inOrder')),
      commitsShuffledRatio: round(cpu('commits:shuffled') / cpu('commits:inOrder')),
    },
    permuted: {
      foldInOrderMs: cpu('permuted fold:inOrder'),
      foldReverseRatio: round(cpu('permuted fold:reverse') / cpu('permuted fold:inOrder')),
      foldShuffledRatio: round(cpu('permuted fold:shuffled') / cpu('permuted fold:inOrder')),
      commitsInOrderMs: cpu('permuted commits:inOrder'),
      commitsReverseRatio: round(cpu('permuted commits:reverse') / cpu('permuted commits:inOrder')),
      commitsShuffledRatio: round(cpu('permuted commits:shuffled') / cpu('permuted commits:inOrder')),
    },
  };
}

/** CPU time of this process (ms), GC threads included: on a shared machine, wall time mostly measures the others. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(benchArrival(Number(process.argv[2] ?? 100_000)), null, 2)}\n`);
}
