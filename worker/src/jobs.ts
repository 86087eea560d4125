// graphile-worker task identifiers and payloads weft uses. The SQL functions that enqueue
// these jobs (sql/functions/jobs.sql) build the same names and fields; worker/test/contract.test.ts
// checks every kind against these schemas.
import { z } from "zod";

/** The names of weft.task_identifier (sql/functions/jobs.sql): namespace default keeps 0.1's. */
const queued = (kind: string, namespace: string, taskQueue: string) =>
  namespace === "default" ? `weft/${kind}/${taskQueue}` : `weft/ns/${namespace}/${kind}/${taskQueue}`;

export const taskIdentifiers = (namespace: string, taskQueue: string) => ({
  workflowTask: queued("workflow", namespace, taskQueue),
  activity: queued("activity", namespace, taskQueue),
  timeout: "weft/timeout",
  runTimeout: "weft/run-timeout",
  parentClosed: "weft/parent-closed",
});

/** A run's id: workflow tasks, run timeouts, parent-closed. */
export const runJob = z.object({ r: z.uuid() });

export const activityJob = z.object({
  r: z.uuid(),
  a: z.number().int(),
  n: z.number().int(),
  t: z.string(),
  args: z.array(z.unknown()),
  /** start-to-close timeout, ms */
  stc: z.number().nullable(),
  /** heartbeat timeout, ms */
  hb: z.number().nullable(),
  /** the attempt must be marked started (it has timeouts that count from the start) */
  track: z.boolean(),
  /** heartbeat details of the previous attempt */
  hd: z.unknown().nullable(),
});
export type ActivityJob = z.infer<typeof activityJob>;

export const timeoutJob = z.object({
  r: z.uuid(),
  a: z.number().int(),
  n: z.number().int(),
  k: z.enum(["startToClose", "scheduleToStart", "scheduleToClose", "heartbeat"]),
});
export type TimeoutJob = z.infer<typeof timeoutJob>;
