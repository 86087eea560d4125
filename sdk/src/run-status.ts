import { z } from "zod";

/**
 * A run's status. The database's check on weft.workflow_runs.status must allow exactly these
 * (worker/test/contract.test.ts compares them).
 */
export const runStatusSchema = z.enum(["running", "completed", "failed", "continued_as_new", "terminated", "timed_out"]);
export type RunStatus = z.infer<typeof runStatusSchema>;

/** An activity's status (weft.activity_executions.status, checked the same way). */
export const activityStatusSchema = z.enum(["scheduled", "started", "completed", "failed"]);
export type ActivityStatus = z.infer<typeof activityStatusSchema>;
