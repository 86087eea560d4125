-- weft's SQL API for the HTTP server (server/src/sql-api.ts), beyond the client's functions:
-- API keys, namespaces, and the schema version its readiness reports (docs/security.md). A
-- key's secret is shown once, when it is created; the table keeps its SHA-256, which is enough
-- to recognise it and useless to anyone reading the table (the secret has 244 random bits).
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

create or replace function weft.check_namespace(p_namespace text) returns void
language plpgsql stable as $$
begin
  perform weft.check_name(p_namespace, 'namespace');
  if not exists (select from weft.namespaces where name = p_namespace) then
    raise exception 'namespace "%" not found', p_namespace
      using errcode = 'WF007', hint = 'weft.list_namespaces() lists them; weft.create_namespace makes one.';
  end if;
end $$;

-- A new key of p_role ('read', 'write' or 'admin') in p_namespace: {keyId, secret}.
create or replace function weft.create_api_key(p_namespace text, p_name text, p_role text) returns jsonb
language plpgsql as $$
declare
  v_key_id uuid := gen_random_uuid();
  -- Two random UUIDs carry 244 random bits; the prefix makes a leaked key easy to spot.
  v_secret text := 'weft_' || replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
begin
  perform weft.check_namespace(p_namespace);
  perform weft.check_name(p_name, 'key name');
  if p_role is null or p_role not in ('read', 'write', 'admin') then
    raise exception 'key role must be read, write or admin, got %', coalesce(p_role, 'null') using errcode = 'WF006';
  end if;
  insert into weft.api_keys (key_id, namespace, name, role, secret_sha256)
  values (v_key_id, p_namespace, p_name, p_role, sha256(convert_to(v_secret, 'UTF8')));
  return jsonb_build_object('keyId', v_key_id, 'secret', v_secret);
end $$;

-- The key a secret belongs to, {keyId, namespace, name, role}, or null: unknown or revoked.
create or replace function weft.authenticate_api_key(p_secret text) returns jsonb
language sql stable as $$
  select jsonb_build_object('keyId', k.key_id, 'namespace', k.namespace, 'name', k.name, 'role', k.role)
    from weft.api_keys k
   where k.secret_sha256 = sha256(convert_to(p_secret, 'UTF8')) and k.revoked_at is null
$$;

-- A namespace's keys, oldest first, never their secrets.
create or replace function weft.list_api_keys(p_namespace text) returns jsonb
language plpgsql stable as $$
begin
  perform weft.check_namespace(p_namespace);
  return coalesce((
    select jsonb_agg(jsonb_build_object('keyId', k.key_id, 'name', k.name, 'role', k.role,
                                        'createdAt', k.created_at, 'revokedAt', k.revoked_at)
                     order by k.created_at, k.key_id)
      from weft.api_keys k where k.namespace = p_namespace), '[]');
end $$;

-- Revokes a key of p_namespace at once (the next request with it is refused). False: no such
-- key in that namespace; revoking twice is harmless.
create or replace function weft.revoke_api_key(p_namespace text, p_key_id uuid) returns boolean
language plpgsql as $$
begin
  perform weft.check_namespace(p_namespace);
  update weft.api_keys set revoked_at = coalesce(revoked_at, weft.now())
   where namespace = p_namespace and key_id = p_key_id;
  return found;
end $$;

-- A new namespace: a name like a DNS label (letters, digits, '.', '_', '-'; at most 63), and how
-- many days closed runs are kept (null: for ever; then workers delete them, retention.sql).
create or replace function weft.create_namespace(p_name text, p_retention_days int default null) returns jsonb
language plpgsql as $$
declare
  v_namespace weft.namespaces;
begin
  perform weft.check_name(p_name, 'namespace');
  if p_name !~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$' then
    raise exception 'namespace "%" must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (63 at most)',
      left(p_name, 100) using errcode = 'WF006';
  end if;
  if p_retention_days is not null and p_retention_days not between 1 and 36500 then
    raise exception 'retention must be 1 to 36,500 days, got %', p_retention_days using errcode = 'WF006';
  end if;
  insert into weft.namespaces (name, retention_days) values (p_name, p_retention_days)
  returning * into v_namespace;
  return weft.namespace_json(v_namespace);
exception when unique_violation then
  raise exception 'namespace "%" exists already', p_name using errcode = 'WF008', hint = 'Pick another name.';
end $$;

create or replace function weft.namespace_json(p_namespace weft.namespaces) returns jsonb
language sql stable as $$
  select jsonb_build_object('name', p_namespace.name, 'retentionDays', p_namespace.retention_days,
                            'createdAt', p_namespace.created_at)
$$;

-- The namespaces, by name.
create or replace function weft.list_namespaces() returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(weft.namespace_json(n) order by n.name), '[]') from weft.namespaces n
$$;

-- What this database holds: the newest migration applied and the SQL functions' version
-- (sql/functions/version.json), which /readyz compares with what the server was built with.
create or replace function weft.schema_version() returns jsonb
language sql stable as $$
  select jsonb_build_object('migration', (select max(id) from weft.migrations),
                            'functions', (select version from weft.function_set))
$$;
