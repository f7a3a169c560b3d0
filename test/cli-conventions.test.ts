/**
 * The CLI's conventions, the same for every command (issue 16, README "Exit
 * codes"): --version, exit 0 / 1 (input or data) / 2 (usage), --json on every
 * command that prints data, a filter a command cannot apply refused, an
 * hour or instant beyond the race an error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from './helpers.js';

/** The demo race cut to its two leading cars (#7, #8): the same race for these rules, parsed in a tenth of the time. */
const dir = mkdtempSync(join(tmpdir(), 'sarthe-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const DEMO = join(dir, 'lemans-2019-race-analysis.csv');
const [header, ...rows] = readFileSync(join(repoRoot, 'demo', 'lemans-2019-race-analysis.csv'), 'utf8').split('\n');
writeFileSync(DEMO, [header, ...rows.filter((r) => r.startsWith('7;') || r.startsWith('8;'))].join('\n') + '\n');

function sarthe(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), ...args], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number((error as { code?: number }).code), stdout, stderr });
    });
  });
}

/** Runs the processes three at a time (each is mostly node's start-up). */
async function inParallel<T>(jobs: Array<() => Promise<T>>, width = 3): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

describe('CLI conventions', () => {
  it('--version prints package.json\'s version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const result = await sarthe('--version');
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), version);
  });

  it('usage errors exit 2, input and data errors exit 1, each with a message', async () => {
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'NUMBER; DRIVER_NUMBER; LAP_NUMBER\n7;1;x\n');
    const cases: Array<[string[], number, RegExp]> = [
      [['pits', DEMO, '--bogus'], 2, /unknown option '--bogus'/],
      [['nonsense'], 2, /unknown command 'nonsense'/],
      [['pits'], 2, /missing required argument 'file'/],
      [['pits', DEMO, '--hour', 'x'], 2, /--hour must be a whole number from 1, got "x"/],
      [['pits', DEMO, '--at', 'soon'], 2, /--at: /],
      [['report', DEMO, '--hour', '3', '--format', 'pdf'], 2, /--format must be one of md, html, json/],
      [['report', DEMO], 2, /report needs --hour N or --all/],
      [['facts', DEMO], 2, /facts needs --hour N/],
      [['flags', DEMO, '--car', '8'], 2, /unknown option '--car'/],
      [['flags', DEMO, '--class', 'LMP2'], 2, /unknown option '--class'/],
      [['facts', DEMO, '--hour', '3', '--at', '2h'], 2, /unknown option '--at'/],
      // Filters a command cannot apply are refused, not ignored (every command audited).
      [['pit-lane', DEMO, '--car', '8'], 2, /unknown option '--car'/],
      [['pit-lane', DEMO, '--class', 'LMP1'], 2, /unknown option '--class'/],
      [['pit-lane', DEMO, '--at', '6h'], 2, /unknown option '--at'/],
      [['pit-lane', DEMO, '--hour', '6'], 2, /unknown option '--hour'/],
      [['flags', DEMO, '--entry-list', DEMO], 2, /unknown option '--entry-list'/],
      // Drive time and history run from the start: an hour is not a range they can narrow to.
      [['drivers', DEMO, '--hour', '6'], 2, /unknown option '--hour'/],
      [['history', DEMO, '--hour', '6'], 2, /unknown option '--hour'/],
      [['standings', DEMO, '--session', '3'], 2, /--session cannot apply to --format alkamel/],
      [['standings', DEMO, '--gaps', 'sectors'], 2, /--gaps must be line or timing-points, got "sectors"/],
      [['standings', DEMO, '--format', 'rmonitor', '--duration', '24h'], 2, /--duration cannot apply to --format rmonitor/],
      // Conflicting flags are a usage error.
      [['report', DEMO, '--hour', '3', '--json', '--format', 'md'], 2, /--json and --format md ask for two formats/],
      [['pits', DEMO, '--hour', '99'], 1, /no hour 99 in this race: its timing covers hours 1 to 24/],
      [['stints', DEMO, '--at', '30h'], 1, /--at 30h \(30:00:00\) is beyond this race: its timing ends at 24:0\d:\d\d/],
      [['standings', DEMO, '--at', '26h'], 1, /beyond this race/],
      [['report', DEMO, '--hour', '25'], 1, /no hour 25 in this race/],
      [['pits', DEMO, '--car', '999'], 1, /no car #999 in this race/],
      [['pits', join(dir, 'missing.csv')], 1, /missing\.csv/],
      [['pits', broken], 1, /broken\.csv/],
    ];
    const results = await inParallel(cases.map(([args]) => () => sarthe(...args)));
    for (const [i, [args, code, message]] of cases.entries()) {
      const result = results[i]!;
      assert.equal(result.code, code, `sarthe ${args.map((a) => a.replace(repoRoot, '.')).join(' ')}: ${result.stderr.slice(0, 300)}`);
      assert.match(result.stderr, message, args.join(' '));
    }
  });

  it('serve refuses, before starting, an option nothing in that start would read', async () => {
    const db = join(dir, 'serve.db');
    const cases: Array<[string[], RegExp]> = [
      [['--no-replay', '--speed', '10'], /--speed cannot apply: nothing is replayed/],
      [['--no-replay', '--from', '2h', '--tick', '100'], /--from, --tick cannot apply: nothing is replayed/],
      [['--no-replay', '--race', 'x'], /--race cannot apply: nothing is replayed or followed/],
      [['--no-replay', '--session-type', 'race'], /--session-type cannot apply: they are for a live feed \(--source\)/],
      [['--no-replay', '--duration', '6h'], /--duration cannot apply: it is for a watched folder \(--watch\)/],
    ];
    // --port 0 and a time limit: a start that went ahead would neither take the product's port nor hang the test.
    const results = await inParallel(
      cases.map(([args]) => () =>
        new Promise<{ code: number; stderr: string }>((resolve) => {
          execFile(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), 'serve', '--no-site', '--port', '0', '--host', '127.0.0.1', '--db', db, ...args], { timeout: 20_000 }, (error, _stdout, stderr) =>
            resolve({ code: error === null ? 0 : Number((error as { code?: number }).code), stderr }),
          );
        }),
      ),
    );
    for (const [i, [args, message]] of cases.entries()) {
      assert.equal(results[i]!.code, 2, `serve ${args.join(' ')}: ${results[i]!.stderr.slice(0, 300)}`);
      assert.match(results[i]!.stderr, message, args.join(' '));
    }
  });

  it('--json on every command that prints data', async () => {
    const commands: string[][] = [
      ['standings', DEMO, '--at', '6h'],
      ['pits', DEMO, '--car', '8', '--at', '6h'],
      ['stints', DEMO, '--car', '8', '--at', '6h'],
      ['drivers', DEMO, '--car', '8', '--at', '6h'],
      ['flags', DEMO, '--at', '6h'],
      ['history', DEMO, '--car', '8', '--at', '6h'],
      ['facts', DEMO, '--hour', '6'],
      ['report', DEMO, '--hour', '6'],
      ['report', DEMO, '--hour', '6', '--format', 'json'],
      ['pit-lane', DEMO],
    ];
    const results = await inParallel(commands.map((args) => () => sarthe(...args, '--json')));
    for (const [i, args] of commands.entries()) {
      const result = results[i]!;
      assert.equal(result.code, 0, `${args[0]}: ${result.stderr}`);
      const parsed = JSON.parse(result.stdout) as Record<string, unknown>;
      assert.equal(typeof parsed, 'object', args[0]);
    }
  });
});
