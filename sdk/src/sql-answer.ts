// One call of a weft SQL function that answers a JSON document in column `answer`: the
// document parsed by zod, a database error rethrown as its typed error. The client's SQL module
// (client/sql-api.ts) and the HTTP server's call through it.
import type pg from "pg";
import type { z } from "zod";
import { mapDatabaseError } from "./errors.js";

/** Calls `sql` (one `select`) and returns its one row's `answer` column parsed by `schema`. */
export async function sqlAnswer<S extends z.ZodType>(db: pg.Pool | pg.ClientBase, schema: S, sql: string, params: unknown[]): Promise<z.output<S>> {
  const { rows } = await db.query<{ answer: unknown }>(sql, params).catch((error: unknown) => {
    throw mapDatabaseError(error);
  });
  return schema.parse(rows[0]?.answer);
}
