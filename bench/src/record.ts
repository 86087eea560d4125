// The wfbench/1 result record of WORKLOADS.md: one JSON object per line on stdout, first key
// `schema`, then the run, the peer, the workload figures, config and host.
import type { WorkloadName } from "./config.js";
import type { Metrics } from "./metrics.js";

export interface RecordContext {
  readonly runId: string;
  readonly peer: string;
  readonly peerVersion: string;
  readonly host: { readonly cpus: number; readonly node: string };
}

/** Transactions the peer committed in its database per step, from pg_stat_database. */
export interface XactCount {
  /** xact_commit delta over the variant: startup, warm-up, measured part and shutdown. */
  readonly commits: number;
  /** The bench observer's own statements among them (subtracted). */
  readonly observer_statements: number;
  /** Its LISTEN connections' NOTIFY wake-ups, one transaction each (subtracted; an estimate). */
  readonly observer_listen_xacts: number;
  /** Steps run over the same span (warm-up included). */
  readonly steps: number;
  /** False if some connection was still open at the second reading (count may be short). */
  readonly complete: boolean;
}

export interface BenchRecord {
  readonly schema: "wfbench/1";
  readonly peer: string;
  readonly workload: WorkloadName;
  readonly variant: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly xact_per_step?: number;
  readonly [figure: string]: unknown;
}

export function okRecord(
  c: RecordContext,
  head: { workload: WorkloadName; variant: string },
  metrics: Metrics,
  config: Readonly<Record<string, unknown>>,
  xact: XactCount,
): BenchRecord {
  const engine = xact.commits - xact.observer_statements - xact.observer_listen_xacts;
  const perStep = Math.round((engine / xact.steps) * 100) / 100;
  return {
    ...start(c, head, true),
    ...metrics,
    xact_per_step: perStep,
    config: { ...config, xact: xact },
    host: c.host,
  };
}

export function failedRecord(
  c: RecordContext,
  head: { workload: WorkloadName; variant: string },
  error: string,
  config: Readonly<Record<string, unknown>>,
  diagnosis?: string,
): BenchRecord {
  return { ...start(c, head, false), error, ...(diagnosis ? { diagnosis } : {}), config, host: c.host };
}

function start(c: RecordContext, head: { workload: WorkloadName; variant: string }, ok: boolean) {
  return {
    schema: "wfbench/1" as const,
    run_id: c.runId,
    ts: new Date().toISOString(),
    peer: c.peer,
    peer_version: c.peerVersion,
    workload: head.workload,
    variant: head.variant,
    ok,
  };
}

export function emit(record: BenchRecord): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}
