/**
 * Gathers the calls made in one turn of the event loop and serves them with one call of
 * `run` (up to `maxBatch` at a time): many starts in one transaction, many reads in one query.
 * `run` returns one outcome per input, in order; an Error outcome rejects only its own call.
 */
export class MicroBatcher<In, Out> {
  private pending: { input: In; resolve: (out: Out) => void; reject: (error: unknown) => void }[] = [];

  constructor(
    private readonly run: (inputs: In[]) => Promise<(Out | Error)[]>,
    private readonly maxBatch = 200,
  ) {}

  call(input: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) queueMicrotask(() => this.flush());
      this.pending.push({ input, resolve, reject });
    });
  }

  private flush(): void {
    const all = this.pending;
    this.pending = [];
    for (let i = 0; i < all.length; i += this.maxBatch) void this.send(all.slice(i, i + this.maxBatch));
  }

  private async send(batch: typeof this.pending): Promise<void> {
    try {
      const outcomes = await this.run(batch.map((b) => b.input));
      batch.forEach(({ resolve, reject }, i) => {
        const outcome = outcomes[i]!;
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      });
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }
}
