import { z } from "zod";

/**
 * A run's status. The database's check on weft.workflow_runs.status must allow exactly these
 * (worker/test/contract.test.ts compares them).
 */
export const RUN_STATUSES = ["running", "completed", "failed", "continued_as_new", "terminated", "timed_out"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
// Annotated: an inferred z.enum type is emitted to .d.ts with its keys in no fixed order.
export const runStatusSchema: z.ZodType<RunStatus> = z.enum(RUN_STATUSES);

/** An activity's status (weft.activity_executions.status, checked the same way). */
export const ACTIVITY_STATUSES = ["scheduled", "started", "completed", "failed"] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];
