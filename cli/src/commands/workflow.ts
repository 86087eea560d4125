// `weft workflow start|signal|terminate|describe|result|history|list|count`: each one route of
// the HTTP API (http-client.ts), never the database, so they work against a remote server.
import { Option, type Command } from "commander";
import { RUN_STATUSES } from "@weft/sdk/internal";
import { jsonArray, jsonObject, seconds, wholeNumber } from "../arguments.js";
import { CliError, EXIT } from "../cli-error.js";
import type { HistoryEventJson, OutcomeJson, RunFilter, StartRequest } from "../http-client.js";
import { keyValues, printJson, progress } from "../output.js";
import { clientOf, withServerOptions, type ServerFlags } from "./server-options.js";
import { descriptionText, eventsTable, failureText, runsTable } from "./workflow-text.js";

/** The server's longest result wait by default (server/src/config.ts, maxWaitSeconds). */
const ROUND_SECONDS = 60;

interface RunFlags extends ServerFlags {
  readonly runId?: string;
}

interface FilterFlags extends ServerFlags {
  readonly workflowType?: string;
  readonly workflowId?: string;
  readonly status?: string;
  readonly searchAttributes?: Record<string, unknown>;
}

const runIdOption = () => new Option("--run-id <id>", "a run of the workflow (default: its newest run)");
const filterOf = ({ workflowType, workflowId, status, searchAttributes }: FilterFlags): RunFilter => ({ workflowType, workflowId, status, searchAttributes });
const withFilters = (command: Command) =>
  withServerOptions(command)
    .option("--workflow-type <type>", "only runs of this workflow type")
    .option("--workflow-id <id>", "only runs of this workflow id")
    .addOption(new Option("--status <status>", "only runs in this status").choices(RUN_STATUSES))
    .option("--search-attributes <json>", `only runs whose search attributes include these, a JSON object such as '{"customer": "acme"}'`, jsonObject);

export function addWorkflowCommands(program: Command): void {
  const workflow = program.command("workflow").description("start, signal, terminate and watch workflows through the HTTP server");

  withServerOptions(workflow.command("start <workflowType>").description("start a workflow; prints its workflow id and run id"))
    .option("--args <json>", `its arguments, a JSON array such as '[{"orderId": 42}]'`, jsonArray, [])
    .option("--workflow-id <id>", "its workflow id (default: a new UUID)")
    .option("--task-queue <name>", "the task queue whose workers run it (default: default)")
    .option("--search-attributes <json>", `a JSON object such as '{"customer": "acme"}'`, jsonObject)
    .option("--retry-policy <json>", `a JSON object such as '{"maxAttempts": 3}' (docs/http-api.md)`, jsonObject)
    .option("--run-timeout-seconds <seconds>", "how long each run may take", seconds)
    .option("--execution-timeout-seconds <seconds>", "how long the workflow may take, retries and continue-as-new included", seconds)
    .action(async (workflowType: string, flags: ServerFlags & StartFlags) => {
      const { args, workflowId, taskQueue, searchAttributes, retryPolicy, runTimeoutSeconds, executionTimeoutSeconds } = flags;
      const started = await clientOf(flags).start({
        workflowType,
        args,
        workflowId,
        taskQueue,
        searchAttributes,
        retryPolicy,
        runTimeoutSeconds,
        executionTimeoutSeconds,
      });
      if (flags.json) printJson(started);
      else process.stdout.write(keyValues([["workflow id", started.workflowId], ["run id", started.runId]]));
    });

  withServerOptions(workflow.command("signal <workflowId> <signalName>").description("send a signal to the workflow's open run"))
    .option("--args <json>", "the signal's arguments, a JSON array", jsonArray, [])
    .addOption(runIdOption())
    .action(async (workflowId: string, signalName: string, flags: RunFlags & { args: unknown[] }) => {
      const answer = await clientOf(flags).signal(workflowId, signalName, flags.args, flags.runId);
      if (flags.json) printJson(answer);
      else console.log(`sent signal ${signalName} to ${workflowId}`);
    });

  withServerOptions(workflow.command("terminate <workflowId>").description("end the workflow's open run now"))
    .option("--reason <text>", "why, kept as the run's failure")
    .addOption(runIdOption())
    .action(async (workflowId: string, flags: RunFlags & { reason?: string }) => {
      const answer = await clientOf(flags).terminate(workflowId, flags.reason, flags.runId);
      if (flags.json) printJson(answer);
      else console.log(`terminated ${workflowId}`);
    });

  withServerOptions(workflow.command("describe <workflowId>").description("status, pending activities, timers and children of a run"))
    .addOption(runIdOption())
    .action(async (workflowId: string, flags: RunFlags) => {
      const description = await clientOf(flags).describe(workflowId, flags.runId);
      if (flags.json) printJson(description);
      else process.stdout.write(descriptionText(description));
    });

  withServerOptions(
    workflow
      .command("result <workflowId>")
      .description("wait for the workflow to close (following continue-as-new and retries) and print its result; exit 1 if it failed"),
  )
    .addOption(runIdOption())
    .option("--timeout-seconds <seconds>", "give up waiting after this long, with exit code 6 (default: wait until it closes)", seconds)
    .action(async (workflowId: string, flags: RunFlags & { timeoutSeconds?: number }) => {
      const outcome = await waitForOutcome(workflowId, flags);
      if (flags.json) printJson(outcome);
      else if (outcome.status === "completed") printJson(outcome.result);
      if (outcome.status === "running") {
        throw new CliError(
          `${workflowId} is still running after ${flags.timeoutSeconds} s: wait longer with a larger --timeout-seconds, ` +
            `or see what it waits for with weft workflow describe ${workflowId}`,
          EXIT.stillRunning,
        );
      }
      if (outcome.status !== "completed") {
        const failure = outcome.failure ? `: ${failureText(outcome.failure)}` : "";
        throw new CliError(
          `${workflowId} ${outcome.status.replace("_", " ")} (run ${outcome.runId})${failure}; ` +
            `weft workflow history ${workflowId} --run-id ${outcome.runId} shows what happened`,
          EXIT.failed,
        );
      }
    });

  withServerOptions(
    workflow.command("history <workflowId>").description("a run's history events; --json exports the file weft replay reads"),
  )
    .addOption(runIdOption())
    .action(async (workflowId: string, flags: RunFlags) => {
      const events = await wholeHistory(workflowId, flags);
      // All pages in one: the server's history answer with nextPageToken null (docs/cli.md).
      if (flags.json) printJson({ events, nextPageToken: null });
      else process.stdout.write(eventsTable(events));
    });

  withFilters(workflow.command("list").description("runs, newest first, a page at a time"))
    .option("--page-size <n>", "runs per page (default: the server's)", wholeNumber)
    .option("--page-token <token>", "the page after the one that printed this token")
    .action(async (flags: FilterFlags & { pageSize?: number; pageToken?: string }) => {
      const page = await clientOf(flags).list(filterOf(flags), { pageSize: flags.pageSize, pageToken: flags.pageToken });
      if (flags.json) {
        printJson(page);
      } else {
        process.stdout.write(runsTable(page.workflows));
        if (page.nextPageToken) console.error(`more runs: add --page-token ${page.nextPageToken}`);
      }
    });

  withFilters(workflow.command("count").description("how many runs match, optionally by status"))
    .addOption(new Option("--group-by <field>", "count per value of this field").choices(["status"]))
    .action(async (flags: FilterFlags & { groupBy?: "status" }) => {
      const counted = await clientOf(flags).count(filterOf(flags), flags.groupBy);
      if (flags.json) printJson(counted);
      else if (flags.groupBy) process.stdout.write(keyValues([...counted.groups.map((g) => [g.status, String(g.count)] as const), ["total", String(counted.count)]]));
      else console.log(counted.count);
    });
}

/** The start flags are the start request's fields but the type, which is an argument. */
type StartFlags = Omit<StartRequest, "workflowType">;

/** Long-polls the result route in rounds until the run closes or `timeoutSeconds` pass. */
async function waitForOutcome(workflowId: string, flags: RunFlags & { timeoutSeconds?: number }): Promise<OutcomeJson> {
  const client = clientOf(flags);
  const deadline = flags.timeoutSeconds === undefined ? Infinity : Date.now() + flags.timeoutSeconds * 1000;
  const spinner = progress(`waiting for ${workflowId} to close`);
  try {
    for (;;) {
      const left = Math.max(0, (deadline - Date.now()) / 1000);
      const outcome = await client.outcome(workflowId, flags.runId, Math.min(ROUND_SECONDS, Math.round(left * 1000) / 1000));
      if (outcome.status !== "running" || Date.now() >= deadline) return outcome;
    }
  } finally {
    spinner.stop();
  }
}

async function wholeHistory(workflowId: string, flags: RunFlags): Promise<HistoryEventJson[]> {
  const client = clientOf(flags);
  const events: HistoryEventJson[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.historyPage(workflowId, flags.runId, pageToken);
    events.push(...page.events);
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken !== undefined);
  return events;
}
