// The option objects of the public API, checked where they are passed: a misspelt or removed
// name (a `startToCloseTimeout` without its unit) fails at the call, naming the field, instead
// of being ignored. Durations are seconds; wire.ts turns them into what the SQL API takes.
// The client's limits are sql/functions/inputs.sql's, listed in the README (Limits);
// worker/test/contract.test.ts checks each against the SQL functions at its boundary.
import { z } from "zod";
import { unstorableText } from "./payload.js";
import { ActivityRetryPolicy, ChildWorkflowRetryPolicy, WorkflowRetryPolicy } from "./retry-policy.js";
import { searchAttributesSchema } from "./search-attributes.js";

/** Ids and names: workflow ids and types, task queues, signal names (weft.check_name). */
export const MAX_NAME_LENGTH = 255;
/** A termination reason (weft.terminate_workflow). */
export const MAX_REASON_LENGTH = 4096;
/** Entries of a retry policy's nonRetryableErrorTypes and of its backoffSeconds (weft.retry_policy). */
export const MAX_RETRY_LIST_LENGTH = 100;
export const MAX_BACKOFF_COEFFICIENT = 100;

/** Activity and workflow timeouts and retry intervals: up to ten years (weft.timeout_ms, weft.retry_policy). */
export const MAX_TIMEOUT_SECONDS = 10 * 365 * 24 * 3600;

/**
 * Why `value` cannot be stored as a name or text of at most `max` characters, or undefined.
 * Characters as PostgreSQL's length() counts them: a surrogate pair is one.
 */
export function textProblem(value: string, min: number, max: number): string | undefined {
  const unstorable = unstorableText(value);
  if (unstorable) return unstorable;
  if (value.length < min) return "must not be empty";
  if (value.length <= max) return undefined;
  let characters = 0;
  for (const _ of value) characters++;
  return characters > max ? `is ${characters} characters, over the limit of ${max}` : undefined;
}

function textSchema(min: number, max: number) {
  return z.string().superRefine((value, ctx) => {
    const problem = textProblem(value, min, max);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

export const nameSchema = textSchema(1, MAX_NAME_LENGTH);

const retryIntervalSeconds = z.number().min(0).max(MAX_TIMEOUT_SECONDS);

/** A retry policy's fields (its toJSON()) in the ranges weft.retry_policy accepts. */
const retryPolicyFieldsSchema = z.strictObject({
  maxAttempts: z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1),
  initialIntervalSeconds: retryIntervalSeconds,
  backoffCoefficient: z.number().min(1).max(MAX_BACKOFF_COEFFICIENT),
  maximumIntervalSeconds: retryIntervalSeconds.nullable(),
  nonRetryableErrorTypes: z.array(textSchema(0, MAX_NAME_LENGTH)).max(MAX_RETRY_LIST_LENGTH),
  backoffSeconds: z.array(retryIntervalSeconds).max(MAX_RETRY_LIST_LENGTH).nullable(),
});

/** A policy of class `cls` whose fields weft.retry_policy accepts (workflow, child and activity alike). */
function retryPolicyOf(cls: typeof ActivityRetryPolicy | typeof ChildWorkflowRetryPolicy | typeof WorkflowRetryPolicy) {
  return z
    .instanceof(cls)
    .transform((policy) => policy.toJSON())
    .pipe(retryPolicyFieldsSchema);
}

const activityTimeout = z.number().positive().max(MAX_TIMEOUT_SECONDS).optional();
const workflowTimeout = z.number().positive().max(MAX_TIMEOUT_SECONDS).optional();
const taskQueue = nameSchema.optional();

export const scheduleActivityOptionsSchema = z.strictObject({
  taskQueue,
  retryPolicy: retryPolicyOf(ActivityRetryPolicy).optional(),
  startToCloseTimeoutSeconds: activityTimeout,
  scheduleToStartTimeoutSeconds: activityTimeout,
  scheduleToCloseTimeoutSeconds: activityTimeout,
  heartbeatTimeoutSeconds: activityTimeout,
});

export const startChildWorkflowOptionsSchema = z.strictObject({
  workflowId: nameSchema.optional(),
  taskQueue,
  parentClosePolicy: z.enum(["terminate", "abandon"]).optional(),
  retryPolicy: retryPolicyOf(ChildWorkflowRetryPolicy).optional(),
  executionTimeoutSeconds: workflowTimeout,
  runTimeoutSeconds: workflowTimeout,
});

export const startOptionsSchema = z.strictObject({
  workflowId: nameSchema.optional(),
  taskQueue,
  searchAttributes: searchAttributesSchema({ allowNull: true }).optional(),
  retryPolicy: retryPolicyOf(WorkflowRetryPolicy).optional(),
  executionTimeoutSeconds: workflowTimeout,
  runTimeoutSeconds: workflowTimeout,
});

export const resultOptionsSchema = z.strictObject({
  timeoutSeconds: z.number().nonnegative().optional(),
});

export const outcomeOptionsSchema = z.strictObject({
  timeoutSeconds: z.number().nonnegative().optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

export const countOptionsSchema = z.strictObject({
  groupBy: z.literal("status").optional(),
});

export const historyOptionsSchema = z.strictObject({
  afterEventId: z.number().int().nonnegative().max(2 ** 31 - 1).optional(),
  limit: z.number().int().min(1).max(2 ** 31 - 1).optional(),
});

/** Throws a TypeError naming each bad field of `options` (`what` says whose options they are). */
export function checkOptions(schema: z.ZodType, options: unknown, what: string): void {
  const parsed = schema.safeParse(options);
  if (parsed.success) return;
  const issues = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
  throw new TypeError(`${what}: ${issues.join("; ")}`);
}
