import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { sha256 } from "./migrations.js";

const FUNCTIONS_DIR = fileURLToPath(new URL("../functions/", import.meta.url));
/** Alters and grants every function of the set, so it is applied after all the others. */
const PRIVILEGES_FILE = "privileges.sql";

/**
 * weft's SQL functions (sql/functions/*.sql), applied as one set. `version` only grows: it
 * is what stops an older weft from re-applying older functions over newer ones.
 */
export interface FunctionSet {
  readonly version: number;
  /** sha256 over the files' names and contents. */
  readonly checksum: string;
  readonly files: readonly { readonly name: string; readonly sql: string }[];
}

/** What version.json must say for these files; a test compares (sql/test/migrate.test.ts). */
export interface FunctionSetManifest {
  readonly version: number;
  readonly checksum: string;
}

export async function loadFunctionSet(): Promise<FunctionSet> {
  const names = (await readdir(FUNCTIONS_DIR))
    .filter((f) => f.endsWith(".sql") && f !== PRIVILEGES_FILE)
    .sort()
    .concat(PRIVILEGES_FILE);
  const files = await Promise.all(names.map(async (name) => ({ name, sql: await readFile(FUNCTIONS_DIR + name, "utf8") })));
  const manifest = JSON.parse(await readFile(FUNCTIONS_DIR + "version.json", "utf8")) as FunctionSetManifest;
  return { version: manifest.version, checksum: functionSetChecksum(files), files };
}

export function functionSetChecksum(files: FunctionSet["files"]): string {
  return sha256(files.map((f) => `-- ${f.name}\n${f.sql}`).join("\n"));
}
