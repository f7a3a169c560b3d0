/**
 * The race clock between messages. The server says the race time with every
 * message, but at 1× a 62-car field crosses the line only every few seconds,
 * so the clock would stutter. The clock runs on at the rate the race time has
 * been advancing against the wall clock (1 live, 60 in a 60× replay), for a
 * few seconds at most past the last message, and never backwards.
 */
export class RaceClock {
  private samples: Array<{ wallMs: number; raceMs: number }> = [];
  private shownMs = 0;

  constructor(
    /** How far back the rate is measured. */
    private readonly windowMs = 15_000,
    /** How long the clock runs on without news. */
    private readonly maxRunOnMs = 10_000,
  ) {}

  /** The server said the race time is raceMs at wall time wallMs. */
  observe(raceMs: number, wallMs: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && raceMs < last.raceMs) this.samples = []; // a replay restarted
    this.samples.push({ wallMs, raceMs });
    while (this.samples.length > 2 && wallMs - this.samples[0]!.wallMs > this.windowMs) this.samples.shift();
  }

  /** Race time units per wall millisecond, 0 while unknown. */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first === undefined || last === undefined || last.wallMs - first.wallMs < 1000) return 0;
    return Math.max(0, (last.raceMs - first.raceMs) / (last.wallMs - first.wallMs));
  }

  /** The race time to show at wall time wallMs. */
  now(wallMs: number, stopAtMs: number | null = null): number {
    const last = this.samples[this.samples.length - 1];
    if (last === undefined) return 0;
    const runOn = Math.min(Math.max(0, wallMs - last.wallMs), this.maxRunOnMs);
    let t = last.raceMs + runOn * this.rate();
    if (stopAtMs !== null) t = Math.min(t, Math.max(stopAtMs, last.raceMs));
    // Small reordering between extrapolation and the next message must not tick back.
    if (t < this.shownMs && this.shownMs - t < 5_000) t = this.shownMs;
    this.shownMs = t;
    return t;
  }

  reset(): void {
    this.samples = [];
    this.shownMs = 0;
  }
}
