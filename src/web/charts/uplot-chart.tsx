/**
 * uPlot in a Preact component: created once per options object, fed new data
 * with setData (no re-creation), sized to its box with a ResizeObserver.
 * uPlot draws 10k+ points on canvas in a few milliseconds and weighs ~20 kB
 * gzipped; it is loaded only with the car and chart pages.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartProps {
  /** Built by the caller; a new object re-creates the chart (series changed). */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height: number;
  testId?: string;
  /** Write each series' label at the end of its line (lap and gap charts). */
  endLabels?: boolean;
}

/** The last index at which series `i` has a value, or -1. */
function lastIndex(u: uPlot, i: number): number {
  const column = u.data[i] ?? [];
  for (let k = column.length - 1; k >= 0; k--) if (column[k] != null) return k;
  return -1;
}

/** Labels at the line ends, nudged apart so they do not print over each other. */
function drawEndLabels(u: uPlot): void {
  const ctx = u.ctx;
  const ratio = devicePixelRatio || 1;
  const labels: Array<{ x: number; y: number; text: string; colour: string }> = [];
  u.series.forEach((series, i) => {
    if (i === 0 || series.show === false) return;
    const k = lastIndex(u, i);
    if (k < 0) return;
    const x = u.valToPos(u.data[0][k]!, 'x', true);
    const y = u.valToPos(u.data[i]![k]!, series.scale ?? 'y', true);
    labels.push({ x, y, text: String(series.label ?? ''), colour: typeof series.stroke === 'string' ? series.stroke : '#ccc' });
  });
  labels.sort((a, b) => a.y - b.y);
  const gap = 11 * ratio;
  for (let n = 1; n < labels.length; n++) if (labels[n]!.y - labels[n - 1]!.y < gap) labels[n]!.y = labels[n - 1]!.y + gap;
  ctx.save();
  ctx.font = `${10 * ratio}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  const right = u.ctx.canvas.width - 2 * ratio;
  for (const label of labels) {
    ctx.fillStyle = label.colour;
    const width = ctx.measureText(label.text).width;
    ctx.fillText(label.text, Math.min(label.x + 4 * ratio, right - width), label.y);
  }
  ctx.restore();
  // What the canvas says, readable by people's tools and the browser tests.
  u.root.dataset.endLabels = labels.map((l) => l.text).join('|');
}

/** Outside a hover the legend shows the latest values, not "--". */
function legendAtEnd(u: uPlot): void {
  if (u.cursor.idx != null) return;
  const last = (u.data[0]?.length ?? 0) - 1;
  if (last >= 0) u.setLegend({ idx: last });
}

export function UPlotChart({ options, data, height, testId, endLabels = false }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  dataRef.current = data;

  useEffect(() => {
    const el = box.current!;
    const hooks: uPlot.Hooks.Arrays = {
      ...options.hooks,
      ready: [...(options.hooks?.ready ?? []), legendAtEnd],
      setCursor: [...(options.hooks?.setCursor ?? []), legendAtEnd],
      setData: [...(options.hooks?.setData ?? []), legendAtEnd],
      draw: [...(options.hooks?.draw ?? []), ...(endLabels ? [drawEndLabels] : [])],
    };
    // Room on the right for the end labels.
    const padding: uPlot.Padding | undefined = endLabels ? [8, 40, null, null] : options.padding;
    const chart = new uPlot({ ...options, hooks, padding, width: Math.max(200, el.clientWidth), height }, dataRef.current, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [options, height, endLabels]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div ref={box} class="chart" data-testid={testId} />;
}

/** Axis and grid colours that read on the dark theme. */
export const AXIS: Partial<uPlot.Axis> = {
  stroke: '#8b98a8',
  grid: { stroke: 'rgba(139, 152, 168, 0.12)', width: 1 },
  ticks: { stroke: 'rgba(139, 152, 168, 0.25)', width: 1 },
  font: '11px system-ui, sans-serif',
};
