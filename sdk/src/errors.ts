// Local errors: raised in this process, never serialized into history. Failures that cross the
// workflow/activity boundary live in failures.ts.

export class WeftError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No worker registered this workflow type on the task queue (SQLSTATE WF001). */
export class UnknownWorkflowTypeError extends WeftError {}

/** A run with this workflow id is still open (SQLSTATE WF002). */
export class WorkflowAlreadyRunningError extends WeftError {}

/** Arguments or results that are not JSON or exceed the size limit (SQLSTATE WF003). */
export class PayloadError extends WeftError {}

/** No such workflow, or it is closed and takes no more signals (SQLSTATE WF004). */
export class WorkflowNotFoundError extends WeftError {}

/** A client call's arguments are malformed (a list filter, a cursor, a start option). Nothing was done. */
export class InvalidArgumentError extends WeftError {}

/** A workflow task found the run changed under it (SQLSTATE WF005); the task is retried. */
export class StaleWorkflowTaskError extends WeftError {}

/**
 * Replayed code yielded a different command than history recorded at that position. Raised
 * only by the replayer; it fails the workflow task (retried), never the workflow.
 */
export class NonDeterminismError extends WeftError {
  constructor(
    message: string,
    /** The history event the code disagreed with (or the last one checked). */
    readonly eventId: number | undefined,
  ) {
    super(message);
  }
}

/** `Client.result` of a run that failed; `cause` is the workflow's failure. */
export class WorkflowFailedError extends WeftError {
  constructor(
    readonly workflowId: string,
    readonly runId: string,
    cause: Error,
  ) {
    super(`workflow ${workflowId} (run ${runId}) failed: ${cause.message}`, { cause });
  }
}

const BY_SQLSTATE: Record<string, new (message: string, options?: { cause?: unknown }) => WeftError> = {
  WF001: UnknownWorkflowTypeError,
  WF002: WorkflowAlreadyRunningError,
  WF003: PayloadError,
  WF004: WorkflowNotFoundError,
  WF005: StaleWorkflowTaskError,
  WF006: InvalidArgumentError,
  "22P02": PayloadError, // invalid_text_representation: text that is not JSON cast to jsonb
  "22P05": PayloadError, // untranslatable_character: \u0000 in JSON, which jsonb cannot hold
  "22021": InvalidArgumentError, // character_not_in_repertoire: a NUL byte in a text argument
};

/**
 * The one place SQLSTATE codes raised by weft's SQL functions become typed errors.
 * Anything else is returned unchanged.
 */
export function mapDatabaseError(error: unknown): unknown {
  const pgError = error as { code?: string; message?: string; hint?: string };
  const ErrorClass = pgError?.code ? BY_SQLSTATE[pgError.code] : undefined;
  if (!ErrorClass) return error;
  const hint = pgError.hint ? ` (${pgError.hint})` : "";
  return new ErrorClass(`${pgError.message}${hint}`, { cause: error });
}

const TRANSIENT_SQLSTATE_CLASSES = ["08", "40", "53", "55", "57", "58", "XX"];
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * Whether an error is the database or network failing (worth retrying later) rather than bad
 * input or workflow code: the worker rethrows these so graphile-worker retries the job, and
 * Client.result keeps waiting through them.
 */
export function isInfrastructureError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string") {
    const message = error instanceof Error ? error.message : "";
    return /Connection terminated|Client has encountered a connection error|connection is closed/i.test(message);
  }
  if (NETWORK_CODES.has(code)) return true;
  return code.length === 5 && TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2));
}
