/**
 * `sarthe facts <file…> --hour N`: the typed facts a report of hour N needs
 * (src/analysis/hour-facts.ts). --json prints them whole for machines (the
 * report generator's input); without it, one line per fact for people.
 */
import type { Command } from 'commander';
import { formatGap } from '../model/format.js';
import { formatDuration, formatLapTime, formatRaceTime } from '../model/time.js';
import { classKey } from '../engine/standings.js';
import { hourFactsFromTimeline, type CarPosition, type HourFact } from '../analysis/hour-facts.js';
import { UsageError } from './errors.js';
import { withAnalysisOptions, loadAnalysisInput, printJson, type AnalysisCliOptions } from './analysis-options.js';

export function registerFacts(program: Command): void {
  // The facts of an hour are at its end and of the whole field (filtered by class only): no --at or --car.
  withAnalysisOptions(program.command('facts').description('the facts of hour N for a report: leads, order changes, stops, retirements, flags…'), { at: false, car: false }).action(
    async (files: string[], options: AnalysisCliOptions) => {
      if (options.hour === undefined) throw new UsageError('facts needs --hour N (the hour that ends at N hours of race time)');
      const input = await loadAnalysisInput(files, { ...options, at: undefined });
      const facts = hourFactsFromTimeline(input.timeline, input.hour!.number, { entryList: input.entryList, rules: input.rules });
      const wantedClass = options.class === undefined ? null : classKey(options.class);
      const shown =
        wantedClass === null ? facts.facts : facts.facts.filter((f) => factClass(f) === null || classKey(factClass(f)!) === wantedClass);
      if (options.json) {
        printJson({ ...facts, facts: shown });
        return;
      }
      const lines = [
        `${facts.race.name} — facts of hour ${facts.hour} (race time ${formatRaceTime(facts.fromMs)} to ${formatRaceTime(facts.toMs)})` +
          (facts.hoursRemaining === null ? '' : `, ${facts.hoursRemaining} hour(s) remaining`),
        '',
        ...shown.map((f) => `${f.kind.padEnd(18)} ${describe(f)}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    },
  );
}

function factClass(f: HourFact): string | null {
  switch (f.kind) {
    case 'class-lead':
    case 'lead-change':
    case 'lead-share':
      return f.class;
    case 'class-standings':
    case 'position-swaps':
      return f.class;
    case 'position-change':
    case 'pit-stop':
    case 'driver-change':
    case 'retirement':
    case 'recovery':
    case 'drive-time-minimum':
    case 'drive-time-status':
      return f.car.class;
    default:
      return null;
  }
}

const car = (c: { car: string; teamShort: string }) => `#${c.car} ${c.teamShort}`;
const at = (f: { minutesIntoHour: number }) => `+${f.minutesIntoHour}min`;
const wheel = (c: CarPosition) => (c.driverAtWheel === null ? '' : ` (${c.driverAtWheel.displayName})`);

/** One line per fact, for reading in a terminal; the JSON is the real output. */
function describe(f: HourFact): string {
  switch (f.kind) {
    case 'flags-unknown':
      return 'flags unknown in this file';
    case 'flag-period':
      return `${f.period.flag} ${formatRaceTime(f.period.startMs)}–${f.period.endMs === null ? '…' : formatRaceTime(f.period.endMs)} (${formatDuration(f.period.durationMs)}, ${formatDuration(f.inHourMs)} in this hour)`;
    case 'finish':
      return `chequered flag ${formatRaceTime(f.atMs, true)}: ${car(f.winner)}${wheel(f.winner)} wins with ${f.winner.laps} laps`;
    case 'class-lead':
      return `${f.class ?? 'overall'}: ${car(f.leader)}${wheel(f.leader)} leads ${f.second ? `${car(f.second)} by ${formatGap(f.gapToSecond)}` : ''}${f.kept ? '' : ` (led by ${f.leaderAtStart ? `#${f.leaderAtStart.car}` : 'nobody'} at the start of the hour)`}`;
    case 'lead-change':
      return `${f.class ?? 'overall'} ${at(f)}: ${car(f.newLeader)} takes the lead from ${car(f.previousLeader)} on lap ${f.lap}${f.previousLeaderPitting ? ' (it was pitting)' : ''}`;
    case 'lead-share':
      return `${f.class ?? 'overall'}: ${car(f.car)} has led ${f.lapsLed}/${f.leaderLaps} laps (${Math.round(f.share * 100)}%), in front since hour ${f.leadingSinceHour}`;
    case 'class-standings':
      return `${f.class}: ${f.cars.slice(0, 3).map((c) => `P${c.classPosition} ${car(c)}${wheel(c)} ${formatGap(c.classGap)}`.trim()).join(', ')}; ${f.running}/${f.entries} running`;
    case 'position-change':
      return `${car(f.car)} P${f.classPositionAtStart} → P${f.classPositionAtEnd} in ${f.car.class}`;
    case 'position-swaps':
      return `${f.class}: #${f.cars[0].car} and #${f.cars[1].car} swapped ${f.swaps} time(s); #${f.aheadAtEnd} ahead at the end`;
    case 'pit-stop':
      return `${at(f)} ${car(f.car)} stop ${f.stop.number} (lap ${f.stop.inLap}) ${f.stop.pitLaneMs === null ? 'still in' : formatLapTime(f.stop.pitLaneMs)}${f.stop.long && f.stop.lostMs !== null ? `, LONG: lost ${formatDuration(f.stop.lostMs)}` : ''}`;
    case 'driver-change':
      return `${at(f)} ${car(f.car)} ${f.from.displayName} → ${f.to.displayName}${f.stopNumber === null ? ' (no stop in the data)' : ''}`;
    case 'retirement':
      return `${car(f.car)} ${f.status} after ${f.laps} laps, last seen ${formatRaceTime(f.lastSeenMs)}${f.lastLapInPit ? ' in the pits' : ''}`;
    case 'recovery':
      return `${car(f.car)} lost ${formatDuration(f.lostMs)} in hour ${f.lossHour}: P${f.classPositionBeforeLoss} before, P${f.worstClassPosition} worst, P${f.classPositionAtStart} → P${f.classPositionAtEnd} this hour`;
    case 'drive-time-minimum':
      return `${at(f)} ${f.driver.displayName}${f.driver.category ? ` (${f.driver.category})` : ''} in ${car(f.car)} completed the ${formatDuration(f.minimumMs)} minimum`;
    case 'drive-time-status':
      return `${f.driver.displayName} in ${car(f.car)}: ${f.statusAtStart} → ${f.status}`;
  }
}
