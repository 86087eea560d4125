// The decorators are sugar over registerWorkflow; both forms must give the replayer the same
// definition (STYLE.md: "both forms are tested").
import { describe, expect, it } from "vitest";
import { registerWorkflow, workflow, type WorkflowContext } from "@weft/sdk";
import { workflowDefinition, type WorkflowDefinition } from "@weft/sdk/internal";

@workflow.defn({ name: "approval" })
class DecoratedApproval {
  approvedBy: string | undefined;
  @workflow.signal("approve")
  onApprove(by: string) {
    this.approvedBy = by;
  }
  *run(ctx: WorkflowContext) {
    yield ctx.waitCondition(() => this.approvedBy !== undefined);
    return this.approvedBy;
  }
}

class PlainApproval {
  approvedBy: string | undefined;
  onApprove(by: string) {
    this.approvedBy = by;
  }
  *run(ctx: WorkflowContext) {
    yield ctx.waitCondition(() => this.approvedBy !== undefined);
    return this.approvedBy;
  }
}
registerWorkflow(PlainApproval, { name: "approval", signals: { approve: "onApprove" } });

/** The parts of a definition that do not depend on which class object holds it. */
function shape(definition: WorkflowDefinition) {
  return { name: definition.name, signals: Object.fromEntries(definition.signals) };
}

describe("workflow registration", () => {
  it("gives the same definition with decorators and with registerWorkflow", () => {
    const decorated = workflowDefinition(DecoratedApproval);
    const plain = workflowDefinition(PlainApproval);
    expect(shape(decorated)).toEqual({ name: "approval", signals: { approve: "onApprove" } });
    expect(shape(plain)).toEqual(shape(decorated));
    expect(decorated.cls).toBe(DecoratedApproval);
    expect(plain.cls).toBe(PlainApproval);
  });

  it("returns the class from registerWorkflow so it can be exported in one statement", () => {
    class Noop {
      *run() {
        return null;
      }
    }
    expect(registerWorkflow(Noop, { name: "noop" })).toBe(Noop);
    expect(shape(workflowDefinition(Noop))).toEqual({ name: "noop", signals: {} });
  });

  it("refuses a class that was never registered", () => {
    class NotAWorkflow {
      *run() {
        return null;
      }
    }
    expect(() => workflowDefinition(NotAWorkflow)).toThrow(/NotAWorkflow is not a workflow/);
  });

  it("refuses an unregistered subclass of a registered workflow", () => {
    class Subclass extends DecoratedApproval {}
    expect(() => workflowDefinition(Subclass)).toThrow(/Subclass is not a workflow/);
  });

  it("refuses a signal that names a missing method", () => {
    class Approval {
      *run() {
        return null;
      }
    }
    expect(() => registerWorkflow(Approval, { name: "approval", signals: { approve: "onApprove" } })).toThrow(
      'signal "approve" of workflow approval names no method "onApprove"',
    );
  });

  it("refuses two handlers for one signal name", () => {
    expect(() => {
      @workflow.defn({ name: "twice" })
      class Twice {
        @workflow.signal("approve")
        first() {}
        @workflow.signal("approve")
        second() {}
        *run() {
          return null;
        }
      }
      return Twice;
    }).toThrow('signal "approve" has two handlers in twice');
  });

  it("refuses an empty workflow name", () => {
    class Nameless {
      *run() {
        return null;
      }
    }
    expect(() => registerWorkflow(Nameless, { name: "" })).toThrow(/non-empty name/);
  });
});
