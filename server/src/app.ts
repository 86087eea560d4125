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
import { workflowRoutes } from "./routes/workflows.js";

export interface AppDeps {
  readonly config: ServerConfig;
  readonly pool: pg.Pool;
  readonly client: Client;
  readonly metrics: ServerMetrics;
  readonly expectedSchema: ExpectedSchema;
  readonly version: string;
  /** Where request log lines and server errors go (one JSON object each). */
  readonly log: (line: Record<string, unknown>) => void;
}

export function allRoutes({ config, pool, client, metrics, expectedSchema, version }: AppDeps): Route[] {
  const routes: Route[] = [
    ...healthRoutes(pool, expectedSchema, metrics.registry),
    ...workflowRoutes({ client, maxPageSize: config.maxPageSize, maxWaitSeconds: config.maxWaitSeconds, metrics }),
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
  app.use(express.json({ limit: deps.config.maxBodyBytes }));
  app.use((request, response, next) => {
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
    app[spec.method](expressPath(spec.path), async (request: Request, response: Response) => {
      (response.locals as { route?: string }).route = spec.path;
      const key = await authorize(deps.pool, spec, request.get("authorization"), request.params.ns);
      send(response, await spec.run({ params: request.params, query: request.query, body: request.body }, key));
    });
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
