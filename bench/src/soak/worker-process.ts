// One soak worker process, forked by worker-fleet.ts: `node worker-process.js <url> <options json>`.
// It runs `instances` Workers, counts their warnings and errors by message, and reports those
// counts and its injected flakes to the driver every second and when it stops.
import { Worker, type WorkerOptions } from "@weft/worker";
import type { SoakWorkerOptions } from "./config.js";
import { STOP, type WorkerMessage } from "./messages.js";
import { activities, soakWorkflows, TASK_QUEUE } from "./workflows.js";

async function main(): Promise<void> {
  const [databaseUrl, json] = process.argv.slice(2);
  // Built by the driver from its parsed config (config.ts), so not validated again here.
  const { instances, flaky, ...options } = JSON.parse(json!) as SoakWorkerOptions;
  const { workflows, flakes } = soakWorkflows(flaky);

  const logCounts = new Map<string, number>();
  const count = (level: string) => (message: string) => {
    const key = `${level}: ${mask(message)}`;
    logCounts.set(key, (logCounts.get(key) ?? 0) + 1);
  };
  const logger = { debug() {}, info() {}, warn: count("warn"), error: count("error") };
  const workerOptions: WorkerOptions = { ...options, databaseUrl: databaseUrl!, taskQueue: TASK_QUEUE, workflows, activities, logger };
  const workers: Worker[] = [];
  for (let i = 0; i < instances; i++) workers.push(await Worker.create(workerOptions));

  const report = (): WorkerMessage => ({ kind: "report", report: { logCounts: Object.fromEntries(logCounts), flakes: flakes() } });
  send({ kind: "ready" });
  setInterval(() => send(report()), 1000).unref();
  process.on("message", (message) => {
    if (message !== STOP) return;
    void Promise.all(workers.map((w) => w.shutdown())).then(() => {
      process.send!(report(), () => process.exit(0));
    });
  });
  // The driver is gone (it exited or was killed): nothing left to work for.
  process.on("disconnect", () => process.exit(0));
}

function send(message: WorkerMessage): void {
  if (process.connected) process.send!(message);
}

/** Masks run ids and numbers so one kind of message counts as one. */
function mask(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>")
    .replace(/\d+/g, "N")
    .slice(0, 140);
}

main().catch((error: unknown) => {
  process.stderr.write(`soak worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
