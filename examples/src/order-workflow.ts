// An order: reserve stock, wait for a person to approve, charge the card, then ship through a
// child workflow. The workflow classes are deterministic code that only decide what happens
// next; the activities below do the side effects and may be retried. order-demo.ts runs them
// against a real database.
import {
  ActivityRetryPolicy,
  ApplicationFailure,
  UpsertSearchAttributes,
  workflow,
  type ScheduleActivityOptions,
  type WorkflowContext,
  type WorkflowGenerator,
} from "@weft/sdk";
import type { ActivityContext, Activities } from "@weft/worker";

/** The workflow's one argument. Only `orderId` is required, so SQL callers can pass `[{"orderId": 42}]`. */
export interface Order {
  orderId: number;
  sku?: string;
  quantity?: number;
  amountCents?: number;
}

export interface OrderResult {
  orderId: number;
  status: "shipped" | "cancelled";
  reservationId: string;
  chargeId?: string;
  trackingNumber?: string;
  reason?: string;
}

// Snapped onto each scheduled activity when the workflow task commits; a card that was
// declined is final, anything else (a gateway timeout, say) is worth another try.
const retryPolicy = new ActivityRetryPolicy({
  maxAttempts: 5,
  initialIntervalSeconds: 1,
  backoffCoefficient: 2,
  maximumIntervalSeconds: 10,
  nonRetryableErrorTypes: ["CardDeclined"],
});
const activityOptions: ScheduleActivityOptions = { retryPolicy, startToCloseTimeoutSeconds: 10 };

/** Shipping as a workflow of its own, started by the order: book a carrier, print the label. */
@workflow.defn({ name: "shipping" })
export class ShippingWorkflow {
  *run(ctx: WorkflowContext, orderId: number, reservationId: string): WorkflowGenerator<string> {
    // `yield*` resumes with the activity's result typed as asked (a plain `yield`: unknown).
    const carrier = yield* ctx.activity<string>("bookCarrier", [orderId], activityOptions);
    ctx.logger.info(`shipping ${orderId}: booked ${carrier}; printing the label`);
    return yield* ctx.activity<string>("printLabel", [orderId, reservationId, carrier], activityOptions);
  }
}

@workflow.defn({ name: "order" })
export class OrderWorkflow {
  approved = false;

  @workflow.signal("approve")
  onApprove() {
    this.approved = true;
  }

  *run(ctx: WorkflowContext, input: Order): WorkflowGenerator<OrderResult> {
    const order = { sku: "WEFT-MUG", quantity: 1, amountCents: 1_500, ...input };
    ctx.logger.info(`order ${order.orderId}: reserving ${order.quantity} x ${order.sku}`);
    const reservationId = yield* ctx.activity<string>("reserveInventory", [order], activityOptions);

    ctx.logger.info(`order ${order.orderId}: reserved (${reservationId}); waiting up to 30 s for approval`);
    const approved = yield* ctx.waitCondition(() => this.approved, { timeoutSeconds: 30 });
    if (!approved) {
      ctx.logger.info(`order ${order.orderId}: not approved in time; releasing the reservation`);
      yield* ctx.activity("releaseInventory", [reservationId], activityOptions);
      return { orderId: order.orderId, status: "cancelled", reservationId, reason: "not approved within 30 s" };
    }

    ctx.logger.info(`order ${order.orderId}: approved; charging ${formatCents(order.amountCents)}`);
    const chargeId = yield* ctx.activity<string>("chargeCard", [order.orderId, order.amountCents], activityOptions);

    // A durable timer: a worker restart here resumes the wait instead of starting it over.
    ctx.logger.info(`order ${order.orderId}: charged (${chargeId}); timer: 1 s before handing over to the warehouse`);
    yield* ctx.sleep(1);
    ctx.logger.info(`order ${order.orderId}: timer fired; starting the shipping child workflow`);
    // Search attributes let clients find runs: client.list({ searchAttributes: { stage: "shipping" } }).
    yield* new UpsertSearchAttributes({ stage: "shipping" });

    // The child's result type (string) comes from ShippingWorkflow's `run`, as do its arguments'.
    const trackingNumber = yield* ctx.startChildWorkflow(ShippingWorkflow, [order.orderId, reservationId]);
    yield* new UpsertSearchAttributes({ stage: "shipped" });
    ctx.logger.info(`order ${order.orderId}: shipped (${trackingNumber})`);
    return { orderId: order.orderId, status: "shipped", reservationId, chargeId, trackingNumber };
  }
}

/**
 * The activities of the order workflow. They run outside the workflow, once per attempt, and
 * report what they do through `print`. chargeCard fails its first attempt on purpose, to
 * show the retry policy at work.
 */
export function orderActivities(print: (line: string) => void): Activities {
  return {
    reserveInventory(ctx: ActivityContext, order: Required<Order>) {
      const reservationId = `res-${order.orderId}-${order.sku}`;
      print(`  activity reserveInventory (attempt ${ctx.attempt}): ${order.quantity} x ${order.sku} -> ${reservationId}`);
      return reservationId;
    },
    async chargeCard(ctx: ActivityContext, orderId: number, amountCents: number) {
      if (ctx.attempt === 1) {
        print(`  activity chargeCard (attempt 1): payment gateway timed out (simulated); weft will retry`);
        throw new Error("payment gateway timed out");
      }
      if (amountCents <= 0) {
        throw new ApplicationFailure(`cannot charge ${amountCents} cents`, { type: "CardDeclined" });
      }
      const chargeId = `ch-${orderId}-${ctx.attempt}`;
      print(`  activity chargeCard (attempt ${ctx.attempt}): charged ${formatCents(amountCents)} -> ${chargeId}`);
      return chargeId;
    },
    bookCarrier(ctx: ActivityContext, orderId: number) {
      const carrier = orderId % 2 === 0 ? "parcel-co" : "post";
      print(`  activity bookCarrier (attempt ${ctx.attempt}): order ${orderId} goes with ${carrier}`);
      return carrier;
    },
    printLabel(ctx: ActivityContext, orderId: number, reservationId: string, carrier: string) {
      const trackingNumber = `TRACK-${carrier}-${orderId}-${reservationId.length}`;
      print(`  activity printLabel (attempt ${ctx.attempt}): label for ${reservationId} -> ${trackingNumber}`);
      return trackingNumber;
    },
    releaseInventory(ctx: ActivityContext, reservationId: string) {
      print(`  activity releaseInventory (attempt ${ctx.attempt}): released ${reservationId}`);
      return null;
    },
  };
}

function formatCents(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
