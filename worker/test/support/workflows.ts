// Workflows shared by the worker integration tests.
import {
  ActivityRetryPolicy,
  ScheduleActivity,
  workflow,
  type ScheduleActivityOptions,
  type WorkflowContext,
  type WorkflowGenerator,
} from "@weft/sdk";

@workflow.defn({ name: "one-activity" })
export class OneActivity {
  *run(_ctx: WorkflowContext, type: string, args: unknown[], options: ScheduleActivityOptions = {}): WorkflowGenerator {
    return yield new ScheduleActivity(type, args, {
      ...options,
      retryPolicy: options.retryPolicy && new ActivityRetryPolicy(options.retryPolicy),
    });
  }
}

@workflow.defn({ name: "approval" })
export class Approval {
  approved = false;
  approvers: string[] = [];

  @workflow.signal("approve")
  onApprove(by: string) {
    this.approved = true;
    this.approvers.push(by);
  }

  *run(ctx: WorkflowContext) {
    yield ctx.waitCondition(() => this.approved);
    return this.approvers;
  }
}

@workflow.defn({ name: "sleeper" })
export class Sleeper {
  *run(ctx: WorkflowContext, seconds: number) {
    yield ctx.sleep(seconds);
    return "woke";
  }
}
