// The text `weft workflow ...` prints for people (without --json): a table of runs or events,
// the describe document as `key: value` lines with a table per pending kind.
import type { DescriptionJson, HistoryEventJson, RunJson } from "../http-client.js";
import { compact, keyValues, table, time } from "../output.js";

export function runsTable(runs: readonly RunJson[]): string {
  if (runs.length === 0) return "no workflows match\n";
  return table(
    ["workflow id", "type", "status", "started", "closed", "run id"],
    runs.map((r) => [r.workflowId, r.workflowType, r.status, time(r.createdAt), time(r.closedAt), r.runId]),
  );
}

export function eventsTable(events: readonly HistoryEventJson[]): string {
  return table(
    ["event", "task", "time", "type", "attributes"],
    events.map((e) => [String(e.eventId), String(e.task), time(e.createdAt), e.type, compact(e.attributes, 80)]),
  );
}

export function descriptionText(d: DescriptionJson): string {
  const pairs: [string, string][] = [
    ["workflow id", d.workflowId],
    ["run id", d.runId],
    ["type", d.workflowType],
    ["task queue", d.taskQueue],
    ["status", d.status],
    ["attempt", String(d.attempt)],
    ["started", time(d.createdAt)],
    ["closed", time(d.closedAt)],
    ["search attributes", compact(d.searchAttributes)],
    ["parent", d.parent ? `${d.parent.workflowId} (run ${d.parent.runId})` : "-"],
    ["continued from", d.continuedFromRunId ?? "-"],
    ["next run", d.nextRunId ?? "-"],
    ["run deadline", time(d.runDeadline)],
    ["execution deadline", time(d.executionDeadline)],
    ["history length", String(d.historyLength)],
    ["inbox length", String(d.inboxLength)],
  ];
  if (d.status === "completed") pairs.push(["result", compact(d.result, 200)]);
  if (d.failure) pairs.push(["failure", failureText(d.failure)]);
  if (d.lastWorkflowTaskFailure) {
    const at = d.lastWorkflowTaskFailure.at ? ` at ${time(d.lastWorkflowTaskFailure.at)}` : "";
    pairs.push(["workflow task failure", `${failureText(d.lastWorkflowTaskFailure)}${at}, ${d.workflowTaskFailures} in a row`]);
  }
  const sections = [keyValues(pairs)];
  const section = (title: string, text: string) => sections.push(`\n${title}:\n${text}`);
  if (d.pendingActivities.length > 0) {
    section(
      "pending activities",
      table(
        ["id", "type", "task queue", "status", "attempt", "attempt from", "last failure"],
        d.pendingActivities.map((a) => [
          String(a.activityId),
          a.activityType,
          a.taskQueue,
          a.status,
          String(a.attempt),
          time(a.attemptScheduledAt),
          a.lastFailure ? failureText(a.lastFailure) : "-",
        ]),
      ),
    );
  }
  if (d.pendingTimers.length > 0) section("pending timers", table(["timer", "fires at"], d.pendingTimers.map((t) => [t.timerId, time(t.fireAt)])));
  if (d.pendingChildren.length > 0) {
    section(
      "running children",
      table(
        ["child", "workflow id", "type", "attempt", "run id"],
        d.pendingChildren.map((c) => [String(c.childId), c.workflowId, c.workflowType, String(c.attempt), c.runId]),
      ),
    );
  }
  if (d.unhandledSignals.length > 0) {
    section("unhandled signals", table(["event", "signal"], d.unhandledSignals.map((s) => [String(s.eventId), s.signalName])));
  }
  return sections.join("");
}

export function failureText(failure: { message: string; type?: string; name?: string }): string {
  const kind = failure.type ?? failure.name;
  return kind ? `${failure.message} (${kind})` : failure.message;
}
