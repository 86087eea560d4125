// The client's door: every call's arguments are checked here, by the same limits as the SQL
// functions' (sql/functions/inputs.sql, README Limits), before any SQL runs, so a refusal is a
// typed error of the call that earned it and never reaches a batch of starts.
import { InvalidArgumentError } from "../errors.js";
import { checkOptions, MAX_NAME_LENGTH, startOptionsSchema, textProblem } from "../options.js";
import { encodeArgs } from "../payload.js";
import type { WorkflowRetryPolicy } from "../retry-policy.js";
import type { SearchAttributes } from "../search-attributes.js";
import { workflowTimeoutsToWire } from "../wire.js";
import { workflowDefinition, type WorkflowClass } from "../workflow/definition.js";
import type { StartRequest } from "./start-batcher.js";

export interface StartOptions {
  /** Unique among open runs; a second start with an open id throws WorkflowAlreadyRunningError. */
  workflowId?: string;
  /** Default "default". */
  taskQueue?: string;
  /** Indexed facts to find the run by (Client.list); the workflow may change them. */
  searchAttributes?: SearchAttributes;
  /** Run the workflow again (attempt + 1) when a run fails; without one it runs once. */
  retryPolicy?: WorkflowRetryPolicy;
  /** Longest the workflow may take over all its runs (retries, continue-as-new). */
  executionTimeoutSeconds?: number;
  /** Longest one run may take. */
  runTimeoutSeconds?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs a check of a client argument; its TypeError or RangeError becomes InvalidArgumentError. */
export function checkArgument<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** A name or text argument (`what`: "signal name"), 1 (or `min`) to `max` characters. */
export function checkText(value: unknown, what: string, max = MAX_NAME_LENGTH, min = 1): string {
  if (typeof value !== "string") throw new InvalidArgumentError(`${what} must be a string, got ${value === null ? "null" : typeof value}`);
  const problem = textProblem(value, min, max);
  if (problem) throw new InvalidArgumentError(`${what} ${problem}`);
  return value;
}

/** A workflow id, or a handle's workflow id and run id (a UUID). */
export function checkRef(ref: unknown): { workflowId: string; runId: string | null } {
  if (typeof ref !== "object" || ref === null) return { workflowId: checkText(ref, "workflow id"), runId: null };
  const { workflowId, runId } = ref as { workflowId?: unknown; runId?: unknown };
  if (typeof runId !== "string" || !UUID.test(runId)) {
    throw new InvalidArgumentError(`run id must be a UUID, got ${typeof runId === "string" ? `"${runId.slice(0, 80)}"` : typeof runId}`);
  }
  return { workflowId: checkText(workflowId, "workflow id"), runId };
}

/** A Client.start call as the start batcher sends it, every part checked. */
export function startRequest(namespace: string, workflow: string | WorkflowClass, args: unknown, options: StartOptions): StartRequest {
  checkArgument(() => checkOptions(startOptionsSchema, options, "start options"));
  const workflowType = typeof workflow === "string" ? workflow : checkArgument(() => workflowDefinition(workflow).name);
  return {
    workflowType: checkText(workflowType, "workflow type"),
    argsJson: encodeArgs(args, "workflow arguments"),
    workflowId: options.workflowId ?? null,
    taskQueue: options.taskQueue ?? "default",
    namespace,
    options: {
      searchAttributes: options.searchAttributes,
      retryPolicy: options.retryPolicy?.toJSON(),
      ...workflowTimeoutsToWire(options),
    },
  };
}
