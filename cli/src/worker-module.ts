// A worker module: a JavaScript file that exports `workflows` (workflow classes) and
// `activities` (an object of functions), what `weft worker --module` and `weft dev` run.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { WorkflowClass } from "@weft/sdk";
import type { Activities } from "@weft/worker";

export interface WorkerModule {
  readonly workflows: readonly WorkflowClass[];
  readonly activities: Activities;
}

/** The order example (examples/src/worker-module.ts), as built in this workspace. */
export const EXAMPLE_MODULE = new URL("../../examples/dist/worker-module.js", import.meta.url);

export async function loadWorkerModule(file: string | URL): Promise<WorkerModule> {
  const url = file instanceof URL ? file : pathToFileURL(resolve(file));
  let loaded: Partial<WorkerModule>;
  try {
    loaded = (await import(url.href)) as Partial<WorkerModule>;
  } catch (error) {
    throw new Error(`cannot load the worker module ${url.pathname}: ${(error as Error).message}`, { cause: error });
  }
  const { workflows = [], activities = {} } = loaded;
  if (!Array.isArray(workflows) || typeof activities !== "object" || activities === null) {
    throw new Error(`${url.pathname} must export \`workflows\` (an array of workflow classes) and \`activities\` (an object of functions)`);
  }
  if (workflows.length === 0 && Object.keys(activities).length === 0) {
    throw new Error(`${url.pathname} exports neither \`workflows\` nor \`activities\`: nothing to run`);
  }
  return { workflows, activities: activities as Activities };
}
