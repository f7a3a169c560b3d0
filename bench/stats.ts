/** Timing helpers shared by the benchmarks: medians and percentiles, never one run. */

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function peakRssMb(): number {
  // maxRSS is in kilobytes on Linux.
  return round(process.resourceUsage().maxRSS / 1024, 1);
}
