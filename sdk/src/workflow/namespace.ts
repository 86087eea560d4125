// `import { workflow } from "@weft/sdk"` then `@workflow.defn(...)` and `@workflow.signal(...)`, as in the seed.
export { defn, signal } from "./definition.js";
