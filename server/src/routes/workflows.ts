// /api/v1/namespaces/{ns}/workflows...: start, list, count, describe, result, history,
// signal and terminate, each a thin shell over the Client (@weft/sdk).
import {
  WorkflowRetryPolicy,
  type Client,
  type RetryPolicyOptions,
  type RunRef,
  type SearchAttributes,
  type SearchAttributeValue,
} from "@weft/sdk";
import {
  historyEventSchema,
  runFailureSchema,
  RUN_STATUSES,
  runCountSchema,
  runSummarySchema,
  workflowDescriptionSchema,
} from "@weft/sdk/internal";
import { z } from "zod";
import { errorBodySchema, HttpError } from "../http-error.js";
import type { ServerMetrics } from "../metrics.js";
import { route, type Route } from "../route.js";
import { keyErrors, nsParams, workflowParams } from "./common.js";

export interface WorkflowRouteDeps {
  /** The Client of a namespace (one per namespace, sharing the server's pool). */
  readonly clients: (namespace: string) => Client;
  readonly maxPageSize: number;
  readonly maxWaitSeconds: number;
  readonly metrics: Pick<ServerMetrics, "observeStart" | "observeTerminate">;
}

const BASE = "/api/v1/namespaces/{ns}/workflows";
const notFound = { 404: { description: "no such namespace or workflow", schema: errorBodySchema } };
const tooLarge = { 413: { description: "arguments over the payload limit", schema: errorBodySchema } };

const runRefQuery = z.strictObject({ runId: z.guid().optional() });
const refOf = (workflowId: string, runId: string | undefined): RunRef => (runId ? { workflowId, runId } : workflowId);

const startBody = z.strictObject({
  workflowType: z.string(),
  args: z.array(z.unknown()).default([]),
  workflowId: z.string().optional(),
  taskQueue: z.string().optional(),
  searchAttributes: z.record(z.string(), z.unknown()).optional(),
  retryPolicy: z.record(z.string(), z.unknown()).optional(),
  runTimeoutSeconds: z.number().optional(),
  executionTimeoutSeconds: z.number().optional(),
});
const handleSchema = z.object({ workflowId: z.string(), runId: z.guid() });
/** A closed run as the result route reports it: the fields of a RunState that apply. */
const resultSchema = z.union([
  z.object({ status: z.literal("completed"), runId: z.guid(), result: z.unknown() }),
  z.object({ status: z.enum(RUN_STATUSES.filter((s) => s !== "running" && s !== "completed")), runId: z.guid(), failure: runFailureSchema }),
]);

/** A page size as text in a query string, 1 to `max`. */
const pageSize = (max: number) => z.coerce.number().int().min(1).max(max).optional();
/** Search attributes as a JSON object in a query string. */
const searchAttributesQuery = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: 'must be a JSON object, such as {"customer":"acme"}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.unknown()));
const filterQuery = {
  workflowType: z.string().optional(),
  workflowId: z.string().optional(),
  parentRunId: z.string().optional(),
  status: z.enum(RUN_STATUSES).optional(),
  searchAttributes: searchAttributesQuery.optional(),
};
/** The Client checks the attributes themselves (InvalidArgumentError naming the bad one). */
const attributes = (value: Record<string, unknown> | undefined) => value as Record<string, SearchAttributeValue> | undefined;

export function workflowRoutes({ clients, maxPageSize, maxWaitSeconds, metrics }: WorkflowRouteDeps): Route[] {
  return [
    route({
      method: "post",
      path: BASE,
      summary: "Start a workflow",
      role: "write",
      params: nsParams,
      body: startBody,
      responses: {
        201: { description: "started", schema: handleSchema },
        ...keyErrors,
        ...notFound,
        409: { description: "a run with this workflow id is still open", schema: errorBodySchema },
        ...tooLarge,
        422: { description: "no worker registered this workflow type on the task queue", schema: errorBodySchema },
      },
      async handle({ params, body }) {
        const { workflowType, args, retryPolicy, searchAttributes, ...options } = body;
        const handle = await clients(params.ns).start(workflowType, args, {
          ...options,
          searchAttributes: searchAttributes as SearchAttributes | undefined,
          retryPolicy: retryPolicy === undefined ? undefined : retryPolicyOf(retryPolicy),
        });
        metrics.observeStart(workflowType);
        return { status: 201, body: handle };
      },
    }),
    route({
      method: "get",
      path: BASE,
      summary: "List workflows, newest first",
      role: "read",
      params: nsParams,
      query: z.strictObject({ ...filterQuery, pageSize: pageSize(maxPageSize), pageToken: z.string().optional() }),
      responses: {
        200: { description: "a page of runs, newest first", schema: z.object({ workflows: z.array(runSummarySchema), nextPageToken: z.string().nullable() }) },
        ...keyErrors,
        ...notFound,
      },
      async handle({ params, query: { pageSize, pageToken, searchAttributes, ...filter } }) {
        const page = await clients(params.ns).list({ ...filter, searchAttributes: attributes(searchAttributes), limit: pageSize, cursor: pageToken });
        return { status: 200, body: { workflows: page.runs, nextPageToken: page.nextCursor } };
      },
    }),
    route({
      method: "get",
      path: "/api/v1/namespaces/{ns}/workflow-count",
      summary: "Count workflows, optionally by status",
      role: "read",
      params: nsParams,
      query: z.strictObject({ ...filterQuery, groupBy: z.literal("status").optional() }),
      responses: { 200: { description: "how many runs match, by status with groupBy=status", schema: runCountSchema }, ...keyErrors, ...notFound },
      async handle({ params, query: { groupBy, searchAttributes, ...filter } }) {
        return { status: 200, body: await clients(params.ns).count({ ...filter, searchAttributes: attributes(searchAttributes) }, { groupBy }) };
      },
    }),
    route({
      method: "get",
      path: `${BASE}/{workflowId}`,
      summary: "Describe a workflow's newest run, or the run given",
      role: "read",
      params: workflowParams,
      query: runRefQuery,
      responses: { 200: { description: "the describe document", schema: workflowDescriptionSchema }, ...keyErrors, ...notFound },
      async handle({ params, query }) {
        return { status: 200, body: await clients(params.ns).describe(refOf(params.workflowId, query.runId)) };
      },
    }),
    route({
      method: "get",
      path: `${BASE}/{workflowId}/result`,
      summary: "Wait up to waitSeconds for the workflow to close, following continue-as-new and retries",
      role: "read",
      params: workflowParams,
      // Capped at the server's maxWaitSeconds rather than refused: a caller asking for longer
      // gets a 202 sooner and asks again.
      query: runRefQuery.extend({ waitSeconds: z.coerce.number().min(0).default(0).transform((s) => Math.min(s, maxWaitSeconds)) }),
      responses: {
        200: { description: "closed: { status, runId, result } or { status, runId, failure }", schema: resultSchema },
        202: { description: "still running after waitSeconds", schema: z.object({ status: z.literal("running"), runId: z.guid() }) },
        ...keyErrors,
        ...notFound,
      },
      async handle({ params, query, signal }) {
        const outcome = await clients(params.ns).outcome(refOf(params.workflowId, query.runId), { timeoutSeconds: query.waitSeconds, signal });
        const { status, runId, result, failure } = outcome;
        if (status === "running") return { status: 202, body: { status, runId } };
        return { status: 200, body: status === "completed" ? { status, runId, result } : { status, runId, failure } };
      },
    }),
    route({
      method: "get",
      path: `${BASE}/{workflowId}/history`,
      summary: "A page of a run's history events, in order",
      role: "read",
      params: workflowParams,
      query: runRefQuery.extend({ pageSize: pageSize(maxPageSize), pageToken: z.string().regex(/^\d{1,9}$/).optional() }),
      responses: {
        200: { description: "a page of events (docs/history-events.md)", schema: z.object({ events: z.array(historyEventSchema), nextPageToken: z.string().nullable() }) },
        ...keyErrors,
        ...notFound,
      },
      async handle({ params, query }) {
        const limit = query.pageSize ?? maxPageSize;
        const afterEventId = query.pageToken === undefined ? 0 : Number(query.pageToken);
        const events = await clients(params.ns).history(refOf(params.workflowId, query.runId), { afterEventId, limit });
        const last = events.at(-1);
        return { status: 200, body: { events, nextPageToken: events.length === limit && last ? String(last.eventId) : null } };
      },
    }),
    route({
      method: "post",
      path: `${BASE}/{workflowId}/signals/{signalName}`,
      summary: "Send a signal to the workflow's open run",
      role: "write",
      params: workflowParams.extend({ signalName: z.string().min(1).max(255) }),
      query: runRefQuery,
      body: z.strictObject({ args: z.array(z.unknown()).default([]) }),
      responses: { 202: { description: "accepted" }, ...keyErrors, ...notFound, ...tooLarge },
      async handle({ params, query, body }) {
        await clients(params.ns).signal(refOf(params.workflowId, query.runId), params.signalName, body.args);
        return { status: 202, body: {} };
      },
    }),
    route({
      method: "post",
      path: `${BASE}/{workflowId}/terminate`,
      summary: "End the workflow's open run now",
      role: "write",
      params: workflowParams,
      query: runRefQuery,
      body: z.strictObject({ reason: z.string().optional() }),
      responses: { 202: { description: "terminated" }, ...keyErrors, ...notFound },
      async handle({ params, query, body }) {
        await clients(params.ns).terminate(refOf(params.workflowId, query.runId), body.reason);
        metrics.observeTerminate(params.ns);
        return { status: 202, body: {} };
      },
    }),
  ];
}

function retryPolicyOf(options: Record<string, unknown>): WorkflowRetryPolicy {
  try {
    return new WorkflowRetryPolicy(options as RetryPolicyOptions);
  } catch (error) {
    throw new HttpError(400, "invalid_argument", `retryPolicy: ${(error as Error).message}`);
  }
}
