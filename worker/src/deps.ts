import type { Logger } from "@weft/sdk";
import type { WorkflowDefinition } from "@weft/sdk/internal";
import type pg from "pg";
import type { Activities } from "./activity/context.js";
import type { WorkerMetrics } from "./metrics.js";
import type { WorkflowCache } from "./workflow-task/workflow-cache.js";

/** What the steps of one worker share. */
export interface WorkerDeps {
  readonly pool: pg.Pool;
  readonly workerId: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly workflows: ReadonlyMap<string, WorkflowDefinition>;
  readonly activities: Activities;
  /** Names of `activities`: the types a workflow task may claim for this worker. */
  readonly activityTypes: readonly string[];
  /** Whether a delivered event may run its workflow task inline (maxStepsPerJob > 0): step-loop.ts. */
  readonly inlineTasks: boolean;
  readonly cache: WorkflowCache;
  readonly logger: Logger;
  readonly metrics: WorkerMetrics;
}
