// What the deploy files are checked against, read from the repository itself: the `weft`
// command's subcommands, options and env names (its --help), the Dockerfile's instructions,
// the workspace's packages, and the pnpm version CI pins.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const CLI = path.join(ROOT, "cli/dist/main.js");

/**
 * The `weft` command as its help prints it: subcommand -> option flag -> { env, default }.
 * commander lists `(default: x, env: NAME)` for each option that reads the environment, so
 * these are the only env names the code reads (nothing else reads process.env).
 */
export function cliSurface() {
  const help = (...args) => execFileSync(process.execPath, [CLI, ...args, "--help"], { encoding: "utf8" });
  const commands = new Map();
  for (const name of section(help(), "Commands").map((entry) => entry.split(" ")[0])) {
    if (name === "help") continue;
    const sub = section(help(name), "Commands").map((entry) => entry.split(" ")[0]).filter((n) => n !== "help");
    for (const full of sub.length ? sub.map((s) => [name, s]) : [[name]]) {
      const options = new Map();
      for (const entry of section(help(...full), "Options")) {
        const flag = entry.match(/--[a-z][a-z-]*/)?.[0];
        if (!flag || flag === "--help") continue;
        options.set(flag, {
          takesValue: /^(-\w, )?--[a-z-]+ [<[]/.test(entry),
          env: entry.match(/env: ([A-Z_][A-Z0-9_]*)/)?.[1],
          default: entry.match(/default: ("[^"]*"|[^,)]+)/)?.[1]?.replace(/^"|"$/g, ""),
        });
      }
      commands.set(full.join(" "), { options });
    }
  }
  return commands;
}

/** The entries of a help section, each wrapped continuation line joined to its entry. */
function section(text, title) {
  const lines = text.split("\n");
  const start = lines.indexOf(`${title}:`);
  if (start < 0) return [];
  const entries = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(" ")) break;
    if (/^ {2}\S/.test(line)) entries.push(line.trim());
    else entries[entries.length - 1] += ` ${line.trim()}`;
  }
  return entries;
}

/**
 * Dockerfile instructions by stage: comments dropped, continuation lines joined, global ARG
 * defaults substituted into FROM. Each stage: { name, from, base (a stage or undefined), lines }.
 */
export function parseDockerfile(text) {
  const comments = [];
  const logical = [];
  let current = "";
  for (const raw of text.split("\n")) {
    if (/^\s*#/.test(raw)) {
      comments.push(raw.trim());
      continue;
    }
    if (!current && !raw.trim()) continue;
    current += raw.replace(/\\\s*$/, " ");
    if (/\\\s*$/.test(raw)) continue;
    logical.push(current.trim());
    current = "";
  }
  const globalArgs = {};
  const stages = [];
  for (const line of logical) {
    const [, keyword, rest] = line.match(/^(\S+)\s+(.*)$/) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest };
    if (instruction.keyword === "FROM") {
      const [, image, name] = rest.match(/^(\S+)(?:\s+AS\s+(\S+))?$/i);
      const from = image.replace(/\$\{?(\w+)\}?/g, (_, arg) => globalArgs[arg] ?? "");
      stages.push({ name, from, base: stages.find((s) => s.name === from), instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword === "ARG") {
        const [name, value] = rest.split("=");
        globalArgs[name] = value;
      }
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { stages, globalArgs, comments, instructions: logical };
}

/** ENTRYPOINT/CMD/RUN args: the exec form's array, or the shell form's text. */
export function execForm(args) {
  return args.startsWith("[") ? JSON.parse(args) : args;
}

/** Workspace packages: directory -> package.json. */
export function workspacePackages() {
  const { packages } = YAML.parse(fs.readFileSync(path.join(ROOT, "pnpm-workspace.yaml"), "utf8"));
  return new Map(packages.map((dir) => [dir, JSON.parse(fs.readFileSync(path.join(ROOT, dir, "package.json"), "utf8"))]));
}

/** The workspace packages `names` (package names) need at run time, themselves included. */
export function runtimeClosure(packages, names) {
  const byName = new Map([...packages].map(([dir, pkg]) => [pkg.name, dir]));
  const dirs = new Set();
  const visit = (name) => {
    const dir = byName.get(name);
    if (!dir || dirs.has(dir)) return;
    dirs.add(dir);
    for (const [dep, spec] of Object.entries(packages.get(dir).dependencies ?? {})) if (spec.startsWith("workspace:")) visit(dep);
  };
  names.forEach(visit);
  return dirs;
}

/** The pnpm version .ci/run pins. */
export function ciPnpmVersion() {
  return fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8").match(/^PNPM_VERSION=(\S+)$/m)?.[1];
}
