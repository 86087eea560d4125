import { ApplicationFailure, TimeoutFailure } from "@weft/sdk";
import { MAX_PAYLOAD_BYTES, serializeFailure } from "@weft/sdk/internal";
import type pg from "pg";
import type { WorkerDeps } from "../deps.js";
import { faultPoint } from "../fault-points.js";
import type { ActivityJob } from "../jobs.js";
import { scoped } from "../logger.js";
import { deliverAndRunTask, type DeliverAnswer } from "../workflow-task/deliver.js";
import type { ActivityContext } from "./context.js";
import { HeartbeatSender } from "./heartbeats.js";

/**
 * Runs one attempt and commits its outcome: weft.complete_activity, or weft.fail_activity,
 * which retries per the policy snapped on the activity row. The database drops the outcome
 * of an attempt that is no longer current, so running an attempt twice is harmless.
 * Returns the next activity to run when the completion ran the workflow task inline and it
 * claimed one (`eager`).
 */
export async function runActivity(job: ActivityJob, deps: WorkerDeps, eager: boolean): Promise<ActivityJob | null> {
  const ids = [job.r, job.a, job.n] as const;
  const logger = scoped(deps.logger, { runId: job.r, activityId: job.a, activityType: job.t, attempt: job.n });
  const fn = deps.activities[job.t];
  if (!fn) {
    await failAttempt(
      deps.pool,
      ids,
      new ApplicationFailure(
        `activity type "${job.t}" is not registered in the worker for task queue "${deps.taskQueue}"; ` +
          `add it to Worker.create({ activities })`,
        { type: "ActivityNotRegistered" },
      ),
    );
    return null;
  }
  if (job.track) {
    const { rows } = await deps.pool.query<{ ok: boolean }>("select weft.start_activity_attempt($1, $2, $3) as ok", [...ids]);
    if (!rows[0]!.ok) return null; // stale: completed, timed out or superseded meanwhile
  }

  const controller = new AbortController();
  const aborted = new Promise<never>((_, reject) =>
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason as Error), { once: true }),
  );
  aborted.catch(() => {});
  const abortWith = (error: Error) => controller.abort(error);
  const timers: NodeJS.Timeout[] = [];
  if (job.stc !== null) {
    timers.push(setTimeout(() => abortWith(timeout(job, "startToClose", job.stc!)), job.stc));
  }
  let heartbeatTimer: NodeJS.Timeout | undefined;
  const armHeartbeatTimeout = () => {
    if (job.hb === null) return;
    clearTimeout(heartbeatTimer);
    heartbeatTimer = setTimeout(() => abortWith(timeout(job, "heartbeat", job.hb!)), job.hb);
  };
  armHeartbeatTimeout();
  const heartbeats = new HeartbeatSender(deps.pool, { runId: job.r, activityId: job.a, attempt: job.n }, job.hb ? job.hb / 2 : 1000, () =>
    abortWith(new Error("this attempt is no longer current (timed out or superseded)")),
  );
  const ctx: ActivityContext = {
    info: { runId: job.r, activityId: job.a, activityType: job.t, taskQueue: deps.taskQueue },
    attempt: job.n,
    lastHeartbeatDetails: job.hd ?? undefined,
    signal: controller.signal,
    heartbeat: (details?: unknown) => {
      armHeartbeatTimeout();
      heartbeats.record(details);
    },
    logger,
  };

  let outcome: { ok: true; json: string } | { ok: false; error: unknown };
  try {
    const value = await Promise.race([Promise.resolve().then(() => fn(ctx, ...job.args)), aborted]);
    outcome = { ok: true, json: JSON.stringify(value === undefined ? null : value) };
  } catch (error) {
    outcome = { ok: false, error };
  } finally {
    timers.forEach(clearTimeout);
    clearTimeout(heartbeatTimer);
    heartbeats.stop();
  }
  await heartbeats.flush(); // the next attempt resumes from the latest details

  if (!outcome.ok) {
    logger.debug(`attempt failed: ${(outcome.error as Error)?.message}`);
    await failAttempt(deps.pool, ids, outcome.error);
    return null;
  }
  if (Buffer.byteLength(outcome.json) > MAX_PAYLOAD_BYTES) {
    await failAttempt(
      deps.pool,
      ids,
      new ApplicationFailure(`activity result is over the limit of ${MAX_PAYLOAD_BYTES} bytes; return a reference instead`, {
        type: "PayloadError",
        nonRetryable: true,
      }),
    );
    return null;
  }
  faultPoint("activity:before-complete");
  return completeAttempt(job, outcome.json, deps, eager);
}

/** Commits the result and, when the run's lock is free, its workflow task (deliver.ts). */
async function completeAttempt(job: ActivityJob, json: string, deps: WorkerDeps, eager: boolean): Promise<ActivityJob | null> {
  return deliverAndRunTask(deps, job.r, eager, async (db, inline) => {
    const { rows } = await db.query<{ answer: DeliverAnswer }>(
      "select weft.complete_activity($1, $2, $3, $4::jsonb, $5, $6) as answer",
      [job.r, job.a, job.n, json, inline?.queue ?? null, inline?.afterEventId ?? 0],
    );
    return rows[0]!.answer;
  });
}

async function failAttempt(pool: pg.Pool, ids: readonly [string, number, number], error: unknown): Promise<void> {
  await pool.query("select weft.fail_activity($1, $2, $3, $4::jsonb)", [...ids, JSON.stringify(serializeFailure(error))]);
}

function timeout(job: ActivityJob, kind: "startToClose" | "heartbeat", ms: number): TimeoutFailure {
  return new TimeoutFailure(`activity ${job.t} timed out (${kind} after ${ms} ms)`, kind);
}
