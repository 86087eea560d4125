// ESLint 9 flat config: typescript-eslint's recommended rules, import cycles, and the type-aware
// rules that catch promises nobody awaits. `pnpm typecheck` (tsc) is what checks types.
import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/", "**/node_modules/", ".weft/", "**/coverage/"] },
  {
    files: ["{errors,sql,sdk,worker,examples,bench,api,cli,server}/**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    plugins: { "import-x": importX },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    settings: {
      // Sources import each other as `./x.js` (NodeNext), which are `./x.ts` files until built.
      "import-x/resolver-next": [createNodeResolver({ extensionAlias: { ".js": [".ts", ".js"] } })],
      // Without these, no-cycle does not read the imports of a .ts file it reaches.
      "import-x/extensions": [".ts", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
    },
    rules: {
      // A reader goes top-down, from the entry to the leaves (STYLE.md). This rule skips
      // type-only imports; scripts/import-cycles.mjs, also run by `pnpm lint`, counts them.
      "import-x/no-cycle": "error",
      // A promise nobody awaits loses its error and its ordering; where that is intended, the
      // call says so with `void` and a comment on why.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
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
