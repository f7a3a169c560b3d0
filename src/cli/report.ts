/**
 * `sarthe report <file…> --hour N [--format md|html|json] [--entry-list F] [--check]`,
 * or `--all` for every hour: the hour-by-hour race report (src/report).
 * With --check every fact is recomputed from the timing data; any false fact
 * is printed on stderr and the exit code is 1.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseEntryList } from '../analysis/entry-list.js';
import { parseRegulationProfile } from '../analysis/rules.js';
import { buildReport, reportHours } from '../report/build.js';
import { checkReport, formatProblem } from '../report/check.js';
import { renderReport, reportJson, type ReportFormat } from '../report/render.js';
import { DECISIONS_HELP, decisionsOption, loadRace } from './load.js';
import { UsageError } from './errors.js';
import { checkHour } from './analysis-options.js';

interface Options {
  hour?: string;
  all?: boolean;
  format: string;
  json?: boolean;
  entryList?: string;
  rules?: string;
  check?: boolean;
  lenient?: boolean;
  duration?: string;
  decisions?: string;
  weather?: string;
}

const FORMATS: readonly ReportFormat[] = ['md', 'html', 'json'];

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('the race report of hour N (or of every hour with --all), drafted from the timing data')
    .argument('<file...>', 'Al Kamel Analysis CSV file(s) of one race, oldest first')
    .option('--hour <n>', 'the hour that ends at N hours of race time')
    .option('--all', 'every hour of the race, first to last')
    .option('--format <format>', 'md, html or json', 'md')
    .option('--json', 'same as --format json')
    .option('--entry-list <file>', 'entry list (JSON or CSV): driver categories, display names, team short names')
    .option('--rules <file>', 'regulation profile (JSON), e.g. rules/lemans.json')
    .option('--check', 'recompute every fact of the report from the timing data; exit 1 on any false fact')
    .option('--lenient', 'skip bad lines (each one reported) instead of failing')
    .option('--duration <time>', 'scheduled race length when the file does not show it, e.g. 24h')
    .option('--decisions <file>', DECISIONS_HELP)
    .option('--weather <file>', "weather station readings (IMSA's weather CSV): the reports say the weather")
    .action(async (files: string[], options: Options, command: Command) => {
      // --format md is the default: only one given on the command line conflicts with --json.
      const formatGiven = command.getOptionValueSource('format') === 'cli';
      if (options.json === true && formatGiven && options.format !== 'json') throw new UsageError(`--json and --format ${options.format} ask for two formats: give one`);
      const format = (options.json === true ? 'json' : options.format) as ReportFormat;
      if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${options.format}"`);
      if ((options.hour === undefined) === (options.all !== true)) throw new UsageError('report needs --hour N or --all');
      const n = options.hour === undefined ? null : Number(options.hour);
      if (n !== null && (!Number.isInteger(n) || n < 1)) throw new UsageError(`--hour must be a whole number from 1, got "${options.hour}"`);
      const { timeline } = await loadRace(files, { ...options, decisions: decisionsOption(options.decisions, files) });
      const entryList = options.entryList === undefined ? undefined : parseEntryList(await readFile(options.entryList, 'utf8'), options.entryList);
      const rules = options.rules === undefined ? undefined : parseRegulationProfile(await readFile(options.rules, 'utf8'), options.rules);
      const available = reportHours(timeline);
      let hours: number[];
      if (options.all) {
        hours = available;
      } else {
        checkHour(timeline, n!);
        hours = [n!];
      }
      const reports = hours.map((hour) => buildReport(timeline, hour, { entryList, rules }));
      let problems = 0;
      if (options.check) {
        for (const report of reports) {
          const result = checkReport(timeline, report, { entryList, rules });
          problems += result.problems.length;
          for (const p of result.problems) process.stderr.write(`hour ${report.hour}: ${formatProblem(p)}\n`);
          process.stderr.write(`hour ${report.hour}: ${result.checked} facts checked, ${result.problems.length} false\n`);
        }
      }
      if (format === 'json') {
        const value = options.all ? reports.map(reportJson) : reportJson(reports[0]!);
        process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      } else {
        process.stdout.write(reports.map((r) => renderReport(r, format)).join(format === 'md' ? '\n---\n\n' : '\n'));
      }
      if (problems > 0) process.exitCode = 1;
    });
}
