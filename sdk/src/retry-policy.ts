/** Options of a retry policy; every field has the seed's default. */
export interface RetryPolicyOptions {
  /** Attempts in all, the first included; 0 or less retries forever. Default 3. */
  maxAttempts?: number;
  /** Wait before the second attempt. Default 1 s. */
  initialIntervalSeconds?: number;
  /** Each wait is the previous one times this. Default 2. */
  backoffCoefficient?: number;
  /** Cap on any single wait. Default none. */
  maximumIntervalSeconds?: number | null;
  /** Error types (see ApplicationFailure.type, or the error class name) never retried. */
  nonRetryableErrorTypes?: readonly string[];
  /** Explicit waits: the n-th retry waits backoffSeconds[n-1] (the last entry repeats). */
  backoffSeconds?: readonly number[] | null;
}

/** How often and how soon a failed activity or workflow runs again. */
abstract class RetryPolicy {
  readonly maxAttempts: number;
  readonly initialIntervalSeconds: number;
  readonly backoffCoefficient: number;
  readonly maximumIntervalSeconds: number | null;
  readonly nonRetryableErrorTypes: readonly string[];
  readonly backoffSeconds: readonly number[] | null;

  constructor(options: RetryPolicyOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.initialIntervalSeconds = options.initialIntervalSeconds ?? 1;
    this.backoffCoefficient = options.backoffCoefficient ?? 2;
    this.maximumIntervalSeconds = options.maximumIntervalSeconds ?? null;
    this.nonRetryableErrorTypes = [...(options.nonRetryableErrorTypes ?? [])];
    this.backoffSeconds = options.backoffSeconds ? [...options.backoffSeconds] : null;
    if (this.initialIntervalSeconds < 0 || this.backoffCoefficient < 1) {
      throw new RangeError("retry policy needs initialIntervalSeconds >= 0 and backoffCoefficient >= 1");
    }
    Object.freeze(this);
  }

  toJSON() {
    return {
      maxAttempts: this.maxAttempts,
      initialIntervalSeconds: this.initialIntervalSeconds,
      backoffCoefficient: this.backoffCoefficient,
      maximumIntervalSeconds: this.maximumIntervalSeconds,
      nonRetryableErrorTypes: this.nonRetryableErrorTypes,
      backoffSeconds: this.backoffSeconds,
    };
  }
}

// Each policy below declares a private field that exists only for the type checker: it makes
// the three classes distinct types, so one cannot be passed where another is expected.

/**
 * Retry policy of one scheduled activity call. It is snapped onto the activity's row when the
 * workflow task commits, so a later deploy does not change an already-scheduled activity.
 */
export class ActivityRetryPolicy extends RetryPolicy {
  private declare readonly appliesTo: "activity";
}

/**
 * Retry policy of a workflow started by a client (`Client.start`): a run that fails is followed
 * by a new run of the same workflow id, attempt + 1, after the policy's backoff. Terminated and
 * timed-out runs are not retried. Snapped onto the run when it starts.
 */
export class WorkflowRetryPolicy extends RetryPolicy {
  private declare readonly appliesTo: "workflow";
}

/** Retry policy of a child workflow (`StartChildWorkflow`); it works as WorkflowRetryPolicy does. */
export class ChildWorkflowRetryPolicy extends RetryPolicy {
  private declare readonly appliesTo: "child";
}
