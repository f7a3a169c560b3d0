/**
 * `sarthe drivers <file…>`: drive time per driver (pit lane time excluded),
 * share of the car's race, stints, and with --rules each driver's status.
 */
import type { Command } from 'commander';
import { compareCarNumbers } from '../engine/standings.js';
import { formatDuration } from '../model/time.js';
import { driveTimes, type CarDriveTime, type DriverDriveTime } from '../analysis/drive-time.js';
import { checkDriveTimes, type DriverRuleCheck } from '../analysis/rules.js';
import { withAnalysisOptions, loadAnalysisInput, printJson, type AnalysisCliOptions } from './analysis-options.js';
import { renderTable, type Column } from './table.js';

interface Row {
  car: CarDriveTime;
  d: DriverDriveTime | undefined;
  check: DriverRuleCheck | undefined;
  name: string;
  category: string;
}

export function registerDrivers(program: Command): void {
  // Drive time is counted from the start: no --hour to narrow it to (--at Nh gives it at the end of hour N).
  withAnalysisOptions(
    program.command('drivers').description('drive time per driver (pit lane time excluded), share of the car, and status against --rules'),
    { hour: false },
  ).action(async (files: string[], options: AnalysisCliOptions) => {
    const input = await loadAnalysisInput(files, options);
    const common = { at: input.at, cars: input.cars, entryList: input.entryList };
    const cars = driveTimes(input.timeline, common).sort((a, b) => compareCarNumbers(a.car.car, b.car.car));
    const checks = input.rules === undefined ? [] : checkDriveTimes(input.timeline, { ...common, profile: input.rules });
    if (options.json) {
      const strip = (d: DriverDriveTime) => ({ ...d, intervals: undefined });
      printJson({
        at: { raceTimeMs: input.at },
        pitLaneTimeCounts: false,
        cars: cars.map((c) => ({ ...c, drivers: c.drivers.map(strip) })),
        rules: input.rules === undefined ? null : { name: input.rules.name, year: input.rules.year, checks },
      });
      return;
    }
    const rows: Row[] = [];
    for (const car of cars) {
      const seen = new Set<number>();
      for (const d of car.drivers) {
        seen.add(d.driver.number);
        const check = checks.find((c) => c.car.car === car.car.car && c.driver.number === d.driver.number);
        rows.push({ car, d, check, name: d.driver.displayName, category: d.driver.category ?? '' });
      }
      for (const check of checks.filter((c) => c.car.car === car.car.car && !seen.has(c.driver.number))) {
        rows.push({ car, d: undefined, check, name: check.driver.displayName, category: check.driver.category ?? '' });
      }
    }
    const columns: Column<Row>[] = [
      { header: 'Car', value: (r) => `#${r.car.car.car}`, align: 'right' },
      { header: 'Class', value: (r) => r.car.car.class },
      { header: 'Driver', value: (r) => r.name, maxWidth: 28 },
      { header: 'Cat', value: (r) => r.category },
      { header: 'Drive time', value: (r) => formatDuration(r.d?.driveMs ?? 0), align: 'right' },
      { header: 'Share', value: (r) => `${Math.round((r.d?.share ?? 0) * 100)}%`, align: 'right' },
      { header: 'Laps', value: (r) => String(r.d?.laps ?? 0), align: 'right' },
      { header: 'Stints', value: (r) => String(r.d?.stintDriveMs.length ?? 0), align: 'right' },
      { header: 'Longest', value: (r) => formatDuration(r.d?.longestStintMs ?? 0), align: 'right' },
    ];
    if (input.rules !== undefined) {
      columns.push(
        { header: 'Minimum', value: (r) => (r.check?.minimumMs == null ? '' : formatDuration(r.check.minimumMs)), align: 'right' },
        { header: 'Worst window', value: (r) => (r.check?.window == null ? '' : formatDuration(r.check.window.worstMs)), align: 'right' },
        { header: 'Status', value: (r) => statusText(r.check) },
      );
    }
    const lines = [`${input.title} — drive time (pit lane time not counted)`, ''];
    if (input.rules !== undefined) {
      lines.push(`Rules: ${input.rules.name} (${input.rules.year})`, '');
    }
    lines.push(renderTable(rows, columns));
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

function statusText(check: DriverRuleCheck | undefined): string {
  if (check === undefined) return '';
  switch (check.status) {
    case 'done':
      return 'done';
    case 'on-track':
      return `on track (${formatDuration(check.toMinimumMs)} to go)`;
    case 'at-risk':
      return `AT RISK (${formatDuration(check.toMinimumMs)} to go, ${formatDuration(check.availableMs ?? 0)} available)`;
    case 'missed':
      return `MISSED by ${formatDuration(check.toMinimumMs)}`;
    case 'over-max':
      return check.overMax === 'window' ? `OVER MAX (window: ${formatDuration(check.window?.worstMs ?? 0)})` : 'OVER MAX (total)';
  }
}
