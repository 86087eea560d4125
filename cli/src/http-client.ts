// The CLI's one door to the HTTP API (docs/http-api.md): each method is one route, and every
// refusal, as the server's `{ code, message, details }` or as a network error, becomes an
// ApiError with the exit code the CLI promises (cli-error.ts). The bodies are the server's
// JSON as it sent them, so `--json` prints exactly that.
import { CliError, EXIT, type ExitCode } from "./cli-error.js";

export interface ServerConnection {
  /** The server's base URL, e.g. http://127.0.0.1:8080 (a path prefix is kept). */
  readonly address: string;
  readonly apiKey: string | undefined;
  readonly namespace: string;
}

/** A run as list and describe show it (RunSummary of @weft/sdk, dates as ISO text). */
export interface RunJson {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  readonly status: string;
  readonly attempt: number;
  readonly createdAt: string;
  readonly closedAt: string | null;
  readonly [field: string]: unknown;
}

/** The describe document (WorkflowDescription of @weft/sdk), the fields the CLI shows by name. */
export interface DescriptionJson extends RunJson {
  readonly searchAttributes: Record<string, unknown>;
  readonly parent: { workflowId: string; runId: string } | null;
  readonly continuedFromRunId: string | null;
  readonly nextRunId: string | null;
  readonly runDeadline: string | null;
  readonly executionDeadline: string | null;
  readonly result: unknown;
  readonly failure: FailureJson | null;
  readonly historyLength: number;
  readonly inboxLength: number;
  readonly pendingActivities: readonly {
    activityId: number;
    activityType: string;
    taskQueue: string;
    status: string;
    attempt: number;
    attemptScheduledAt: string;
    lastFailure: FailureJson | null;
  }[];
  readonly pendingTimers: readonly { timerId: string; fireAt: string }[];
  readonly pendingChildren: readonly { childId: number; workflowId: string; runId: string; workflowType: string; attempt: number }[];
  readonly lastWorkflowTaskFailure: (FailureJson & { at?: string }) | null;
  readonly workflowTaskFailures: number;
  readonly unhandledSignals: readonly { eventId: number; signalName: string }[];
}

export interface FailureJson {
  readonly name?: string;
  readonly message: string;
  readonly type?: string;
  readonly [field: string]: unknown;
}

/** The result route's answer: 200 when closed, 202 while running. */
export interface OutcomeJson {
  readonly status: string;
  readonly runId: string;
  readonly result?: unknown;
  readonly failure?: FailureJson;
}

export interface HistoryEventJson {
  readonly eventId: number;
  readonly task: number;
  readonly createdAt: string;
  readonly type: string;
  readonly attributes: Record<string, unknown>;
}

export interface KeyJson {
  readonly keyId: string;
  readonly name: string;
  readonly role: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface StartRequest {
  readonly workflowType: string;
  readonly args: readonly unknown[];
  readonly workflowId?: string;
  readonly taskQueue?: string;
  readonly searchAttributes?: Record<string, unknown>;
  readonly retryPolicy?: Record<string, unknown>;
  readonly runTimeoutSeconds?: number;
  readonly executionTimeoutSeconds?: number;
}

/** List and count filters, as the routes' query strings take them. */
export interface RunFilter {
  readonly workflowType?: string;
  readonly workflowId?: string;
  readonly status?: string;
  readonly searchAttributes?: Record<string, unknown>;
}

/** The server refused, or could not be reached. */
export class ApiError extends CliError {
  constructor(
    message: string,
    exitCode: ExitCode,
    /** The HTTP status, or null when no answer came. */
    readonly status: number | null,
    readonly code: string | null,
    readonly details?: unknown,
  ) {
    super(message, exitCode);
  }
}

type Query = Record<string, string | number | undefined>;

export interface NamespaceJson {
  name: string;
  retentionDays: number | null;
  createdAt: string;
}

export class WeftHttpClient {
  constructor(private readonly connection: ServerConnection) {}

  start(request: StartRequest) {
    return this.call<{ workflowId: string; runId: string }>("POST", this.inNamespace("/workflows"), { body: request });
  }

  list(filter: RunFilter, page: { pageSize?: number; pageToken?: string }) {
    return this.call<{ workflows: RunJson[]; nextPageToken: string | null }>("GET", this.inNamespace("/workflows"), { query: { ...filterQuery(filter), ...page } });
  }

  count(filter: RunFilter, groupBy: "status" | undefined) {
    return this.call<{ count: number; groups: { status: string; count: number }[] }>("GET", this.inNamespace("/workflow-count"), {
      query: { ...filterQuery(filter), groupBy },
    });
  }

  describe(workflowId: string, runId: string | undefined) {
    return this.call<DescriptionJson>("GET", this.inNamespace(`/workflows/${enc(workflowId)}`), { query: { runId } });
  }

  /** One long poll of up to `waitSeconds`; a 202 answer is `{ status: "running" }`. */
  outcome(workflowId: string, runId: string | undefined, waitSeconds: number) {
    return this.call<OutcomeJson>("GET", this.inNamespace(`/workflows/${enc(workflowId)}/result`), { query: { runId, waitSeconds } });
  }

  historyPage(workflowId: string, runId: string | undefined, pageToken: string | undefined) {
    return this.call<{ events: HistoryEventJson[]; nextPageToken: string | null }>("GET", this.inNamespace(`/workflows/${enc(workflowId)}/history`), {
      query: { runId, pageToken },
    });
  }

  signal(workflowId: string, signalName: string, args: readonly unknown[], runId: string | undefined) {
    return this.call<object>("POST", this.inNamespace(`/workflows/${enc(workflowId)}/signals/${enc(signalName)}`), { query: { runId }, body: { args } });
  }

  terminate(workflowId: string, reason: string | undefined, runId: string | undefined) {
    return this.call<object>("POST", this.inNamespace(`/workflows/${enc(workflowId)}/terminate`), { query: { runId }, body: { reason } });
  }

  createApiKey(name: string, role: string) {
    return this.call<{ keyId: string; secret: string; name: string; role: string }>("POST", this.inNamespace("/api-keys"), { body: { name, role } });
  }

  listApiKeys() {
    return this.call<{ apiKeys: KeyJson[] }>("GET", this.inNamespace("/api-keys"));
  }

  async revokeApiKey(keyId: string): Promise<void> {
    await this.call<null>("DELETE", this.inNamespace(`/api-keys/${enc(keyId)}`));
  }

  createNamespace(name: string, retentionDays: number | undefined) {
    return this.call<NamespaceJson>("POST", "/namespaces", { body: { name, retentionDays } });
  }

  listNamespaces() {
    return this.call<{ namespaces: NamespaceJson[] }>("GET", "/namespaces");
  }

  /** A path under this client's namespace. */
  private inNamespace(path: string): string {
    return `/namespaces/${enc(this.connection.namespace)}${path}`;
  }

  /** `path`: under /api/v1. */
  private async call<T>(method: string, path: string, { query = {}, body }: { query?: Query; body?: unknown } = {}): Promise<T> {
    const { address, apiKey } = this.connection;
    const url = new URL(`${address.replace(/\/+$/, "")}/api/v1${path}`);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(
        `cannot reach the weft server at ${address} (${cause?.code ?? cause?.message ?? String(error)}): ` +
          "start it (weft server, or weft dev), or point --address or WEFT_ADDRESS at it",
        EXIT.unavailable,
        null,
        null,
      );
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new ApiError(
        `${address} answered ${method} ${url.pathname} with ${response.status} and a body that is not JSON: check that --address names a weft server`,
        response.status >= 500 ? EXIT.unavailable : EXIT.refused,
        response.status,
        null,
      );
    }
    if (response.ok) return json as T;
    throw errorOf(response.status, json);
  }
}

/** The server's error body as an ApiError: its message, the code, and how to pass a key when that is what is missing. */
function errorOf(status: number, json: unknown): ApiError {
  const { code, message, details } = (typeof json === "object" && json !== null ? json : {}) as { code?: string; message?: string; details?: unknown };
  const exitCode = status === 404 ? EXIT.notFound : status >= 500 ? EXIT.unavailable : EXIT.refused;
  const keyHint = status === 401 ? " (the CLI sends the key given by --api-key or WEFT_API_KEY)" : "";
  const text = message ?? `the server answered ${status} without saying why; its log may`;
  return new ApiError(`${text}${keyHint} [${code ?? `HTTP ${status}`}]`, exitCode, status, code ?? null, details);
}

function filterQuery({ searchAttributes, ...filter }: RunFilter): Query {
  return { ...filter, searchAttributes: searchAttributes === undefined ? undefined : JSON.stringify(searchAttributes) };
}

const enc = encodeURIComponent;
