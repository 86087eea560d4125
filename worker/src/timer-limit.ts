/**
 * Node's setTimeout fires at once for a delay over 2^31 - 1 ms (24.8 days). Timeouts and timers
 * may be years long: past this, a local timer is not armed and the durable one (a weft.timers
 * row, a timeout job) does the work.
 */
export const MAX_LOCAL_TIMER_MS = 2 ** 31 - 1;
