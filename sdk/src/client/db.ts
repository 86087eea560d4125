// Row types of the weft tables the client reads (sql/migrations); kept in step with them.
import type { Generated } from "kysely";

export type RunStatus = "running" | "completed" | "failed" | "continued_as_new" | "terminated" | "timed_out";

export interface WorkflowRunsTable {
  run_id: string;
  workflow_id: string;
  workflow_type: string;
  task_queue: string;
  status: RunStatus;
  input: unknown;
  result: unknown;
  failure: unknown;
  next_event_id: number;
  last_task: number;
  task_failure: unknown;
  task_failures: number;
  unhandled_signals: unknown;
  created_at: Date;
  closed_at: Date | null;
  attempt: number;
  parent_run_id: string | null;
  parent_workflow_id: string | null;
  parent_child_id: number | null;
  continued_from_run_id: string | null;
  next_run_id: string | null;
  run_deadline: Date | null;
  execution_deadline: Date | null;
  search_attributes: Record<string, unknown>;
}

export interface HistoryEventsTable {
  run_id: string;
  event_id: number;
  task: number;
  type: string;
  attributes: unknown;
  created_at: Date;
}

export interface ActivityExecutionsTable {
  run_id: string;
  activity_id: number;
  activity_type: string;
  queue: string;
  status: "scheduled" | "started" | "completed" | "failed";
  attempt: number;
  scheduled_at: Date;
  attempt_scheduled_at: Date;
  started_at: Date | null;
  heartbeat_at: Date | null;
  heartbeat_details: unknown;
  last_failure: unknown;
  retry_policy: unknown;
}

export interface InboxTable {
  run_id: string;
  seq: Generated<string>;
  type: string;
  attributes: unknown;
  created_at: Date;
}

export interface WeftDatabase {
  "weft.workflow_runs": WorkflowRunsTable;
  "weft.history_events": HistoryEventsTable;
  "weft.activity_executions": ActivityExecutionsTable;
  "weft.inbox": InboxTable;
}
