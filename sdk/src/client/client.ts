import { Kysely, PostgresDialect, sql, type Selectable } from "kysely";
import pg from "pg";
import {
  InvalidArgumentError,
  mapDatabaseError,
  ResultTimeoutError,
  WorkflowFailedError,
  WorkflowNotFoundError,
} from "../errors.js";
import { deserializeFailure, type SerializedFailure } from "../failures.js";
import { parseHistory, type HistoryEvent } from "../history.js";
import { encodeArgs } from "../payload.js";
import { handleConnectionErrors, markConnectionFailures } from "../pool.js";
import { checkOptions, MAX_REASON_LENGTH, resultOptionsSchema } from "../options.js";
import type { SearchAttributeValue } from "../search-attributes.js";
import type { WorkflowClass } from "../workflow/definition.js";
import { checkArgument, checkRef, checkText, startRequest, type StartOptions } from "./arguments.js";
import type { DB as WeftDatabase, WeftWorkflowRuns } from "./db-schema.js";
import type { RunStatus } from "../run-status.js";
import { decodeCursor, encodeCursor, listFilterSchema } from "./list-filter.js";
import type { RunState } from "./close-listener.js";
import { CloseListener } from "./close-listener.js";
import { MicroBatcher } from "./micro-batcher.js";
import { startBatcher, type StartRequest } from "./start-batcher.js";

export interface ClientOptions {
  /** Connection string; or pass `pool` to share one. */
  databaseUrl?: string;
  pool?: pg.Pool;
}

export type { StartOptions };

export interface ResultOptions {
  /** Give up waiting after this long with ResultTimeoutError (the run goes on). Default: wait for ever. */
  timeoutSeconds?: number;
}

export interface WorkflowHandle {
  readonly workflowId: string;
  readonly runId: string;
}

/** Which run: a workflow id (its latest run) or an exact handle. */
export type RunRef = string | WorkflowHandle;

export interface PendingActivity {
  activityId: number;
  activityType: string;
  taskQueue: string;
  status: "scheduled" | "started";
  attempt: number;
  scheduledAt: Date;
  /** When the current attempt may start (later than now while backing off). */
  attemptScheduledAt: Date;
  startedAt: Date | null;
  lastHeartbeatAt: Date | null;
  heartbeatDetails: unknown;
  lastFailure: SerializedFailure | null;
}

export interface PendingTimer {
  timerId: string;
  fireAt: string;
}

export interface PendingChild {
  childId: number;
  workflowId: string;
  runId: string;
  workflowType: string;
  attempt: number;
}

export interface RunSummary {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: RunStatus;
  /** 1, or more when a retry policy ran the workflow again. */
  attempt: number;
  createdAt: Date;
  closedAt: Date | null;
  searchAttributes: Record<string, SearchAttributeValue>;
  parent: { workflowId: string; runId: string } | null;
  /** The run that carries this workflow on (continue-as-new or retry). */
  nextRunId: string | null;
}

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

export interface ListPage {
  runs: RunSummary[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface WorkflowDescription extends RunSummary {
  continuedFromRunId: string | null;
  /** When this run, or the whole workflow, times out. */
  runDeadline: Date | null;
  executionDeadline: Date | null;
  result: unknown;
  failure: SerializedFailure | null;
  historyLength: number;
  /** Events waiting for the next workflow task. */
  inboxLength: number;
  pendingActivities: PendingActivity[];
  pendingTimers: PendingTimer[];
  /** Child workflows still running. */
  pendingChildren: PendingChild[];
  /** The last workflow task's error (non-determinism, unknown type...); null once a task succeeds. */
  lastWorkflowTaskFailure: (SerializedFailure & { at?: string }) | null;
  workflowTaskFailures: number;
  unhandledSignals: { eventId: number; signalName: string }[];
}

/** Starts, signals and observes workflows. One per process is enough; close() when done. */
export class Client {
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly db: Kysely<WeftDatabase>;
  private readonly closes: CloseListener;
  private readonly starts: MicroBatcher<StartRequest, string>;
  private readonly states: MicroBatcher<string, RunState>;

  constructor(options: ClientOptions) {
    if (!options.pool && !options.databaseUrl) throw new TypeError("Client needs databaseUrl or pool");
    this.ownsPool = !options.pool;
    this.pool = options.pool ?? new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    if (this.ownsPool) handleConnectionErrors(this.pool);
    else markConnectionFailures(this.pool); // result() waits through a restart on a shared pool too
    this.db = new Kysely<WeftDatabase>({ dialect: new PostgresDialect({ pool: this.pool }) });
    this.closes = new CloseListener(this.pool);
    this.starts = startBatcher(this.pool);
    // Many result() calls wake together (one NOTIFY each): one query reads all their runs.
    this.states = new MicroBatcher<string, RunState>(async (runIds) => {
      const rows = await this.db
        .selectFrom("weft.workflow_runs")
        .select(["run_id", "status", "result", "failure", "next_run_id"])
        .where("run_id", "in", runIds)
        .execute();
      const byId = new Map(rows.map((r) => [r.run_id, r]));
      return runIds.map((id) => byId.get(id) ?? new WorkflowNotFoundError(`run ${id} not found`));
    });
  }

  /**
   * Concurrent calls (made in one turn of the event loop) share one transaction; each stands
   * alone. A call is checked before it joins them, so a refusal is its own.
   */
  async start(workflow: string | WorkflowClass, args: unknown[] = [], options: StartOptions = {}): Promise<WorkflowHandle> {
    const runId = await this.starts.call(startRequest(workflow, args, options));
    return { workflowId: options.workflowId ?? runId, runId };
  }

  async signal(ref: RunRef, signalName: string, args: unknown[] = []): Promise<void> {
    const { workflowId, runId } = checkRef(ref);
    checkText(signalName, "signal name");
    const argsJson = encodeArgs(args, "signal arguments");
    await this.pool.query("select weft.signal_workflow($1, $2, $3::jsonb, $4)", [workflowId, signalName, argsJson, runId]).catch(mapped);
  }

  /** Ends the workflow's open run now (see weft.terminate_workflow). */
  async terminate(ref: RunRef, reason = "terminated by a client"): Promise<void> {
    const { workflowId, runId } = checkRef(ref);
    checkText(reason, "termination reason", MAX_REASON_LENGTH, 0);
    await this.pool.query("select weft.terminate_workflow($1, $2, $3)", [workflowId, reason, runId]).catch(mapped);
  }

  /**
   * Waits for the workflow to close and returns its result, or throws WorkflowFailedError
   * (failed, terminated, timed out). Follows continue-as-new and retries to the last run.
   * Woken by NOTIFY from the closing transaction, not by polling.
   */
  async result<T = unknown>(ref: RunRef, options: ResultOptions = {}): Promise<T> {
    checkArgument(() => checkOptions(resultOptionsSchema, options, "result options"));
    const run = await this.findRun(ref);
    const { timeoutSeconds } = options;
    const deadline = timeoutSeconds === undefined ? undefined : Date.now() + timeoutSeconds * 1000;
    for (let runId = run.run_id; ; ) {
      const left = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
      const closed = await this.closes.waitFor(runId, () => this.states.call(runId), left).catch(mapped);
      if (!closed) throw new ResultTimeoutError(runId, timeoutSeconds!);
      if (closed.next_run_id) {
        runId = closed.next_run_id;
        continue;
      }
      if (closed.status === "completed") return closed.result as T;
      throw new WorkflowFailedError(run.workflow_id, runId, deserializeFailure(closed.failure as SerializedFailure));
    }
  }

  /** Runs matching `filter`, newest first, a page at a time. */
  async list(filter: ListFilter = {}): Promise<ListPage> {
    const parsed = listFilterSchema.safeParse(filter);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
      throw new InvalidArgumentError(`bad list filter: ${issues.join("; ")}`);
    }
    const f = parsed.data;
    let query = this.db
      .selectFrom("weft.workflow_runs")
      .selectAll()
      // ISO text in UTC with microseconds: exact, and parsed the same whatever the DateStyle.
      .select(sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("created_text"));
    if (f.workflowType !== undefined) query = query.where("workflow_type", "=", f.workflowType);
    if (f.workflowId !== undefined) query = query.where("workflow_id", "=", f.workflowId);
    if (f.status !== undefined) query = query.where("status", "=", f.status);
    if (f.parentRunId !== undefined) query = query.where("parent_run_id", "=", f.parentRunId);
    if (f.searchAttributes !== undefined) {
      // The caller's own object, as checked (listFilterSchema keeps it): no key left out.
      query = query.where(sql<boolean>`search_attributes @> ${JSON.stringify(f.searchAttributes)}::jsonb`);
    }
    if (f.cursor !== undefined) {
      const after = decodeCursor(f.cursor);
      query = query.where(sql<boolean>`(created_at, run_id) < (${after.createdAt}::timestamptz, ${after.runId}::uuid)`);
    }
    const rows = await query.orderBy("created_at", "desc").orderBy("run_id", "desc").limit(f.limit + 1).execute().catch(mapped);
    const page = rows.slice(0, f.limit);
    const last = page.at(-1);
    return {
      runs: page.map(summary),
      nextCursor: rows.length > f.limit && last ? encodeCursor(last.created_text, last.run_id) : null,
    };
  }

  async describe(ref: RunRef): Promise<WorkflowDescription> {
    const run = await this.findRun(ref);
    const [activities, timers, counts, children] = await Promise.all([
      this.db
        .selectFrom("weft.activity_executions")
        .selectAll()
        .where("run_id", "=", run.run_id)
        .where("status", "in", ["scheduled", "started"])
        .orderBy("activity_id")
        .execute(),
      this.db
        .selectFrom("weft.history_events as s")
        .select(sql<string>`s.attributes->>'timerId'`.as("timerId"))
        .select(sql<string>`s.attributes->>'fireAt'`.as("fireAt"))
        .where("s.run_id", "=", run.run_id)
        .where("s.type", "=", "TimerStarted")
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("weft.history_events as f")
                .select(sql`1`.as("one"))
                .where("f.run_id", "=", run.run_id)
                .where("f.type", "=", "TimerFired")
                .whereRef(sql`f.attributes->>'timerId'`, "=", sql`s.attributes->>'timerId'`),
            ),
          ),
        )
        .orderBy("s.event_id")
        .execute(),
      this.db
        .selectFrom("weft.inbox")
        .select(({ fn }) => fn.countAll<string>().as("n"))
        .where("run_id", "=", run.run_id)
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom("weft.workflow_runs")
        .select(["parent_child_id", "workflow_id", "run_id", "workflow_type", "attempt"])
        .where("parent_run_id", "=", run.run_id)
        .where("status", "=", "running")
        .orderBy("parent_child_id")
        .execute(),
    ]).catch(mapped);
    const open = run.status === "running";
    return {
      ...summary(run),
      continuedFromRunId: run.continued_from_run_id,
      runDeadline: run.run_deadline,
      executionDeadline: run.execution_deadline,
      result: run.result,
      failure: run.failure as SerializedFailure | null,
      historyLength: run.next_event_id - 1,
      inboxLength: Number(counts.n),
      pendingActivities: open
        ? activities.map((a) => ({
            activityId: a.activity_id,
            activityType: a.activity_type,
            taskQueue: a.queue,
            status: a.status as "scheduled" | "started",
            attempt: a.attempt,
            scheduledAt: a.scheduled_at,
            attemptScheduledAt: a.attempt_scheduled_at,
            startedAt: a.started_at,
            lastHeartbeatAt: a.heartbeat_at,
            heartbeatDetails: a.heartbeat_details,
            lastFailure: a.last_failure as SerializedFailure | null,
          }))
        : [],
      pendingTimers: open ? timers : [],
      pendingChildren: children.map((c) => ({
        childId: c.parent_child_id ?? 0,
        workflowId: c.workflow_id,
        runId: c.run_id,
        workflowType: c.workflow_type,
        attempt: c.attempt,
      })),
      lastWorkflowTaskFailure: run.task_failure as WorkflowDescription["lastWorkflowTaskFailure"],
      workflowTaskFailures: run.task_failures,
      unhandledSignals: run.unhandled_signals as WorkflowDescription["unhandledSignals"],
    };
  }

  async history(ref: RunRef): Promise<HistoryEvent[]> {
    const run = await this.findRun(ref);
    const rows = await this.db
      .selectFrom("weft.history_events")
      .select(["event_id as eventId", "task", "type", "attributes", "created_at"])
      .where("run_id", "=", run.run_id)
      .orderBy("event_id")
      .execute()
      .catch(mapped);
    return parseHistory(rows.map(({ created_at, ...e }) => ({ ...e, createdAt: created_at.toISOString() })));
  }

  async close(): Promise<void> {
    await this.closes.close();
    if (this.ownsPool) await this.pool.end();
  }

  private async findRun(ref: RunRef) {
    const { workflowId, runId } = checkRef(ref);
    let query = this.db.selectFrom("weft.workflow_runs").selectAll().where("workflow_id", "=", workflowId);
    if (runId) query = query.where("run_id", "=", runId);
    const run = await query.orderBy("created_at", "desc").limit(1).executeTakeFirst().catch(mapped);
    if (!run) throw new WorkflowNotFoundError(`workflow "${workflowId}"${runId ? ` run ${runId}` : ""} not found`);
    return run;
  }
}

function summary(run: Selectable<WeftWorkflowRuns>): RunSummary {
  return {
    workflowId: run.workflow_id,
    runId: run.run_id,
    workflowType: run.workflow_type,
    taskQueue: run.task_queue,
    status: run.status,
    attempt: run.attempt,
    createdAt: run.created_at,
    closedAt: run.closed_at,
    searchAttributes: run.search_attributes as Record<string, SearchAttributeValue>,
    parent: run.parent_run_id && run.parent_workflow_id ? { workflowId: run.parent_workflow_id, runId: run.parent_run_id } : null,
    nextRunId: run.next_run_id,
  };
}

/** Rethrows a database error as its typed error (mapDatabaseError); every query's catch. */
function mapped(error: unknown): never {
  throw mapDatabaseError(error);
}
