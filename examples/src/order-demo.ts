// End-to-end demo: a database (embedded unless DATABASE_URL is set), the schema, a worker,
// one order workflow started with the Client and approved through the SQL API, then a clean
// shutdown. Run it with `pnpm demo` from the repository root.
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import { Client, type Logger } from "@weft/sdk";
import { EmbeddedPostgresError, migrate, openDatabase, type Database } from "@weft/sql";
import { Worker } from "@weft/worker";
import { OrderWorkflow, orderActivities, ShippingWorkflow, type Order, type OrderResult } from "./order-workflow.js";

interface DemoOptions {
  /** PostgreSQL to use; when absent an embedded server is started with data under .weft/postgres. */
  databaseUrl?: string | undefined;
  /** Where progress lines go. Default: stdout. */
  print?: (line: string) => void;
}

/** Runs one order from start to result and stops everything it started. */
async function runDemo(options: DemoOptions = {}): Promise<OrderResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const step = (line: string) => print(`\n== ${line}`);

  step(options.databaseUrl ? "using the PostgreSQL at DATABASE_URL" : "DATABASE_URL is not set: starting an embedded PostgreSQL");
  const database: Database = await openDatabase({
    databaseUrl: options.databaseUrl,
    onProgress: (line) => print(`  ${line}`),
  });
  let worker: Worker | undefined;
  let client: Client | undefined;
  try {
    await migrate(database.url, {
      onApply: (m) => print(`  applied migration ${m.id} (${m.name})`),
      onFunctions: (f) => print(f.applied ? `  applied SQL functions version ${f.version}` : `  kept newer SQL functions (version ${f.databaseVersion})`),
    });
    print("  schema weft is up to date");

    step("starting a worker for task queue \"default\"");
    worker = await Worker.create({
      databaseUrl: database.url,
      workflows: [OrderWorkflow, ShippingWorkflow],
      activities: orderActivities(print),
      logger: demoLogger(print),
    });
    print(
      `  worker ${worker.workerId} runs workflows "order" and "shipping" and activities ` +
        "reserveInventory, chargeCard, bookCarrier, printLabel, releaseInventory",
    );

    client = new Client({ databaseUrl: database.url });
    const order: Order = { orderId: 42, sku: "WEFT-MUG", quantity: 2, amountCents: 3_000 };
    // Unique per run, so a demo interrupted earlier (its run still open) never blocks this one.
    const workflowId = `order-${order.orderId}-${Date.now().toString(36)}`;
    step(`starting workflow "order" as ${workflowId}`);
    const handle = await client.start(OrderWorkflow, [order], { workflowId, searchAttributes: { customer: "acme" } });
    print(`  started: run ${handle.runId}`);

    // Signals wait in the run's inbox, so sending one early is safe; the delay only lets the
    // workflow reach its approval step first, as a person would.
    await delay(2_000);
    step("sending the approve signal through the SQL API, inside our own transaction");
    await signalInTransaction(database.url, workflowId, print);

    step("waiting for the result");
    const result = await client.result<OrderResult>(handle, { timeoutSeconds: 60 });
    print(`  result: ${JSON.stringify(result)}`);

    const description = await client.describe(handle);
    const history = await client.history(handle);
    step("describe()");
    print(`  status ${description.status}, type ${description.workflowType}, task queue ${description.taskQueue}`);
    print(`  ${description.historyLength} history events, ${description.workflowTaskFailures} failed workflow tasks`);
    print(`  pending activities ${description.pendingActivities.length}, pending timers ${description.pendingTimers.length}`);
    print(`  search attributes ${JSON.stringify(description.searchAttributes)}`);
    print(`  history: ${history.map((e) => e.type).join(", ")}`);
    const children = await client.list({ parentRunId: handle.runId });
    for (const child of children.runs) print(`  child workflow ${child.workflowType} ${child.workflowId}: ${child.status}`);
    return result;
  } finally {
    step("shutting down");
    await worker?.shutdown();
    await client?.close();
    await database.stop();
    print("  worker, client and database stopped");
  }
}

/** What an application does in its own transaction: its own writes, then the signal. */
async function signalInTransaction(databaseUrl: string, workflowId: string, print: (line: string) => void): Promise<void> {
  const connection = new pg.Client({ connectionString: databaseUrl });
  await connection.connect();
  try {
    await connection.query("begin");
    await connection.query("select weft.signal_workflow($1, 'approve', '[]')", [workflowId]);
    // The workflow sees the signal only once this commits (printed first to keep the order).
    print(`  signal sent: select weft.signal_workflow('${workflowId}', 'approve', '[]'); commit`);
    await connection.query("commit");
  } catch (error) {
    await connection.query("rollback").catch(() => {});
    throw error;
  } finally {
    await connection.end();
  }
}

/** Workflow log lines (ctx.logger) and worker warnings, one short line each. */
function demoLogger(print: (line: string) => void): Logger {
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    // Workflow lines carry workflowId/runId/workflowType; the demo prints its own ids instead.
    const fromWorkflow = fields !== undefined && "workflowId" in fields;
    const extra = !fromWorkflow && fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
    print(`  ${fromWorkflow ? "workflow" : "worker"} ${level}: ${message}${extra}`);
  };
  return { debug() {}, info: line("info"), warn: line("warn"), error: line("error") };
}

// The only place that reads process.env: library code takes its settings as arguments.
async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  await runDemo({ databaseUrl });
  console.log("\ndemo finished");
}

main().catch((error: unknown) => {
  // A startup failure of the embedded PostgreSQL is one line that says what to do.
  console.error("demo failed:", error instanceof EmbeddedPostgresError ? error.message : error);
  process.exitCode = 1;
});
