// Arguments are checked at the client door without recursion: any depth of nesting is refused
// with a PayloadError naming where, never a stack overflow, and nothing JSON would drop or
// PostgreSQL could not store gets through.
import { describe, expect, it } from "vitest";
import { PayloadError } from "@weft/sdk";
import { encodeArgs, MAX_PAYLOAD_DEPTH } from "@weft/sdk/internal";

function nested(levels: number, wrap: (inner: unknown) => unknown = (inner) => [inner]): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < levels; i++) value = wrap(value);
  return value;
}

function refusal(args: unknown): string {
  try {
    encodeArgs(args, "arguments");
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadError);
    return (error as Error).message;
  }
  throw new Error("the arguments should have been refused");
}

describe("encodeArgs", () => {
  it("takes each argument nested up to the limit and refuses one level more, at any depth, without a stack overflow", () => {
    expect(MAX_PAYLOAD_DEPTH).toBe(100);
    for (const wrap of [(inner: unknown) => [inner], (inner: unknown) => ({ next: inner })]) {
      const deepest = nested(MAX_PAYLOAD_DEPTH, wrap);
      expect(JSON.parse(encodeArgs([deepest, deepest], "arguments"))).toEqual([deepest, deepest]);
      expect(refusal([1, nested(MAX_PAYLOAD_DEPTH + 1, wrap)])).toMatch(/^arguments\[1\](\[0\]|\.next){8}\.\.\. nests arrays and objects more than 100 levels deep$/);
      expect(refusal([nested(1_000_000, wrap)])).toMatch(/more than 100 levels deep/);
    }
  });

  it("refuses a circular reference, naming where it closes, and takes a value shared without a cycle", () => {
    const order: Record<string, unknown> = { id: 7, lines: [] };
    (order.lines as unknown[]).push({ order });
    expect(refusal([order])).toBe("arguments[0].lines[0].order is a circular reference");
    const shared = { sku: "mug" };
    expect(encodeArgs([{ a: shared, b: [shared] }, shared], "arguments")).toBe('[{"a":{"sku":"mug"},"b":[{"sku":"mug"}]},{"sku":"mug"}]');
  });

  it("refuses what JSON would drop or change and what PostgreSQL cannot store", () => {
    const cases: [unknown[], RegExp][] = [
      [[undefined], /^arguments\[0\] is undefined, not a JSON value$/],
      [[[1, , 3]], /^arguments\[0\]\[1\] is undefined/], // eslint-disable-line no-sparse-arrays
      [[{ at: new Date(0) }], /^arguments\[0\]\.at is a Date object, not a JSON value$/],
      [[new Map()], /is a Map object/],
      [[{ n: 10n }], /\.n is a bigint/],
      [[() => 1], /is a function/],
      [[Number.NaN], /is NaN, not a JSON number/],
      [[{ x: Infinity }], /\.x is Infinity/],
      [[{ [Symbol("s")]: 1 }], /has a symbol or non-enumerable key/],
      [[Object.defineProperty({}, "hidden", { value: 1 })], /has a symbol or non-enumerable key/],
      [[{ "a b": "c\u0000" }], /^arguments\[0\]\["a b"\] must not contain NUL/],
      [[{ "\u0000": 1 }], /^arguments\[0\] has a key that must not contain NUL/],
      [["\udc00 alone"], /must be well-formed Unicode/],
    ];
    for (const [args, message] of cases) expect(refusal(args)).toMatch(message);
    expect(refusal("one" as never)).toBe("arguments must be an array of JSON values, got a string");
    // A well-formed pair, and objects without a prototype, are fine.
    expect(encodeArgs(["😀", Object.assign(Object.create(null), { a: 1 })], "arguments")).toBe('["😀",{"a":1}]');
  });
});
