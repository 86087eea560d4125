import pg from "pg";
import { Logger, runMigrations as runGraphileMigrations } from "graphile-worker";
import { loadFunctionSet, type FunctionSet } from "./functions.js";
import {
  loadMigrations,
  MigrationChangedError,
  MigrationFailedError,
  SchemaTooNewError,
  SUPERSEDED_CHECKSUMS,
  type Migration,
} from "./migrations.js";

/** Arbitrary constant shared by every weft process: two migrate() calls never interleave. */
const MIGRATE_LOCK_KEY = 0x77656674; // "weft"

export interface MigrateOptions {
  /** Called once per migration applied, for progress output. */
  onApply?: (migration: Migration) => void;
  /** Called when the SQL functions were (re-)applied, or left alone because the database has newer ones. */
  onFunctions?: (outcome: FunctionsOutcome) => void;
  /** Called with each warning PostgreSQL sends, such as a weft role migrate() may not create. */
  onWarning?: (message: string) => void;
}

export type FunctionsOutcome =
  | { readonly applied: true; readonly version: number; readonly previousVersion: number | null }
  | { readonly applied: false; readonly version: number; readonly databaseVersion: number };

/**
 * Brings schema `weft` (and graphile-worker's schema) up to date: the pending numbered
 * migrations in order, then the SQL functions (sql/functions/) when their content changed, all
 * in one transaction, so no caller ever sees a migration without the functions it implies (a
 * migration may drop a function whose new signature only the function set creates). Safe to
 * call from many processes at once: an advisory lock serialises them.
 */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on("notice", (notice) => {
    if (notice.severity === "WARNING") options.onWarning?.(notice.message ?? String(notice));
  });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATE_LOCK_KEY]);
    try {
      const graphileBefore = await graphileMigration(client);
      await runGraphileMigrations({ connectionString: databaseUrl, logger: quietGraphileLogger });
      const graphileChanged = (await graphileMigration(client)) !== graphileBefore;
      const set = await loadFunctionSet();
      const done: (() => void)[] = []; // progress is reported once it has committed
      await client.query("begin");
      try {
        await applyMigrations(client, done, options);
        const applied = await applyFunctions(client, set, done, options);
        // New graphile-worker tables need weft_worker's grants (privileges.sql), which a function
        // set applied just now has given already.
        if (graphileChanged && !applied) await client.query("select weft.apply_privileges()");
        await client.query("commit");
      } catch (error) {
        await client.query("rollback");
        throw error;
      }
      for (const report of done) report();
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATE_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

async function applyMigrations(client: pg.Client, done: (() => void)[], options: MigrateOptions): Promise<void> {
  await client.query(
    `create schema if not exists weft;
     create table if not exists weft.migrations (
       id int primary key, name text not null, checksum text not null,
       applied_at timestamptz not null default now())`,
  );
  const known = await loadMigrations();
  const { rows } = await client.query<{ id: number; checksum: string }>("select id, checksum from weft.migrations order by id");
  const applied = new Map(rows.map((r) => [r.id, r.checksum]));
  const newest = rows.at(-1)?.id ?? 0;
  const knownVersion = known.at(-1)?.id ?? 0;
  if (newest > knownVersion) throw new SchemaTooNewError(newest, knownVersion);
  for (const migration of known) {
    const checksum = applied.get(migration.id);
    if (checksum !== undefined && checksum !== migration.checksum) {
      if (SUPERSEDED_CHECKSUMS.get(migration.id) !== checksum) throw new MigrationChangedError(migration);
      await client.query("update weft.migrations set checksum = $2 where id = $1", [migration.id, migration.checksum]);
    }
    if (checksum !== undefined) continue;
    await explained(`weft migration ${migration.id} (${migration.name})`, () => client.query(migration.sql));
    await client.query("insert into weft.migrations (id, name, checksum) values ($1, $2, $3)", [
      migration.id,
      migration.name,
      migration.checksum,
    ]);
    done.push(() => options.onApply?.(migration));
  }
}

/**
 * Re-applies the functions when their checksum differs from the set in place, unless the
 * database holds a newer version (a newer weft is deployed beside this one: keep its code).
 */
async function applyFunctions(client: pg.Client, set: FunctionSet, done: (() => void)[], options: MigrateOptions): Promise<boolean> {
  const { rows } = await client.query<{ version: number; checksum: string }>("select version, checksum from weft.function_set");
  const current = rows[0];
  if (current && current.version > set.version) {
    done.push(() => options.onFunctions?.({ applied: false, version: set.version, databaseVersion: current.version }));
    return false;
  }
  if (current?.checksum === set.checksum) return false;
  // Functions call each other; bodies are checked when called, so file order does not matter.
  await client.query("set local check_function_bodies = off");
  for (const file of set.files) await explained(`weft SQL functions version ${set.version} (${file.name})`, () => client.query(file.sql));
  await client.query(
    `insert into weft.function_set (version, checksum) values ($1, $2)
     on conflict (id) do update set version = excluded.version, checksum = excluded.checksum, applied_at = now()`,
    [set.version, set.checksum],
  );
  done.push(() => options.onFunctions?.({ applied: true, version: set.version, previousVersion: current?.version ?? null }));
  return true;
}

/** graphile-worker's newest migration in the database; null before it is installed. */
async function graphileMigration(client: pg.Client): Promise<number | null> {
  try {
    const { rows } = await client.query<{ id: number | null }>("select max(id) as id from graphile_worker.migrations");
    return rows[0]?.id ?? null;
  } catch (error) {
    if ((error as { code?: string }).code === "42P01" || (error as { code?: string }).code === "3F000") return null;
    throw error;
  }
}

/** Runs `step`, naming it in the error if it fails. */
async function explained(what: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    throw new MigrationFailedError(what, error);
  }
}

// graphile-worker logs every migration at info level; weft reports its own progress instead.
const quietGraphileLogger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[graphile-worker] ${message}`);
});
