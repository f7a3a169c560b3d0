/**
 * Time travel: a slider over the race so far, "after N hours" shortcuts and
 * one button back to live; plus the viewer delay that holds live updates back
 * to match a TV picture.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { HOUR, MINUTE, formatRaceTime } from '../../model/time.js';
import { navigate, useStore } from '../lib/hooks.js';
import { withRoute, type Route } from '../lib/route.js';
import type { Screen } from '../lib/screen.js';

/** What the bar reads and sets: the page's Screen, or on the server (ssr.tsx) the same stores over the page's snapshot. */
export type TimeTravelSource = Pick<Screen, 'race' | 'liveRaceTimeMs' | 'travel' | 'delaySeconds'>;

export function TimeTravelBar({ screen, route }: { screen: TimeTravelSource; route: Route }) {
  const liveMs = useStore(screen.liveRaceTimeMs);
  const travel = useStore(screen.travel);
  const delay = useStore(screen.delaySeconds);
  const atMs = route.atMs;
  const live = atMs === null;
  // While dragging, show where the thumb is before the page catches up.
  const [dragMs, setDragMs] = useState<number | null>(null);
  useEffect(() => setDragMs(null), [atMs]);

  const scheduled = screen.race.scheduledDurationMs;
  const hours = Math.max(1, Math.round((scheduled ?? liveMs) / HOUR));
  const max = Math.max(liveMs, atMs ?? 0, MINUTE);
  const value = dragMs ?? atMs ?? liveMs;
  const go = (ms: number | null, replace = false): void => navigate(withRoute(route, { atMs: ms }), replace);
  // The hour buttons change once a race hour (or on a jump): the same vnode
  // every other second, so Preact skips their 24 buttons (the bar re-renders
  // every race minute, each second at 60x replay).
  const reachedHours = Math.floor(liveMs / HOUR);
  const hourButtons = useMemo(
    () => (
      <nav class="hours" aria-label="After N hours">
        <span class="label">After</span>
        {Array.from({ length: hours }, (_, i) => i + 1).map((h) => {
          const ms = h * HOUR;
          return (
            <button
              type="button"
              key={h}
              class={atMs === ms ? 'on' : ''}
              disabled={h > reachedHours}
              onClick={() => go(ms)}
              data-testid={`after-${h}h`}
              title={`Positions after ${h} hour${h === 1 ? '' : 's'}`}
            >
              {h}h
            </button>
          );
        })}
      </nav>
    ),
    [hours, reachedHours, atMs, route],
  );

  return (
    <footer class="travel-bar" aria-label="Time travel">
      <button
        type="button"
        class={`live-btn${live ? ' on' : ''}`}
        onClick={() => go(null)}
        data-testid="back-to-live"
        title="Back to live timing"
      >
        ● Live
      </button>
      <div class="slider">
        <input
          type="range"
          min={0}
          max={max}
          step={MINUTE}
          value={value}
          aria-label="Race time shown"
          data-testid="slider"
          onInput={(e) => setDragMs(Number((e.target as HTMLInputElement).value))}
          onChange={(e) => {
            const ms = Number((e.target as HTMLInputElement).value);
            go(ms >= liveMs ? null : ms, true);
          }}
        />
        <output data-testid="shown-at">
          {live && dragMs === null ? 'Live' : formatRaceTime(value)}
          {travel.loading ? ' …' : ''}
          {travel.error !== null ? ' (failed)' : ''}
        </output>
      </div>
      {hourButtons}
      <label class="delay" title="Hold live updates back to match a TV broadcast">
        Delay
        <input
          type="number"
          min={0}
          max={600}
          step={1}
          value={delay}
          data-testid="delay"
          onChange={(e) => {
            const seconds = Math.round(Number((e.target as HTMLInputElement).value));
            screen.delaySeconds.set(Number.isFinite(seconds) ? Math.min(600, Math.max(0, seconds)) : 0);
          }}
        />
        s
      </label>
    </footer>
  );
}
