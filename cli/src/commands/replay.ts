// `weft replay <history.json...> --module ./workflows.js`: replays exported histories through
// today's workflow code, without a database, the check to run in CI before deploying a
// workflow change. A file is what `weft workflow history --json` writes: `{ "events": [...],
// "nextPageToken": null }`, the server's history answer with every page in it (docs/cli.md).
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { NonDeterminismError, UndecodableEventError, WorkflowTaskError, type WorkflowClass } from "@weft/sdk";
import { workflowDefinition } from "@weft/sdk/internal";
import { replayHistory } from "@weft/sdk/testing";
import { CliError, EXIT } from "../cli-error.js";
import { loadWorkerModule } from "../worker-module.js";

const EXPORT_HINT = "export a run's whole history with weft workflow history <workflowId> --json";

export function addReplayCommand(program: Command): void {
  program
    .command("replay <files...>")
    .description("replay histories exported by weft workflow history --json through a module's workflow code; exit 1 naming where one diverges")
    .requiredOption("--module <file>", "a JavaScript module exporting `workflows` (as weft worker --module takes)")
    .action(async (files: string[], { module }: { module: string }) => {
      const { workflows } = await loadWorkerModule(module);
      const byType = new Map(workflows.map((w) => [workflowDefinition(w).name, w]));
      let diverged = 0;
      for (const file of files) {
        const events = readExport(file);
        const workflowType = workflowTypeOf(file, events);
        const workflow = byType.get(workflowType);
        if (!workflow) {
          const exported = [...byType.keys()].join(", ") || "none";
          throw new CliError(`${file}: ${module} exports no workflow named "${workflowType}" (it exports: ${exported}); pass the module that does`, EXIT.usage);
        }
        if (replays(file, workflow, events)) console.log(`ok    ${file} (${workflowType}, ${events.length} events)`);
        else diverged++;
      }
      if (diverged > 0) {
        throw new CliError(
          `${diverged} of ${files.length} histories diverge from this code: runs like them would fail their workflow tasks after a deploy; ` +
            "keep their path behind ctx.getVersion (docs/history-events.md), or fix the change",
          EXIT.failed,
        );
      }
    });
}

/** True when the history replays; otherwise prints where it diverges, naming the file. */
function replays(file: string, workflow: WorkflowClass, events: unknown[]): boolean {
  try {
    replayHistory(workflow, events);
    return true;
  } catch (error) {
    if (error instanceof NonDeterminismError || error instanceof WorkflowTaskError) {
      console.error(`FAIL  ${file}: ${error.message}`);
      return false;
    }
    if (error instanceof UndecodableEventError) throw new CliError(`${file}: ${error.message}`, EXIT.usage);
    throw error;
  }
}

function readExport(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, EXIT.usage);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not JSON (${(error as Error).message}); ${EXPORT_HINT}`, EXIT.usage);
  }
  const { events, nextPageToken } = (typeof json === "object" && json !== null ? json : {}) as { events?: unknown; nextPageToken?: unknown };
  if (!Array.isArray(events)) {
    throw new CliError(`${file} is not an exported history, which is { "events": [...], "nextPageToken": null }; ${EXPORT_HINT}`, EXIT.usage);
  }
  if (nextPageToken !== null && nextPageToken !== undefined) {
    throw new CliError(`${file} holds one page of a longer history (nextPageToken ${JSON.stringify(nextPageToken)}); ${EXPORT_HINT}`, EXIT.usage);
  }
  return events;
}

function workflowTypeOf(file: string, events: unknown[]): string {
  const first = events[0] as { type?: unknown; attributes?: { workflowType?: unknown } } | undefined;
  if (first?.type !== "WorkflowStarted" || typeof first.attributes?.workflowType !== "string") {
    throw new CliError(`${file} does not begin with the run's WorkflowStarted event; ${EXPORT_HINT}`, EXIT.usage);
  }
  return first.attributes.workflowType;
}
