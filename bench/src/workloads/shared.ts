import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * The version in `name`'s package.json, found from where the package resolves (its exports map
 * hides package.json); with `withGitCommit`, suffixed with the checkout's commit: 0.1.0+d45941d.
 */
export async function packageVersion(name: string, options: { withGitCommit?: boolean } = {}): Promise<string> {
  let dir = path.dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    const manifest = await readFile(path.join(dir, "package.json"), "utf8").catch(() => undefined);
    const parsed = manifest ? (JSON.parse(manifest) as { name?: string; version?: string }) : undefined;
    if (parsed?.name === name) {
      const version = parsed.version ?? "unknown";
      return options.withGitCommit ? `${version}${gitCommit(dir)}` : version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}

function gitCommit(dir: string): string {
  try {
    const sha = execFileSync("git", ["-C", dir, "rev-parse", "--short", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] });
    return `+${sha.toString().trim()}`;
  } catch {
    return "";
  }
}

/** How long stopping a worker and its clients may take before the bench moves on. */
export const TEARDOWN_MS = 20_000;

/** Waits for `promise` at most `ms`; true if it settled in time. Teardown must not hang the run. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
