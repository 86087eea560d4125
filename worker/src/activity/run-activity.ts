import { ApplicationFailure, TimeoutFailure } from "@weft/sdk";
import { encodePayload, serializeFailure } from "@weft/sdk/internal";
import type { WorkerDeps } from "../deps.js";
import { faultPoint } from "../fault-points.js";
import { MAX_LOCAL_TIMER_MS } from "../timer-limit.js";
import type { ActivityJob } from "../jobs.js";
import { scoped } from "../logger.js";
import { completeActivity, failActivity, startActivityAttempt, type AttemptIds, type Db } from "../sql-api.js";
import { deliverInline } from "../workflow-task/inline-task.js";
import type { CommittedTask } from "../workflow-task/replay-and-complete.js";
import type { ActivityContext } from "./context.js";
import { HeartbeatSender } from "./heartbeats.js";

/**
 * Runs one attempt and commits its outcome: weft.complete_activity, or weft.fail_activity,
 * which retries per the policy snapped on the activity row. The database drops the outcome
 * of an attempt that is no longer current, so running an attempt twice is harmless.
 * Returns the workflow task its completion ran inline, if any (`mayClaim`: whether that task
 * may claim an activity for this worker).
 */
export async function runActivity(deps: WorkerDeps, job: ActivityJob, mayClaim: boolean): Promise<CommittedTask | null> {
  const ids: AttemptIds = { runId: job.r, activityId: job.a, attempt: job.n };
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
  // stale: completed, timed out or superseded meanwhile
  if (job.track && !(await startActivityAttempt(deps.pool, ids))) return null;

  const controller = new AbortController();
  const aborted = new Promise<never>((_, reject) =>
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason as Error), { once: true }),
  );
  aborted.catch(() => {});
  const abortWith = (error: Error) => controller.abort(error);
  const timers: NodeJS.Timeout[] = [];
  // Aborting here is the fast path; the attempt's timeout jobs time it out durably either way.
  if (job.stc !== null && job.stc <= MAX_LOCAL_TIMER_MS) {
    timers.push(setTimeout(() => abortWith(timeout(job, "startToClose", job.stc!)), job.stc));
  }
  let heartbeatTimer: NodeJS.Timeout | undefined;
  const armHeartbeatTimeout = () => {
    if (job.hb === null || job.hb > MAX_LOCAL_TIMER_MS) return;
    clearTimeout(heartbeatTimer);
    heartbeatTimer = setTimeout(() => abortWith(timeout(job, "heartbeat", job.hb!)), job.hb);
  };
  armHeartbeatTimeout();
  const heartbeats = new HeartbeatSender(deps.pool, ids, job.hb ? Math.min(job.hb / 2, MAX_LOCAL_TIMER_MS) : 1000, () =>
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

  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  const started = performance.now();
  try {
    const value = await Promise.race([Promise.resolve().then(() => fn(ctx, ...job.args)), aborted]);
    outcome = { ok: true, value };
  } catch (error) {
    outcome = { ok: false, error };
  } finally {
    timers.forEach(clearTimeout);
    clearTimeout(heartbeatTimer);
    heartbeats.stop();
  }
  deps.metrics.activityAttempt(job.t, outcome.ok ? "completed" : "failed", (performance.now() - started) / 1000);
  await heartbeats.flush(); // the next attempt resumes from the latest details

  if (!outcome.ok) {
    logger.debug(`attempt failed: ${(outcome.error as Error)?.message}`);
    await failAttempt(deps.pool, ids, outcome.error);
    return null;
  }
  let json: string;
  try {
    // Checked as weft.complete_activity will: a result it refuses would fail every retry.
    json = encodePayload(outcome.value === undefined ? null : outcome.value, "activity result");
  } catch (error) {
    await failAttempt(deps.pool, ids, new ApplicationFailure((error as Error).message, { type: "PayloadError", nonRetryable: true }));
    return null;
  }
  faultPoint("activity:before-complete");
  // The result, and when the run's lock is free its workflow task, in one commit.
  return deliverInline(deps, job.r, mayClaim, (db, inline) => completeActivity(db, ids, json, inline));
}

async function failAttempt(db: Db, ids: AttemptIds, error: unknown): Promise<void> {
  await failActivity(db, ids, serializeFailure(error));
}

function timeout(job: ActivityJob, kind: "startToClose" | "heartbeat", ms: number): TimeoutFailure {
  return new TimeoutFailure(`activity ${job.t} timed out (${kind} after ${ms} ms)`, kind);
}
