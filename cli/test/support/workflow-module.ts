// A TypeScript module of workflows compiled to JavaScript, as tsc builds one, so that the CLI
// (plain node) can load it with --module. It lives in a fresh directory whose node_modules is
// the CLI's, so its `@weft/sdk` is the CLI's, as in a project that depends on weft.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export interface CompiledModule {
  readonly file: string;
  readonly dir: string;
  remove(): void;
}

/** `edit` changes the source first (a deliberate change to check replay against); `append` adds exports. */
export function compileWorkflowModule(source: URL, options: { edit?: (text: string) => string; append?: string } = {}): CompiledModule {
  const text = (options.edit ?? ((t: string) => t))(readFileSync(source, "utf8")) + (options.append ?? "");
  const { outputText } = ts.transpileModule(text, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    fileName: fileURLToPath(source),
  });
  const dir = mkdtempSync(join(tmpdir(), "weft-cli-test-"));
  symlinkSync(fileURLToPath(new URL("../../node_modules", import.meta.url)), join(dir, "node_modules"));
  const file = join(dir, "workflows.mjs");
  writeFileSync(file, outputText);
  return { file, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
