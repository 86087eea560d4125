// A route is data: its method, path, the key role it needs, its request schemas and its
// responses. app.ts serves each, openapi.ts documents each, from the same object, so the
// OpenAPI document lists every route there is with the schemas that really check it.
import { z } from "zod";
import { invalidRequest } from "./http-error.js";
import type { ApiKey, KeyRole } from "./sql-api.js";

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
}

/** A reply body sent as it is, with its own content type, rather than as JSON. */
export class TextBody {
  constructor(
    readonly text: string,
    readonly contentType: string,
  ) {}
}

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
}

export interface Route {
  readonly method: "get" | "post" | "delete";
  /** OpenAPI style: `/api/v1/namespaces/{ns}/workflows`. */
  readonly path: string;
  readonly summary: string;
  /** The weakest key role that may call it, in the path's namespace; null: no key needed. */
  readonly role: KeyRole | null;
  /** For a route whose path names no namespace: the namespace whose keys may call it. */
  readonly keyNamespace?: string;
  readonly request: { readonly params?: z.ZodObject; readonly query?: z.ZodObject; readonly body?: z.ZodType };
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Checks the raw request against the schemas (400 naming each issue), then handles it. */
  run(raw: RawRequest, key: ApiKey | null): Promise<Reply>;
}

export interface RawRequest {
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
  /** Aborts when the caller goes away or the server closes: a long wait ends early. */
  readonly signal: AbortSignal;
}

interface Spec<P extends z.ZodObject, Q extends z.ZodObject, B extends z.ZodType> extends Omit<Route, "run" | "request"> {
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  handle(input: { params: z.output<P>; query: z.output<Q>; body: z.output<B>; key: ApiKey | null; signal: AbortSignal }): Promise<Reply>;
}

const none = z.strictObject({});

export function route<P extends z.ZodObject = typeof none, Q extends z.ZodObject = typeof none, B extends z.ZodType = z.ZodUnknown>(
  spec: Spec<P, Q, B>,
): Route {
  const { params, query, body, handle, ...meta } = spec;
  return {
    ...meta,
    request: { params, query, body },
    run: async (raw, key) =>
      handle({
        params: check("path", params ?? none, raw.params) as z.output<P>,
        query: check("query", query ?? none, raw.query) as z.output<Q>,
        body: (body ? check("body", body, raw.body) : undefined) as z.output<B>,
        key,
        signal: raw.signal,
      }),
  };
}

function check(where: string, schema: z.ZodType, value: unknown): unknown {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw invalidRequest(where, parsed.error);
  return parsed.data;
}
