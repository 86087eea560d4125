import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { mapDatabaseError, WorkflowFailedError, WorkflowNotFoundError } from "../errors.js";
import { deserializeFailure, type SerializedFailure } from "../failures.js";
import { parseHistory, type HistoryEvent } from "../history.js";
import { encodeArgs } from "../payload.js";
import { handleConnectionErrors } from "../pool.js";
import { workflowDefinition, type WorkflowClass } from "../workflow/definition.js";
import type { WeftDatabase } from "./db.js";
import type { RunState } from "./close-listener.js";
import { CloseListener } from "./close-listener.js";
import { MicroBatcher } from "./micro-batcher.js";
import { startBatcher, type StartRequest } from "./start-batcher.js";

export interface ClientOptions {
  /** Connection string; or pass `pool` to share one. */
  databaseUrl?: string;
  pool?: pg.Pool;
}

export interface StartOptions {
  /** Unique among open runs; a second start with an open id throws WorkflowAlreadyRunningError. */
  workflowId?: string;
  /** Default "default". */
  taskQueue?: string;
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
  queue: string;
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

export interface WorkflowDescription {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: "running" | "completed" | "failed";
  createdAt: Date;
  closedAt: Date | null;
  result: unknown;
  failure: SerializedFailure | null;
  historyLength: number;
  /** Events waiting for the next workflow task. */
  inboxLength: number;
  pendingActivities: PendingActivity[];
  pendingTimers: PendingTimer[];
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
    this.db = new Kysely<WeftDatabase>({ dialect: new PostgresDialect({ pool: this.pool }) });
    this.closes = new CloseListener(this.pool);
    this.starts = startBatcher(this.pool);
    // Many result() calls wake together (one NOTIFY each): one query reads all their runs.
    this.states = new MicroBatcher<string, RunState>(async (runIds) => {
      const rows = await this.db
        .selectFrom("weft.workflow_runs")
        .select(["run_id", "status", "result", "failure"])
        .where("run_id", "in", runIds)
        .execute();
      const byId = new Map(rows.map((r) => [r.run_id, r]));
      return runIds.map((id) => byId.get(id) ?? new WorkflowNotFoundError(`run ${id} not found`));
    });
  }

  /** Concurrent calls (made in one turn of the event loop) share one transaction; each stands alone. */
  async start(workflow: string | WorkflowClass, args: unknown[] = [], options: StartOptions = {}): Promise<WorkflowHandle> {
    const runId = await this.starts.call({
      workflowType: typeof workflow === "string" ? workflow : workflowDefinition(workflow).name,
      argsJson: encodeArgs(args, "workflow arguments"),
      workflowId: options.workflowId ?? null,
      taskQueue: options.taskQueue ?? "default",
    });
    return { workflowId: options.workflowId ?? runId, runId };
  }

  async signal(ref: RunRef, signalName: string, args: unknown[] = []): Promise<void> {
    const { workflowId, runId } = splitRef(ref);
    const argsJson = encodeArgs(args, "signal arguments");
    await this.query("select weft.signal_workflow($1, $2, $3::jsonb, $4)", [workflowId, signalName, argsJson, runId]);
  }

  /**
   * Waits for the run to close and returns its result, or throws WorkflowFailedError.
   * Woken by NOTIFY from the closing transaction, not by polling.
   */
  async result<T = unknown>(ref: RunRef, options: { timeoutMs?: number } = {}): Promise<T> {
    const run = await this.findRun(ref);
    const closed = await this.closes.waitFor(run.run_id, () => this.states.call(run.run_id), options.timeoutMs);
    if (closed.status === "completed") return closed.result as T;
    throw new WorkflowFailedError(run.workflow_id, run.run_id, deserializeFailure(closed.failure as SerializedFailure));
  }

  async describe(ref: RunRef): Promise<WorkflowDescription> {
    const run = await this.findRun(ref);
    const [activities, timers, counts] = await Promise.all([
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
    ]);
    const open = run.status === "running";
    return {
      workflowId: run.workflow_id,
      runId: run.run_id,
      workflowType: run.workflow_type,
      taskQueue: run.task_queue,
      status: run.status,
      createdAt: run.created_at,
      closedAt: run.closed_at,
      result: run.result,
      failure: run.failure as SerializedFailure | null,
      historyLength: run.next_event_id - 1,
      inboxLength: Number(counts.n),
      pendingActivities: open
        ? activities.map((a) => ({
            activityId: a.activity_id,
            activityType: a.activity_type,
            queue: a.queue,
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
      .execute();
    return parseHistory(rows.map(({ created_at, ...e }) => ({ ...e, createdAt: created_at.toISOString() })));
  }

  async close(): Promise<void> {
    await this.closes.close();
    if (this.ownsPool) await this.pool.end();
  }

  private async findRun(ref: RunRef) {
    const { workflowId, runId } = splitRef(ref);
    let query = this.db.selectFrom("weft.workflow_runs").selectAll().where("workflow_id", "=", workflowId);
    if (runId) query = query.where("run_id", "=", runId);
    const run = await query.orderBy("created_at", "desc").limit(1).executeTakeFirst();
    if (!run) throw new WorkflowNotFoundError(`workflow "${workflowId}"${runId ? ` run ${runId}` : ""} not found`);
    return run;
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw mapDatabaseError(error);
    }
  }
}

function splitRef(ref: RunRef): { workflowId: string; runId: string | null } {
  return typeof ref === "string" ? { workflowId: ref, runId: null } : { workflowId: ref.workflowId, runId: ref.runId };
}
