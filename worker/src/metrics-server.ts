// The worker's optional metrics port: GET /metrics in Prometheus' text format, nothing else.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export class MetricsServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(registry: Registry, host: string, port: number): Promise<MetricsServer> {
    const server = createServer((request, response) => {
      if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
        response.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics here\n");
        return;
      }
      registry.metrics().then(
        (text) => response.writeHead(200, { "content-type": registry.contentType }).end(text),
        (error: Error) => response.writeHead(503, { "content-type": "text/plain" }).end(`metrics unavailable: ${error.message}\n`),
      );
    });
    server.listen(port, host);
    await once(server, "listening");
    const { port: bound } = server.address() as AddressInfo;
    return new MetricsServer(server, `http://${host.includes(":") ? `[${host}]` : host}:${bound}/metrics`);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
