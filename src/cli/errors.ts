/**
 * The CLI's exit codes, the same for every command (README "Exit codes"):
 *   0  ok (and --help, --version)
 *   1  input or data error: a file that cannot be read or parsed, a car,
 *      class or hour the race does not have, an instant beyond the race
 *   2  usage error: an unknown option or command, a missing argument, an
 *      option value of the wrong form, a filter the command cannot apply,
 *      a bad server configuration
 */
export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;

/** The command was called wrongly (exit 2); any other Error is an input or data error (exit 1). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
