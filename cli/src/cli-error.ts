// weft's exit codes, stable for scripts, and the error that carries one. `weft --help` prints
// EXIT_CODES_HELP; docs/cli.md lists the same codes.

export const EXIT = {
  ok: 0,
  /** The workflow run failed, was terminated or timed out; a replay diverged; any other failure. */
  failed: 1,
  /** Bad flags, arguments or JSON on the command line or in a file given. */
  usage: 2,
  /** The workflow, key or route does not exist (HTTP 404). */
  notFound: 3,
  /** The server refused the request (401, 403, 409, 413, 422 and other 4xx). */
  refused: 4,
  /** The server cannot be reached or answered 5xx. */
  unavailable: 5,
  /** `weft workflow result --timeout-seconds` passed with the run still open. */
  stillRunning: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  the workflow failed, was terminated or timed out (workflow result); a replay diverged; other failures
  2  usage: bad flags, arguments or JSON
  3  not found: no such workflow, key or route
  4  refused by the server: a missing, wrong or too weak key (401, 403), a workflow id already
     running (409), too large (413), an unknown workflow type (422), a bad argument (400)
  5  server unavailable: it cannot be reached, or its database cannot (5xx)
  6  still running when --timeout-seconds passed (workflow result)`;

/** An error that ends the command with its exit code; its message says what to do. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
