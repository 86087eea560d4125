// Where the data and binaries live when weft runs as root. PostgreSQL then runs as another
// user (os-user.ts), who often cannot enter the checkout (/root is mode 0700), so both go to a
// relocation directory all users can enter, and `.weft/postgres` becomes a symlink to the data.
import { createHash } from "node:crypto";
import { chmod, chown, lstat, mkdir, readdir, readFile, readlink, realpath, rm, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { relocateBinaries, type Binaries } from "./binaries.js";
import { EmbeddedPostgresError, explainSystemError, type FailureContext } from "./errors.js";
import { postmasterAlive } from "./leftovers.js";
import type { OsUser } from "./os-user.js";

/** /var/tmp survives reboots on most systems (unlike /tmp), and root's TMPDIR may be private. */
export const DEFAULT_RELOCATION_DIR = "/var/tmp/weft";

export interface RootPlacement {
  readonly binaries: Binaries;
  /** The real data directory (the pointer's target, or the pointer itself when used in place). */
  readonly dataDir: string;
  /** Where initdb's password file goes: a place the PostgreSQL user can read. */
  readonly secretsDir: string;
}

/**
 * `pointer` (the `dataDir` option) becomes a symlink to `<base>/data-<hash of its path>`,
 * unless it already is a directory or a symlink of the user's own, which is then used in place.
 */
export async function placeAsRoot(
  pointer: string,
  base: string,
  user: OsUser,
  found: Binaries,
  log: (line: string) => void,
): Promise<RootPlacement> {
  const context: FailureContext = { dataDir: pointer }; // what fails here, root does itself
  try {
    await prepareBase(base);
    const binaries = await relocateBinaries(found, base, context);
    await sweep(base, log);
    const dataDir = await placeData(pointer, base, user, log);
    return { binaries, dataDir, secretsDir: base };
  } catch (error) {
    throw error instanceof EmbeddedPostgresError ? error : explainSystemError(error, `prepare ${base}`, context);
  }
}

/**
 * Root writes into `base` and hands its entries to another user, so it must be a directory that
 * only root can change; it must also be enterable by that user.
 */
async function prepareBase(base: string): Promise<void> {
  await mkdir(base, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  const info = await lstat(base);
  const problem = !info.isDirectory()
    ? "not a directory"
    : info.uid !== 0
      ? `owned by uid ${info.uid}, not root`
      : (info.mode & 0o022) !== 0
        ? "writable by users other than root"
        : undefined;
  if (problem) {
    throw new EmbeddedPostgresError(
      "unsafe-directory",
      `the relocation directory ${base} is ${problem}, so root cannot trust what it holds`,
      "remove it so that weft creates it afresh, or pass another relocationDir, or set DATABASE_URL to use a PostgreSQL of your own",
    );
  }
  if ((info.mode & 0o777) !== 0o755) await chmod(base, 0o755); // mkdir's mode is cut by the umask
}

async function placeData(pointer: string, base: string, user: OsUser, log: (line: string) => void): Promise<string> {
  await mkdir(path.dirname(pointer), { recursive: true });
  const existing = await lstat(pointer).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  const linkTarget = existing?.isSymbolicLink() ? path.resolve(path.dirname(pointer), await readlink(pointer)) : undefined;
  if (existing && !(linkTarget && isRelocatedData(linkTarget, base))) return inPlace(pointer, base, user);

  // The link's target when it is one of ours (kept when the checkout moved), else a new one.
  const dataDir = linkTarget ?? path.join(base, `data-${await pathKey(pointer)}`);
  if (!existing) await symlink(dataDir, pointer);
  // Written after the link, so that a concurrent sweep never sees a record without its link.
  const record = `${dataDir}.from`;
  if ((await readFile(record, "utf8").catch(() => "")) !== pointer) await writeFile(record, pointer);

  await mkdir(dataDir, { mode: 0o700 }).then(
    async () => {
      await chown(dataDir, user.uid, user.gid);
      log(`running as root: PostgreSQL runs as user ${user.name}, with its data in ${dataDir} (${pointer} links there)`);
    },
    (error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    },
  );
  const info = await lstat(dataDir);
  if (!info.isDirectory() || info.uid !== user.uid) {
    throw new EmbeddedPostgresError(
      "unsafe-directory",
      `${dataDir} is not a directory owned by user ${user.name}`,
      `remove it and ${pointer}, so that weft creates them afresh`,
    );
  }
  return dataDir;
}

/** A directory (or a symlink) the user made, or an older weft: it must belong to the user PostgreSQL runs as. */
async function inPlace(pointer: string, base: string, user: OsUser): Promise<string> {
  const dataDir = await realpath(pointer).catch(() => undefined);
  if (dataDir === undefined) return pointer; // a dangling link of the user's: initdb creates its target
  const info = await stat(dataDir);
  if (info.uid !== user.uid) {
    throw new EmbeddedPostgresError(
      "permission",
      `${pointer} belongs to uid ${info.uid}, but PostgreSQL runs as user ${user.name} (uid ${user.uid}) when weft runs as root`,
      `remove it so that weft keeps the data in ${base}, or set DATABASE_URL to use a PostgreSQL of your own`,
    );
  }
  return dataDir;
}

/** Removes relocated data whose pointer is gone (the checkout or its `.weft` was deleted). */
async function sweep(base: string, log: (line: string) => void): Promise<void> {
  for (const name of await readdir(base)) {
    if (!name.startsWith("data-") || !name.endsWith(".from")) continue;
    const record = path.join(base, name);
    const dataDir = record.slice(0, -".from".length);
    const pointer = await readFile(record, "utf8").catch(() => undefined); // a concurrent sweep took it
    if (pointer === undefined || (await linksTo(pointer, dataDir)) || (await postmasterAlive(dataDir))) continue;
    await rm(dataDir, { recursive: true, force: true });
    await rm(record, { force: true });
    log(`removed ${dataDir}: nothing links to it any more (${pointer} is gone)`);
  }
}

async function linksTo(pointer: string, dataDir: string): Promise<boolean> {
  try {
    return path.resolve(path.dirname(pointer), await readlink(pointer)) === dataDir;
  } catch (error) {
    // Gone, or no longer a link; any other failure (permission, I/O) keeps the data.
    const code = (error as NodeJS.ErrnoException).code;
    return code !== "ENOENT" && code !== "EINVAL" && code !== "ENOTDIR";
  }
}

function isRelocatedData(target: string, base: string): boolean {
  return path.dirname(target) === base && path.basename(target).startsWith("data-");
}

/** Stable per checkout: the same `.weft/postgres` finds the same data on the next start. */
async function pathKey(pointer: string): Promise<string> {
  const where = path.join(await realpath(path.dirname(pointer)), path.basename(pointer));
  return createHash("sha256").update(where).digest("hex").slice(0, 16);
}
