import { z } from "zod";
import { PayloadError } from "./errors.js";

/** Mirrors weft.max_payload_bytes() in sql/functions/inputs.sql; change both together. */
export const MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;

const argsSchema = z.array(z.json());

/**
 * Validates arguments at the client boundary and returns them as JSON text, so bad input is
 * refused before anything is written.
 */
export function encodeArgs(args: unknown, what: string): string {
  const parsed = argsSchema.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at [${issue.path.join("][")}]` : "";
    throw new PayloadError(
      `${what} must be an array of JSON values; found something else${where}: ${issue?.message ?? "invalid"}`,
    );
  }
  const text = JSON.stringify(args);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new PayloadError(
      `${what} are ${bytes} bytes, over the limit of ${MAX_PAYLOAD_BYTES} bytes; ` +
        `pass a reference (a row id, an object key) instead of the data itself`,
    );
  }
  return text;
}
