-- The roles of docs/security.md for compose.yaml: run once by the postgres image, as the
-- superuser, in database weft, before `weft migrate`. The passwords are for a local trial;
-- change them (and the URLs in compose.yaml) anywhere else. Safe to run again.

-- The owner: owns the database, so it may create weft's schemas; not a superuser, and without
-- CREATEROLE, since the group roles below exist before it migrates.
do $$ begin create role weft_owner login password 'weft_owner'; exception when duplicate_object then null; end $$;
do $$ begin execute format('alter database %I owner to weft_owner', current_database()); end $$;

-- weft's group roles; `weft migrate` grants them their functions (sql/functions/privileges.sql).
do $$ begin create role weft_client nologin; exception when duplicate_object then null; end $$;
do $$ begin create role weft_worker nologin; exception when duplicate_object then null; end $$;
do $$ begin create role weft_server nologin; exception when duplicate_object then null; end $$;

-- One login role per kind of process.
do $$ begin create role orders_worker login password 'orders_worker'; exception when duplicate_object then null; end $$;
do $$ begin create role weft_http login password 'weft_http'; exception when duplicate_object then null; end $$;
do $$ begin create role orders_app login password 'orders_app'; exception when duplicate_object then null; end $$;
grant weft_worker to orders_worker;
grant weft_client, weft_server to weft_http;
grant weft_client to orders_app;
