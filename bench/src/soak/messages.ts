// What the driver (worker-fleet.ts) and a worker process (worker-process.ts) say over IPC.

/** Worker process to driver. */
export type WorkerMessage = { readonly kind: "ready" } | { readonly kind: "report"; readonly report: WorkerReport };

export interface WorkerReport {
  /** "warn: <message with ids and numbers masked>" -> times logged. */
  readonly logCounts: Readonly<Record<string, number>>;
  /** Workflow tasks failed on purpose (FLAKY). */
  readonly flakes: number;
}

/** Driver to worker process: shut the Workers down, send a last report, exit. */
export const STOP = "stop";
