// The OpenAPI 3.1 document, generated from the routes' own zod schemas (route.ts).
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import type { Route } from "./route.js";

export function openApiDocument(routes: readonly Route[], version: string): ReturnType<OpenApiGeneratorV31["generateDocument"]> {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An API key of the namespace in the path",
  });
  for (const route of routes) {
    const { params, query, body } = route.request;
    registry.registerPath({
      method: route.method,
      path: route.path,
      summary: route.summary,
      security: route.role === null ? [] : [{ [bearer.name]: [] }],
      request: {
        params,
        query,
        body: body ? { content: { "application/json": { schema: body } } } : undefined,
      },
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, spec]) => [
          status,
          { description: spec.description, content: spec.schema ? { "application/json": { schema: spec.schema } } : undefined },
        ]),
      ),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: { title: "weft HTTP API", version, description: "Start, signal, observe and manage durable workflows" },
  });
}
