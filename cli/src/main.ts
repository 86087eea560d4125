#!/usr/bin/env node
// weft's command line. Each command is a thin shell over a package's API, so what it does is
// what a program calling that API gets.
import { Command, InvalidArgumentError, Option } from "commander";
import { createApiKey, KEY_ROLES, startServer, type KeyRole } from "@weft/server";
import { grantStatements, migrate } from "@weft/sql";
import { Worker } from "@weft/worker";
import pg from "pg";
import { dev } from "./dev.js";
import { untilStopped } from "./signals.js";
import { EXAMPLE_MODULE, loadWorkerModule } from "./worker-module.js";

const databaseUrl = () =>
  new Option("--database-url <url>", "PostgreSQL connection string").env("DATABASE_URL").makeOptionMandatory();

const port = () => new Option("--port <port>", "port to listen on (0: any free one)").env("WEFT_PORT").default(8080).argParser(wholeNumber);
const host = () => new Option("--host <host>", "address to listen on").env("WEFT_HOST").default("127.0.0.1");

const program = new Command("weft").description("A durable workflow engine that needs nothing but PostgreSQL");

program
  .command("dev")
  .description("run PostgreSQL (embedded unless --database-url), the schema, a worker, the HTTP server and an admin key, until Ctrl-C")
  .addOption(new Option("--database-url <url>", "use this PostgreSQL instead of an embedded one").env("DATABASE_URL"))
  .option("--module <file>", "worker module exporting `workflows` and `activities` (default: the order example)")
  .addOption(host())
  .addOption(port())
  .action(async (options: { databaseUrl?: string; module?: string; host: string; port: number }) => {
    await dev({ databaseUrl: options.databaseUrl, module: options.module ?? EXAMPLE_MODULE, host: options.host, port: options.port });
  });

program
  .command("migrate")
  .description("create or upgrade schema weft (and graphile-worker's), as the role that is to own them")
  .addOption(databaseUrl())
  .action(async ({ databaseUrl }: { databaseUrl: string }) => {
    await migrate(databaseUrl, {
      onApply: (m) => console.log(`applied migration ${m.id} (${m.name})`),
      onWarning: (message) => console.log(`warning: ${message}`),
      onFunctions: (o) =>
        console.log(
          o.applied
            ? `applied SQL functions version ${o.version}${o.previousVersion === null ? "" : ` (was ${o.previousVersion})`}`
            : `kept SQL functions version ${o.databaseVersion}: newer than this weft's ${o.version}`,
        ),
    });
    console.log("schema weft is up to date");
  });

program
  .command("server")
  .description("serve the HTTP API (docs/http-api.md) until SIGINT or SIGTERM")
  .addOption(databaseUrl())
  .addOption(host())
  .addOption(port())
  .action(async ({ databaseUrl, host, port }: { databaseUrl: string; host: string; port: number }) => {
    const server = await startServer({ databaseUrl, host, port });
    console.error(`weft server listening on ${server.url} (OpenAPI: ${server.url}/openapi.json)`);
    await untilStopped();
    console.error("weft server stopping: finishing the requests in flight");
    await server.close();
  });

program
  .command("worker")
  .description("run a worker for the workflows and activities a module exports, until SIGINT or SIGTERM")
  .addOption(databaseUrl())
  .requiredOption("--module <file>", "a JavaScript module exporting `workflows` (classes) and `activities` (functions)")
  .option("--task-queue <name>", "the task queue to serve", "default")
  .addOption(new Option("--concurrency <n>", "jobs run at once").default(10).argParser(wholeNumber))
  .action(async (options: { databaseUrl: string; module: string; taskQueue: string; concurrency: number }) => {
    const worker = await Worker.create({
      databaseUrl: options.databaseUrl,
      taskQueue: options.taskQueue,
      concurrency: options.concurrency,
      ...(await loadWorkerModule(options.module)),
    });
    console.error(`weft worker ${worker.workerId} serving task queue ${options.taskQueue}`);
    await untilStopped();
    console.error("weft worker stopping: finishing the jobs in flight");
    await worker.shutdown();
  });

const apikey = program.command("apikey").description("API keys of the HTTP server");
apikey
  .command("create")
  .description("create a key directly in the database (to bootstrap the first admin key); prints its secret once")
  .addOption(databaseUrl())
  .requiredOption("--name <name>", "what the key is for")
  .addOption(new Option("--role <role>", "what it may do").choices(KEY_ROLES).default("admin"))
  .option("--namespace <namespace>", "the namespace it belongs to", "default")
  .action(async ({ databaseUrl, name, role, namespace }: { databaseUrl: string; name: string; role: KeyRole; namespace: string }) => {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    try {
      const { keyId, secret } = await createApiKey(pool, namespace, name, role);
      console.error(`created ${role} key ${keyId} in namespace ${namespace}; its secret, shown only now:`);
      console.log(secret);
    } finally {
      await pool.end();
    }
  });

program
  .command("grants")
  .description("print the SQL that creates weft's roles and grants them, for a superuser to run")
  .action(() => {
    process.stdout.write(grantStatements());
  });

function wholeNumber(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError("expected a whole number");
  return Number(text);
}

try {
  await program.parseAsync();
} catch (error) {
  console.error(`weft: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
