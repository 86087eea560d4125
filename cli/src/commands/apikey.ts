// `weft apikey create|list|revoke`: through the HTTP server with an admin key. `create` also
// works directly on the database (--database-url), to bootstrap the first admin key.
import { Option, type Command } from "commander";
import { createApiKey, KEY_ROLES, type KeyRole } from "@weft/server";
import pg from "pg";
import { CliError, EXIT } from "../cli-error.js";
import { printJson, table, time } from "../output.js";
import { clientOf, withServerOptions, type ServerFlags } from "./server-options.js";

interface CreateFlags extends ServerFlags {
  readonly databaseUrl?: string;
  readonly name: string;
  readonly role: KeyRole;
}

export function addApiKeyCommands(program: Command): void {
  const apikey = program.command("apikey").description("API keys of the HTTP server");

  const create = withServerOptions(
    apikey
      .command("create")
      .description(
        "create a key through the server (with an admin key), or directly in the database with --database-url " +
          "(to bootstrap the first admin key); prints its secret once",
      ),
  )
    .addOption(new Option("--database-url <url>", "create it directly in this PostgreSQL, not through the server").env("DATABASE_URL"))
    .requiredOption("--name <name>", "what the key is for")
    .addOption(new Option("--role <role>", "what it may do").choices(KEY_ROLES).default("admin"));
  create.action(async (flags: CreateFlags) => {
    const created = viaDatabase(create) ? await createInDatabase(flags) : await clientOf(flags).createApiKey(flags.name, flags.role);
    if (flags.json) {
      printJson(created);
    } else {
      console.error(`created ${created.role} key ${created.keyId} in namespace ${flags.namespace}; its secret, shown only now:`);
      console.log(created.secret);
    }
  });

  withServerOptions(apikey.command("list").description("the namespace's keys, oldest first, without their secrets")).action(
    async (flags: ServerFlags) => {
      const { apiKeys } = await clientOf(flags).listApiKeys();
      if (flags.json) {
        printJson({ apiKeys });
      } else {
        const rows = apiKeys.map((k) => [k.keyId, k.name, k.role, time(k.createdAt), time(k.revokedAt)]);
        process.stdout.write(table(["key id", "name", "role", "created", "revoked"], rows));
      }
    },
  );

  withServerOptions(apikey.command("revoke <keyId>").description("revoke a key; the server refuses it from the next request on")).action(
    async (keyId: string, flags: ServerFlags) => {
      await clientOf(flags).revokeApiKey(keyId);
      // The server answers 204 with no body, so --json prints nothing: the exit code says it.
      if (!flags.json) console.log(`revoked key ${keyId}`);
    },
  );
}

/**
 * A flag on the command line decides; otherwise DATABASE_URL in the environment does, unless
 * WEFT_ADDRESS is set too, which is ambiguous; with neither, the server at the default address.
 */
function viaDatabase(command: Command): boolean {
  const database = command.getOptionValueSource("databaseUrl");
  const address = command.getOptionValueSource("address");
  if (database === "cli" && address === "cli") throw new CliError("give --database-url or --address, not both", EXIT.usage);
  if (database === "cli" || address === "cli") return database === "cli";
  if (database === "env" && address === "env") {
    throw new CliError("both DATABASE_URL and WEFT_ADDRESS are set: choose with --database-url (directly) or --address (through the server)", EXIT.usage);
  }
  return database === "env";
}

async function createInDatabase({ databaseUrl, namespace, name, role }: CreateFlags) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    return { ...(await createApiKey(pool, namespace, name, role)), name, role };
  } finally {
    await pool.end();
  }
}
