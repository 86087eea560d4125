import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{sql,sdk,worker,server,cli}/test/**/*.test.ts", "api/*.test.ts"],
    globalSetup: ["./sql/test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more parallel files only make the timing-sensitive ones slower.
    maxWorkers: 2,
  },
});
