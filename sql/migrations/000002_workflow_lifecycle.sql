-- Runs that carry on (retries, continue-as-new), children, timeouts and search attributes;
-- and inbox wake-ups that no longer take the run's row lock: a row in task_requests says "a
-- workflow task job is queued for this run" (the protocol: sql/functions/inbox.sql).
-- Tables only, like 000001 (whose header says why this file was rewritten once).

alter table weft.workflow_runs drop constraint workflow_runs_status_check;
alter table weft.workflow_runs add constraint workflow_runs_status_check
  check (status in ('running', 'completed', 'failed', 'continued_as_new', 'terminated', 'timed_out'));

alter table weft.workflow_runs
  -- 1, 2, ...: the run's place in its retry policy's attempts.
  add column attempt int not null default 1,
  add column retry_policy jsonb,
  add column parent_run_id uuid,
  add column parent_workflow_id text,
  add column parent_child_id int,
  add column parent_close_policy text check (parent_close_policy in ('terminate', 'abandon')),
  add column continued_from_run_id uuid,
  -- The run that carries on this workflow id: continue-as-new, or a retry after a failure.
  add column next_run_id uuid,
  add column run_timeout_ms bigint,
  add column run_deadline timestamptz,
  -- Shared by every run of one execution (retries, continue-as-new).
  add column execution_deadline timestamptz,
  add column search_attributes jsonb not null default '{}';

create index workflow_runs_children on weft.workflow_runs (parent_run_id) where parent_run_id is not null;
create index workflow_runs_created on weft.workflow_runs (created_at desc, run_id desc);
create index workflow_runs_search on weft.workflow_runs using gin (search_attributes jsonb_path_ops);

alter table weft.workflow_runs drop column task_pending;

create table weft.task_requests (
  run_id uuid primary key
);
