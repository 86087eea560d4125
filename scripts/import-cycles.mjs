// Fails when source files import each other in a circle, counting type-only imports, which
// import-x/no-cycle (eslint.config.js) skips: a type cycle still stops a reader going top-down
// (STYLE.md). Run by `pnpm lint`; prints each cycle's files.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const FOLDERS = ["errors/src", "sql/src", "sql/test", "sdk/src", "sdk/test", "worker/src", "worker/test", "examples/src", "bench/src", "cli/src", "cli/test", "server/src", "server/test"];

const files = FOLDERS.filter((folder) => fs.existsSync(folder)).flatMap((folder) =>
  fs
    .readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
    .map((name) => path.resolve(folder, name)),
);
const known = new Set(files);

/** Relative imports and re-exports of `file`, `import type` included, as source paths. */
function importsOf(file) {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts")))
    .filter((target) => known.has(target));
}
const edges = new Map(files.map((file) => [file, importsOf(file)]));

// Tarjan's strongly connected components: a component of two or more files is a cycle.
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function visit(file) {
  index.set(file, index.size);
  low.set(file, index.get(file));
  stack.push(file);
  onStack.add(file);
  for (const target of edges.get(file)) {
    if (!index.has(target)) {
      visit(target);
      low.set(file, Math.min(low.get(file), low.get(target)));
    } else if (onStack.has(target)) {
      low.set(file, Math.min(low.get(file), index.get(target)));
    }
  }
  if (low.get(file) !== index.get(file)) return;
  const component = [];
  let member;
  do {
    member = stack.pop();
    onStack.delete(member);
    component.push(member);
  } while (member !== file);
  if (component.length > 1 || edges.get(file).includes(file)) cycles.push(component);
}
for (const file of files) if (!index.has(file)) visit(file);

for (const cycle of cycles) {
  console.error(`import cycle among ${cycle.length} files:\n${cycle.map((f) => `  ${path.relative(".", f)}`).join("\n")}`);
}
process.exitCode = cycles.length > 0 ? 1 : 0;
