// `weft dev`: everything on one machine with one command. A PostgreSQL (embedded unless a URL
// is given), the schema, a worker running a module's workflows, the HTTP server and an admin
// key, printed with the URLs; Ctrl-C stops them all, newest first.
import { workflowDefinition } from "@weft/sdk/internal";
import { createApiKey, startServer } from "@weft/server";
import { migrate, openDatabase } from "@weft/sql";
import { Worker } from "@weft/worker";
import pg from "pg";
import { untilStopped } from "./signals.js";
import { loadWorkerModule } from "./worker-module.js";

export interface DevOptions {
  readonly databaseUrl: string | undefined;
  readonly module: string | URL;
  readonly host: string;
  readonly port: number;
}

export async function dev({ databaseUrl, module, host, port }: DevOptions): Promise<void> {
  const workerModule = await loadWorkerModule(module);
  const progress = (line: string) => console.error(`  ${line}`);
  console.error(databaseUrl ? "weft dev: using the PostgreSQL at --database-url" : "weft dev: starting an embedded PostgreSQL (data in .weft/postgres)");
  const database = await openDatabase({ databaseUrl, onProgress: progress });
  const stops: (() => Promise<void>)[] = [() => database.stop()];
  try {
    await migrate(database.url, { onWarning: progress });
    const worker = await Worker.create({ databaseUrl: database.url, ...workerModule });
    stops.unshift(() => worker.shutdown());
    const server = await startServer({ databaseUrl: database.url, host, port, logRequests: false });
    stops.unshift(() => server.close());
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    const key = await createApiKey(pool, "default", "weft dev", "admin").finally(() => pool.end());
    const types = workerModule.workflows.map((w) => workflowDefinition(w).name).join(", ") || "none";
    console.log(`server:       ${server.url}   (OpenAPI: ${server.url}/openapi.json)`);
    console.log(`database:     ${database.url}`);
    console.log(`admin key:    ${key.secret}   (namespace default)`);
    console.log(`worker:       task queue default, workflows: ${types}`);
    console.error(`try:          curl -H "Authorization: Bearer ${key.secret}" ${server.url}/api/v1/namespaces/default/workflows`);
    console.error("Ctrl-C stops everything");
    await untilStopped();
    console.error("weft dev: stopping");
  } finally {
    for (const stop of stops) await stop();
  }
}
