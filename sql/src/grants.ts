/**
 * The statements that set up weft's roles where migrate() could not (its role lacks
 * CREATEROLE): for a superuser to run once in the migrated database. Safe to run again. The
 * roles and what each may call: sql/functions/privileges.sql, docs/security.md.
 */
export function grantStatements(): string {
  return `-- weft's roles (docs/security.md). Run as a superuser in the database weft was migrated
-- into, after migrate(); safe to run again.
do $$ begin create role weft_client nologin; exception when duplicate_object then null; end $$;
do $$ begin create role weft_worker nologin; exception when duplicate_object then null; end $$;
do $$ begin create role weft_server nologin; exception when duplicate_object then null; end $$;
select weft.apply_privileges();
-- Then give each login role its part:
--   grant weft_client to <your application's role>;  -- start, signal, terminate, read
--   grant weft_worker to <your workers' role>;       -- run workflow tasks, activities, timers
--   grant weft_client, weft_server to <the HTTP server's role>;  -- and its API keys
`;
}
