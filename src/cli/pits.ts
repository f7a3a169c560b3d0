/** `sarthe pits <file…>`: every pit stop, with unusually long ones flagged and the time they lost. */
import type { Command } from 'commander';
import { compareCarNumbers } from '../engine/standings.js';
import { formatDuration, formatLapTime, formatRaceTime, formatTimeOfDay } from '../model/time.js';
import { pitStops, unmarkedPitTimes, type PitStop } from '../analysis/pits.js';
import { withAnalysisOptions, loadAnalysisInput, printJson, type AnalysisCliOptions } from './analysis-options.js';
import { renderTable, type Column } from './table.js';

export function registerPits(program: Command): void {
  withAnalysisOptions(
    program.command('pits').description('pit stops per car: laps, times, pit lane time, driver changes, long stops flagged'),
    { rules: false },
  ).action(async (files: string[], options: AnalysisCliOptions) => {
    const input = await loadAnalysisInput(files, options);
    const { timeline, at, hour } = input;
    const all = pitStops(timeline, { at, cars: input.cars, entryList: input.entryList });
    const stops = hour === null ? all : all.filter((s) => s.inMs > hour.fromMs && s.inMs <= hour.toMs);
    stops.sort((a, b) => compareCarNumbers(a.car, b.car) || a.number - b.number);
    const wanted = input.cars === undefined ? null : new Set(input.cars);
    const unmarked = unmarkedPitTimes(timeline, { at }).filter((u) => wanted === null || wanted.has(u.car));
    if (options.json) {
      printJson({ at: { raceTimeMs: at }, stops, unmarkedPitTimes: unmarked });
      return;
    }
    const oneCar = new Set(stops.map((s) => s.car)).size === 1;
    const anyFlag = stops.some((s) => s.flagAtEntry !== 'green' && s.flagAtEntry !== 'unknown');
    const columns: Column<PitStop>[] = [
      ...(oneCar ? [] : [{ header: 'Car', value: (s: PitStop) => `#${s.car}`, align: 'right' as const }]),
      { header: 'Stop', value: (s) => String(s.number), align: 'right' },
      { header: 'In lap', value: (s) => String(s.inLap), align: 'right' },
      { header: 'Race time', value: (s) => formatRaceTime(s.inMs), align: 'right' },
      { header: 'Time of day', value: (s) => (s.inTimeOfDayMs === null ? '' : formatTimeOfDay(s.inTimeOfDayMs)) },
      { header: 'Pit lane', value: (s) => (s.pitLaneMs === null ? `${formatLapTime(s.elapsedMs)}…` : formatLapTime(s.pitLaneMs)), align: 'right' },
      { header: 'Entry before line', value: (s) => (s.pitEntryMs === null ? '' : formatLapTime(s.inMs - s.pitEntryMs)), align: 'right' },
      { header: 'Exit after line', value: (s) => (s.outMs === null ? '' : formatLapTime(s.outMs - s.inMs)), align: 'right' },
      { header: 'Driver', value: (s) => driverText(s), maxWidth: 44 },
      ...(anyFlag
        ? [
            {
              header: 'Flag',
              value: (s: PitStop) =>
                s.flagAtEntry === 'green' || s.flagAtEntry === 'unknown' ? '' : s.flagAtEntryInferred ? `${s.flagAtEntry}?` : s.flagAtEntry,
            },
          ]
        : []),
      { header: 'Note', value: note },
    ];
    const lines = [`${input.title} — pit stops${hour === null ? '' : ` in hour ${hour.number}`}`, ''];
    lines.push(stops.length === 0 ? '(no pit stops)' : renderTable(stops, columns));
    for (const car of [...new Set(stops.map((s) => s.car))]) {
      const s = stops.find((x) => x.car === car && x.usualFrom !== 'safety-car') ?? stops.find((x) => x.car === car)!;
      if (s.usualPitLaneMs === null) continue;
      const basis = s.usualFrom === 'car' ? `median of #${car}'s own stops` : `median of its class (too few stops of its own)`;
      lines.push('', `#${car}: usual stop ${formatLapTime(s.usualPitLaneMs)} (${basis}); LONG = at least ${formatDuration(Math.max(45_000, s.usualPitLaneMs / 2))} longer`);
    }
    if (stops.some((s) => s.usualFrom === 'safety-car')) {
      lines.push('', 'Stops begun under a safety car are judged against the median of their class\'s stops under a safety car (the pit exit may be closed).');
    }
    const basis = new Set(stops.map((s) => s.basis));
    if (basis.has('circuit-profile')) lines.push('', `Entry/exit: placed with the circuit's measured pit lane (rules/circuits/${timeline.session?.pitLane?.circuit ?? '?'}.json).`);
    if (basis.has('estimated')) lines.push('', 'Entry/exit: estimated (no measured pit lane for this car/circuit): the stop is shared between in-lap and out-lap by how far each ran over the best lap.');
    if (stops.some((s) => s.flagAtEntryInferred)) lines.push('', 'Flag with "?": inferred from sector times (the file has no flags), not shown by race control.');
    if (unmarked.length > 0) {
      lines.push('', 'Pit lane time on laps no in-lap announced (not counted as stops):');
      lines.push(
        renderTable(unmarked, [
          { header: 'Car', value: (u) => `#${u.car}`, align: 'right' },
          { header: 'Lap', value: (u) => String(u.lap), align: 'right' },
          { header: 'Pit lane', value: (u) => formatLapTime(u.pitLaneMs), align: 'right' },
          { header: 'Why', value: (u) => (u.reason === 'pit-lane-start' ? 'started from the pit lane' : 'no in-lap before it (e.g. a red-flag hold)') },
        ]),
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

function driverText(s: PitStop): string {
  if (s.driverOut === null) return `${s.driverIn.displayName} (in the pits)`;
  return s.driverChange ? `${s.driverIn.displayName} → ${s.driverOut.displayName}` : s.driverIn.displayName;
}

function note(s: PitStop): string {
  if (s.long && s.pitLaneMs === null) return `LONG: in the pits for ${formatDuration(s.elapsedMs)} so far`;
  if (s.long && s.lostMs !== null) return `LONG: lost ${formatDuration(s.lostMs)}`;
  if (s.pitLaneMs === null) return 'in the pits';
  return '';
}
