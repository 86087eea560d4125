// What the SQL functions and the TypeScript side both state, checked against each other.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { mapDatabaseError, WeftError } from "@weft/sdk";
import { loadFunctionSet } from "@weft/sql";

const ERRORS_DOC = fileURLToPath(new URL("../../docs/errors.md", import.meta.url));

describe("the contract between SQL and TypeScript", () => {
  it("documents every SQLSTATE the functions raise, and maps each to its typed error", async () => {
    const { files } = await loadFunctionSet();
    const raised = new Set(files.flatMap((f) => [...f.sql.matchAll(/errcode = '(\w{5})'/g)].map((m) => m[1]!)));
    const doc = await readFile(ERRORS_DOC, "utf8");
    const documented = new Map(
      [...doc.matchAll(/^\| `(\w{5})` \| .* \| `(\w+)` \|$/gm)].map((m) => [m[1]!, m[2]!] as const),
    );
    expect([...raised].sort()).toEqual([...documented.keys()].filter((code) => code.startsWith("WF")).sort());
    for (const [code, errorName] of documented) {
      const mapped = mapDatabaseError(Object.assign(new Error("from SQL"), { code }));
      expect(mapped, code).toBeInstanceOf(WeftError);
      expect((mapped as Error).constructor.name, code).toBe(errorName);
    }
  });
});
