#!/usr/bin/env node
// weft's command line. Each command is a thin shell over a package's API (or, for workflow,
// apikey and replay, over the HTTP API and the replayer: ./commands/), so what it does is what
// a program calling that API gets.
import { Command, CommanderError, Option } from "commander";
import { startServer } from "@weft/server";
import { grantStatements, migrate } from "@weft/sql";
import { Worker } from "@weft/worker";
import { wholeNumber } from "./arguments.js";
import { CliError, EXIT, EXIT_CODES_HELP } from "./cli-error.js";
import { addApiKeyCommands } from "./commands/apikey.js";
import { addNamespaceCommands } from "./commands/namespace.js";
import { addReplayCommand } from "./commands/replay.js";
import { addWorkflowCommands } from "./commands/workflow.js";
import { dev } from "./dev.js";
import { untilStopped } from "./signals.js";
import { EXAMPLE_MODULE, loadWorkerModule } from "./worker-module.js";

const databaseUrl = () =>
  new Option("--database-url <url>", "PostgreSQL connection string").env("DATABASE_URL").makeOptionMandatory();

const port = () => new Option("--port <port>", "port to listen on (0: any free one)").env("WEFT_PORT").default(8080).argParser(wholeNumber);
const host = () => new Option("--host <host>", "address to listen on").env("WEFT_HOST").default("127.0.0.1");

// Settings before the commands: subcommands inherit them. exitOverride turns commander's
// exits into CommanderErrors, so usage errors end with exit code 2.
interface WorkerFlags {
  readonly databaseUrl: string;
  readonly module: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly concurrency: number;
  readonly metricsPort?: number;
  readonly metricsHost: string;
}

const program = new Command("weft")
  .description("A durable workflow engine that needs nothing but PostgreSQL")
  .exitOverride()
  .showHelpAfterError("(add --help for usage)")
  .addHelpText("after", EXIT_CODES_HELP);

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
  .option("--namespace <namespace>", "the namespace whose task queue to serve", "default")
  .option("--task-queue <name>", "the task queue to serve", "default")
  .addOption(new Option("--concurrency <n>", "jobs run at once").default(10).argParser(wholeNumber))
  .addOption(new Option("--metrics-port <port>", "serve GET /metrics (Prometheus) on this port").env("WEFT_METRICS_PORT").argParser(wholeNumber))
  .addOption(new Option("--metrics-host <host>", "address of the metrics port").env("WEFT_METRICS_HOST").default("127.0.0.1"))
  .action(async (options: WorkerFlags) => {
    const worker = await Worker.create({
      databaseUrl: options.databaseUrl,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      concurrency: options.concurrency,
      metricsPort: options.metricsPort,
      metricsHost: options.metricsHost,
      ...(await loadWorkerModule(options.module)),
    });
    const metrics = worker.metricsUrl ? `; metrics at ${worker.metricsUrl}` : "";
    console.error(`weft worker ${worker.workerId} serving task queue ${options.taskQueue} of namespace ${options.namespace}${metrics}`);
    await untilStopped();
    console.error("weft worker stopping: finishing the jobs in flight");
    await worker.shutdown();
  });

addNamespaceCommands(program);
addApiKeyCommands(program);
addWorkflowCommands(program);
addReplayCommand(program);

program
  .command("grants")
  .description("print the SQL that creates weft's roles and grants them, for a superuser to run")
  .action(() => {
    process.stdout.write(grantStatements());
  });

try {
  await program.parseAsync();
} catch (error) {
  process.exit(exitCodeOf(error));
}

/** Commander has printed its own errors (usage: 2); every other error is printed here. */
function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  console.error(`weft: ${error instanceof Error ? error.message : String(error)}`);
  return error instanceof CliError ? error.exitCode : EXIT.failed;
}
