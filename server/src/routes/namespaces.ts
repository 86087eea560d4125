// /api/v1/namespaces: create and list namespaces. An admin key of namespace default is the
// server's administrator (auth.ts); a namespace's own admin keys manage only its keys.
import type pg from "pg";
import { z } from "zod";
import { errorBodySchema } from "../http-error.js";
import { route, type Route } from "../route.js";
import { createNamespace, listNamespaces, namespaceSchema } from "../sql-api.js";
import { keyErrors } from "./common.js";

const BASE = "/api/v1/namespaces";

export function namespaceRoutes(pool: pg.Pool): Route[] {
  return [
    route({
      method: "post",
      path: BASE,
      summary: "Create a namespace (admin keys of namespace default)",
      role: "admin",
      keyNamespace: "default",
      body: z.strictObject({ name: z.string().min(1).max(255), retentionDays: z.number().int().optional() }),
      responses: {
        201: { description: "created", schema: namespaceSchema },
        ...keyErrors,
        409: { description: "a namespace of that name exists already", schema: errorBodySchema },
      },
      async handle({ body }) {
        return { status: 201, body: await createNamespace(pool, body.name, body.retentionDays ?? null) };
      },
    }),
    route({
      method: "get",
      path: BASE,
      summary: "The namespaces, by name (admin keys of namespace default)",
      role: "admin",
      keyNamespace: "default",
      responses: { 200: { description: "the namespaces", schema: z.object({ namespaces: z.array(namespaceSchema) }) }, ...keyErrors },
      async handle() {
        return { status: 200, body: { namespaces: await listNamespaces(pool) } };
      },
    }),
  ];
}
