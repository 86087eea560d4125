// The workflows of WORKLOADS.md W1-W4 written for weft. Every bench worker registers all of
// them, so a run left over from a timed-out variant is still finished rather than failed.
import { registerWorkflow, type WorkflowContext, type WorkflowGenerator } from "@weft/sdk";
import type { Activities } from "@weft/worker";

/** The no-op step: takes an integer, returns it + 1. */
export const activities: Activities = { step: (_ctx, n: number) => n + 1 };

/** W1: `steps` sequential steps, each fed the previous output; 0 -> steps. */
export const Sequential = registerWorkflow(
  class {
    *run(ctx: WorkflowContext, steps: number): WorkflowGenerator<number> {
      let x = 0;
      for (let i = 0; i < steps; i++) x = yield* ctx.activity<number>("step", [x]);
      return x;
    }
  },
  { name: "bench-w1-sequential" },
);

/** W2: `fanout` steps in parallel on 0..fanout-1; returns the sum of their results. */
export const FanOut = registerWorkflow(
  class {
    *run(ctx: WorkflowContext, fanout: number): WorkflowGenerator<number> {
      const results = yield* ctx.all(Array.from({ length: fanout }, (_, i) => ctx.activity<number>("step", [i])));
      return results.reduce((a, b) => a + b, 0);
    }
  },
  { name: "bench-w2-fanout" },
);

/** W3: one step. */
export const OneStep = registerWorkflow(
  class {
    *run(ctx: WorkflowContext): WorkflowGenerator<number> {
      return yield* ctx.activity<number>("step", [0]);
    }
  },
  { name: "bench-w3-one-step" },
);

/** W4: a durable sleep, then complete. weft timers are whole seconds (ctx.sleep rounds up). */
export const Sleeper = registerWorkflow(
  class {
    *run(ctx: WorkflowContext, seconds: number): WorkflowGenerator<string> {
      yield ctx.sleep(seconds);
      return "woke";
    }
  },
  { name: "bench-w4-sleep" },
);

export const workflows = [Sequential, FanOut, OneStep, Sleeper];
