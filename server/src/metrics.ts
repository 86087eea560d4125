// The server's Prometheus metrics (docs/metrics.md), in a registry of its own so that two
// servers in one process (tests) do not share counters.
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

export interface ServerMetrics {
  readonly registry: Registry;
  /** One request answered: its route template (`/api/v1/namespaces/{ns}/workflows`), never the raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** A workflow started through the API. */
  observeStart(workflowType: string): void;
  /** A run terminated through the API. */
  observeTerminate(namespace: string): void;
}

export function serverMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "weft_server_" });
  const requests = new Counter({
    name: "weft_http_requests_total",
    help: "HTTP requests answered, by method, route template and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "weft_http_request_duration_seconds",
    help: "Time to answer an HTTP request (a result request includes its wait)",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  const starts = new Counter({
    name: "weft_workflows_started_total",
    help: "Workflows started through the HTTP API, by workflow type",
    labelNames: ["workflow_type"],
    registers: [registry],
  });
  const terminations = new Counter({
    name: "weft_workflows_terminated_total",
    help: "Runs terminated through the HTTP API, by namespace",
    labelNames: ["namespace"],
    registers: [registry],
  });
  return {
    registry,
    observeTerminate(namespace) {
      terminations.inc({ namespace });
    },
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    observeStart(workflowType) {
      starts.inc({ workflow_type: workflowType });
    },
  };
}
