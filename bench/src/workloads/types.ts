import type { BenchConfig, WorkloadName } from "../config.js";
import type { Metrics } from "../metrics.js";

/** What a running variant gets: its peer's database, the config, and the timeout's signal. */
export interface RunContext {
  readonly url: string;
  readonly config: BenchConfig;
  /** Aborted when the variant's timeout passes; every wait must give up on it. */
  readonly signal: AbortSignal;
  progress(done: number, total: number, unit: string): void;
  log(line: string): void;
}

export interface Outcome {
  readonly metrics: Metrics;
  /**
   * Steps run between the two pg_stat_database readings around the variant (warm-up
   * included, since it runs on the same connections): the divisor of xact_per_step.
   */
  readonly meteredSteps: number;
  /** What the bench's own observer cost the peer's database; subtracted from its transactions. */
  readonly observer: ObserverCost;
  /** Settings known only once run (e.g. the random phase offset), merged into config. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** One workload as one peer runs it; a record per variant. */
export interface Variant {
  readonly workload: WorkloadName;
  readonly variant: string;
  /** Start and completion method and non-default settings, reported even on failure. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Starts its own worker and client, and stops them before returning (or throwing). */
  run(ctx: RunContext): Promise<Outcome>;
  /** After a failure: the state left in the peer's database, for the report. */
  diagnose?(url: string): Promise<string>;
}

export interface Peer {
  readonly name: "weft" | "graphile-worker";
  readonly version: string;
  /** Name of the fresh database this peer gets on the server. */
  readonly database: string;
  /** Sets up the fresh database (migrations, bench tables) before the CHECKPOINT. */
  prepare(url: string): Promise<void>;
  variants(workload: WorkloadName): Variant[];
}

export interface ObserverCost {
  /** Statements the observer ran: polls, result() reads, LISTEN; one transaction each. */
  readonly statements: number;
  /** Observer connections LISTENing in the peer's database while it ran. */
  readonly listeners: number;
  /** NOTIFY wake-ups each of them saw (one transaction per listener per wake-up). */
  readonly wakeups: number;
}
