/** `sarthe stints <file…>`: car stints and driver stints (double/triple) with pace. */
import type { Command } from 'commander';
import { compareCarNumbers } from '../engine/standings.js';
import { formatDuration, formatLapTime, formatRaceTime } from '../model/time.js';
import { stints, type CarStint, type DriverStint } from '../analysis/stints.js';
import { withAnalysisOptions, loadAnalysisInput, printJson, type AnalysisCliOptions } from './analysis-options.js';
import { renderTable, type Column } from './table.js';

const SPAN = ['', 'single', 'double', 'triple', 'quadruple'];

export function registerStints(program: Command): void {
  withAnalysisOptions(
    program.command('stints').description('car stints (between stops) and driver stints, with best, median and green-flag pace'),
    { rules: false },
  ).action(async (files: string[], options: AnalysisCliOptions) => {
    const input = await loadAnalysisInput(files, options);
    const { hour } = input;
    const overlaps = (s: { startMs: number; endMs: number }) => hour === null || (s.endMs > hour.fromMs && s.startMs <= hour.toMs);
    const result = stints(input.timeline, { at: input.at, cars: input.cars, entryList: input.entryList })
      .sort((a, b) => compareCarNumbers(a.car, b.car))
      .map((c) => ({ ...c, carStints: c.carStints.filter(overlaps), driverStints: c.driverStints.filter(overlaps) }));
    if (options.json) {
      printJson({ at: { raceTimeMs: input.at }, cars: result });
      return;
    }
    const pace = (s: CarStint | DriverStint) =>
      s.pace.medianLapMs === null ? '' : `${formatLapTime(s.pace.medianLapMs)} (${s.pace.laps})`;
    const common = <T extends CarStint | DriverStint>(): Column<T>[] => [
      { header: 'Laps', value: (s) => `${s.startLap}–${s.endLap}`, align: 'right' },
      { header: 'n', value: (s) => String(s.laps), align: 'right' },
      { header: 'From', value: (s) => formatRaceTime(s.startMs), align: 'right' },
      { header: 'To', value: (s) => formatRaceTime(s.endMs) + (s.open ? '…' : ''), align: 'right' },
      { header: 'Driving', value: (s) => formatDuration(s.driveMs), align: 'right' },
      { header: 'Best', value: (s) => formatLapTime(s.bestLapMs), align: 'right' },
      { header: 'Median', value: (s) => formatLapTime(s.medianLapMs), align: 'right' },
      { header: 'Pace (laps)', value: pace, align: 'right' },
    ];
    const lines: string[] = [`${input.title} — stints`];
    for (const car of result) {
      const basis = car.carStints[0]?.pace.basis === 'inferred-green-laps' ? 'median of laps other than lap 1 and in/out-laps, outside safety car/FCY periods inferred from sector times (the file has no flags)' : 'median of green-flag laps, in/out-laps excluded';
      lines.push('', `#${car.car} — car stints (pace: ${basis})`);
      lines.push(
        renderTable(car.carStints, [
          { header: 'Stint', value: (s) => String(s.number), align: 'right' },
          { header: 'Driver', value: (s) => s.drivers.map((d) => d.displayName).join(' / '), maxWidth: 32 },
          ...common<CarStint>(),
        ]),
      );
      lines.push('', `#${car.car} — driver stints`);
      lines.push(
        renderTable(car.driverStints, [
          { header: 'Stint', value: (s) => String(s.number), align: 'right' },
          { header: 'Driver', value: (s) => s.driver.displayName, maxWidth: 28 },
          { header: 'Span', value: (s) => SPAN[s.carStints] ?? `${s.carStints} stints` },
          ...common<DriverStint>(),
        ]),
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
