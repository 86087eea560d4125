// Search attributes: small indexed facts about a run (customer, region, stage...) that clients
// filter runs by (Client.list). Stored as one JSON object per run (weft.workflow_runs). The
// limits are weft.check_search_attributes' (sql/functions/inputs.sql), Temporal's.
import { z } from "zod";
import { jsonbTextBytes, NotJsonError } from "./payload.js";

export type SearchAttributeValue = string | number | boolean | readonly string[];

/** A null value in an upsert removes the key. */
export type SearchAttributes = Readonly<Record<string, SearchAttributeValue | null>>;

/** One value: a string, finite number, boolean or array of strings (as weft.check_search_attributes). */
export const searchAttributeValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

export const MAX_SEARCH_ATTRIBUTES = 100;
/** One value, and all of them together, as jsonb text. */
export const MAX_SEARCH_ATTRIBUTE_BYTES = 2048;
export const MAX_SEARCH_ATTRIBUTES_BYTES = 40960;

const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Throws a TypeError naming the first key or value that cannot be a search attribute, or the
 * limit the whole exceeds. Nulls (removals) only where `allowNull`: a list filter takes none.
 */
export function checkSearchAttributes(attributes: unknown, { allowNull = true } = {}): asserts attributes is SearchAttributes {
  const prototype: unknown = typeof attributes === "object" && attributes !== null ? Object.getPrototypeOf(attributes) : undefined;
  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError("search attributes must be a plain object of key -> value");
  }
  const object = attributes as Record<string, unknown>;
  // Every own key, symbols and non-enumerable ones too: a key skipped here would vanish from
  // the JSON sent, and a filter without it matches more runs.
  const keys = Reflect.ownKeys(object);
  if (keys.length > MAX_SEARCH_ATTRIBUTES) {
    throw new TypeError(`search attributes have ${keys.length} keys, over the limit of ${MAX_SEARCH_ATTRIBUTES}`);
  }
  for (const key of keys) {
    if (typeof key === "symbol") throw new TypeError(`search attribute keys must be strings, not ${String(key)}`);
    if (key === "__proto__") throw new TypeError(`search attribute key "__proto__" is reserved: a JavaScript object cannot hold it as a plain key`);
    if (!KEY.test(key)) {
      throw new TypeError(`search attribute key "${key.slice(0, 80)}" must be a letter or _ followed by up to 63 letters, digits or _`);
    }
    if (!Object.prototype.propertyIsEnumerable.call(object, key)) {
      throw new TypeError(`search attribute "${key}" is not enumerable, so JSON would drop it`);
    }
    const value = object[key];
    if (value === null ? !allowNull : !searchAttributeValueSchema.safeParse(value).success) {
      throw new TypeError(`search attribute "${key}" must be a string, finite number, boolean, string array${allowNull ? " or null" : ""}`);
    }
    const bytes = jsonBytes(value, `search attribute "${key}"`);
    if (bytes > MAX_SEARCH_ATTRIBUTE_BYTES) {
      throw new TypeError(`search attribute "${key}" is ${bytes} bytes as JSON, over the limit of ${MAX_SEARCH_ATTRIBUTE_BYTES}`);
    }
  }
  const bytes = jsonBytes(object, "search attributes");
  if (bytes > MAX_SEARCH_ATTRIBUTES_BYTES) {
    throw new TypeError(`search attributes are ${bytes} bytes as JSON, over the limit of ${MAX_SEARCH_ATTRIBUTES_BYTES}`);
  }
}

/**
 * checkSearchAttributes as a zod schema. It keeps the caller's own object, so what is sent is
 * what was checked (zod's records build a copy that skips a "__proto__" key).
 */
export function searchAttributesSchema(options: { allowNull: boolean }) {
  return z.custom<SearchAttributes>().superRefine((value, ctx) => {
    try {
      checkSearchAttributes(value, options);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  });
}

/** Size as weft.check_search_attributes measures it; the checks above leave only strings to refuse. */
function jsonBytes(value: unknown, what: string): number {
  try {
    return jsonbTextBytes(value, 2);
  } catch (error) {
    if (error instanceof NotJsonError) throw new TypeError(`${what}${error.path}: ${error.problem}`);
    throw error;
  }
}
