/**
 * One car: where it is now (or at the instant shown), its lap times with
 * pit stops and flag periods marked, its stints and stops, and its drivers'
 * time at the wheel against the regulations.
 */
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import type { PitStop } from '../../analysis/pits.js';
import type { DriverRuleCheck } from '../../analysis/rules.js';
import type { CarStint } from '../../analysis/stints.js';
import { formatGap } from '../../model/format.js';
import type { CarStanding } from '../../model/standings.js';
import { formatDuration, formatLapTime, formatRaceTime, formatTimeOfDay } from '../../model/time.js';
import type { PageProps } from '../app.js';
import type { RaceInfo } from '../../model/live.js';
import { atParam, getJson, raceUrl, serverHas } from '../lib/api.js';
import { classStyle } from '../../model/classes.js';
import { useAsync, useDerived } from '../lib/hooks.js';
import { withRoute } from '../lib/route.js';
import { STATUS_TITLE } from '../timing/cells.js';
import { AXIS, UPlotChart } from '../charts/uplot-chart.js';
import { loadCarPage } from '../analysis/local.js';
import { flagLapRanges, lapTimeRange, readFlags, type CarLap, type CarPageData, type FlagSpan } from './car-data.js';

const LIVE_REFRESH_MS = 15_000;

export default function CarPage({ screen, route }: PageProps) {
  const car = route.car!;
  const refresh = route.atMs === null ? LIVE_REFRESH_MS : null;
  const detail = useAsync((signal) => loadCarPage(screen.race, car, route.atMs, signal), [screen.race, car, route.atMs], refresh);
  const flagsJson = useAsync((signal) => loadFlags(screen.race, route.atMs, signal), [screen.race, route.atMs], refresh);
  const flags = useMemo(() => readFlags(flagsJson.data), [flagsJson.data]);
  const standing = useDerived(screen.shown, (shown) => carIn(shown?.state.cars, car), sameStanding, [car]);
  // 'unknown' once the race is known and this car is not in it: said at once, not after a failed load.
  const known = useDerived(screen.shown, (shown) => (shown === null ? 'loading' : shown.state.cars.has(car) ? 'yes' : 'unknown'), Object.is, [car]);
  const data = detail.data;

  if (known === 'unknown') {
    return (
      <div class="page car-page" data-testid="car-unknown">
        <p class="notice" role="alert">
          No car #{car} in {screen.race.name}. <a href={withRoute(route, { page: 'timing', car: null })}>Back to the timing screen</a>
        </p>
      </div>
    );
  }

  if (detail.error !== null && data === null) {
    return (
      <div class="page car-page">
        <p class="notice">
          No data for car {car} ({detail.error}). <a href={withRoute(route, { page: 'timing', car: null })}>Back to the timing screen</a>
        </p>
      </div>
    );
  }

  return (
    <div class="page car-page" data-testid="car-page">
      <CarHeader car={car} standing={standing} />
      {data === null ? (
        <p class="notice">Loading car {car}…</p>
      ) : (
        <>
          <section class="card">
            <h2>Lap times</h2>
            <LapTimeChart laps={data.laps} stops={data.pitStops} flags={flags} colour={classStyle(standing?.class ?? '').colour} />
            <p class="legend">
              <span class="key pit" /> pit stop (in-lap)
              {flags !== null ? (
                <>
                  <span class="key sc" /> safety car <span class="key fcy" /> full course yellow <span class="key red" /> red flag
                  {flags.some((f) => f.inferred) ? <span class="muted"> · probable, inferred from lap times (no flags in this feed)</span> : null}
                </>
              ) : (
                <span class="muted"> · flags are not in this timing feed</span>
              )}
              <span class="muted"> · laps far slower than usual are cut off at the top</span>
            </p>
          </section>
          <div class="two">
            <section class="card">
              <h2>Drivers: time at the wheel</h2>
              <DriveTime data={data} current={standing?.driverNumber ?? null} />
            </section>
            <section class="card">
              <h2>Stints</h2>
              <StintsTable stints={data.carStints} />
            </section>
          </div>
          <section class="card">
            <h2>Pit stops</h2>
            <PitStopsTable stops={data.pitStops} />
          </section>
        </>
      )}
    </div>
  );
}

/** Flag periods (GET …/flag-periods) when the server has them, else its flag changes (…/flags). */
async function loadFlags(race: RaceInfo, atMs: number | null, signal: AbortSignal): Promise<unknown> {
  const at = atMs === null ? '' : `?at=${atParam(atMs)}`;
  const path = (await serverHas(['/api/races/{race}/flag-periods'])) ? '/flag-periods' : '/flags';
  return getJson<unknown>(raceUrl(race.id, `${path}${at}`), signal);
}

/** A copy of the car's standing (the live state is mutated in place), or null when the car is not in the race. */
function carIn(cars: Map<string, CarStanding> | undefined, car: string): CarStanding | null {
  const standing = cars?.get(car);
  return standing === undefined ? null : { ...standing };
}

function sameStanding(a: CarStanding | null, b: CarStanding | null): boolean {
  if (a === null || b === null) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

function CarHeader({ car, standing }: { car: string; standing: CarStanding | null }) {
  const style = classStyle(standing?.class ?? '');
  return (
    <section class="car-head">
      <span class="panel" style={`--cls:${style.colour};--ink:${style.ink}`}>
        {car}
      </span>
      <div class="who">
        <h2>{standing?.team ?? `Car ${car}`}</h2>
        <p class="muted">
          {standing === null ? '' : `${standing.class} · ${standing.manufacturer}`}
          {standing?.driver ? ` · at the wheel: ${standing.driver}` : ''}
        </p>
      </div>
      {standing !== null && (
        <dl class="facts">
          <div>
            <dt>Position</dt>
            <dd>{standing.position}</dd>
          </div>
          <div>
            <dt>In class</dt>
            <dd>{standing.classPosition}</dd>
          </div>
          <div>
            <dt>Laps</dt>
            <dd>{standing.laps}</dd>
          </div>
          <div>
            <dt>Gap</dt>
            <dd>{formatGap(standing.gap) || 'Leader'}</dd>
          </div>
          <div>
            <dt>Class gap</dt>
            <dd>{formatGap(standing.classGap) || 'Leader'}</dd>
          </div>
          <div>
            <dt>Best lap</dt>
            <dd>{standing.bestLapMs === null ? '' : formatLapTime(standing.bestLapMs)}</dd>
          </div>
          <div>
            <dt>Stops</dt>
            <dd>{standing.pitStops}</dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd class={`status st-${standing.status}`}>{STATUS_TITLE[standing.status]}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}

const FLAG_FILL: Record<string, string> = {
  'safety-car': 'rgba(255, 214, 10, 0.20)',
  fcy: 'rgba(255, 170, 0, 0.16)',
  red: 'rgba(255, 77, 79, 0.25)',
};

function LapTimeChart({ laps, stops, flags, colour }: { laps: CarLap[]; stops: PitStop[]; flags: FlagSpan[] | null; colour: string }) {
  const [lo, hi] = lapTimeRange(laps);
  const bands = flagLapRanges(flags, laps);
  const inLaps = stops.map((s) => s.inLap);
  const options = useMemo((): Omit<uPlot.Options, 'width' | 'height'> => {
    return {
      scales: { x: { time: false }, y: { range: () => [lo / 1000, hi / 1000] } },
      legend: { live: true },
      cursor: { points: { size: 7 } },
      axes: [
        { ...AXIS, label: 'Lap', labelSize: 16, labelFont: AXIS.font },
        { ...AXIS, size: 62, values: (_u, ticks) => ticks.map((t) => formatLapTime(t * 1000).replace(/\.\d+$/, '')) },
      ],
      series: [
        { label: 'Lap' },
        {
          label: 'Lap time',
          stroke: colour,
          width: 1.5,
          points: { show: true, size: 3, fill: colour },
          value: (_u, v) => (v === null ? '' : formatLapTime(v * 1000)),
        },
      ],
      hooks: {
        drawClear: [
          (u) => {
            // Flag periods under the line.
            const { ctx, bbox } = u;
            for (const band of bands) {
              const x0 = u.valToPos(band.fromLap, 'x', true);
              const x1 = u.valToPos(band.toLap, 'x', true);
              ctx.fillStyle = FLAG_FILL[band.flag] ?? 'rgba(255,255,255,0.08)';
              ctx.fillRect(x0, bbox.top, Math.max(2, x1 - x0), bbox.height);
            }
          },
        ],
        draw: [
          (u) => {
            // Pit stops: a yellow line at each in-lap, and an arrow for laps off the scale.
            const { ctx, bbox } = u;
            ctx.save();
            ctx.strokeStyle = 'rgba(255, 214, 10, 0.75)';
            ctx.setLineDash([3, 3]);
            ctx.lineWidth = 1;
            for (const lap of inLaps) {
              const x = Math.round(u.valToPos(lap, 'x', true)) + 0.5;
              if (x < bbox.left || x > bbox.left + bbox.width) continue;
              ctx.beginPath();
              ctx.moveTo(x, bbox.top);
              ctx.lineTo(x, bbox.top + bbox.height);
              ctx.stroke();
            }
            ctx.setLineDash([]);
            ctx.fillStyle = '#8b98a8';
            for (const lap of laps) {
              if (lap.lapMs <= hi) continue;
              const x = u.valToPos(lap.lap, 'x', true);
              const y = bbox.top + 2 * devicePixelRatio;
              ctx.beginPath();
              ctx.moveTo(x, y);
              ctx.lineTo(x - 3 * devicePixelRatio, y + 5 * devicePixelRatio);
              ctx.lineTo(x + 3 * devicePixelRatio, y + 5 * devicePixelRatio);
              ctx.fill();
            }
            ctx.restore();
          },
        ],
      },
    };
  }, [lo, hi, colour, bands.map((b) => `${b.flag}${b.fromLap}-${b.toLap}`).join(), inLaps.join()]);
  const data = useMemo((): uPlot.AlignedData => [laps.map((l) => l.lap), laps.map((l) => l.lapMs / 1000)], [laps]);
  if (laps.length === 0) return <p class="muted">No lap completed yet.</p>;
  return <UPlotChart options={options} data={data} height={300} testId="lap-chart" />;
}

const STATUS_TEXT: Record<DriverRuleCheck['status'], string> = {
  done: 'Minimum done',
  'on-track': 'On track',
  'at-risk': 'At risk',
  'over-max': 'Over the maximum',
  missed: 'Minimum missed',
};

function DriveTime({ data, current }: { data: CarPageData; current: number | null }) {
  const drive = data.driveTime;
  if (drive === null || drive.drivers.length === 0) return <p class="muted">No lap completed yet.</p>;
  const checks = new Map((data.checks ?? []).map((c) => [c.driver.number, c]));
  // The bar scale: the largest of the maximum allowed and the most driven.
  const maxRule = Math.max(0, ...(data.checks ?? []).map((c) => c.maxMs ?? 0));
  const scale = Math.max(maxRule, ...drive.drivers.map((d) => d.driveMs), 1);
  return (
    <div class="drivers" tabIndex={0} role="region" aria-label="Drive time by driver">
      <table class="data">
        <thead>
          <tr>
            <th>Driver</th>
            <th class="r">Drive time</th>
            <th class="r">Share</th>
            <th class="r">Laps</th>
            <th>{data.checks === null ? 'Share of the race' : 'Against the rules'}</th>
          </tr>
        </thead>
        <tbody>
          {drive.drivers.map((d) => {
            const check = checks.get(d.driver.number);
            return (
              <tr key={d.driver.number} class={d.driver.number === current ? 'current' : ''}>
                <td>
                  {d.driver.displayName}
                  {d.driver.category ? <span class="muted"> · {d.driver.category}</span> : null}
                  {d.driver.number === current ? <span class="pill at-wheel">at the wheel</span> : null}
                </td>
                <td class="r">{formatDuration(d.driveMs)}</td>
                <td class="r">{Math.round(d.share * 100)}%</td>
                <td class="r">{d.laps}</td>
                <td class="rule">
                  <div class="bar" title={check ? ruleTitle(check) : ''}>
                    <span class={`fill ${check?.status ?? ''}`} style={`width:${(100 * d.driveMs) / scale}%`} />
                    {check?.minimumMs != null && <i class="min" style={`left:${(100 * check.minimumMs) / scale}%`} />}
                    {check?.maxMs != null && <i class="max" style={`left:${(100 * check.maxMs) / scale}%`} />}
                  </div>
                  {check !== undefined && (
                    <span class={`rule-status ${check.status}`} data-testid="rule-status">
                      {ruleNumbers(check)}
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="legend muted">
        Pit lane time does not count.{' '}
        {data.checks === null
          ? 'No regulation profile on the server: limits are not shown.'
          : `Rules: ${data.rulesName ?? 'regulation profile'} — tick marks show the minimum (white) and maximum (red).`}
      </p>
    </div>
  );
}

/** The status with its numbers, as the CLI writes them (cli/drivers.ts): "On track · 4h05m to go". */
export function ruleNumbers(c: DriverRuleCheck): string {
  const parts = [STATUS_TEXT[c.status]];
  if (c.toMinimumMs > 0) parts.push(`${formatDuration(c.toMinimumMs)} to go`);
  if (c.status === 'at-risk' && c.availableMs !== null) parts.push(`${formatDuration(c.availableMs)} available`);
  if (c.overMax === 'total' && c.maxMs !== null) parts.push(`${formatDuration(c.driveMs - c.maxMs)} over`);
  return parts.join(' · ');
}

function ruleTitle(c: DriverRuleCheck): string {
  const parts = [`${formatDuration(c.driveMs)} driven`];
  if (c.minimumMs !== null) parts.push(`minimum ${formatDuration(c.minimumMs)}${c.toMinimumMs > 0 ? ` (${formatDuration(c.toMinimumMs)} to go)` : ''}`);
  if (c.maxMs !== null) parts.push(`maximum ${formatDuration(c.maxMs)}`);
  if (c.window !== null) parts.push(`at most ${formatDuration(c.window.maxMs)} in any ${formatDuration(c.window.lengthMs)} (worst ${formatDuration(c.window.worstMs)})`);
  return parts.join(' · ');
}

function StintsTable({ stints }: { stints: CarStint[] }) {
  if (stints.length === 0) return <p class="muted">No stint yet.</p>;
  return (
    <div class="scroll" tabIndex={0} role="region" aria-label="Stints">
      <table class="data" data-testid="stints">
        <thead>
          <tr>
            <th class="r">#</th>
            <th>Driver</th>
            <th class="r">Laps</th>
            <th class="r">From</th>
            <th class="r">Length</th>
            <th class="r">Best</th>
            <th class="r">Pace</th>
          </tr>
        </thead>
        <tbody>
          {stints.map((s) => (
            <tr key={s.number} class={s.open ? 'current' : ''}>
              <td class="r">{s.number}</td>
              <td>{s.drivers.map((d) => d.displayName).join(', ')}</td>
              <td class="r" title={`laps ${s.startLap}–${s.endLap}`}>
                {s.laps}
              </td>
              <td class="r">{formatRaceTime(s.startMs)}</td>
              <td class="r">{formatDuration(s.endMs - s.startMs)}</td>
              <td class="r">{Number.isFinite(s.bestLapMs) ? formatLapTime(s.bestLapMs) : ''}</td>
              <td class="r" title={s.pace.basis === 'green-laps' ? 'median of green-flag laps' : 'median of laps outside inferred safety car/FCY (no flags in the file)'}>
                {s.pace.medianLapMs === null ? '' : formatLapTime(s.pace.medianLapMs)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PitStopsTable({ stops }: { stops: PitStop[] }) {
  if (stops.length === 0) return <p class="muted">No pit stop yet.</p>;
  return (
    <div class="scroll" tabIndex={0} role="region" aria-label="Pit stops">
      <table class="data" data-testid="pit-stops">
        <thead>
          <tr>
            <th class="r">Stop</th>
            <th class="r">In lap</th>
            <th class="r">Race time</th>
            <th class="r">Time of day</th>
            <th class="r">Pit lane</th>
            <th>Driver</th>
            <th>Note</th>
          </tr>
        </thead>
        <tbody>
          {stops.map((s) => (
            <tr key={s.number} class={s.long ? 'long' : ''}>
              <td class="r">{s.number}</td>
              <td class="r">{s.inLap}</td>
              <td class="r">{formatRaceTime(s.inMs)}</td>
              <td class="r">{s.inTimeOfDayMs === null ? '' : formatTimeOfDay(s.inTimeOfDayMs)}</td>
              <td class="r">{s.pitLaneMs === null ? `${formatLapTime(s.elapsedMs)}…` : formatLapTime(s.pitLaneMs)}</td>
              <td>
                {s.driverChange ? `${s.driverIn.displayName} → ${s.driverOut?.displayName ?? ''}` : s.driverIn.displayName}
              </td>
              <td>{stopNote(s)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function stopNote(s: PitStop): string {
  const notes: string[] = [];
  if (s.outMs === null) notes.push('in the pits');
  if (s.long && s.lostMs !== null) notes.push(`long stop: lost ${formatDuration(s.lostMs)}`);
  if (s.flagAtEntry === 'safety-car') notes.push('under safety car');
  else if (s.flagAtEntry === 'fcy') notes.push('under full course yellow');
  else if (s.flagAtEntry === 'red') notes.push('under red flag');
  return notes.join(' · ');
}
