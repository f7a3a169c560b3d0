/**
 * The site's live surfaces and the charts' pure helpers, in Node:
 * - the race strip (src/web/live/race-strip.ts) rendered on the server is
 *   the page's snapshot, with the class colours of model/classes.ts (the one
 *   definition) and a badge that never says LIVE after the flag;
 * - reports are dated by race time, not the wall clock;
 * - the lap and gap charts get one colour per car, never repeated and
 *   perceptually apart, and a gap axis that holds every line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { classStyle } from '../src/model/classes.js';
import type { CarStanding, Standings } from '../src/model/standings.js';
import { homePage, stripView, type LiveSummary, type PageContext } from '../src/server/site/pages.js';
import type { Article } from '../src/store/content.js';
import { carColours, gapCeiling } from '../src/web/charts/chart-data.js';
import { parseRoute, formatRoute } from '../src/web/lib/route.js';
import { standingsAt } from '../src/engine/standings.js';
import { foldEvents } from '../src/engine/timeline.js';
import type { FeedStatus, LiveSnapshot } from '../src/model/live.js';
import { applyDelta, fromSnapshot } from '../src/web/lib/live-state.js';
import { classLeaders, feedStalled, modeText, RaceStrip, resultStands, viewMode } from '../src/web/live/race-strip.js';
import { entry, session, steadyLaps } from './helpers.js';

function car(number: string, cls: string, laps: number, driver = 'Kamui KOBAYASHI'): CarStanding {
  return { number, class: cls, team: `Team ${number}`, driver, laps } as unknown as CarStanding;
}

const RACE = { id: 'lemans-2019', name: 'Le Mans 24 Hours 2019', scheduledDurationMs: 24 * 3_600_000, zeroTimeOfDayMs: 15 * 3_600_000 };

function live(chequeredMs: number | null, raceTimeMs: number): LiveSummary {
  const standings: Standings = {
    at: { raceTimeMs },
    flag: 'unknown',
    chequeredMs,
    cars: [car('7', 'LMP1', 81), car('8', 'LMP1', 81), car('36', 'LMP2', 79, 'Pierre THIRIET'), car('26', 'LMP2', 78), car('63', 'LMGTE Pro', 70, 'Jan MAGNUSSEN')],
  };
  return { race: RACE, standings, raceTimeMs, running: chequeredMs === null, latest: null };
}

const ctx = (liveRace: LiveSummary | null): PageContext => ({ user: null, csrf: 't', baseUrl: 'http://x', path: '/', liveRace });

describe('the race strip', () => {
  it('the badge is never LIVE after the chequered flag, whatever the connection', () => {
    assert.equal(viewMode({ travelling: false, connection: 'live', delaySeconds: 0, finished: true }), 'finished');
    assert.equal(viewMode({ travelling: false, connection: 'live', delaySeconds: 0, finished: false }), 'live');
    assert.equal(viewMode({ travelling: false, connection: 'live', delaySeconds: 30, finished: false }), 'delayed');
    assert.equal(viewMode({ travelling: true, connection: 'live', delaySeconds: 0, finished: true }), 'travel');
    assert.equal(viewMode({ travelling: false, connection: 'live', delaySeconds: 0, finished: false, stalled: true }), 'stalled');
    assert.equal(viewMode({ travelling: false, connection: 'reconnecting', delaySeconds: 0, finished: false }), 'reconnecting');
    const finished = renderToString(h(RaceStrip, { view: stripView(live(24 * 3_600_000, 24 * 3_600_000 + 5000)), variant: 'panel', link: '/races/x' }));
    assert.doesNotMatch(finished, />Live</);
    assert.match(finished, />Finished</);
    assert.match(finished, /Chequered flag/);
    const running = renderToString(h(RaceStrip, { view: stripView(live(null, 2 * 3_600_000)), variant: 'panel', link: '/races/x' }));
    assert.match(running, /22:00:00 to go/);
    assert.match(running, /17:00:00/, 'time of day');
  });

  it('leaders: the first car of each class in overall order, classes fastest first', () => {
    const leaders = classLeaders([car('63', 'LMGTE Pro', 70), car('36', 'LMP2', 79), car('7', 'LMP1', 81), car('26', 'LMP2', 80)]);
    assert.deepEqual(leaders.map((l) => `${l.class} #${l.number} ${l.laps}`), ['LMP1 #7 81', 'LMP2 #36 79', 'LMGTE Pro #63 70']);
  });

  it('the site page carries the strip as a hydratable snapshot, in the one set of class colours', () => {
    const page = homePage(ctx(live(null, 2 * 3_600_000)), []);
    assert.match(page, /data-live-strip="ticker"/);
    assert.match(page, /data-live-strip="panel"/);
    assert.match(page, /<script type="module" src="\/timing\/site-live.js"><\/script>/);
    for (const cls of ['LMP1', 'LMP2', 'LMGTE Pro']) assert.ok(page.includes(classStyle(cls).colour), `${cls} in ${classStyle(cls).colour}`);
    assert.match(page, /LMP2 leader<\/b>#36 Team 36 · Thiriet · <span data-testid="leader-laps">79 laps/);
    // Shown once: the embedded timing screen draws no second header (route embed=1).
    assert.equal(page.match(/No flag data in this feed/g)?.length, 1);
    assert.match(page, /\/timing\/#\/\?race=lemans-2019&(amp;)?embed=1/);
    assert.equal(parseRoute('#/?race=lemans-2019&embed=1').embed, true);
    assert.equal(formatRoute(parseRoute('#/charts?race=a&embed=1')), '#/charts?race=a&embed=1');
  });

  it('hourly reports are dated by their race time, not the wall clock of a replay', () => {
    const report = { id: 1, slug: 'r', kind: 'report', status: 'published', headline: 'After 3 hours', standfirst: 's', bodyMd: 'b', byline: 'desk', tags: [], race: 'lemans-2019', hour: 3, publishedAtMs: Date.UTC(2026, 10, 30, 19, 0), updatedAtMs: 0, correctedAtMs: null, createdAtMs: 0 } as unknown as Article;
    const page = homePage(ctx(null), [report, { ...report, id: 2, slug: 'r2', hour: 4 }]);
    assert.match(page, /race time 3:00:00/);
    assert.match(page, /race time 4:00:00/);
    assert.doesNotMatch(page, /30 Nov 2026/);
  });
});

describe('page states (issue 15: live, delayed, time travel, finished, final, stalled feed)', () => {
  // A 250 s race: #1 (100 s laps) takes the flag at 300 s, #2 (110 s laps) is still on its way until 330 s.
  const timeline = foldEvents([session({ scheduledDurationMs: 250_000 }), entry('1', 'LMP2'), entry('2', 'LMP2'), ...steadyLaps('1', 3, 100_000), ...steadyLaps('2', 3, 110_000)]);

  it('finished while a car is still running to the line, final once every car has its result', () => {
    const coming = standingsAt(timeline, 310_000);
    assert.equal(coming.chequeredMs, 300_000);
    assert.equal(resultStands(coming.cars), false, '#2 has not crossed yet');
    const home = standingsAt(timeline, 331_000);
    assert.equal(resultStands(home.cars), true);
    assert.equal(resultStands(standingsAt(timeline, 200_000).cars), false, 'before the flag');
    assert.equal(resultStands([]), false, 'no car, no result');
    const mode = (cars: typeof home.cars) => viewMode({ travelling: false, connection: 'live', delaySeconds: 0, finished: true, resultStands: resultStands(cars) });
    assert.equal(mode(coming.cars), 'finished');
    assert.equal(mode(home.cars), 'final');
    assert.equal(modeText('final', 0), 'Final result');
    // The server's snapshot of the site strip says the same.
    const summary: LiveSummary = { race: RACE, standings: home, raceTimeMs: 331_000, running: false, latest: null };
    assert.match(renderToString(h(RaceStrip, { view: stripView(summary), variant: 'ticker', link: '/' })), /data-testid="strip-mode">Final result</);
    assert.match(renderToString(h(RaceStrip, { view: stripView({ ...summary, standings: coming, raceTimeMs: 310_000 }), variant: 'ticker', link: '/' })), /data-testid="strip-mode">Finished</);
  });

  it('each state has its own words, and time travel wins over all', () => {
    const base = { travelling: false, connection: 'live' as const, delaySeconds: 0, finished: false };
    const texts = [
      modeText(viewMode(base), 0),
      modeText(viewMode({ ...base, delaySeconds: 60 }), 60),
      modeText(viewMode({ ...base, travelling: true, finished: true, resultStands: true, stalled: true }), 0),
      modeText(viewMode({ ...base, finished: true }), 0),
      modeText(viewMode({ ...base, finished: true, resultStands: true }), 0),
      modeText(viewMode({ ...base, stalled: true, delaySeconds: 60 }), 60),
    ];
    assert.deepEqual(texts, ['Live', 'Live −60s', 'Time travel', 'Finished', 'Final result', 'Feed stalled']);
  });

  it('a stalled feed reaches the screen: from the snapshot, and from a status-only delta', () => {
    const standings = standingsAt(timeline, 200_000);
    const stalled: FeedStatus = { source: 'rmonitor', state: 'stalled', sinceMs: 1, detail: '', text: 'feed stalled since 14:03:12 UTC' };
    const snapshot: LiveSnapshot = { seq: 4, race: RACE, raceTimeMs: 200_000, flag: 'green', chequeredMs: null, cars: standings.cars, messages: [] };
    const state = fromSnapshot({ ...snapshot, feed: stalled });
    assert.equal(feedStalled(state), true);
    const fresh = fromSnapshot(snapshot);
    assert.equal(feedStalled(fresh), false, 'a replay has no feed status');
    applyDelta(fresh, { seq: 4, previousSeq: 4, raceTimeMs: 200_000, cars: [], feed: stalled });
    assert.equal(feedStalled(fresh), true);
    assert.equal(fresh.feed?.text, 'feed stalled since 14:03:12 UTC');
    applyDelta(fresh, { seq: 4, previousSeq: 4, raceTimeMs: 200_000, cars: [], feed: { ...stalled, state: 'live', text: 'live' } });
    assert.equal(feedStalled(fresh), false, 'live again when the source speaks');
  });
});

describe('chart helpers', () => {
  /** OKLab of an sRGB hex colour (Ottosson 2020), for a distance independent of how the palette was made. */
  function oklab(hex: string): [number, number, number] {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
    const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
    const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
    const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
    return [0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s, 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s, 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s];
  }

  it('one colour per car, none repeated, every pair apart up to 20 cars (ΔE OK ≥ 0.07), all light enough for the dark theme', () => {
    for (const n of [2, 5, 9, 12, 17, 20, 26]) {
      const colours = carColours(n);
      assert.equal(colours.length, n);
      assert.equal(new Set(colours).size, n, `${n} cars: a colour repeated`);
      let min = Infinity;
      for (let i = 0; i < n; i++) {
        assert.ok(oklab(colours[i]!)[0] >= 0.6, `${colours[i]} too dark`);
        for (let j = i + 1; j < n; j++) {
          const [a, b] = [oklab(colours[i]!), oklab(colours[j]!)];
          min = Math.min(min, Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]));
        }
      }
      if (n <= 20) assert.ok(min >= 0.07, `${n} cars: closest pair ΔE ${min.toFixed(3)}`);
    }
  });

  it('the gap axis holds every gap', () => {
    const data = { cars: [], hours: [0, 1, 2], gaps: [[0, 0, 0], [10, 30, 50], [100, 900, 7200]] };
    assert.ok(gapCeiling(data as never) >= 7200);
    assert.equal(gapCeiling({ cars: [], hours: [], gaps: [] } as never), 60);
  });
});
