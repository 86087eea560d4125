// Where registerWorkflow (definition.ts) keeps a class's definition. Apart from definition.ts,
// whose types name the commands and the context, so that commands can take a workflow class
// without an import cycle.

const DEFINITION = Symbol.for("weft.workflowDefinition");

/**
 * A workflow class where a command names a workflow type: any class whose `run` is a
 * generator returning `R`. That it was registered is checked when it is used (attachedDefinition).
 */
export type WorkflowClassRef<R = unknown> = new () => { run(...args: never[]): Generator<unknown, R, unknown> };

/** The arguments `run` of workflow class `C` takes after its context. */
export type WorkflowArgs<C extends WorkflowClassRef> =
  InstanceType<C>["run"] extends (ctx: never, ...args: infer A) => unknown ? A : never;

/** What a run of workflow class `C` returns. */
export type WorkflowResult<C extends WorkflowClassRef> = C extends WorkflowClassRef<infer R> ? R : never;

export function attachDefinition(cls: WorkflowClassRef, definition: { readonly name: string }): void {
  Object.defineProperty(cls, DEFINITION, { value: definition });
}

/** What registerWorkflow attached to `cls` itself; throws for a class never registered. */
export function attachedDefinition(cls: WorkflowClassRef): { readonly name: string } {
  // Own property only: an unregistered subclass must not pass as its registered parent.
  const definition = Object.hasOwn(cls, DEFINITION)
    ? (cls as unknown as { [DEFINITION]: { readonly name: string } })[DEFINITION]
    : undefined;
  if (!definition) {
    throw new TypeError(`${cls.name} is not a workflow: decorate it with @workflow.defn or call registerWorkflow`);
  }
  return definition;
}
