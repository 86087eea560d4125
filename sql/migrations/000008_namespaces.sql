-- Namespaces isolate runs (docs/security.md): workflow ids are unique among a namespace's open
-- runs, and task queues, workflow types and listings are a namespace's own. Every run so far
-- is in namespace default, as before.
alter table weft.namespaces drop constraint namespaces_name_check,
  add constraint namespaces_name_check check (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$');

alter table weft.workflow_runs add column namespace text not null default 'default' references weft.namespaces;
drop index weft.workflow_runs_open_workflow_id;
create unique index workflow_runs_open_workflow_id on weft.workflow_runs (namespace, workflow_id)
  where status = 'running';
drop index weft.workflow_runs_workflow_id;
create index workflow_runs_workflow_id on weft.workflow_runs (namespace, workflow_id, created_at desc);
drop index weft.workflow_runs_created;
create index workflow_runs_created on weft.workflow_runs (namespace, created_at desc, run_id desc);
drop index weft.workflow_runs_task_failure;
create index workflow_runs_task_failure on weft.workflow_runs (namespace, task_queue)
  where task_failure is not null and status = 'running';

alter table weft.workflow_types add column namespace text not null default 'default' references weft.namespaces,
  drop constraint workflow_types_pkey,
  add primary key (namespace, task_queue, workflow_type);

-- These now take the namespace last (p_namespace default 'default', so calls without it keep
-- working); the new definitions are in sql/functions/. If exists: a fresh install has none yet.
drop function if exists weft.start_workflow(text, jsonb, text, text, uuid, jsonb);
drop function if exists weft.signal_workflow(text, text, jsonb, uuid);
drop function if exists weft.terminate_workflow(text, text, uuid);
drop function if exists weft.lock_open_run(text, uuid);
drop function if exists weft.register_workflow_types(text, text[]);
drop function if exists weft.due_timers(text, int, int);
drop function if exists weft.worker_gauges(text);
drop function if exists weft.find_run(text, uuid);
drop function if exists weft.describe_workflow(text, uuid);
drop function if exists weft.workflow_history(text, uuid, int, int);
drop function if exists weft.workflow_state(text, uuid);
drop function if exists weft.list_workflows(jsonb, int, timestamptz, uuid);
drop function if exists weft.count_workflows(jsonb, text);
