import pg from "pg";
import { ResultTimeoutError, WorkflowFailedError, WorkflowNotFoundError } from "../errors.js";
import { deserializeFailure } from "../failures.js";
import type { HistoryEvent } from "../history.js";
import { encodeArgs } from "../payload.js";
import { handleConnectionErrors, markConnectionFailures } from "../pool.js";
import { checkOptions, countOptionsSchema, historyOptionsSchema, MAX_REASON_LENGTH, outcomeOptionsSchema, resultOptionsSchema } from "../options.js";
import type { RunStatus } from "../run-status.js";
import type { SearchAttributeValue } from "../search-attributes.js";
import type { WorkflowClass } from "../workflow/definition.js";
import { checkArgument, checkRef, checkText, startRequest, type StartOptions } from "./arguments.js";
import { CloseListener } from "./close-listener.js";
import { decodeCursor, encodeCursor, parseListFilter } from "./list-filter.js";
import { MicroBatcher } from "./micro-batcher.js";
import * as sqlApi from "./sql-api.js";
import { startBatcher, type StartRequest } from "./start-batcher.js";
import type { RunCount, RunState, RunSummary, WorkflowDescription } from "./views.js";

export interface ClientOptions {
  /** Connection string; or pass `pool` to share one. */
  databaseUrl?: string;
  pool?: pg.Pool;
  /** The namespace every call acts in (default "default"): workflow ids, types and lists are its own. */
  namespace?: string;
}

export type { StartOptions };

export interface ResultOptions {
  /** Give up waiting after this long with ResultTimeoutError (the run goes on). Default: wait for ever. */
  timeoutSeconds?: number;
}

export interface OutcomeOptions {
  /** Stop waiting after this long and return the open run's state. Default: wait for ever. */
  timeoutSeconds?: number;
  /** Stop waiting when this aborts (a caller gone away) and return the open run's state. */
  signal?: AbortSignal;
}

export interface WorkflowHandle {
  readonly workflowId: string;
  readonly runId: string;
}

/** Which run: a workflow id (its latest run) or an exact handle. */
export type RunRef = string | WorkflowHandle;

/** Every field narrows the list; runs come newest first. */
export interface ListFilter {
  workflowType?: string;
  workflowId?: string;
  status?: RunStatus;
  /** Runs whose search attributes include all of these (arrays: all of their elements). */
  searchAttributes?: Record<string, SearchAttributeValue>;
  /** Children of this run. */
  parentRunId?: string;
  /** At most this many (1-1000, default 100). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface CountOptions {
  /** "status": also count the runs of each status (`groups`). */
  groupBy?: "status";
}

export interface HistoryOptions {
  /** Only events after this event id (default 0: from the first). */
  afterEventId?: number;
  /** At most this many (default: all). */
  limit?: number;
}

export interface ListPage {
  runs: RunSummary[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** Starts, signals and observes workflows. One per process is enough; close() when done. */
export class Client {
  private readonly shared: SharedConnections;
  private readonly db: sqlApi.ClientDb;
  /** Made by withNamespace: the Client it came from owns the connections. */
  private readonly borrowed: boolean;
  /** What withNamespace hands the Client it makes (the constructor is synchronous). */
  private static lending: SharedConnections | undefined;

  constructor(options: ClientOptions) {
    if (!options.pool && !options.databaseUrl) throw new TypeError("Client needs databaseUrl or pool");
    const namespace = checkText(options.namespace ?? "default", "namespace");
    this.borrowed = Client.lending !== undefined;
    this.shared = Client.lending ?? sharedConnections(options);
    this.db = { pool: this.shared.pool, namespace };
  }

  /**
   * A Client acting in `namespace` that shares this one's pool, LISTEN connection and batches:
   * any number of namespaces for the connections of one. Closing this Client closes it too.
   */
  withNamespace(namespace: string): Client {
    Client.lending = this.shared;
    try {
      return new Client({ pool: this.shared.pool, namespace });
    } finally {
      Client.lending = undefined;
    }
  }

  /**
   * Concurrent calls (made in one turn of the event loop) share one transaction; each stands
   * alone. A call is checked before it joins them, so a refusal is its own.
   */
  async start(workflow: string | WorkflowClass, args: unknown[] = [], options: StartOptions = {}): Promise<WorkflowHandle> {
    const runId = await this.shared.starts.call(startRequest(this.db.namespace, workflow, args, options));
    return { workflowId: options.workflowId ?? runId, runId };
  }

  async signal(ref: RunRef, signalName: string, args: unknown[] = []): Promise<void> {
    const { workflowId, runId } = checkRef(ref);
    checkText(signalName, "signal name");
    await sqlApi.signalWorkflow(this.db, workflowId, runId, signalName, encodeArgs(args, "signal arguments"));
  }

  /** Ends the workflow's open run now (see weft.terminate_workflow). */
  async terminate(ref: RunRef, reason = "terminated by a client"): Promise<void> {
    const { workflowId, runId } = checkRef(ref);
    checkText(reason, "termination reason", MAX_REASON_LENGTH, 0);
    await sqlApi.terminateWorkflow(this.db, workflowId, runId, reason);
  }

  /**
   * Waits for the workflow to close and returns its result, or throws WorkflowFailedError
   * (failed, terminated, timed out). Follows continue-as-new and retries to the last run.
   * Woken by NOTIFY from the closing transaction, not by polling.
   */
  async result<T = unknown>(ref: RunRef, options: ResultOptions = {}): Promise<T> {
    checkArgument(() => checkOptions(resultOptionsSchema, options, "result options"));
    const outcome = await this.outcome(ref, options);
    if (outcome.status === "running") throw new ResultTimeoutError(outcome.runId, options.timeoutSeconds!);
    if (outcome.status === "completed") return outcome.result as T;
    throw new WorkflowFailedError(outcome.workflowId, outcome.runId, deserializeFailure(outcome.failure!));
  }

  /**
   * How the workflow closed, without throwing for a failed run: the state of the last run of
   * its chain (continue-as-new and retries followed) once it closes, or of the run still open
   * when `timeoutSeconds` pass or `signal` aborts first (status "running").
   */
  async outcome(ref: RunRef, options: OutcomeOptions = {}): Promise<RunState> {
    checkArgument(() => checkOptions(outcomeOptionsSchema, options, "outcome options"));
    const { workflowId, runId: givenRunId } = checkRef(ref);
    const { timeoutSeconds, signal } = options;
    const deadline = timeoutSeconds === undefined ? undefined : Date.now() + timeoutSeconds * 1000;
    for (let runId = (await sqlApi.workflowState(this.db, workflowId, givenRunId)).runId; ; ) {
      const timeoutMs = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
      const state = await this.shared.closes.waitFor(runId, () => this.shared.states.call(runId), { timeoutMs, signal });
      if (!state.nextRunId) return state;
      runId = state.nextRunId;
    }
  }

  /** Runs matching `filter`, newest first, a page at a time. */
  async list(filter: ListFilter = {}): Promise<ListPage> {
    const { limit, cursor, ...where } = parseListFilter(filter);
    const page = await sqlApi.listWorkflows(this.db, where, limit, cursor === undefined ? null : decodeCursor(cursor));
    return { runs: page.runs, nextCursor: page.next ? encodeCursor(page.next.createdAt, page.next.runId) : null };
  }

  /** How many runs match `filter` (its `limit` and `cursor` do not apply), and per status with `groupBy: "status"`. */
  async count(filter: Omit<ListFilter, "limit" | "cursor"> = {}, options: CountOptions = {}): Promise<RunCount> {
    const { limit: _limit, cursor: _cursor, ...where } = parseListFilter(filter);
    checkArgument(() => checkOptions(countOptionsSchema, options, "count options"));
    return sqlApi.countWorkflows(this.db, where, options.groupBy ?? null);
  }

  async describe(ref: RunRef): Promise<WorkflowDescription> {
    const { workflowId, runId } = checkRef(ref);
    return sqlApi.describeWorkflow(this.db, workflowId, runId);
  }

  /** The run's events in order; with `options`, a page of them. */
  async history(ref: RunRef, options: HistoryOptions = {}): Promise<HistoryEvent[]> {
    const { workflowId, runId } = checkRef(ref);
    checkArgument(() => checkOptions(historyOptionsSchema, options, "history options"));
    return sqlApi.workflowHistory(this.db, workflowId, runId, options.afterEventId ?? 0, options.limit ?? null);
  }

  async close(): Promise<void> {
    if (this.borrowed) return;
    await this.shared.closes.close();
    if (this.shared.ownsPool) await this.shared.pool.end();
  }
}

/** A pool and what uses it for every namespace: the close listener and the batchers. */
interface SharedConnections {
  readonly pool: pg.Pool;
  readonly ownsPool: boolean;
  readonly closes: CloseListener;
  readonly starts: MicroBatcher<StartRequest, string>;
  readonly states: MicroBatcher<string, RunState>;
}

function sharedConnections(options: ClientOptions): SharedConnections {
  const ownsPool = !options.pool;
  const pool = options.pool ?? new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
  if (ownsPool) handleConnectionErrors(pool);
  else markConnectionFailures(pool); // result() waits through a restart on a shared pool too
  return {
    pool,
    ownsPool,
    closes: new CloseListener(pool),
    // Each start names its namespace, so one batch serves every namespace.
    starts: startBatcher(pool),
    // Many result() calls wake together (one NOTIFY each): one query reads all their runs.
    states: new MicroBatcher<string, RunState>(async (runIds) => {
      const byId = new Map((await sqlApi.runStates(pool, runIds)).map((state) => [state.runId, state]));
      return runIds.map((id) => byId.get(id) ?? new WorkflowNotFoundError(`run ${id} not found`));
    }),
  };
}
