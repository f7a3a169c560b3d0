/**
 * Strategy chart: one bar per car across race time, a block per stint
 * coloured by the driver in the car, the gaps between blocks being the stops.
 * Plain canvas: a few hundred rectangles need no chart library.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatDuration, formatRaceTime, HOUR } from '../../model/time.js';
import { classStyle } from '../../model/classes.js';
import type { StrategyRow } from './chart-data.js';

/** Driver 1, 2, 3, 4 of a crew. */
export const DRIVER_COLOURS = ['#4aa3ff', '#ff9f1c', '#06d6a0', '#c77dff', '#ef476f', '#ffd166'];

const ROW = 20;
const LABEL = 46;
const AXIS_H = 22;

export function StrategyChart({ rows, endMs }: { rows: StrategyRow[]; endMs: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(800);
  const [hover, setHover] = useState<string | null>(null);
  const height = AXIS_H + rows.length * ROW + 4;

  useEffect(() => {
    const el = canvas.current!.parentElement!;
    const observer = new ResizeObserver(() => setWidth(Math.max(300, el.clientWidth)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const el = canvas.current!;
    const dpr = devicePixelRatio || 1;
    el.width = Math.round(width * dpr);
    el.height = Math.round(height * dpr);
    el.style.width = `${width}px`;
    el.style.height = `${height}px`;
    const ctx = el.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const plotW = width - LABEL - 8;
    const x = (ms: number): number => LABEL + (ms / Math.max(endMs, 1)) * plotW;
    // Hour grid.
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    const stepH = endMs > 12 * HOUR ? 2 : 1;
    for (let h = 0; h * HOUR <= endMs; h += stepH) {
      const gx = Math.round(x(h * HOUR)) + 0.5;
      ctx.strokeStyle = 'rgba(139,152,168,0.14)';
      ctx.beginPath();
      ctx.moveTo(gx, AXIS_H - 4);
      ctx.lineTo(gx, height);
      ctx.stroke();
      ctx.fillStyle = '#8b98a8';
      ctx.fillText(`${h}h`, gx, 12);
    }
    rows.forEach((row, i) => {
      const y = AXIS_H + i * ROW;
      const style = classStyle(row.class);
      ctx.fillStyle = style.colour;
      roundRect(ctx, 2, y + 2, LABEL - 8, ROW - 4, 3);
      ctx.fillStyle = style.ink;
      ctx.textAlign = 'center';
      ctx.font = 'bold 11px system-ui, sans-serif';
      ctx.fillText(row.car, 2 + (LABEL - 8) / 2, y + ROW / 2 + 4);
      for (const bar of row.bars) {
        const x0 = x(bar.startMs);
        const x1 = x(bar.endMs);
        ctx.fillStyle = DRIVER_COLOURS[(bar.driverNumber - 1 + DRIVER_COLOURS.length) % DRIVER_COLOURS.length]!;
        ctx.fillRect(x0, y + 4, Math.max(1, x1 - x0 - 1), ROW - 8);
      }
    });
  }, [rows, endMs, width, height]);

  const onMove = (event: MouseEvent): void => {
    const rect = canvas.current!.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const row = rows[Math.floor((event.clientY - rect.top - AXIS_H) / ROW)];
    const ms = ((px - LABEL) / (width - LABEL - 8)) * endMs;
    const bar = row?.bars.find((b) => b.startMs <= ms && ms <= b.endMs);
    setHover(
      row === undefined || bar === undefined
        ? null
        : `#${row.car} · ${bar.driver} · ${bar.laps} laps from ${formatRaceTime(bar.startMs)} (${formatDuration(bar.endMs - bar.startMs)})`,
    );
  };

  return (
    <div class="strategy" data-testid="strategy-chart">
      <p class="hover muted">{hover ?? 'Each block is a stint, coloured by driver (1st, 2nd, 3rd driver of the crew); gaps are pit stops.'}</p>
      <canvas ref={canvas} onMouseMove={onMove} onMouseLeave={() => setHover(null)} />
    </div>
  );
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.fill();
}
