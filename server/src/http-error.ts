// The one mapping from what can go wrong in a request to its HTTP status and JSON body
// ({ code, message, details? }), used by the error middleware (app.ts).
import {
  InvalidArgumentError,
  NamespaceAlreadyExistsError,
  NamespaceNotFoundError,
  PayloadError,
  PayloadTooLargeError,
  PermissionDeniedError,
  TooManyConnectionsError,
  UndecodableEventError,
  UnknownWorkflowTypeError,
  WorkflowAlreadyRunningError,
  WorkflowNotFoundError,
} from "@weft/sdk";
import { isInfrastructureError } from "@weft/sdk/internal";
import { z } from "zod";

/** An error whose status and code the route chose itself. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const errorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

const BY_CLASS: [new (...args: never[]) => Error, number, string][] = [
  [InvalidArgumentError, 400, "invalid_argument"],
  [PayloadTooLargeError, 413, "payload_too_large"],
  [PayloadError, 400, "invalid_payload"],
  [WorkflowNotFoundError, 404, "workflow_not_found"],
  [NamespaceNotFoundError, 404, "namespace_not_found"],
  [NamespaceAlreadyExistsError, 409, "namespace_exists"],
  [WorkflowAlreadyRunningError, 409, "workflow_already_running"],
  [UnknownWorkflowTypeError, 422, "unknown_workflow_type"],
  // Stored history this weft cannot read (written by a newer release, or damaged).
  [UndecodableEventError, 422, "undecodable_history"],
  [TooManyConnectionsError, 503, "database_unavailable"],
];

/** Status and body for anything a route or middleware threw. */
export function httpErrorOf(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof HttpError) {
    return { status: error.status, body: { code: error.code, message: error.message, details: error.details } };
  }
  // express.json()'s errors (http-errors) carry their own status: 413 too large, 400 bad JSON.
  const parserError = error as { type?: string; status?: number; message?: string };
  if (parserError.type === "entity.too.large") {
    return { status: 413, body: { code: "payload_too_large", message: `${parserError.message}: send less, or raise maxBodyBytes` } };
  }
  if (parserError.type === "entity.parse.failed") {
    return { status: 400, body: { code: "malformed_json", message: `the body is not JSON: ${parserError.message}` } };
  }
  for (const [ErrorClass, status, code] of BY_CLASS) {
    if (error instanceof ErrorClass) return { status, body: { code, message: error.message } };
  }
  if (isInfrastructureError(error)) {
    return { status: 503, body: { code: "database_unavailable", message: "the database is unreachable; try again shortly" } };
  }
  if (error instanceof PermissionDeniedError) {
    // The server's own role lacks a grant: the operator's to fix, not the caller's.
    return { status: 500, body: { code: "server_misconfigured", message: error.message } };
  }
  return { status: 500, body: { code: "internal", message: "internal error; the server's log has the details" } };
}

/** 400 with zod's issues in details, naming where each is (`body.args`, `query.pageSize`). */
export function invalidRequest(where: string, error: z.ZodError): HttpError {
  const issues = error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join("."), message: i.message }));
  return new HttpError(400, "invalid_request", issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);
}
