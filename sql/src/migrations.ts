import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { WeftError } from "@weft/errors";

const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations/", import.meta.url));

/** A numbered migration: tables, indexes and data changes, never edited once landed. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
  /** sha256 of `sql`, recorded when applied: a landed migration must never change. */
  readonly checksum: string;
}

/**
 * Checksums of migration texts that were replaced on purpose and describe the same tables:
 * 000001 and 000002 as first released also held the SQL functions, which now live in
 * sql/functions/ (the released texts: sql/test/fixtures/released-0.1/).
 */
export const SUPERSEDED_CHECKSUMS: ReadonlyMap<number, string> = new Map([
  [1, "216538eaecd1557edf7ba83a1f8b38851af6c62d1f884719e59821cbfa07836c"],
  [2, "23a5b13df1baa5a933a85001ec17c1d37b0ef840ed50ba5ebb4908f850908d49"],
]);

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export async function loadMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{6}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(MIGRATIONS_DIR + file, "utf8");
      return { id: Number(file.slice(0, 6)), name: file.slice(7, -4), sql, checksum: sha256(sql) };
    }),
  );
}

/** The database was migrated by a newer weft than this one; running would be unsafe. */
export class SchemaTooNewError extends WeftError {
  override readonly name = "SchemaTooNewError";
  constructor(readonly databaseVersion: number, readonly knownVersion: number) {
    super(
      `the database schema is at weft migration ${databaseVersion}, but this weft knows only up to ` +
        `${knownVersion}; upgrade weft in this process before pointing it at this database`,
    );
  }
}

/** A migration already applied to the database differs from the file this weft ships. */
export class MigrationChangedError extends WeftError {
  override readonly name = "MigrationChangedError";
  constructor(readonly migration: Migration) {
    super(
      `weft migration ${migration.id} (${migration.name}) in this database differs from the file this weft ships: ` +
        `it was edited after being applied. Restore the original file; for a development database, ` +
        `recreate it (the embedded one lives in .weft/postgres)`,
    );
  }
}

/**
 * A migration or a file of SQL functions failed to apply; migrate() rolled back everything it
 * had done. `cause` is the database's error.
 */
export class MigrationFailedError extends WeftError {
  override readonly name = "MigrationFailedError";
  constructor(what: string, cause: unknown) {
    super(`${what} failed: ${String(cause)}`, { cause });
  }
}
