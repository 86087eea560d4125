// The order example as a worker module: what `weft worker --module` and `weft dev` load (a
// module that exports `workflows` and `activities`; cli/src/worker-module.ts).
import { OrderWorkflow, orderActivities, ShippingWorkflow } from "./order-workflow.js";

export const workflows = [OrderWorkflow, ShippingWorkflow];
export const activities = orderActivities((line) => console.log(line));
