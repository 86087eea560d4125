// `weft namespace create|list`: through the HTTP server, with an admin key of namespace default
// (the server's administrator).
import { Option, type Command } from "commander";
import { wholeNumber } from "../arguments.js";
import { printJson, table, time } from "../output.js";
import { clientOf, withServerOptions, type ServerFlags } from "./server-options.js";

export function addNamespaceCommands(program: Command): void {
  const namespace = program.command("namespace").description("namespaces: each has its own workflow ids, task queues, runs and keys");

  withServerOptions(namespace.command("create <name>").description("create a namespace (needs an admin key of namespace default)"))
    .addOption(new Option("--retention-days <days>", "days a closed run is kept before workers delete it (default: for ever)").argParser(wholeNumber))
    .action(async (name: string, flags: ServerFlags & { retentionDays?: number }) => {
      const created = await clientOf(flags).createNamespace(name, flags.retentionDays);
      if (flags.json) printJson(created);
      else console.log(`created namespace ${created.name}; make its first key with: weft apikey create --namespace ${created.name} --name <name>`);
    });

  withServerOptions(namespace.command("list").description("the namespaces, by name (needs an admin key of namespace default)")).action(
    async (flags: ServerFlags) => {
      const { namespaces } = await clientOf(flags).listNamespaces();
      if (flags.json) printJson({ namespaces });
      else process.stdout.write(table(["name", "retention days", "created"], namespaces.map((n) => [n.name, String(n.retentionDays ?? "-"), time(n.createdAt)])));
    },
  );
}
