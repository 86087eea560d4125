// Search attributes: small indexed facts about a run (customer, region, stage...) that clients
// filter runs by (Client.list). Stored as one JSON object per run (weft.workflow_runs).
import { z } from "zod";

export type SearchAttributeValue = string | number | boolean | readonly string[];

/** A null value in an upsert removes the key. */
export type SearchAttributes = Readonly<Record<string, SearchAttributeValue | null>>;

/** One value: a string, finite number, boolean or array of strings (as weft.check_search_attributes). */
export const searchAttributeValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Throws a TypeError naming the first key or value that cannot be a search attribute. */
export function checkSearchAttributes(attributes: unknown): asserts attributes is SearchAttributes {
  if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) {
    throw new TypeError("search attributes must be an object of key -> value");
  }
  for (const [key, value] of Object.entries(attributes)) {
    if (!KEY.test(key)) {
      throw new TypeError(`search attribute key "${key}" must be a letter or _ followed by up to 63 letters, digits or _`);
    }
    if (value !== null && !searchAttributeValueSchema.safeParse(value).success) {
      throw new TypeError(`search attribute "${key}" must be a string, finite number, boolean, string array or null`);
    }
  }
}
