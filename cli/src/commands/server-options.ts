// The flags every command that talks to the HTTP server takes: where it is, the key, the
// namespace, and --json.
import { Option, type Command } from "commander";
import { serverAddress } from "../arguments.js";
import { WeftHttpClient } from "../http-client.js";

export const DEFAULT_ADDRESS = "http://127.0.0.1:8080";

export interface ServerFlags {
  readonly address: string;
  readonly apiKey?: string;
  readonly namespace: string;
  readonly json?: boolean;
}

export function withServerOptions(command: Command): Command {
  return command
    .addOption(new Option("--address <url>", "the weft server's URL").env("WEFT_ADDRESS").default(DEFAULT_ADDRESS).argParser(serverAddress))
    .addOption(new Option("--api-key <key>", "an API key of the namespace (weft apikey create)").env("WEFT_API_KEY"))
    .option("--namespace <namespace>", "the namespace", "default")
    .option("--json", "print the server's JSON instead of text");
}

export function clientOf({ address, apiKey, namespace }: ServerFlags): WeftHttpClient {
  return new WeftHttpClient({ address, apiKey, namespace });
}
