// The option objects of the public API, checked where they are passed: a misspelt or removed
// name (a `startToCloseTimeout` without its unit) fails at the call, naming the field, instead
// of being ignored. Durations are seconds; wire.ts turns them into what the SQL API takes.
import { z } from "zod";
import { ActivityRetryPolicy, ChildWorkflowRetryPolicy, WorkflowRetryPolicy } from "./retry-policy.js";
import { checkSearchAttributes } from "./search-attributes.js";

/** Activity and workflow timeouts: up to ten years (weft.timeout_ms enforces the same in SQL). */
export const MAX_TIMEOUT_SECONDS = 10 * 365 * 24 * 3600;

const activityTimeout = z.number().positive().max(MAX_TIMEOUT_SECONDS).optional();
const workflowTimeout = z.number().positive().max(MAX_TIMEOUT_SECONDS).optional();
const taskQueue = z.string().min(1).optional();

export const scheduleActivityOptionsSchema = z.strictObject({
  taskQueue,
  retryPolicy: z.instanceof(ActivityRetryPolicy).optional(),
  startToCloseTimeoutSeconds: activityTimeout,
  scheduleToStartTimeoutSeconds: activityTimeout,
  scheduleToCloseTimeoutSeconds: activityTimeout,
  heartbeatTimeoutSeconds: activityTimeout,
});

export const startChildWorkflowOptionsSchema = z.strictObject({
  workflowId: z.string().min(1).optional(),
  taskQueue,
  parentClosePolicy: z.enum(["terminate", "abandon"]).optional(),
  retryPolicy: z.instanceof(ChildWorkflowRetryPolicy).optional(),
  executionTimeoutSeconds: workflowTimeout,
  runTimeoutSeconds: workflowTimeout,
});

export const startOptionsSchema = z.strictObject({
  workflowId: z.string().min(1).optional(),
  taskQueue,
  searchAttributes: z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      try {
        if (value !== undefined) checkSearchAttributes(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
  retryPolicy: z.instanceof(WorkflowRetryPolicy).optional(),
  executionTimeoutSeconds: workflowTimeout,
  runTimeoutSeconds: workflowTimeout,
});

export const resultOptionsSchema = z.strictObject({
  timeoutSeconds: z.number().nonnegative().optional(),
});

/** Throws a TypeError naming each bad field of `options` (`what` says whose options they are). */
export function checkOptions(schema: z.ZodType, options: unknown, what: string): void {
  const parsed = schema.safeParse(options);
  if (parsed.success) return;
  const issues = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
  throw new TypeError(`${what}: ${issues.join("; ")}`);
}
