// Validation of Client.list filters and its page cursors. Values reach SQL only as bound
// parameters; this is about clear errors, not escaping.
import { z } from "zod";
import { InvalidArgumentError } from "../errors.js";
import { nameSchema } from "../options.js";
import { isPlainObject } from "../payload.js";
import { runStatusSchema } from "../run-status.js";
import { searchAttributesSchema } from "../search-attributes.js";

// A plain object only: the keys of a Map or class instance would be skipped, not refused.
const plainObject = z.custom<object>(
  (filter) => typeof filter === "object" && filter !== null && isPlainObject(filter),
  "a list filter must be a plain object",
);

const listFilterSchema = plainObject.pipe(
  z.strictObject({
    workflowType: nameSchema.optional(),
    workflowId: nameSchema.optional(),
    status: runStatusSchema.optional(),
    searchAttributes: searchAttributesSchema({ allowNull: false }).optional(),
    parentRunId: z.uuid().optional(),
    limit: z.number().int().min(1).max(1000).default(100),
    cursor: z.string().optional(),
  }),
);

/** A Client.list filter with its defaults, or InvalidArgumentError naming each bad field. */
export function parseListFilter(filter: unknown): z.output<typeof listFilterSchema> {
  const parsed = listFilterSchema.safeParse(filter);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
    throw new InvalidArgumentError(`bad list filter: ${issues.join("; ")}`);
  }
  return parsed.data;
}

// created_at in UTC with microseconds (a JS Date would cut them to ms).
const cursorSchema = z.tuple([z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), z.uuid()]);

/** The position after the last run of a page: its created_at (ISO text, UTC) and run id. */
export function encodeCursor(createdAt: string, runId: string): string {
  return Buffer.from(JSON.stringify([createdAt, runId])).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: string; runId: string } {
  try {
    const [createdAt, runId] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return { createdAt, runId };
  } catch {
    throw new InvalidArgumentError(`"${cursor.slice(0, 40)}" is not a list cursor; pass the nextCursor of a previous page`);
  }
}
