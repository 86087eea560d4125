// /healthz (the process answers), /readyz (the database answers and holds the schema this
// server was built for) and /metrics (Prometheus text).
import type pg from "pg";
import type { Registry } from "prom-client";
import { z } from "zod";
import { route, TextBody, type Route } from "../route.js";
import { schemaVersionOf } from "../sql-api.js";

/** What this server needs of the database: the newest migration and function set it knows. */
export interface ExpectedSchema {
  readonly migration: number;
  readonly functions: number;
}

const readiness = z.object({ status: z.enum(["ready", "not_ready"]), reason: z.string().optional() });

export function healthRoutes(pool: pg.Pool, expected: ExpectedSchema, metrics: Registry, log: (line: Record<string, unknown>) => void): Route[] {
  return [
    route({
      method: "get",
      path: "/healthz",
      summary: "The process is up",
      role: null,
      responses: { 200: { description: "up", schema: z.object({ status: z.literal("ok") }) } },
      handle: async () => ({ status: 200, body: { status: "ok" } }),
    }),
    route({
      method: "get",
      path: "/readyz",
      summary: "The database answers and holds the schema this server needs",
      role: null,
      responses: { 200: { description: "ready", schema: readiness }, 503: { description: "not ready, and why", schema: readiness } },
      async handle() {
        let found;
        try {
          found = await schemaVersionOf(pool);
        } catch (error) {
          log({ time: new Date().toISOString(), level: "warn", route: "/readyz", error: String(error) });
          // No detail: the error names the database's host and user, and this route needs no key.
          return { status: 503, body: { status: "not_ready", reason: "the database does not answer, or holds no weft schema: run weft migrate; the server's log has the error" } };
        }
        if (found.migration !== expected.migration || (found.functions ?? 0) < expected.functions) {
          const reason = `the database holds migration ${found.migration} and functions ${found.functions}; this server needs migration ${expected.migration} and functions ${expected.functions}: run weft migrate`;
          return { status: 503, body: { status: "not_ready", reason } };
        }
        return { status: 200, body: { status: "ready" } };
      },
    }),
    route({
      method: "get",
      path: "/metrics",
      summary: "Prometheus metrics",
      role: null,
      responses: { 200: { description: "Prometheus text format" } },
      handle: async () => ({ status: 200, body: new TextBody(await metrics.metrics(), metrics.contentType) }),
    }),
  ];
}
