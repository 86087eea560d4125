import type { Command } from "../commands.js";
import type { WorkflowContext } from "./context.js";
import { attachDefinition, attachedDefinition } from "./registry.js";

export type { WorkflowArgs, WorkflowResult } from "./registry.js";

/**
 * What `run` is: a generator yielding commands (or arrays of them) and returning the result.
 * A plain `yield` resumes with `unknown`; `yield* command` resumes with the command's result type.
 */
export type WorkflowGenerator<R = unknown> = Generator<Command | readonly Command[], R, unknown>;

export interface WorkflowInstance<R = unknown> {
  run(ctx: WorkflowContext, ...args: never[]): WorkflowGenerator<R>;
}

/** A workflow class; `R` is what its `run` returns. */
export type WorkflowClass<R = unknown> = new () => WorkflowInstance<R>;

export interface WorkflowDefinition {
  /** Language-neutral type name, stored in history and used by clients to start it. */
  readonly name: string;
  readonly cls: WorkflowClass;
  /** Signal name -> method name, built once at registration. */
  readonly signals: ReadonlyMap<string, string>;
}

/** Methods marked by @signal, waiting for their class's @defn to collect them. */
const pendingSignals = new WeakMap<object, string>();

/**
 * Registers `cls` as workflow type `name`. `signals` maps signal names to method names.
 * The decorators below are sugar over this function.
 */
export function registerWorkflow<C extends WorkflowClass>(
  cls: C,
  options: { name: string; signals?: Record<string, string> },
): C {
  if (!options.name) throw new TypeError("a workflow needs a non-empty name");
  const signals = new Map(Object.entries(options.signals ?? {}));
  for (const [signal, method] of signals) {
    if (typeof (cls.prototype as Record<string, unknown>)[method] !== "function") {
      throw new TypeError(`signal "${signal}" of workflow ${options.name} names no method "${method}"`);
    }
  }
  const definition: WorkflowDefinition = Object.freeze({ name: options.name, cls, signals });
  attachDefinition(cls, definition);
  return cls;
}

/** Class decorator: `@workflow.defn({ name: "approval" })`. */
export function defn(options: { name: string }) {
  return <C extends WorkflowClass>(cls: C, _context: ClassDecoratorContext<C>): C => {
    const signals: Record<string, string> = {};
    for (const key of Object.getOwnPropertyNames(cls.prototype)) {
      const method = (cls.prototype as Record<string, unknown>)[key];
      const signal = typeof method === "function" ? pendingSignals.get(method) : undefined;
      if (signal !== undefined) {
        if (signal in signals) throw new TypeError(`signal "${signal}" has two handlers in ${options.name}`);
        signals[signal] = key;
      }
    }
    return registerWorkflow(cls, { name: options.name, signals });
  };
}

/** Method decorator: `@workflow.signal("approve")` marks the handler of a signal. */
export function signal(name: string) {
  return <M extends (...args: never[]) => unknown>(method: M, context: ClassMethodDecoratorContext): M => {
    if (context.static || context.private) {
      throw new TypeError(`@signal("${name}") must decorate a public instance method`);
    }
    pendingSignals.set(method, name);
    return method;
  };
}

export function workflowDefinition(cls: WorkflowClass): WorkflowDefinition {
  // Only registerWorkflow above attaches one, and it attaches a WorkflowDefinition.
  return attachedDefinition(cls) as WorkflowDefinition;
}
