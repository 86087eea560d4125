// The express application: every route of routes/ served from its spec (route.ts), behind the
// key check (auth.ts), with one error mapping (http-error.ts) and a JSON log line per request.
import express, { type NextFunction, type Request, type Response } from "express";
import type { Client } from "@weft/sdk";
import type pg from "pg";
import { authorize } from "./auth.js";
import type { ServerConfig } from "./config.js";
import { HttpError, httpErrorOf } from "./http-error.js";
import type { ServerMetrics } from "./metrics.js";
import { openApiDocument } from "./openapi.js";
import { route, TextBody, type Reply, type Route } from "./route.js";
import { apiKeyRoutes } from "./routes/api-keys.js";
import { healthRoutes, type ExpectedSchema } from "./routes/health.js";
import { namespaceRoutes } from "./routes/namespaces.js";
import { workflowRoutes } from "./routes/workflows.js";

export interface AppDeps {
  readonly config: ServerConfig;
  readonly pool: pg.Pool;
  /** The Client of a namespace, made once and kept (server.ts). */
  readonly clients: (namespace: string) => Client;
  readonly metrics: ServerMetrics;
  readonly expectedSchema: ExpectedSchema;
  readonly version: string;
  /** Where request log lines and server errors go (one JSON object each). */
  readonly log: (line: Record<string, unknown>) => void;
  /** Aborts when the server starts closing: every wait in flight answers at once. */
  readonly closing: AbortSignal;
}

export function allRoutes({ config, pool, clients, metrics, expectedSchema, version, log }: AppDeps): Route[] {
  const routes: Route[] = [
    ...healthRoutes(pool, expectedSchema, metrics.registry, log),
    ...namespaceRoutes(pool),
    ...workflowRoutes({ clients, maxPageSize: config.maxPageSize, maxWaitSeconds: config.maxWaitSeconds, metrics }),
    ...apiKeyRoutes(pool),
  ];
  let document: unknown;
  routes.push(
    route({
      method: "get",
      path: "/openapi.json",
      summary: "This API's OpenAPI 3.1 document",
      role: null,
      responses: { 200: { description: "the document" } },
      handle: async () => ({ status: 200, body: (document ??= openApiDocument(routes, version)) }),
    }),
  );
  return routes;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Parsed only once the key is checked: an anonymous caller cannot make the server read 4 MiB.
  const json = express.json({ limit: deps.config.maxBodyBytes });
  app.use((request, response, next) => {
    // While closing, no connection is kept for another request.
    if (deps.closing.aborted) response.setHeader("connection", "close");
    const started = process.hrtime.bigint();
    response.on("finish", () => {
      const template = (response.locals as { route?: string }).route ?? "unmatched";
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.observeRequest(request.method, template, response.statusCode, seconds);
      if (deps.config.logRequests) {
        deps.log({ time: new Date().toISOString(), method: request.method, route: template, status: response.statusCode, ms: Math.round(seconds * 1000) });
      }
    });
    next();
  });
  for (const spec of allRoutes(deps)) {
    const path = expressPath(spec.path);
    app[spec.method](
      path,
      async (request: Request, response: Response, next: NextFunction) => {
        (response.locals as { route?: string }).route = spec.path;
        (response.locals as { key?: unknown }).key = await authorize(deps.pool, spec, request.get("authorization"), request.params.ns);
        next();
      },
      json,
      async (request: Request, response: Response) => {
        const gone = new AbortController();
        response.on("close", () => gone.abort()); // the caller went away, or the answer is sent
        const signal = AbortSignal.any([gone.signal, deps.closing]);
        const key = (response.locals as { key: Awaited<ReturnType<typeof authorize>> }).key;
        send(response, await spec.run({ params: request.params, query: request.query, body: request.body, signal }, key));
      },
    );
  }
  app.use(() => {
    throw new HttpError(404, "route_not_found", "no such route; GET /openapi.json lists them");
  });
  // express calls a four-parameter function with what a route threw.
  app.use((error: unknown, request: Request, response: Response, _next: NextFunction) => {
    const { status, body } = httpErrorOf(error);
    if (status >= 500) deps.log({ time: new Date().toISOString(), level: "error", method: request.method, path: request.path, error: String((error as Error)?.stack ?? error) });
    response.status(status).json(body);
  });
  return app;
}

function send(response: Response, reply: Reply): void {
  response.status(reply.status);
  if (reply.body === undefined) response.end();
  else if (reply.body instanceof TextBody) response.type(reply.body.contentType).send(reply.body.text);
  else response.json(reply.body);
}

/** `/workflows/{workflowId}` as express writes it: `/workflows/:workflowId`. */
function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ":$1");
}
