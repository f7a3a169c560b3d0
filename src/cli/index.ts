/** The `sarthe` command: one file per subcommand, registered here. */
import { Command, CommanderError } from 'commander';
import { ImportError } from '../sources/alkamel/parse.js';
import { MergeConflictError } from '../sources/merge.js';
import { registerServe } from './serve.js';
import { registerStandings } from './standings.js';
import { registerPits } from './pits.js';
import { registerStints } from './stints.js';
import { registerDrivers } from './drivers.js';
import { registerFlags } from './flags.js';
import { registerPitLane } from './pit-lane.js';
import { registerHistory } from './history.js';
import { registerFacts } from './facts.js';
import { registerReport } from './report.js';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import { SARTHE_VERSION } from '../server/version.js';
import { registerFeed } from './feed.js';
import { registerCheckGaps } from './check-gaps.js';

// `sarthe standings … | head` closes the pipe early: that is the reader's
// choice, not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command()
  .name('sarthe')
  .description('Follow an endurance race from its timing data: standings, analysis, reports and live timing.')
  .version(SARTHE_VERSION, '-V, --version', 'print the version')
  .showHelpAfterError()
  .exitOverride();

registerStandings(program);
registerServe(program);
// Race analysis (src/analysis): one command per view.
registerPits(program);
registerStints(program);
registerDrivers(program);
registerFlags(program);
registerPitLane(program);
registerHistory(program);
registerFacts(program);
// Race coverage (src/report): hour-by-hour reports.
registerReport(program);
// Live sources: serve a capture as a live feed.
registerFeed(program);
registerCheckGaps(program);

// Exit codes (errors.ts): 0 ok, 1 input or data error, 2 usage error.
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its message; help and --version are not errors.
    process.exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  } else if (error instanceof UsageError) {
    process.stderr.write(`sarthe: ${error.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else if (error instanceof ImportError || error instanceof MergeConflictError || error instanceof Error) {
    process.stderr.write(`sarthe: ${error.message}\n`);
    if (process.env.SARTHE_DEBUG && !(error instanceof ImportError)) process.stderr.write(`${error.stack}\n`);
    process.exitCode = EXIT_INPUT;
  } else {
    throw error;
  }
}
