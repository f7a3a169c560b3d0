/**
 * The race strip: the live summary the news site shows on every page (the
 * ticker) and in its live panels (clock, flag, class leaders). One Preact
 * component, rendered twice from the same code:
 *
 * - on the server (preact-render-to-string, src/server/site/pages.ts) as the
 *   page's static snapshot, so it reads without JavaScript;
 * - in the browser (src/web/site-live.ts), hydrated over that snapshot and
 *   fed by the one live stream (SSE), so it keeps time with the timing table.
 *
 * Written with `h` rather than JSX so the server's compiler builds it as is.
 * Pure: the view is computed by `stripView` from a live state or standings.
 */
import { h, type VNode } from 'preact';

type Node = VNode<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- h() returns element-specific prop types
import { classStyle, sortClasses } from '../../model/classes.js';
import type { FlagState } from '../../model/events.js';
import type { FeedMessage, FeedStatus, RaceInfo } from '../../model/live.js';
import { driverName } from '../../model/names.js';
import type { CarStanding } from '../../model/standings.js';
import { formatRaceTime, formatTimeOfDay } from '../../model/time.js';

/**
 * What the page is showing, said once for every live surface:
 * - live: the feed as it comes; delayed: held back by the viewer delay;
 * - travel: a chosen instant of the race;
 * - finished: the chequered flag has fallen, some cars are still on their
 *   way to the line (results may still change);
 * - final: the flag has fallen and every car is classified or out
 *   (CarStanding.classified set for all: the result stands);
 * - stalled: connected, but the source has sent nothing for a while
 *   (the live snapshot's `stalled` field, when the server sends one);
 * - connecting / reconnecting / offline: no live data yet or any more;
 * - snapshot: the server-rendered page before its script runs (or without one).
 */
export type ViewMode = 'live' | 'delayed' | 'travel' | 'finished' | 'final' | 'stalled' | 'connecting' | 'reconnecting' | 'offline' | 'snapshot';

export interface ModeInput {
  travelling: boolean;
  connection: 'connecting' | 'live' | 'reconnecting' | 'closed' | 'snapshot';
  delaySeconds: number;
  /** The chequered flag has fallen at the instant shown. */
  finished: boolean;
  /** Every car is classified or out (`resultStands`): with `finished`, the result is final. */
  resultStands?: boolean;
  /** The live source is silent (the snapshot's `feed.state`, `feedStalled`). */
  stalled?: boolean;
}

/** One rule for the badge: a finished race is never "LIVE", whatever the connection. */
export function viewMode(input: ModeInput): ViewMode {
  if (input.travelling) return 'travel';
  if (input.finished) return input.resultStands === true ? 'final' : 'finished';
  if (input.connection === 'snapshot') return 'snapshot';
  if (input.connection === 'connecting') return 'connecting';
  if (input.connection === 'reconnecting') return 'reconnecting';
  if (input.connection === 'closed') return 'offline';
  if (input.stalled === true) return 'stalled';
  return input.delaySeconds > 0 ? 'delayed' : 'live';
}

export function modeText(mode: ViewMode, delaySeconds: number): string {
  switch (mode) {
    case 'live':
      return 'Live';
    case 'delayed':
      return `Live −${delaySeconds}s`;
    case 'travel':
      return 'Time travel';
    case 'finished':
      return 'Finished';
    case 'final':
      return 'Final result';
    case 'stalled':
      return 'Feed stalled';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'offline':
      return 'Offline';
    case 'snapshot':
      return 'Snapshot';
  }
}

/** Flag names as timing screens show them; `unknown`: the feed has no flag column (Al Kamel files before 2023). */
export const FLAG_TEXT: Record<FlagState, string> = {
  green: 'Green flag',
  fcy: 'Full course yellow',
  'safety-car': 'Safety car',
  red: 'Red flag',
  finish: 'Chequered flag',
  unknown: 'No flag data in this feed',
};

/**
 * A safety car or FCY inferred from lap and sector times for a feed without
 * flags (GET …/flag-periods `inForce`, src/analysis/neutralisations.ts
 * neutralisationInForce): shown in its colour but marked as a guess, never
 * as race control's flag (issue 17).
 */
export interface InferredFlag {
  kind: 'safety-car' | 'fcy';
  /** Race time (ms) it began, by the laps. */
  startMs: number;
}

export const INFERRED_TEXT: Record<InferredFlag['kind'], string> = {
  'safety-car': 'Probable safety car',
  fcy: 'Probable full-course yellow',
};

/** What says it is a guess, next to INFERRED_TEXT. */
export const INFERRED_NOTE = 'inferred from lap times, no flag data in this feed';

/** The flag banner's class and words: race control's flag, or (no flag data) an inferred neutralisation, or "no flag data". */
export function flagBanner(flag: FlagState, inferred: InferredFlag | null): { className: string; name: string; note: string | null } {
  if (flag === 'unknown' && inferred !== null) return { className: `flag-${inferred.kind} flag-inferred`, name: INFERRED_TEXT[inferred.kind], note: INFERRED_NOTE };
  return { className: `flag-${flag}`, name: FLAG_TEXT[flag], note: null };
}

/** Reads GET …/flag-periods' `inForce` (null when absent, green or not a safety car or FCY). */
export function readInferredFlag(json: unknown): InferredFlag | null {
  if (typeof json !== 'object' || json === null) return null;
  const p = (json as { inForce?: unknown }).inForce;
  if (typeof p !== 'object' || p === null) return null;
  const { kind, startMs, inferred } = p as { kind?: unknown; startMs?: unknown; inferred?: unknown };
  if ((kind !== 'safety-car' && kind !== 'fcy') || typeof startMs !== 'number' || inferred !== true) return null;
  return { kind, startMs };
}

/**
 * After the flag, every car has a result (classified or not, engine/standings.ts
 * sets `classified` once a car is home or overdue); false while any car is
 * still running to the line, and before the flag.
 */
export function resultStands(cars: Iterable<Pick<CarStanding, 'classified'>>): boolean {
  let any = false;
  for (const car of cars) {
    if (car.classified !== true && car.classified !== false) return false;
    any = true;
  }
  return any;
}

/** The live source feeding the race is silent (server: live-race.ts setFeedStatus; absent for replays). */
export function feedStalled(state: { feed?: FeedStatus } | null | undefined): boolean {
  return state?.feed?.state === 'stalled';
}

export interface ClassLeader {
  class: string;
  number: string;
  team: string;
  /** Surname of the driver in the car. */
  driver: string;
  laps: number;
}

export interface StripView {
  race: RaceInfo;
  /** Race time shown (ms since the start). */
  elapsedMs: number;
  chequeredMs: number | null;
  flag: FlagState;
  /** With flag 'unknown': the neutralisation the laps show at elapsedMs, or null. */
  inferred?: InferredFlag | null;
  mode: ViewMode;
  delaySeconds: number;
  /** The leader of each class, fastest class first. */
  leaders: ClassLeader[];
  latest: FeedMessage | null;
}

/** The first car of each class in overall order, classes fastest first. */
export function classLeaders(carsInOrder: Iterable<CarStanding>): ClassLeader[] {
  const byClass = new Map<string, ClassLeader>();
  for (const c of carsInOrder) {
    if (byClass.has(c.class)) continue;
    byClass.set(c.class, { class: c.class, number: c.number, team: c.team, driver: driverName(c.driver).surname, laps: c.laps });
  }
  return sortClasses(byClass.keys()).map((name) => byClass.get(name)!);
}

export function sameLeaders(a: readonly ClassLeader[], b: readonly ClassLeader[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i]!;
    return x.class === y.class && x.number === y.number && x.laps === y.laps && x.driver === y.driver && x.team === y.team;
  });
}

/** Remaining race time, "Finished" after the flag, "—" when the length is unknown. */
export function remainingText(view: Pick<StripView, 'race' | 'elapsedMs' | 'chequeredMs'>): string {
  if (view.chequeredMs !== null && view.elapsedMs >= view.chequeredMs) return 'Finished';
  const duration = view.race.scheduledDurationMs;
  return duration === null ? '—' : formatRaceTime(Math.max(0, duration - view.elapsedMs));
}

function badge(view: StripView): Node {
  return h('span', { class: `mode mode-${view.mode}`, 'data-testid': 'strip-mode' }, modeText(view.mode, view.delaySeconds));
}

function flagOf(view: StripView): FlagState {
  return view.chequeredMs !== null && view.elapsedMs >= view.chequeredMs ? 'finish' : view.flag;
}

function stripFlag(banner: ReturnType<typeof flagBanner>): Node {
  const attrs = { class: `pill ${banner.className}`, 'data-testid': 'strip-flag', ...(banner.note === null ? {} : { 'data-inferred': 'true', title: banner.note }) };
  return h('span', attrs, banner.name, banner.note === null ? null : h('small', null, ` (inferred)`));
}

/**
 * `ticker`: one line under the site's top bar. `panel`: the live panel's
 * header and class-leader boxes (the timing table sits under it).
 */
export function RaceStrip({ view, variant, link }: { view: StripView; variant: 'ticker' | 'panel'; link: string }): Node {
  const flag = flagOf(view);
  const clock = h('span', { class: 'clock', 'data-testid': 'strip-elapsed', title: 'Race time' }, formatRaceTime(view.elapsedMs));
  if (variant === 'ticker') {
    return h(
      'div',
      { class: 'strip-line' },
      badge(view),
      h('a', { class: 'strip-race', href: link }, view.race.name),
      clock,
      ...view.leaders.slice(0, 4).map((c) =>
        h('span', { key: c.class, class: 'strip-leader' }, h('b', { style: `color:${classStyle(c.class).colour}` }, c.class), ` #${c.number} ${c.driver}`),
      ),
    );
  }
  const remaining = remainingText(view);
  return h(
    'div',
    { class: 'strip-panel' },
    h(
      'header',
      null,
      badge(view),
      h('h2', null, h('a', { href: link }, view.race.name)),
      clock,
      h('span', { class: 'remaining', 'data-testid': 'strip-remaining' }, remaining === 'Finished' || remaining === '—' ? remaining : `${remaining} to go`),
      view.race.zeroTimeOfDayMs === null ? null : h('span', { class: 'tod', title: 'Time of day' }, formatTimeOfDay(view.race.zeroTimeOfDayMs + view.elapsedMs)),
      stripFlag(flagBanner(flag, view.inferred ?? null)),
    ),
    h(
      'div',
      { class: 'leaders' },
      ...view.leaders.map((c) =>
        h(
          'div',
          { key: c.class, style: `--cls:${classStyle(c.class).colour}`, 'data-testid': 'class-leader' },
          h('b', null, h('i', null), `${c.class} leader`),
          `#${c.number} ${c.team} · ${c.driver} · `,
          h('span', { 'data-testid': 'leader-laps' }, `${c.laps} laps`),
        ),
      ),
    ),
    view.latest === null ? null : h('p', { class: 'strip-feed' }, h('time', null, formatRaceTime(view.latest.raceTimeMs)), ` ${view.latest.text}`),
  );
}
