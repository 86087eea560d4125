import type { BenchConfig } from "./config.js";
import type { Server } from "./database.js";
import type { Progress } from "./progress.js";
import { failedRecord, okRecord, type BenchRecord, type RecordContext } from "./record.js";
import { TEARDOWN_MS } from "./workloads/shared.js";
import type { Peer, Variant } from "./workloads/types.js";

/**
 * Runs one variant under its timeout and turns the outcome into a record. Transactions are
 * counted from pg_stat_database around the whole variant, once no connection to the peer's
 * database is left (backends report their counts when they exit).
 */
export async function runVariant(
  server: Server,
  peer: Peer,
  url: string,
  variant: Variant,
  config: BenchConfig,
  progress: Progress,
  recordContext: RecordContext,
): Promise<BenchRecord> {
  const head = { workload: variant.workload, variant: variant.variant };
  progress.begin(`${variant.workload} ${peer.name} (${variant.variant})`);
  const before = await server.xactCommit(peer.database);
  const controller = new AbortController();
  const timeout = setTimeout(
    () => controller.abort(new Error(`timed out after ${config.timeoutMs} ms at ${progress.current}`)),
    config.timeoutMs,
  );
  // A variant that ignores its signal still ends here, some time after its timeout.
  let hardStop: NodeJS.Timeout | undefined;
  const hardDeadline = new Promise<never>((_, reject) => {
    hardStop = setTimeout(() => reject(new Error(`did not stop within ${TEARDOWN_MS} ms of its timeout`)), config.timeoutMs + TEARDOWN_MS + 5000);
  });
  try {
    const outcome = await Promise.race([
      variant.run({
        url,
        config,
        signal: controller.signal,
        progress: (done, total, unit) => progress.update(done, total, unit),
        log: (line) => progress.log(line),
      }),
      hardDeadline,
    ]);
    const complete = await server.settle(peer.database);
    const commits = (await server.xactCommit(peer.database)) - before;
    const { statements, listeners, wakeups } = outcome.observer;
    const record = okRecord(recordContext, head, outcome.metrics, { ...variant.config, ...outcome.config }, {
      commits,
      observer_statements: statements,
      observer_listen_xacts: listeners * wakeups,
      steps: outcome.meteredSteps,
      complete,
    });
    progress.end(`${summary(record)}, ${record.xact_per_step} transactions/step`);
    return record;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const diagnosis = variant.diagnose ? await variant.diagnose(url).catch((e: Error) => `diagnosis failed: ${e.message}`) : undefined;
    await server.settle(peer.database);
    progress.end(`FAILED: ${message}${diagnosis ? `\n${diagnosis}` : ""}`);
    return failedRecord(recordContext, head, message, variant.config, diagnosis);
  } finally {
    clearTimeout(timeout);
    clearTimeout(hardStop);
  }
}

function summary(r: BenchRecord): string {
  switch (r.workload) {
    case "W1":
      return `${r.steps_per_s} steps/s, wall ${r.wall_ms} ms (starts ${r.start_all_ms} ms)`;
    case "W2":
      return `median ${r.median_wf_ms} ms per workflow, ${r.steps_per_s} steps/s`;
    case "W3":
      return `p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms, p99 ${r.p99_ms} ms`;
    case "W4":
      return `lateness p50 ${r.lateness_p50_ms} ms, p99 ${r.lateness_p99_ms} ms`;
  }
}
