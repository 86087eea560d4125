// graphile-worker task identifiers and payloads weft uses. The SQL functions that enqueue
// these jobs (sql/functions/jobs.sql) build the same names and fields; worker/test/contract.test.ts
// checks every kind against these schemas.
import { z } from "zod";

export const taskIdentifiers = (taskQueue: string) => ({
  workflowTask: `weft/workflow/${taskQueue}`,
  activity: `weft/activity/${taskQueue}`,
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
