// `pnpm record-histories`: runs only the recorder (record-histories.ts), with the tests'
// database setup (a migrated template on DATABASE_URL's server or the embedded PostgreSQL).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["worker/test/record-histories.ts"],
    globalSetup: ["./sql/test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
