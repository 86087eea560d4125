-- Namespaces and the HTTP API's keys (server/, docs/security.md). A key belongs to one
-- namespace and holds one role in it; only a hash of its secret is kept.
-- Runs carry no namespace yet, so a second namespace's keys would see the runs of default:
-- until runs are namespaced (a later migration drops this check), default is the only one.
create table weft.namespaces (
  name text primary key check (name = 'default'),
  retention_days int check (retention_days > 0),
  created_at timestamptz not null default weft.now()
);
-- Every run so far lives in the namespace every database has.
insert into weft.namespaces (name) values ('default');

create table weft.api_keys (
  key_id uuid primary key,
  namespace text not null references weft.namespaces,
  name text not null,
  role text not null check (role in ('read', 'write', 'admin')),
  secret_sha256 bytea not null unique,
  created_at timestamptz not null default weft.now(),
  revoked_at timestamptz
);
create index api_keys_namespace on weft.api_keys (namespace, created_at);
