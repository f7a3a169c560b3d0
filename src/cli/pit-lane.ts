/** `sarthe pit-lane <file…>`: measure the circuit's pit lane from the race's ordinary stops (how rules/circuits/*.json were found). */
import type { Command } from 'commander';
import { formatLapTime } from '../model/time.js';
import { measurePitLane } from '../analysis/pit-lane.js';
import { withAnalysisOptions, loadAnalysisInput, printJson, type AnalysisCliOptions } from './analysis-options.js';

export function registerPitLane(program: Command): void {
  // The pit lane is the circuit's, measured from every ordinary stop of the whole race: no car, class,
  // instant or hour to narrow it to, and no names to show.
  withAnalysisOptions(program.command('pit-lane').description('measure pit entry → line and line → pit exit from ordinary stops (see src/analysis/pit-lane.ts)'), {
    rules: false,
    car: false,
    class: false,
    at: false,
    hour: false,
    entryList: false,
  }).action(async (files: string[], options: AnalysisCliOptions) => {
    const input = await loadAnalysisInput(files, options);
    const measure = measurePitLane(input.timeline);
    const profile = input.timeline.session?.pitLane ?? null;
    if (options.json) {
      printJson({ measured: measure, profile });
      return;
    }
    const ms = (v: number | null, q: [number, number] | null): string =>
      v === null ? 'not measured (too few stops)' : `${formatLapTime(v)} (quartiles ${formatLapTime(q![0])}–${formatLapTime(q![1])})`;
    const lines = [
      `${input.title} — pit lane measured from ordinary stops`,
      '',
      `Timing line: ${measure.line} (${measure.stopsBoxAfterLine} stops boxed after it, ${measure.stopsBoxBeforeLine} before)`,
      `Pit entry → line: ${ms(measure.entryToLineMs, measure.entryToLineQuartilesMs)}`,
      `Line → pit exit:  ${ms(measure.lineToExitMs, measure.lineToExitQuartilesMs)}`,
      '',
      profile === null
        ? 'No circuit profile in rules/circuits/ for this race: stops are estimated from lap times.'
        : `Profile in use: rules/circuits/${profile.circuit}.json (${profile.line}, entry → line ${profile.entryToLineMs === null ? '—' : formatLapTime(profile.entryToLineMs)}, line → exit ${profile.lineToExitMs === null ? '—' : formatLapTime(profile.lineToExitMs)})`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
