import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { Logger, runMigrations as runGraphileMigrations } from "graphile-worker";

const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations/", import.meta.url));
/** Arbitrary constant shared by every weft process: two migrate() calls never interleave. */
const MIGRATE_LOCK_KEY = 0x77656674; // "weft"

export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
  /** sha256 of `sql`, recorded when applied: a landed migration must never change. */
  readonly checksum: string;
}

/** The database was migrated by a newer weft than this one; running would be unsafe. */
export class SchemaTooNewError extends Error {
  override readonly name = "SchemaTooNewError";
  constructor(readonly databaseVersion: number, readonly knownVersion: number) {
    super(
      `the database schema is at weft migration ${databaseVersion}, but this weft knows only up to ` +
        `${knownVersion}; upgrade weft in this process before pointing it at this database`,
    );
  }
}

export async function loadMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{6}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(MIGRATIONS_DIR + file, "utf8");
      return {
        id: Number(file.slice(0, 6)),
        name: file.slice(7, -4),
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
      };
    }),
  );
}

/** A migration already applied to the database differs from the file this weft ships. */
export class MigrationChangedError extends Error {
  override readonly name = "MigrationChangedError";
  constructor(readonly migration: Migration) {
    super(
      `weft migration ${migration.id} (${migration.name}) in this database differs from the file this weft ships: ` +
        `it was edited after being applied. Restore the original file; for a development database, ` +
        `recreate it (the embedded one lives in .weft/postgres)`,
    );
  }
}

export interface MigrateOptions {
  /** Called once per migration applied, for progress output. */
  onApply?: (migration: Migration) => void;
}

/**
 * Brings schema `weft` (and graphile-worker's schema) up to date. Safe to call from many
 * processes at once: an advisory lock serialises them, and each migration applies whole
 * in its own transaction or not at all.
 */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATE_LOCK_KEY]);
    try {
      await runGraphileMigrations({ connectionString: databaseUrl, logger: quietGraphileLogger });
      await client.query(
        `create schema if not exists weft;
         create table if not exists weft.migrations (
           id int primary key, name text not null, checksum text not null,
           applied_at timestamptz not null default now())`,
      );
      const known = await loadMigrations();
      const { rows } = await client.query<{ id: number; checksum: string }>(
        "select id, checksum from weft.migrations order by id",
      );
      const applied = new Map(rows.map((r) => [r.id, r.checksum]));
      const newest = rows.at(-1)?.id ?? 0;
      const knownVersion = known.at(-1)?.id ?? 0;
      if (newest > knownVersion) throw new SchemaTooNewError(newest, knownVersion);
      for (const migration of known) {
        const checksum = applied.get(migration.id);
        if (checksum !== undefined && checksum !== migration.checksum) throw new MigrationChangedError(migration);
        if (checksum !== undefined) continue;
        await client.query("begin");
        try {
          await client.query(migration.sql);
          await client.query("insert into weft.migrations (id, name, checksum) values ($1, $2, $3)", [
            migration.id,
            migration.name,
            migration.checksum,
          ]);
          await client.query("commit");
        } catch (error) {
          await client.query("rollback");
          throw new Error(`weft migration ${migration.id} (${migration.name}) failed: ${String(error)}`, {
            cause: error,
          });
        }
        options.onApply?.(migration);
      }
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATE_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

// graphile-worker logs every migration at info level; weft reports its own progress instead.
const quietGraphileLogger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[graphile-worker] ${message}`);
});
