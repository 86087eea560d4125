// A running server: its pool, Client and HTTP listener, and a shutdown that stops accepting,
// lets the requests in flight finish, then closes the pool.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { Client } from "@weft/sdk";
import { handleConnectionErrors } from "@weft/sdk/internal";
import { loadFunctionSet, loadMigrations } from "@weft/sql/internal";
import pg from "pg";
import { createApp } from "./app.js";
import { parseServerConfig, type ServerConfig, type ServerConfigInput } from "./config.js";
import { serverMetrics } from "./metrics.js";

export interface WeftServer {
  readonly config: ServerConfig;
  /** `http://host:port`, with the port really bound (config.port may be 0). */
  readonly url: string;
  /** Stops accepting, waits for the requests in flight (a result wait included), closes the pool. */
  close(): Promise<void>;
}

const VERSION = "0.1.0";
/** How long close() lets a request in flight finish before cutting its connection. */
const SHUTDOWN_GRACE_MS = 10_000;

export async function startServer(options: ServerConfigInput & { log?: (line: Record<string, unknown>) => void }): Promise<WeftServer> {
  const { log = (line) => console.log(JSON.stringify(line)), ...input } = options;
  const config = parseServerConfig(input);
  const [migrations, functions] = await Promise.all([loadMigrations(), loadFunctionSet()]);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolSize });
  handleConnectionErrors(pool, (error) => log({ time: new Date().toISOString(), level: "warn", message: `idle database connection failed: ${error.message}` }));
  // A Client per namespace a request names, all on one LISTEN connection (withNamespace).
  const client = new Client({ pool });
  const clients = new Map<string, Client>([["default", client]]);
  const clientOf = (namespace: string) => {
    let inNamespace = clients.get(namespace);
    if (!inNamespace) clients.set(namespace, (inNamespace = client.withNamespace(namespace)));
    return inNamespace;
  };
  const closing = new AbortController();
  const app = createApp({
    closing: closing.signal,
    config,
    pool,
    clients: clientOf,
    metrics: serverMetrics(),
    expectedSchema: { migration: migrations.at(-1)?.id ?? 0, functions: functions.version },
    version: VERSION,
    log,
  });
  const http = app.listen(config.port, config.host);
  try {
    await once(http, "listening");
  } catch (error) {
    await pool.end();
    throw error;
  }
  const { port } = http.address() as AddressInfo;
  return {
    config,
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    async close() {
      // Waits in flight answer now (202 for a result); then no connection is kept alive, and
      // any still open after the grace period is cut.
      closing.abort();
      const closed = new Promise<void>((resolve, reject) => http.close((error) => (error ? reject(error) : resolve())));
      http.closeIdleConnections();
      const idle = setInterval(() => http.closeIdleConnections(), 100);
      const cut = setTimeout(() => http.closeAllConnections(), SHUTDOWN_GRACE_MS);
      try {
        await closed;
      } finally {
        clearInterval(idle);
        clearTimeout(cut);
      }
      await client.close();
      await pool.end();
    },
  };
}
