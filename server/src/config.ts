import { z } from "zod";

/** The server's settings, each with its default. The CLI (`weft server`) maps them from flags and the environment. */
const serverConfigSchema = z.strictObject({
  /** Connection string; its role joins weft_client and weft_server (docs/security.md). */
  databaseUrl: z.string().min(1),
  host: z.string().min(1).default("127.0.0.1"),
  /** 0: any free port (tests). */
  port: z.number().int().min(0).max(65535).default(8080),
  /** Largest request body; a larger one gets 413. Above the 2 MiB payload limit, for the JSON around it. */
  maxBodyBytes: z.number().int().positive().default(4 * 1024 * 1024),
  /** Largest page of runs or history events a request may ask for. */
  maxPageSize: z.number().int().min(1).max(1000).default(1000),
  /** Longest a result request may wait (`waitSeconds`). */
  maxWaitSeconds: z.number().int().min(0).max(3600).default(60),
  /** Connections of the server's pool. */
  poolSize: z.number().int().min(2).default(10),
  /** One JSON line per request on stdout. */
  logRequests: z.boolean().default(true),
});

export type ServerConfigInput = z.input<typeof serverConfigSchema>;
export type ServerConfig = Readonly<z.output<typeof serverConfigSchema>>;

/** Checks the settings (a TypeError naming each bad one) and fills in the defaults. */
export function parseServerConfig(input: ServerConfigInput): ServerConfig {
  const parsed = serverConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new TypeError(`bad server settings: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  }
  return Object.freeze(parsed.data);
}
