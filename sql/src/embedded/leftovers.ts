// What an earlier start left in a data directory: the port it used, the process that started
// it, and after a kill -9 a postmaster.pid that may name a dead server, another program, or a
// server still running with nobody left to stop it.
import { readdir, readFile, readlink, realpath, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { EmbeddedPostgresError, inUse } from "./errors.js";

const STATE_FILE = "weft-embedded.json";

/** Kept in the data directory by each start. */
export interface ServerState {
  /** The port of the last start, tried first on the next one so the URL stays the same. */
  readonly port?: number;
  /** The process that started the server (its parent while that process lives). */
  readonly ownerPid?: number;
}

export async function readState(dataDir: string): Promise<ServerState> {
  const text = await readFile(path.join(dataDir, STATE_FILE), "utf8").catch(() => "{}");
  try {
    return JSON.parse(text) as ServerState;
  } catch {
    return {}; // torn by a crash mid-write: only a hint is lost
  }
}

export async function writeState(dataDir: string, state: ServerState): Promise<void> {
  await writeFile(path.join(dataDir, STATE_FILE), JSON.stringify(state));
}

/** True when the data directory's postmaster.pid names a live process. */
export async function postmasterAlive(dataDir: string): Promise<boolean> {
  const pid = await lockPid(dataDir);
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Makes the data directory startable after a kill -9: stops a server whose starter died,
 * removes a postmaster.pid whose pid is dead or reused, and waits for the old server's
 * processes to exit. Throws when a live process still uses the directory.
 */
export async function clearLeftovers(dataDir: string, shownAs: string, log: (line: string) => void): Promise<void> {
  // Reads /proc; elsewhere PostgreSQL's own lock check decides, and its message is mapped.
  if (process.platform !== "linux") return;
  const pid = await lockPid(dataDir);
  if (pid === undefined) return;
  const where = await realpath(dataDir);
  const postmaster = await serverProcess(pid, where);
  if (postmaster) {
    const { ownerPid } = await readState(dataDir);
    // A server whose starter died was re-parented; one that is still its starter's child is in use.
    if (ownerPid === undefined || postmaster.ppid === ownerPid) throw inUse(pid, shownAs, ownerPid);
    log(`stopping the PostgreSQL (pid ${pid}) left running on ${shownAs} by process ${ownerPid}, which is gone`);
    process.kill(pid, "SIGINT"); // fast shutdown: ends sessions, then a clean checkpoint
    await waitForExit(shownAs, 30_000, async () => ((await serverProcess(pid, where)) ? [pid] : []));
    return;
  }
  const other = await processStat(pid);
  const reused = other !== undefined && other.state !== "Z";
  await rm(path.join(dataDir, "postmaster.pid"), { force: true });
  log(`removed a stale postmaster.pid from ${shownAs}: its pid ${pid} ${reused ? "is another program now" : "is gone"}`);
  // Backends notice the postmaster's death within moments; until they exit, their shared memory blocks a start.
  await waitForExit(shownAs, 10_000, () => serverProcesses(where));
}

async function lockPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => undefined);
  const pid = Number(text?.split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function waitForExit(shownAs: string, timeoutMs: number, remaining: () => Promise<number[]>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await remaining();
    if (pids.length === 0) return;
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        "stale-processes",
        `PostgreSQL processes ${pids.join(", ")} of an earlier server on ${shownAs} do not exit`,
        `stop them (kill ${pids.join(" ")}) and try again, or set DATABASE_URL to use a PostgreSQL of your own`,
      );
    }
    await delay(100);
  }
}

/** PostgreSQL processes (postmaster or backends) whose working directory is the data directory. */
async function serverProcesses(where: string): Promise<number[]> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name)).map(Number);
  const found = await Promise.all(pids.map(async (pid) => ((await serverProcess(pid, where)) ? pid : undefined)));
  return found.filter((pid) => pid !== undefined);
}

/** The process `pid` if it is a live PostgreSQL process of the data directory `where` (its working directory). */
async function serverProcess(pid: number, where: string): Promise<{ ppid: number } | undefined> {
  const stat = await processStat(pid);
  if (stat?.comm !== "postgres" || stat.state === "Z") return undefined;
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined); // exited meanwhile, or not ours to inspect
  return cwd === where ? { ppid: stat.ppid } : undefined;
}

async function processStat(pid: number): Promise<{ comm: string; state: string; ppid: number } | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  // "pid (comm) state ppid ...", where comm may itself hold spaces and parentheses.
  const [, comm, state, ppid] = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat ?? "") ?? [];
  return comm === undefined ? undefined : { comm, state: state!, ppid: Number(ppid) };
}
