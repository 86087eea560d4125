// JSON values as PostgreSQL's jsonb takes them, and their size as the SQL functions measure it:
// octet_length(value::text), jsonb's own text form (weft.check_payload in sql/functions/inputs.sql).
import { PayloadError, PayloadTooLargeError } from "./errors.js";

/** Mirrors weft.max_payload_bytes() in sql/functions/inputs.sql; change both together. */
export const MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;
/**
 * Arrays and objects nested in one argument. Deeper values overflow the stack of whatever walks
 * them recursively (JSON.stringify, a workflow's own code); only the client checks it.
 */
export const MAX_PAYLOAD_DEPTH = 100;

const LONE_SURROGATE = /\p{Cs}/u;

/** Why PostgreSQL cannot hold `text` (as text, or as a JSON string in jsonb), or undefined. */
export function unstorableText(text: string): string | undefined {
  if (text.includes("\0")) return "must not contain NUL (\\u0000), which PostgreSQL cannot store";
  if (LONE_SURROGATE.test(text)) return "must be well-formed Unicode, without a lone surrogate";
  return undefined;
}

/** A value that is not JSON that jsonb can hold; `path` says where in it (`[0].items`, "" for the value itself). */
export class NotJsonError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path ? `${path} ` : ""}${problem}`);
  }
}

interface Visit {
  value: unknown;
  key: string | number | undefined;
  parent: Visit | undefined;
  depth: number;
  /** Set once its entries are on the stack: popped again, it leaves the path. */
  leaving: boolean;
}

/**
 * The size of `value` as jsonb text (`{"a": [1, 2]}`: spaces after `:` and `,`, numbers in plain
 * notation), counted without recursion; stops counting once past `stopAbove`. Throws NotJsonError
 * for anything but plain JSON, and for arrays and objects nested more than `maxDepth` deep.
 */
export function jsonbTextBytes(value: unknown, maxDepth: number, stopAbove = Infinity): number {
  const stack: Visit[] = [];
  const path = new Set<object>(); // the arrays and objects that hold the one being read
  // A scalar's size; an array or object is pushed to be read, and counted then.
  const measure = (value: unknown, key: string | number | undefined, parent: Visit | undefined): number => {
    const size = scalarBytes(value);
    if (size >= 0) return size;
    const visit: Visit = { value, key, parent, depth: parent ? parent.depth + 1 : 0, leaving: false };
    if (size === NOT_STORABLE) throw notJson(visit, unstorableText(value as string)!);
    if (size === NOT_JSON) throw notJson(visit, typeof value === "number" ? `is ${value}, not a JSON number` : `is ${describeType(value)}, not a JSON value`);
    stack.push(visit);
    return 0;
  };
  let bytes = measure(value, undefined, undefined);
  while (stack.length > 0 && bytes <= stopAbove) {
    const visit = stack.pop()!;
    const container = visit.value as Record<string | number, unknown>;
    if (visit.leaving) {
      path.delete(container);
      continue;
    }
    if (path.has(container)) throw notJson(visit, "is a circular reference");
    if (visit.depth >= maxDepth) throw notJson(visit, `nests arrays and objects more than ${maxDepth} levels deep`);
    path.add(container);
    visit.leaving = true;
    stack.push(visit);
    if (Array.isArray(container)) {
      bytes += 2 + 2 * Math.max(0, container.length - 1); // brackets, and ", " between entries
      for (let i = 0; i < container.length; i++) bytes += measure(container[i], i, visit);
    } else {
      const keys = ownKeys(container, visit);
      bytes += 2 + 2 * Math.max(0, keys.length - 1);
      for (const key of keys) bytes += Buffer.byteLength(JSON.stringify(key)) + 2 + measure(container[key], key, visit); // "key": value
    }
  }
  return bytes;
}

const NOT_JSON = -1;
const NOT_STORABLE = -2;
const CONTAINER = -3;

/** Bytes of a scalar as jsonb text, or what else the value is. */
function scalarBytes(value: unknown): number {
  switch (typeof value) {
    case "string":
      return unstorableText(value) ? NOT_STORABLE : Buffer.byteLength(JSON.stringify(value));
    case "number":
      return Number.isFinite(value) ? numberTextLength(value) : NOT_JSON;
    case "boolean":
      return value ? 4 : 5;
    case "object":
      if (value === null) return 4;
      return Array.isArray(value) || isPlainObject(value) ? CONTAINER : NOT_JSON;
    default:
      return NOT_JSON;
  }
}

function notJson(visit: Visit, problem: string): NotJsonError {
  return new NotJsonError(pathOf(visit), problem);
}

/**
 * Checks arguments at the client door and returns them as JSON text, so bad input is refused
 * before anything is written: plain JSON, each argument nested at most MAX_PAYLOAD_DEPTH deep,
 * all of them at most MAX_PAYLOAD_BYTES as jsonb text.
 */
export function encodeArgs(args: unknown, what: string): string {
  if (!Array.isArray(args)) throw new PayloadError(`${what} must be an array of JSON values, got ${describeType(args)}`);
  let bytes = 2 + 2 * Math.max(0, args.length - 1);
  for (let i = 0; i < args.length && bytes <= MAX_PAYLOAD_BYTES; i++) {
    try {
      bytes += jsonbTextBytes(args[i], MAX_PAYLOAD_DEPTH, MAX_PAYLOAD_BYTES - bytes);
    } catch (error) {
      if (error instanceof NotJsonError) throw new PayloadError(`${what}[${i}]${error.path} ${error.problem}`);
      throw error;
    }
  }
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError(
      `${what} are over the limit of ${MAX_PAYLOAD_BYTES} bytes as JSON; ` +
        `pass a reference (a row id, an object key) instead of the data itself`,
    );
  }
  return JSON.stringify(args);
}

/**
 * One value (an activity result) as JSON text, checked as the SQL functions will check it:
 * plain JSON, at most MAX_PAYLOAD_DEPTH deep and MAX_PAYLOAD_BYTES as jsonb text.
 */
export function encodePayload(value: unknown, what: string): string {
  let bytes: number;
  try {
    bytes = jsonbTextBytes(value, MAX_PAYLOAD_DEPTH, MAX_PAYLOAD_BYTES);
  } catch (error) {
    if (error instanceof NotJsonError) throw new PayloadError(`${what}${error.path} ${error.problem}`);
    throw error;
  }
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError(`${what} is over the limit of ${MAX_PAYLOAD_BYTES} bytes as JSON; return a reference (a row id, an object key) instead`);
  }
  return JSON.stringify(value);
}

/** The length of `n` as numeric text: JSON.stringify's 1.5e-7 is 0.00000015 there, 1e21 in full. */
function numberTextLength(n: number): number {
  const text = JSON.stringify(n);
  const e = text.indexOf("e");
  if (e < 0) return text.length;
  const sign = text.startsWith("-") ? 1 : 0;
  const digits = text.slice(sign, e).replace(".", "").length;
  const exponent = Number(text.slice(e + 1));
  // JSON.stringify uses an exponent only from 1e21 up and below 1e-6.
  return exponent > 0 ? sign + exponent + 1 : sign + 2 + (-exponent - 1) + digits;
}

/** An object JSON writes as its own keys: not a Date, a Map or another class's instance. */
export function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null;
}

/** An object's keys, refusing those JSON.stringify would drop without a word. */
function ownKeys(object: object, visit: Visit): string[] {
  const keys = Object.keys(object);
  if (Reflect.ownKeys(object).length !== keys.length) {
    throw notJson(visit, "has a symbol or non-enumerable key, which JSON would drop");
  }
  for (const key of keys) {
    const problem = unstorableText(key);
    if (problem) throw notJson(visit, `has a key that ${problem}`);
  }
  return keys;
}

/** Where `visit` is in the value, its first levels only: a path 100 levels deep tells no more. */
function pathOf(visit: Visit): string {
  const steps: string[] = [];
  for (let v: Visit | undefined = visit; v?.key !== undefined; v = v.parent) {
    steps.push(typeof v.key === "number" ? `[${v.key}]` : /^[A-Za-z_$][\w$]*$/.test(v.key) ? `.${v.key}` : `[${JSON.stringify(v.key)}]`);
  }
  steps.reverse();
  return steps.length > 8 ? `${steps.slice(0, 8).join("")}...` : steps.join("");
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== "object") return `a ${typeof value}`;
  return `a ${(value as object).constructor?.name ?? "non-plain"} object`;
}
