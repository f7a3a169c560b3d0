/** `sarthe standings <file…> [--at T] [--class C] [--gaps line|timing-points] [--entry-list F] [--json]`: classification at an instant. */
import type { Command } from 'commander';
import { formatGap, resultCode, statusLabel } from '../model/format.js';
import type { CarStanding } from '../model/standings.js';
import { formatLapTime, formatRaceTime } from '../model/time.js';
import type { GapRule } from '../engine/gap.js';
import { standingsAt } from '../engine/standings.js';
import { classificationAt } from '../engine/session-standings.js';
import type { SessionType } from '../model/events.js';
import { DECISIONS_HELP, decisionsOption, loadRace } from './load.js';
import { loadRMonitorSession } from './load-rmonitor.js';
import { checkAt, readText, usageAt } from './analysis-options.js';
import { parseEntryList } from '../analysis/entry-list.js';
import { withListedDrivers, type ListedCarStanding } from '../server/crews.js';
import { UsageError } from './errors.js';
import { renderTable, type Column } from './table.js';

interface Options {
  at?: string;
  class?: string;
  json?: boolean;
  lenient?: boolean;
  duration?: string;
  decisions?: string;
  format: string;
  session?: string;
  sessionType?: SessionType;
  gaps: string;
  entryList?: string;
}

const GAP_RULES: readonly GapRule[] = ['line', 'timing-points'];

export function registerStandings(program: Command): void {
  program
    .command('standings')
    .description('classification at an instant of the race, overall or for one class')
    .argument('<file...>', 'Al Kamel Analysis CSV file(s) of one race, oldest first')
    .option('--at <time>', 'race time: 22h, 6:30, 5:59:59.5 or end', 'end')
    .option('--class <name>', 'only this class, e.g. LMP2 or "LMGTE Am"')
    .option('--json', 'print one JSON object instead of a table')
    .option('--lenient', 'skip bad lines (each one reported) instead of failing')
    .option('--duration <time>', 'scheduled race length when the file does not show it, e.g. 24h')
    .option('--decisions <file>', DECISIONS_HELP)
    .option('--gaps <where>', 'line (the classification at the line) or timing-points (at S1, S2 and the line, as the live timing screen)', 'line')
    .option('--format <format>', 'alkamel (Analysis CSV) or rmonitor (a capture of an RMonitor feed)', 'alkamel')
    .option('--session <key>', 'rmonitor: the session (run number or key) to show; default the last')
    .option('--session-type <type>', 'rmonitor: race, practice, qualifying or test when the run name does not say')
    .option('--entry-list <file>', "entry list (JSON, or an Al Kamel results CSV): the driver at the wheel's full name and category (Platinum/Gold/Silver/Bronze), as `serve --entry-list` gives them")
    .action(async (files: string[], options: Options) => {
      const gaps = GAP_RULES.find((rule) => rule === options.gaps);
      if (gaps === undefined) throw new UsageError(`--gaps must be line or timing-points, got "${options.gaps}"`);
      if (options.format !== 'alkamel' && options.format !== 'rmonitor') throw new UsageError(`--format must be alkamel or rmonitor, got "${options.format}"`);
      if (options.format === 'rmonitor' && files.length !== 1) throw new UsageError('--format rmonitor reads one capture file');
      // Each format's own options: one the chosen format cannot apply is refused, not ignored (issue 16).
      const foreign: Array<[keyof Options, string]> =
        options.format === 'rmonitor'
          ? [['lenient', '--lenient'], ['duration', '--duration'], ['decisions', '--decisions']]
          : [['session', '--session'], ['sessionType', '--session-type']];
      const refused = foreign.filter(([key]) => options[key] !== undefined).map(([, flag]) => flag);
      if (refused.length > 0) throw new UsageError(`${refused.join(', ')} cannot apply to --format ${options.format}`);
      const at = options.at === undefined || options.at === 'end' ? null : usageAt(options.at);
      const rmonitor = options.format === 'rmonitor' ? loadRMonitorSession(files[0]!, options) : null;
      const timeline = rmonitor?.timeline ?? (await loadRace(files, { ...options, decisions: decisionsOption(options.decisions, files) })).timeline;
      if (at !== null) checkAt(timeline, at, options.at!);
      const entryList = options.entryList === undefined ? undefined : parseEntryList(await readText(options.entryList), options.entryList);
      // Live feeds give board rows and non-race sessions: the session-aware classification. With an entry
      // list, each car's driver gets the list's full name and category, as GET …/standings gives them.
      const standings = withListedDrivers(
        rmonitor !== null ? classificationAt(timeline, at, { className: options.class, gaps }) : standingsAt(timeline, at, { className: options.class, gaps }),
        timeline,
        entryList,
      );
      if (options.class !== undefined && standings.cars.length === 0) {
        const known = [...new Set([...timeline.cars.values()].map((c) => c.entry.class))].join(', ');
        throw new Error(`no car in class "${options.class}"; classes in this race: ${known}`);
      }
      if (options.json) {
        const session = rmonitor === null ? {} : { session: { key: rmonitor.session, name: timeline.session?.name ?? '', type: timeline.session?.sessionType ?? 'race' }, sessions: rmonitor.sessions };
        process.stdout.write(`${JSON.stringify({ ...standings, ...session })}\n`);
        return;
      }
      const inClass = options.class !== undefined;
      const title = `${timeline.session?.name ?? 'Race'} — after ${formatRaceTime(standings.at.raceTimeMs)}` +
        (standings.flag !== 'unknown' ? ` — flag: ${standings.flag}` : '');
      const listed = (c: CarStanding): Partial<ListedCarStanding> => c;
      const columns: Column<CarStanding>[] = [
        { header: 'Pos', value: (c) => (c.classified === false ? resultCode(c) : String(c.position)), align: 'right' },
        { header: 'Class', value: (c) => c.class },
        { header: 'PIC', value: (c) => String(c.classPosition), align: 'right' },
        { header: 'Car', value: (c) => `#${c.number}`, align: 'right' },
        { header: 'Team', value: (c) => c.team, maxWidth: 28 },
        { header: 'Driver', value: (c) => listed(c).driverDisplayName ?? c.driver, maxWidth: 24 },
        ...(entryList === undefined ? [] : [{ header: 'Cat', value: (c: CarStanding) => listed(c).driverCategory ?? '' }]),
        { header: 'Laps', value: (c) => String(c.laps), align: 'right' },
        { header: inClass ? 'Class gap' : 'Gap', value: (c) => formatGap(inClass ? c.classGap : c.gap), align: 'right' },
        { header: 'Interval', value: (c) => formatGap(inClass ? c.classInterval : c.interval), align: 'right' },
        { header: 'Last lap', value: (c) => (c.lastLapMs === null ? '' : formatLapTime(c.lastLapMs)), align: 'right' },
        { header: 'Best lap', value: (c) => (c.bestLapMs === null ? '' : formatLapTime(c.bestLapMs)), align: 'right' },
        { header: 'Pits', value: (c) => String(c.pitStops), align: 'right' },
        { header: 'Status', value: (c) => statusLabel(c) },
      ];
      const result = standings.result === undefined ? '' : `\nResult: ${standings.result.declared === 'red-flag' ? 'declared under red flag' : 'at the chequered flag'} (${standings.result.profile})\n`;
      process.stdout.write(`${title}\n${result}\n${renderTable(standings.cars, columns)}\n`);
    });
}
