-- Which set of SQL functions (sql/functions/) is in place. migrate() re-applies the set when
-- its content changes, and never replaces a newer version with an older one: during a rolling
-- deploy, a process of the old release starting after the new one keeps the new functions.
create table weft.function_set (
  id boolean primary key default true check (id),
  version int not null,
  checksum text not null,
  applied_at timestamptz not null default now()
);
