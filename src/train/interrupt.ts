/**
 * Turns interrupt signals and an AbortSignal into a request to end training after the current batch: the
 * first signal asks (and says so), a second one exits at once.
 */
export class InterruptRequest {
  requested = false;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (this.requested) process.exit(130);
    this.log(
      `\n${signal}: finishing the current batch, then writing a checkpoint (send it again to quit at once)`,
    );
    this.request();
  };
  private readonly request = () => {
    this.requested = true;
  };

  constructor(
    private readonly signals: readonly NodeJS.Signals[],
    private readonly abortSignal: AbortSignal | undefined,
    private readonly log: (line: string) => void,
  ) {
    for (const s of signals) process.on(s, this.onSignal);
    abortSignal?.addEventListener('abort', this.request);
  }

  /**
   * One turn of the event loop. A batch's awaits resolve as microtasks, and signal handlers run only when the
   * loop turns: without this, Ctrl-C waited for the next file read, several batches later.
   */
  async letSignalsIn(): Promise<void> {
    if (this.signals.length > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Stops listening. */
  close(): void {
    for (const s of this.signals) process.off(s, this.onSignal);
    this.abortSignal?.removeEventListener('abort', this.request);
  }
}
