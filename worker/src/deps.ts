import type { Logger } from "@weft/sdk";
import type { WorkflowDefinition } from "@weft/sdk/internal";
import type pg from "pg";
import type { Activities } from "./activity/context.js";
import type { TimerScheduler } from "./timers.js";
import type { WorkflowCache } from "./workflow-task/workflow-cache.js";

/** What the job handlers of one worker share. */
export interface WorkerDeps {
  readonly pool: pg.Pool;
  readonly workerId: string;
  readonly taskQueue: string;
  readonly workflows: ReadonlyMap<string, WorkflowDefinition>;
  readonly activities: Activities;
  /** Names of `activities`, for eager dispatch. */
  readonly activityTypes: readonly string[];
  /** Whether steps may skip their job (config.maxEagerSteps > 0): see chain-runner.ts. */
  readonly eagerDispatch: boolean;
  readonly cache: WorkflowCache;
  readonly timers: TimerScheduler;
  readonly logger: Logger;
}
