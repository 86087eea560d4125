// Failures cross the workflow/activity boundary as JSON. `name` says which kind of failure it
// is and never changes; `type` is the user-facing error type that retry policies match on.
import { PayloadError } from "./errors.js";
import { encodePayload, unstorableText } from "./payload.js";

export interface SerializedFailure {
  readonly name: string;
  readonly type: string;
  readonly message: string;
  readonly stack?: string | undefined;
  readonly details?: unknown;
  readonly nonRetryable?: boolean | undefined;
  readonly cause?: SerializedFailure | undefined;
  /** TimeoutFailure only: which timeout fired. */
  readonly timeoutType?: TimeoutType | undefined;
  /** ActivityFailure only. */
  readonly activityType?: string | undefined;
  readonly activityId?: number | undefined;
  readonly attempt?: number | undefined;
  /** ChildWorkflowFailure only. */
  readonly workflowType?: string | undefined;
  readonly workflowId?: string | undefined;
  readonly runId?: string | undefined;
}

/** Activity timeouts, then the two workflow ones (a run's, and all runs' of a workflow id). */
export type TimeoutType =
  | "startToClose"
  | "scheduleToStart"
  | "scheduleToClose"
  | "heartbeat"
  | "workflowRun"
  | "workflowExecution";

/** Base of every failure that can cross the workflow boundary. */
export class WeftFailure extends Error {
  constructor(
    message: string,
    readonly type: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An error an activity or workflow throws on purpose, with a type for retry policies to
 * match and optional details. `nonRetryable` stops retries whatever the policy says.
 */
export class ApplicationFailure extends WeftFailure {
  override readonly name = "ApplicationFailure";
  constructor(
    message: string,
    options: { type?: string; details?: unknown; nonRetryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.type ?? "ApplicationFailure", options.details, { cause: options.cause });
    this.nonRetryable = options.nonRetryable ?? false;
  }
  readonly nonRetryable: boolean;
}

/** An activity attempt or the whole activity ran out of time. */
export class TimeoutFailure extends WeftFailure {
  override readonly name = "TimeoutFailure";
  constructor(
    message: string,
    readonly timeoutType: TimeoutType,
    details?: unknown,
  ) {
    super(message, "TimeoutFailure", details);
  }
}

/**
 * Thrown into the workflow at the yield of an activity that failed for good (retries
 * exhausted, non-retryable error, or a schedule timeout). `cause` is the last attempt's error.
 */
export class ActivityFailure extends WeftFailure {
  override readonly name = "ActivityFailure";
  constructor(
    readonly activityType: string,
    readonly activityId: number,
    readonly attempt: number,
    override readonly cause: WeftFailure,
  ) {
    super(
      `activity ${activityType} (id ${activityId}) failed after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${cause.message}`,
      "ActivityFailure",
      undefined,
      { cause },
    );
  }
}

/** A run was terminated (Client.terminate, or its parent closed); `message` is the reason. */
export class TerminatedFailure extends WeftFailure {
  override readonly name = "TerminatedFailure";
  constructor(message: string) {
    super(message, "TerminatedFailure");
  }
}

/**
 * Thrown into the parent at the yield of a child workflow that failed, timed out or was
 * terminated (after its retries, if it had a policy). `cause` says which.
 */
export class ChildWorkflowFailure extends WeftFailure {
  override readonly name = "ChildWorkflowFailure";
  constructor(
    readonly workflowType: string,
    readonly workflowId: string,
    readonly runId: string | null,
    override readonly cause: WeftFailure,
  ) {
    super(`child workflow ${workflowType} (${workflowId}) failed: ${cause.message}`, "ChildWorkflowFailure", undefined, {
      cause,
    });
  }
}

/** `text` with what PostgreSQL cannot store (NUL, lone surrogates) replaced by U+FFFD. */
function storableText(text: string): string {
  return unstorableText(text) ? text.replace(/\0|\p{Cs}/gu, "\uFFFD") : text;
}

/** Failure details as payloads are checked (payload.ts), or why they cannot be stored. */
function storableDetails(details: unknown): { value?: unknown; dropped?: string } {
  if (details === undefined) return {};
  try {
    encodePayload(details, "details");
    return { value: details };
  } catch (error) {
    if (error instanceof PayloadError) return { dropped: error.message };
    throw error;
  }
}

/** The type retry policies match: an explicit failure type, else the error class name. */
function errorType(error: Error): string {
  if (error instanceof WeftFailure) return error.type;
  if (error.name && error.name !== "Error") return error.name;
  return error.constructor?.name || "Error";
}

/** Causes kept below a failure; a longer (or circular) chain is cut there. */
const MAX_CAUSE_DEPTH = 20;

/**
 * An error as the JSON failure that crosses into history, storable whatever was thrown, so
 * recording it cannot fail: text PostgreSQL cannot hold (NUL, a lone surrogate) gets U+FFFD,
 * details that are not storable JSON are dropped (the message says why), and the cause chain
 * is cut at MAX_CAUSE_DEPTH.
 */
export function serializeFailure(error: unknown): SerializedFailure {
  return serializeAt(error, 0);
}

function serializeAt(error: unknown, depth: number): SerializedFailure {
  if (!(error instanceof Error)) {
    return { name: "ApplicationFailure", type: "Error", message: storableText(String(error)) };
  }
  const details = error instanceof WeftFailure ? storableDetails(error.details) : {};
  const base = {
    name: error instanceof WeftFailure ? error.name : "ApplicationFailure",
    type: storableText(errorType(error)),
    message: storableText(error.message) + (details.dropped ? ` (its details were dropped: ${details.dropped})` : ""),
    stack: error.stack === undefined ? undefined : storableText(error.stack),
    details: details.value,
    nonRetryable: error instanceof ApplicationFailure ? error.nonRetryable || undefined : undefined,
    cause: error.cause === undefined || depth >= MAX_CAUSE_DEPTH ? undefined : serializeAt(error.cause, depth + 1),
  };
  if (error instanceof TimeoutFailure) return { ...base, timeoutType: error.timeoutType };
  if (error instanceof ActivityFailure) {
    return {
      ...base,
      activityType: error.activityType,
      activityId: error.activityId,
      attempt: error.attempt,
    };
  }
  if (error instanceof ChildWorkflowFailure) {
    return { ...base, workflowType: error.workflowType, workflowId: error.workflowId, runId: error.runId ?? undefined };
  }
  return base;
}

export function deserializeFailure(failure: SerializedFailure): WeftFailure {
  let error: WeftFailure;
  switch (failure.name) {
    case "TimeoutFailure":
      error = new TimeoutFailure(failure.message, failure.timeoutType ?? "startToClose", failure.details);
      break;
    case "ActivityFailure":
      error = new ActivityFailure(
        failure.activityType ?? "unknown",
        failure.activityId ?? 0,
        failure.attempt ?? 0,
        failure.cause ? deserializeFailure(failure.cause) : new ApplicationFailure("unknown cause"),
      );
      break;
    case "TerminatedFailure":
      error = new TerminatedFailure(failure.message);
      break;
    case "ChildWorkflowFailure":
      error = new ChildWorkflowFailure(
        failure.workflowType ?? "unknown",
        failure.workflowId ?? "unknown",
        failure.runId ?? null,
        failure.cause ? deserializeFailure(failure.cause) : new ApplicationFailure("unknown cause"),
      );
      break;
    default:
      error = new ApplicationFailure(failure.message, {
        type: failure.type,
        details: failure.details,
        nonRetryable: failure.nonRetryable ?? false,
        cause: failure.cause ? deserializeFailure(failure.cause) : undefined,
      });
  }
  if (failure.stack) error.stack = failure.stack;
  return error;
}
