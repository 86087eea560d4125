import { describe, expect, it } from "vitest";
import { workflow, type WorkflowContext } from "@weft/sdk";
import { useHarness } from "./support/harness.js";

let sideEffectCalls = 0;

@workflow.defn({ name: "nondeterministic-values" })
class Values {
  pokes = 0;
  @workflow.signal("poke")
  onPoke() {
    this.pokes++;
  }
  *run(ctx: WorkflowContext) {
    const first = {
      random: ctx.random(),
      uuid: ctx.uuid4(),
      now: ctx.now().toISOString(),
      effect: ctx.sideEffect(() => ++sideEffectCalls),
    };
    // Each poke is a workflow task that replays everything above from history.
    yield ctx.waitCondition(() => this.pokes >= 3);
    return first;
  }
}

describe("determinism helpers", () => {
  const h = useHarness();

  it("returns identical random, uuid4, now and side effect values across replays", async () => {
    const worker = await h.startWorker({ workflows: [Values] });
    const handle = await h.client.start(Values, []);
    for (let i = 0; i < 3; i++) await h.client.signal(handle, "poke");
    const result = await h.client.result<{ random: number; uuid: string; now: string; effect: number }>(handle, {
      timeoutSeconds: 10,
    });
    const markers = (await h.client.history(handle)).filter((e) => e.type === "MarkerRecorded");
    expect(markers.map((m) => m.attributes)).toEqual([
      { markerName: "random", value: result.random },
      { markerName: "uuid4", value: result.uuid },
      { markerName: "now", value: new Date(result.now).getTime() },
      { markerName: "sideEffect", value: 1 },
    ]);
    expect(result.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(sideEffectCalls).toBe(1); // recorded once, replayed ever after
    await h.stopWorker(worker);
  });
});
