import { isInfrastructureError } from "@weft/sdk/internal";
import type { WorkerDeps } from "./deps.js";
import { MAX_LOCAL_TIMER_MS } from "./timer-limit.js";
import { dueTimers, fireTimer, inTransaction } from "./sql-api.js";
import { deliverInline, deliverInlineIn, type Deliver } from "./workflow-task/inline-task.js";
import type { CommittedTask } from "./workflow-task/replay-and-complete.js";

/** Timers due together are fired in one transaction, this many at most. */
const FIRE_BATCH = 20;

interface DueTimer {
  readonly runId: string;
  readonly timerId: string;
  /** When it is due (epoch ms): how late it fired, for the metrics. */
  readonly dueMs: number;
}

/** The step loop (step-loop.ts) as fired timers join it: each woken workflow task is a first step. */
export interface TimerSteps {
  mayClaimFirst(): boolean;
  handOn(task: CommittedTask | null): Promise<void>;
}

/**
 * Fires the workflow timers of one task queue (table weft.timers) at their due time, each with
 * the workflow task it wakes. Timers this worker's own tasks create are scheduled in memory the
 * moment their task commits; a poll every `pollIntervalMs` finds the others (created by a worker
 * that died, or before this one started). Several workers may try one timer: weft.fire_timer
 * lets only the first through. Timers that come due in the same turn of the event loop are fired
 * in batches; at most `concurrency` batches run at once.
 */
export class Timers {
  private readonly scheduled = new Map<string, { timeout: NodeJS.Timeout; dueMs: number }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiting: (() => void)[] = [];
  private due: DueTimer[] = [];
  private pollTimer: NodeJS.Timeout | undefined;
  private steps: TimerSteps | undefined;
  private stopped = false;

  constructor(
    private readonly deps: WorkerDeps,
    private readonly options: { pollIntervalMs: number; concurrency: number },
  ) {}

  start(steps: TimerSteps): void {
    this.steps = steps;
    void this.poll(); // never rejects: a failed poll is logged and retried
  }

  /**
   * Schedules a fire at `dueMs`, or moves a scheduled one earlier (database time moved on). A
   * timer past setTimeout's reach is left to the poll, which finds it once it is nearly due.
   */
  schedule(runId: string, timerId: string, dueMs: number): void {
    const key = `${runId}/${timerId}`;
    const known = this.scheduled.get(key);
    if (this.stopped || (known && known.dueMs <= dueMs) || dueMs - Date.now() > MAX_LOCAL_TIMER_MS) return;
    clearTimeout(known?.timeout);
    const timeout = setTimeout(() => {
      // The entry stays until the fire is over, so a poll meanwhile does not schedule it again.
      if (this.due.length === 0) setImmediate(() => this.fireDue());
      this.due.push({ runId, timerId, dueMs });
    }, Math.max(0, dueMs - Date.now()));
    this.scheduled.set(key, { timeout, dueMs });
  }

  /** Stops scheduling and waits for the fires in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    for (const { timeout } of this.scheduled.values()) clearTimeout(timeout);
    this.scheduled.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private fireDue(): void {
    const due = this.due;
    this.due = [];
    // Never rejects: a failed fire is logged and its timers retried by the next poll.
    for (let i = 0; i < due.length; i += FIRE_BATCH) void this.run(due.slice(i, i + FIRE_BATCH));
  }

  private async run(timers: DueTimer[]): Promise<void> {
    while (this.inFlight.size >= this.options.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.stopped) return;
    const notDue = new Map<string, DueTimer>();
    const firing = this.fire(timers, notDue)
      .catch((error: Error) => {
        // The rows stay; the next poll retries them.
        this.deps.logger.warn(`firing ${timers.length} timer(s) failed (will retry): ${error.message}`);
      })
      .finally(() => {
        for (const { runId, timerId } of timers) this.scheduled.delete(`${runId}/${timerId}`);
        // The database's clock is behind this machine's: try again when it says.
        for (const { runId, timerId, dueMs } of notDue.values()) this.schedule(runId, timerId, dueMs);
        this.inFlight.delete(firing);
        this.waiting.shift()?.();
      });
    this.inFlight.add(firing);
    await firing;
  }

  /**
   * Fires timers that came due at once, each with the workflow task it wakes, in one transaction
   * (one commit for the lot). If one task's code fails, or the batch deadlocks, they are fired
   * one by one, so that failure is recorded on its own run.
   */
  private async fire(timers: readonly DueTimer[], notDue: Map<string, DueTimer>): Promise<void> {
    const steps = this.steps!;
    if (timers.length > 1) {
      try {
        const tasks = await inTransaction(this.deps.pool, async (tx) => {
          const done: (CommittedTask | null)[] = [];
          for (const timer of timers) {
            done.push(await deliverInlineIn(tx, this.deps, timer.runId, steps.mayClaimFirst(), this.deliverTimerFired(timer, notDue)));
          }
          return done;
        });
        for (const task of tasks) await steps.handOn(task);
        return;
      } catch (error) {
        // A deadlock with another batch (each holding one run's request lock the other
        // wants) is resolved by firing one by one: a single run's transaction cannot cycle.
        if (isInfrastructureError(error) && !isLockConflict(error)) throw error;
      }
    }
    for (const timer of timers) {
      await steps.handOn(await deliverInline(this.deps, timer.runId, steps.mayClaimFirst(), this.deliverTimerFired(timer, notDue)));
    }
  }

  private deliverTimerFired(timer: DueTimer, notDue: Map<string, DueTimer>): Deliver {
    return async (db, inline) => {
      const answer = await fireTimer(db, timer.runId, timer.timerId, inline);
      if ("dueInMs" in answer) notDue.set(`${timer.runId}/${timer.timerId}`, { ...timer, dueMs: Date.now() + answer.dueInMs });
      else if (!("gone" in answer)) this.deps.metrics.timerFired((Date.now() - timer.dueMs) / 1000);
      return answer;
    };
  }

  private async poll(): Promise<void> {
    const { pollIntervalMs } = this.options;
    try {
      for (const timer of await dueTimers(this.deps.pool, this.deps.namespace, this.deps.taskQueue, pollIntervalMs, 1000)) {
        this.schedule(timer.runId, timer.timerId, timer.dueMs);
      }
    } catch (error) {
      this.deps.logger.warn(`polling for due timers failed (will retry): ${(error as Error).message}`);
    }
    // poll never rejects (the catch above)
    if (!this.stopped) this.pollTimer = setTimeout(() => void this.poll(), pollIntervalMs);
  }
}

/** deadlock_detected or serialization_failure: the transaction lost a race, nothing is wrong. */
function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "40P01" || code === "40001";
}
