/** `sarthe flags <file…>`: flag periods (safety car, FCY, red, finish) from the flag shown at the line. */
import type { Command } from 'commander';
import { formatDuration, formatRaceTime } from '../model/time.js';
import { flagPeriods, type FlagPeriod } from '../analysis/flags.js';
import type { InferredNeutralisation } from '../analysis/neutralisations.js';
import { withAnalysisOptions, loadAnalysisInput, printJson, type AnalysisCliOptions } from './analysis-options.js';
import { renderTable } from './table.js';

export function registerFlags(program: Command): void {
  // Flag periods are the whole field's and name no driver: no --car, --class or --entry-list to apply.
  withAnalysisOptions(program.command('flags').description('flag periods: start, end, duration and laps run under each'), {
    rules: false,
    car: false,
    class: false,
    entryList: false,
  }).action(async (files: string[], options: AnalysisCliOptions & { all?: boolean }) => {
    const input = await loadAnalysisInput(files, options);
    const control = flagPeriods(input.timeline, { at: input.at });
    const { hour } = input;
    const periods = !control.known
      ? []
      : control.periods.filter((p) => hour === null || (p.startMs <= hour.toMs && (p.endMs ?? Infinity) > hour.fromMs));
    if (options.json) {
      printJson(control.known ? { at: { raceTimeMs: input.at }, known: true, periods } : { at: { raceTimeMs: input.at }, ...control });
      return;
    }
    const lines = [`${input.title} — race control`, ''];
    if (!control.known) {
      const inferred = control.inferred.filter((p) => hour === null || (p.startMs <= hour.toMs && p.endMs > hour.fromMs));
      lines.push('Flags: unknown (this file has no FLAG_AT_FL column). Neutralisations inferred from lap and sector times, not shown by race control:', '');
      const kindText = (p: InferredNeutralisation) =>
        p.kind === 'safety-car' ? 'probable safety car' : p.kind === 'fcy' ? 'probable full-course yellow' : `probable slow zone (sector ${p.sector})`;
      lines.push(
        inferred.length === 0
          ? '(none inferred)'
          : renderTable(inferred, [
              { header: 'Inferred', value: kindText },
              { header: 'Start', value: (p) => formatRaceTime(p.startMs, true), align: 'right' },
              { header: 'End', value: (p) => formatRaceTime(p.endMs, true), align: 'right' },
              { header: 'Duration', value: (p) => formatDuration(p.durationMs), align: 'right' },
              { header: 'Slowdown', value: (p) => `×${p.slowdown.toFixed(2)}`, align: 'right' },
              { header: 'FCY before', value: (p) => (p.fcyFromMs === null ? '' : `from ${formatRaceTime(p.fcyFromMs, true)}`), align: 'right' },
            ]),
        '',
        'Inferred: the field (or one sector) ran far slower than its reference laps; start/end dated from the sector times of each car (to within 10 s where they do not show it). A safety car is told from an FCY by length (12 min or more), or by following an FCY: every car at the same sector times (the FCY speed limit), then the field still slow once they leave it. That FCY is shown under "FCY before", not in the period: race control\'s flag column (2023 on) starts the safety car at its deployment.',
      );
    } else {
      const neutralised = periods.filter((p) => p.flag !== 'green');
      lines.push(
        renderTable(periods, [
          { header: 'Flag', value: (p: FlagPeriod) => p.flag },
          { header: 'Start', value: (p) => formatRaceTime(p.startMs, true), align: 'right' },
          { header: 'End', value: (p) => (p.endMs === null ? '(still out)' : formatRaceTime(p.endMs, true)), align: 'right' },
          { header: 'Duration', value: (p) => formatDuration(p.durationMs), align: 'right' },
          { header: 'Leader laps', value: (p) => (p.firstLeaderLap === null ? '0' : `${p.leaderLaps} (${p.firstLeaderLap}–${p.lastLeaderLap})`), align: 'right' },
          { header: 'Car laps', value: (p) => String(p.carLaps), align: 'right' },
        ]),
        '',
        `Start/end = first crossing of the line showing the flag (the change came after the crossing before it). ${neutralised.length} period(s) not green.`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
