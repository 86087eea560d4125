// ESLint 9 flat config. Recommended rules without type information, so `pnpm lint` stays a
// few seconds; `pnpm typecheck` (tsc) is what checks types.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/", "**/node_modules/", ".weft/", "**/coverage/"] },
  {
    files: ["{sql,sdk,worker,examples,bench,api}/**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      // A workflow's `run` must be a generator even when it yields no command (a workflow that
      // returns at once, as in sdk/test/registration.test.ts), so a generator without `yield`
      // is legitimate here.
      "require-yield": "off",
      // `_`-prefixed parameters are required by a signature (a decorator's context, an
      // activity's context) but unused on purpose.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
