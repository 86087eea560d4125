// Local errors: raised in this process, never serialized into history. Failures that cross the
// workflow/activity boundary live in failures.ts. Each class names itself in `name`, which
// stays stable across releases and bundlers (code may match on it). Their base, WeftError,
// lives in @weft/errors, which @weft/sql's errors extend too.
import { WeftError } from "@weft/errors";

export { WeftError };

/** No worker registered this workflow type on the task queue (SQLSTATE WF001). */
export class UnknownWorkflowTypeError extends WeftError {
  override readonly name = "UnknownWorkflowTypeError";
}

/** A run with this workflow id is still open (SQLSTATE WF002). */
export class WorkflowAlreadyRunningError extends WeftError {
  override readonly name = "WorkflowAlreadyRunningError";
}

/** Arguments or results that are not JSON or exceed the size limit (SQLSTATE WF003). */
export class PayloadError extends WeftError {
  override readonly name: string = "PayloadError";
}

/** Arguments or a result over the payload limit (README, Limits), refused before any SQL ran. */
export class PayloadTooLargeError extends PayloadError {
  override readonly name = "PayloadTooLargeError";
}

/** No such workflow, or it is closed and takes no more signals (SQLSTATE WF004). */
export class WorkflowNotFoundError extends WeftError {
  override readonly name = "WorkflowNotFoundError";
}

/** No namespace of that name (SQLSTATE WF007). */
export class NamespaceNotFoundError extends WeftError {
  override readonly name = "NamespaceNotFoundError";
}

/** A namespace of that name exists already (SQLSTATE WF008). */
export class NamespaceAlreadyExistsError extends WeftError {
  override readonly name = "NamespaceAlreadyExistsError";
}

/** A client call's arguments are malformed (a list filter, a cursor, a start option). Nothing was done. */
export class InvalidArgumentError extends WeftError {
  override readonly name = "InvalidArgumentError";
}

/**
 * No connection to be had: PostgreSQL refused one (SQLSTATE 53300), or every connection of
 * the pool stayed busy past its connectionTimeoutMillis. The message names the limit to raise.
 */
export class TooManyConnectionsError extends WeftError {
  override readonly name = "TooManyConnectionsError";
}

/**
 * The connection's role may not do this (SQLSTATE 42501): an application's role needs
 * weft_client, a worker's weft_worker (docs/security.md). The message says which to grant.
 */
export class PermissionDeniedError extends WeftError {
  override readonly name = "PermissionDeniedError";
}

/** A workflow task found the run changed under it (SQLSTATE WF005); the task is retried. */
export class StaleWorkflowTaskError extends WeftError {
  override readonly name = "StaleWorkflowTaskError";
}

/**
 * Replayed code yielded a different command than history recorded at that position. Raised
 * only by the replayer; it fails the workflow task (retried), never the workflow.
 */
export class NonDeterminismError extends WeftError {
  override readonly name = "NonDeterminismError";
  constructor(
    message: string,
    /** The history event the code disagreed with (or the last one checked). */
    readonly eventId: number | undefined,
  ) {
    super(message);
  }
}

/**
 * Workflow code misbehaved in a way that is not the workflow's own failure (it yielded
 * something that is not a command, reused a timer id...). Raised by the replayer; like
 * NonDeterminismError it fails the workflow task, which is retried, never the workflow.
 */
export class WorkflowTaskError extends WeftError {
  override readonly name = "WorkflowTaskError";
}

/**
 * A history event of the run that this SDK cannot decode (an older release or a hand-written
 * row stored it). It fails the workflow task; at the 5th failed task in a row the run fails
 * with it (weft.poison_task_attempts(), sql/functions/workflow-tasks.sql). An event of a type
 * this SDK does not know (`unknownType`: a newer release wrote it, and a deploy brings that
 * release here) only fails the task, which is retried like a non-determinism error.
 */
export class UndecodableEventError extends WeftError {
  override readonly name = "UndecodableEventError";
  constructor(
    message: string,
    /** Its eventId, when that much of it decodes. */
    readonly eventId: number | undefined,
    readonly unknownType: boolean,
  ) {
    super(message);
  }
}

/** `Client.result` of a run that failed; `cause` is the workflow's failure. */
export class WorkflowFailedError extends WeftError {
  override readonly name = "WorkflowFailedError";
  constructor(
    readonly workflowId: string,
    readonly runId: string,
    cause: Error,
  ) {
    super(`workflow ${workflowId} (run ${runId}) failed: ${cause.message}`, { cause });
  }
}

/** `Client.result` gave up: the run was still open after `timeoutSeconds`. The run goes on. */
export class ResultTimeoutError extends WeftError {
  override readonly name = "ResultTimeoutError";
  constructor(
    readonly runId: string,
    readonly timeoutSeconds: number,
  ) {
    super(`run ${runId} is still running after ${timeoutSeconds} s; describe() shows what it waits for`);
  }
}

const BY_SQLSTATE: Record<string, new (message: string, options?: { cause?: unknown }) => WeftError> = {
  WF001: UnknownWorkflowTypeError,
  WF002: WorkflowAlreadyRunningError,
  WF003: PayloadError,
  WF004: WorkflowNotFoundError,
  WF005: StaleWorkflowTaskError,
  WF006: InvalidArgumentError,
  WF007: NamespaceNotFoundError,
  WF008: NamespaceAlreadyExistsError,
  "22P02": PayloadError, // invalid_text_representation: text that is not JSON cast to jsonb
  "22P05": PayloadError, // untranslatable_character: \u0000 in JSON, which jsonb cannot hold
  "22021": InvalidArgumentError, // character_not_in_repertoire: a NUL byte in a text argument
};

/**
 * The one place SQLSTATE codes raised by weft's SQL functions, and a lack of connections,
 * become typed errors. Anything else is returned unchanged.
 */
export function mapDatabaseError(error: unknown): unknown {
  const pgError = error as { code?: string; message?: string; hint?: string };
  const exhausted = connectionAdvice(pgError);
  if (exhausted) return new TooManyConnectionsError(exhausted, { cause: error });
  if (pgError?.code === "42501") {
    const advice =
      "an application's role needs weft_client, a worker's weft_worker (GRANT weft_client TO <role>; docs/security.md)";
    return new PermissionDeniedError(`${pgError.message}: ${advice}`, { cause: error });
  }
  const ErrorClass = pgError?.code ? BY_SQLSTATE[pgError.code] : undefined;
  if (!ErrorClass) return error;
  const hint = pgError.hint ? ` (${pgError.hint})` : "";
  return new ErrorClass(`${pgError.message}${hint}`, { cause: error });
}

/** pg-pool's error when no connection of the pool came free within connectionTimeoutMillis. */
const POOL_TIMEOUT = "timeout exceeded when trying to connect";

/** Which limit ran out and how to raise it, if `error` is a lack of connections. */
function connectionAdvice(error: { code?: string; message?: string } | undefined): string | undefined {
  if (error?.message === POOL_TIMEOUT && error.code === undefined) {
    return "every connection of the pool stayed busy past its connectionTimeoutMillis: raise the pool's size (max) or that timeout";
  }
  if (error?.code !== "53300") return undefined;
  const refused = `PostgreSQL refused a connection (${error.message})`;
  if (/too many connections for role/.test(error.message ?? "")) return `${refused}: raise the role's CONNECTION LIMIT (ALTER ROLE), or give its pools fewer connections`;
  if (/too many connections for database/.test(error.message ?? "")) return `${refused}: raise the database's CONNECTION LIMIT (ALTER DATABASE), or give its pools fewer connections`;
  return `${refused}: raise PostgreSQL's max_connections, or give the pools that share the server fewer connections (a Client's own pool holds up to 10)`;
}

/** SQLSTATE classes of a failing server, not a bad request: connection, rollback (deadlock,
 * serialization), resources, lock not available, shutdown, system and internal errors. */
const TRANSIENT_SQLSTATE_CLASSES = new Set(["08", "40", "53", "55", "57", "58", "XX"]);
/** Node system error codes of a network that is failing (libuv, getaddrinfo). */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * The database or network failing (the worker retries the job, Client.result keeps waiting),
 * not bad input or workflow code. By code alone; pool.ts gives node-pg's code-less ones 08006.
 */
export function isInfrastructureError(error: unknown): boolean {
  for (let e = error, depth = 0; e !== null && typeof e === "object" && depth < 10; e = (e as Error).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    if (NETWORK_CODES.has(code)) return true;
    if (code.length === 5 && TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2))) return true;
  }
  return false;
}
