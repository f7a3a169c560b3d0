/**
 * Race charts for one class: the lap chart (position after every lap), the
 * gap to the class leader over time, and the strategy chart (stints by
 * driver). Everything follows the instant shown (time travel) and refreshes
 * while live.
 */
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import type { CarHistory } from '../../analysis/history.js';
import type { CarStints } from '../../analysis/stints.js';
import { formatLapTime, formatRaceTime, HOUR } from '../../model/time.js';
import type { PageProps } from '../app.js';
import type { RaceInfo } from '../../model/live.js';
import { chartData, type ChartData } from '../analysis/local.js';
import { atParam, getJson, raceUrl, serverHas } from '../lib/api.js';
import { classStyle } from '../../model/classes.js';
import { sameList, useAsync, useDerived } from '../lib/hooks.js';
import { withRoute } from '../lib/route.js';
import { classesOf } from '../lib/live-state.js';
import { carColours, gapCeiling, gapChartData, lapChartData, strategyRows } from './chart-data.js';
import { StrategyChart } from './strategy-chart.js';
import { AXIS, UPlotChart } from './uplot-chart.js';

const LIVE_REFRESH_MS = 30_000;

/**
 * The lap chart and stints at `at`: from the server's analysis endpoints
 * (GET …/history, …/stints) when it has them, else computed in the browser
 * from the stored events (analysis/local.ts).
 */
function useChartData(race: RaceInfo, atMs: number | null): { data: ChartData | null; error: string | null } {
  const at = atMs === null ? '' : `?at=${atParam(atMs)}`;
  return useAsync(
    async (signal) => {
      if (!(await serverHas(['/api/races/{race}/history', '/api/races/{race}/stints']))) return chartData(race, atMs, signal);
      const [history, stints] = await Promise.all([
        getJson<{ lapChart: CarHistory[] }>(raceUrl(race.id, `/history${at}`), signal),
        getJson<CarStints[] | { stints: CarStints[] }>(raceUrl(race.id, `/stints${at}`), signal),
      ]);
      return { lapChart: history.lapChart, stints: Array.isArray(stints) ? stints : stints.stints };
    },
    [race, atMs],
    atMs === null ? LIVE_REFRESH_MS : null,
  );
}

export default function ChartsPage({ screen, route }: PageProps) {
  const classes = useDerived(screen.shown, (shown) => (shown === null ? [] : classesOf(shown.state)), sameList);
  const className = route.className ?? classes[0] ?? null;
  const order = useDerived(screen.shown, (shown) => shown?.state.order ?? [], sameList);
  const classOf = (car: string): string | undefined => screen.shown.get()?.state.cars.get(car)?.class;
  const charts = useChartData(screen.race, route.atMs);
  const endMs = route.atMs ?? screen.liveRaceTimeMs.get();

  if (className === null) return <p class="notice">Waiting for the race…</p>;
  if (classes.length > 0 && !classes.includes(className)) {
    return (
      <div class="page charts-page" data-testid="class-unknown">
        <p class="notice" role="alert">
          No class “{className}” in {screen.race.name}. Pick one of {classes.join(', ')} above, or{' '}
          <a href={withRoute(route, { className: null })}>go back to the first class</a>.
        </p>
      </div>
    );
  }
  const lapChart = charts.data?.lapChart ?? null;
  const stintList = charts.data?.stints ?? null;
  const rows = stintList === null ? [] : strategyRows(stintList, className, order, classOf);

  return (
    <div class="page charts-page" data-testid="charts-page">
      <h2 class="page-title">
        <i style={`background:${classStyle(className).colour}`} /> {className}
        {route.className === null && <span class="muted"> — pick another class above</span>}
      </h2>
      <section class="card">
        <h2>Lap chart: position in class after every lap</h2>
        {lapChart === null ? <Pending error={charts.error} /> : <LapChart histories={lapChart} className={className} />}
      </section>
      <section class="card">
        <h2>Gap to the class leader</h2>
        {lapChart === null ? <Pending error={charts.error} /> : <GapChart histories={lapChart} className={className} />}
      </section>
      <section class="card">
        <h2>Strategy: stints and drivers</h2>
        {stintList === null ? (
          <Pending error={charts.error} />
        ) : (
          <StrategyChart rows={rows} endMs={Math.max(endMs, 60_000, ...rows.flatMap((r) => r.bars.map((b) => b.endMs)))} />
        )}
      </section>
    </div>
  );
}

function Pending({ error }: { error: string | null }) {
  return <p class="muted">{error === null ? 'Loading…' : `Not available (${error}).`}</p>;
}

function carSeries(label: string, colour: string, format: (v: number) => string): uPlot.Series {
  return {
    label,
    stroke: colour,
    width: 1.5,
    spanGaps: false,
    points: { show: false },
    value: (_u, v) => (v === null ? '' : format(v)),
  };
}

function LapChart({ histories, className }: { histories: CarHistory[]; className: string }) {
  const chart = useMemo(() => lapChartData(histories, className), [histories, className]);
  const carsKey = chart.cars.map((c) => c.car).join();
  const colours = carColours(chart.cars.length);
  const options = useMemo(
    (): Omit<uPlot.Options, 'width' | 'height'> => ({
      scales: { x: { time: false }, y: { dir: -1, range: (_u, _min, max) => [0.5, Math.max(2, max) + 0.5] } },
      legend: { live: true },
      axes: [
        { ...AXIS, label: 'Lap', labelSize: 16, labelFont: AXIS.font },
        { ...AXIS, size: 34, incrs: [1, 2, 5, 10], values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? `P${t}` : '')) },
      ],
      series: [{ label: 'Lap' }, ...chart.cars.map((c, i) => carSeries(`#${c.car}`, colours[i]!, (v) => `P${v}`))],
    }),
    [carsKey],
  );
  const data = useMemo((): uPlot.AlignedData => [chart.laps, ...chart.positions], [chart]);
  return <UPlotChart options={options} data={data} height={Math.min(520, 160 + chart.cars.length * 14)} testId="lap-position-chart" endLabels />;
}

function GapChart({ histories, className }: { histories: CarHistory[]; className: string }) {
  const chart = useMemo(() => gapChartData(histories, className), [histories, className]);
  const ceiling = gapCeiling(chart);
  const carsKey = chart.cars.map((c) => c.car).join();
  const colours = carColours(chart.cars.length);
  const options = useMemo(
    (): Omit<uPlot.Options, 'width' | 'height'> => ({
      scales: { x: { time: false }, y: { dir: -1, range: () => [0, ceiling] } },
      legend: { live: true },
      axes: [
        {
          ...AXIS,
          label: 'Race time',
          labelSize: 16,
          labelFont: AXIS.font,
          // Whole quarter hours and up, written as a race clock (5:30, not 5.5h).
          incrs: [0.25, 0.5, 1, 2, 3, 4, 6, 12],
          values: (_u, ticks) => ticks.map((t) => formatRaceTime(t * HOUR).replace(/:00$/, '')),
        },
        { ...AXIS, size: 62, values: (_u, ticks) => ticks.map((t) => formatLapTime(t * 1000).replace(/\.\d+$/, '')) },
      ],
      series: [{ label: 'Race time', value: (_u, v) => (v === null ? '' : formatRaceTime(v * HOUR)) }, ...chart.cars.map((c, i) => carSeries(`#${c.car}`, colours[i]!, (v) => `+${formatLapTime(v * 1000)}`))],
    }),
    [carsKey, Math.round(ceiling)],
  );
  const data = useMemo((): uPlot.AlignedData => [chart.hours, ...chart.gaps], [chart]);
  return (
    <>
      <UPlotChart options={options} data={data} height={340} testId="gap-chart" endLabels />
      <p class="legend muted">Leader at the top, every car inside the plot; drag across the chart to zoom in on a period, double-click to zoom out.</p>
    </>
  );
}
