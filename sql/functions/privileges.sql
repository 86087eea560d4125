-- Who may call what (docs/security.md). The role that runs migrate() owns schema weft, its
-- tables and these functions; two roles without table rights call them:
--   weft_client: starts, signals, terminates and reads runs (an application's connections);
--   weft_worker: runs workflow tasks, activities and timers (a Worker's connections), and
--                graphile-worker's jobs in schema graphile_worker;
--   weft_server: the HTTP server's namespaces, API keys and readiness (its role also joins weft_client).
-- Their entry points run as the owner (SECURITY DEFINER) and pin search_path, so that objects a
-- caller creates (in pg_temp, say) cannot stand in for weft's or the catalog's. The other
-- functions are helpers that only the owner may call, so they run only inside an entry point.
-- Applied after the other files of the set (sql/src/functions.ts), since it alters them all,
-- and by migrate() again whenever graphile-worker's schema changed (its new tables need grants).
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

-- The functions each role may call; sdk/src/client/sql-api.ts and worker/src/sql-api.ts call
-- exactly these (worker/test/privileges.test.ts compares).
create or replace function weft.client_functions() returns text[]
language sql immutable as $$
  select array['start_workflow', 'start_workflows', 'signal_workflow', 'terminate_workflow',
               'describe_workflow', 'list_workflows', 'count_workflows', 'workflow_history', 'workflow_state',
               'run_states']
$$;

create or replace function weft.worker_functions() returns text[]
language sql immutable as $$
  select array['register_workflow_types', 'heartbeat_worker', 'release_claims', 'deregister_worker',
               'claim_workflow_task', 'complete_workflow_task', 'fail_workflow_task',
               'start_activity_attempt', 'heartbeat_activity', 'complete_activity', 'fail_activity',
               'timeout_activity', 'due_timers', 'fire_timer', 'timeout_run', 'apply_parent_close_policy',
               'worker_gauges', 'delete_expired_runs']
$$;

create or replace function weft.server_functions() returns text[]
language sql immutable as $$
  select array['authenticate_api_key', 'create_api_key', 'list_api_keys', 'revoke_api_key', 'schema_version',
               'create_namespace', 'list_namespaces', 'check_namespace']
$$;

-- Creates the roles if they are missing and the caller may (CREATEROLE); a role that is
-- still missing gets nothing, and a warning says what to run (weft's grants helper prints it).
create or replace function weft.apply_privileges() returns void
language plpgsql as $$
declare
  v_role text;
  v_roles text[] := '{}';
  v_fn record;
  v_table regclass;
begin
  foreach v_role in array array['weft_client', 'weft_worker', 'weft_server'] loop
    if not exists (select from pg_roles where rolname = v_role) then
      begin
        execute format('create role %I nologin', v_role);
      exception
        when insufficient_privilege then
          raise warning 'role % is missing and % may not create it: see docs/security.md', v_role, current_user;
        when duplicate_object or unique_violation then
          null; -- created at the same moment by a migration of another database on this server
      end;
    end if;
    if exists (select from pg_roles where rolname = v_role) then
      v_roles := v_roles || v_role;
    end if;
  end loop;

  for v_fn in
    select p.oid::regprocedure as signature, p.proname as name
      from pg_proc p where p.pronamespace = 'weft'::regnamespace
  loop
    -- Helpers run inside an entry point, under its search_path; a SET of their own would cost
    -- every call a few microseconds (and SQL helpers their inlining) for nothing.
    execute format('alter function %s %s', v_fn.signature,
      case when v_fn.name = any (weft.client_functions() || weft.worker_functions() || weft.server_functions())
           then 'security definer set search_path = pg_catalog, weft, pg_temp'
           else 'security invoker reset search_path' end);
    execute format('revoke all on function %s from public', v_fn.signature);
    foreach v_role in array v_roles loop
      execute format('revoke all on function %s from %I', v_fn.signature, v_role);
    end loop;
    if 'weft_client' = any (v_roles) and v_fn.name = any (weft.client_functions()) then
      execute format('grant execute on function %s to weft_client', v_fn.signature);
    end if;
    if 'weft_worker' = any (v_roles) and v_fn.name = any (weft.worker_functions()) then
      execute format('grant execute on function %s to weft_worker', v_fn.signature);
    end if;
    if 'weft_server' = any (v_roles) and v_fn.name = any (weft.server_functions()) then
      execute format('grant execute on function %s to weft_server', v_fn.signature);
    end if;
  end loop;
  foreach v_role in array v_roles loop
    execute format('grant usage on schema weft to %I', v_role);
  end loop;

  -- graphile-worker's runner reads and writes its tables itself. They have row level security
  -- enabled (without policies, so that only their owner sees rows): weft_worker gets a policy.
  if 'weft_worker' = any (v_roles) then
    grant usage on schema graphile_worker to weft_worker;
    grant select, insert, update, delete on all tables in schema graphile_worker to weft_worker;
    -- Its runner only reads which migrations ran; a row written there would stop every runner.
    revoke insert, update, delete on graphile_worker.migrations from weft_worker;
    grant usage, select, update on all sequences in schema graphile_worker to weft_worker;
    grant execute on all functions in schema graphile_worker to weft_worker;
    for v_table in
      select c.oid::regclass from pg_class c
       where c.relnamespace = 'graphile_worker'::regnamespace and c.relkind = 'r' and c.relrowsecurity
         and not exists (select from pg_policy p where p.polrelid = c.oid and p.polname = 'weft_worker')
    loop
      execute format('create policy weft_worker on %s to weft_worker using (true) with check (true)', v_table);
    end loop;
  end if;
end $$;

select weft.apply_privileges();
