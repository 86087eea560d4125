-- weft core schema: runs, history, inbox, activities, timers, workers.
-- Tables, indexes and data only: the functions are code, in sql/functions/, re-applied by
-- migrate() (sql/src/migrate.ts), which also creates schema weft and this table of migrations.
-- Rewritten once, when the functions moved out; migrate() accepts databases that applied
-- the original text (sql/test/fixtures/released-0.1/).

-- Time is the database's (DESIGN invariant 5); tests move it with weft.advance_clock.
create table weft.clock (
  id boolean primary key default true check (id),
  offset_ms bigint not null default 0
);
insert into weft.clock default values;

-- Here, not in sql/functions/: column defaults below depend on it.
create function weft.now() returns timestamptz
language sql stable as $$
  select now() + make_interval(secs => offset_ms / 1000.0) from weft.clock
$$;

create table weft.workflow_types (
  task_queue text not null,
  workflow_type text not null,
  registered_at timestamptz not null default now(),
  primary key (task_queue, workflow_type)
);

create table weft.workflow_runs (
  run_id uuid primary key,
  workflow_id text not null,
  workflow_type text not null,
  task_queue text not null,
  status text not null default 'running'
    check (status in ('running', 'completed', 'failed')),
  input jsonb not null,
  result jsonb,
  failure jsonb,
  next_event_id int not null default 1,
  last_task int not null default 0,
  task_pending boolean not null default true, -- dropped by 000002 (weft.task_requests)
  -- Last failed workflow task (non-determinism, unknown type, ...); cleared by the next good task.
  task_failure jsonb,
  task_failures int not null default 0,
  unhandled_signals jsonb not null default '[]',
  created_at timestamptz not null default weft.now(),
  closed_at timestamptz
);
create unique index workflow_runs_open_workflow_id on weft.workflow_runs (workflow_id)
  where status = 'running';
create index workflow_runs_workflow_id on weft.workflow_runs (workflow_id, created_at desc);
create index workflow_runs_task_failure on weft.workflow_runs (task_queue)
  where task_failure is not null and status = 'running';

-- Append-only; event ids dense from 1 per run; `task` numbers the workflow task that
-- appended the event, which is what lets replay group events exactly as first seen.
create table weft.history_events (
  run_id uuid not null,
  event_id int not null,
  task int not null,
  type text not null,
  attributes jsonb not null,
  created_at timestamptz not null default weft.now(),
  primary key (run_id, event_id)
);

-- What happened to a run while no workflow task held it; moved into history in arrival order.
create table weft.inbox (
  run_id uuid not null,
  seq bigint generated always as identity,
  type text not null,
  attributes jsonb not null,
  created_at timestamptz not null default weft.now(),
  primary key (run_id, seq)
);

create table weft.activity_executions (
  run_id uuid not null,
  activity_id int not null,
  activity_type text not null,
  queue text not null,
  input jsonb not null,
  retry_policy jsonb not null,
  start_to_close_ms int,
  schedule_to_start_ms int,
  schedule_to_close_ms int,
  heartbeat_ms int,
  status text not null default 'scheduled'
    check (status in ('scheduled', 'started', 'completed', 'failed')),
  attempt int not null default 1,
  scheduled_at timestamptz not null default weft.now(),
  attempt_scheduled_at timestamptz not null default weft.now(),
  started_at timestamptz,
  heartbeat_at timestamptz,
  heartbeat_details jsonb,
  last_failure jsonb,
  closed_at timestamptz,
  -- The worker running this attempt without a job; if that worker dies, weft.heartbeat_worker
  -- enqueues the attempt as a job.
  claimed_by text,
  primary key (run_id, activity_id)
);
create index activity_executions_claimed_by on weft.activity_executions (claimed_by)
  where claimed_by is not null;

-- Pending workflow timers (sql/functions/timers.sql). due_at is on the real clock (now()),
-- like graphile-worker's run_at.
create table weft.timers (
  run_id uuid not null,
  timer_id text not null,
  task_queue text not null,
  due_at timestamptz not null,
  primary key (run_id, timer_id)
);
create index timers_due on weft.timers (task_queue, due_at);

create table weft.workers (
  worker_id text primary key,
  task_queue text not null,
  -- graphile-worker ids whose job locks are released when this worker is found dead
  lock_ids text[] not null default '{}',
  hostname text not null,
  pid int not null,
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now()
);
