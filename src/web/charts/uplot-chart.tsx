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
}

export function UPlotChart({ options, data, height, testId }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  dataRef.current = data;

  useEffect(() => {
    const el = box.current!;
    const chart = new uPlot({ ...options, width: Math.max(200, el.clientWidth), height }, dataRef.current, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [options, height]);

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

/** Distinct line colours for the cars of one class (up to 20 before repeating). */
export const CAR_COLOURS = [
  '#4aa3ff', '#ff6b6b', '#ffd166', '#06d6a0', '#c77dff', '#f78c6b', '#83c5be', '#ef476f',
  '#a0c4ff', '#b5e48c', '#ffafcc', '#f4a261', '#90e0ef', '#e9c46a', '#cdb4db', '#2ec4b6',
  '#ff9f1c', '#8ecae6', '#d62828', '#80ed99',
];
