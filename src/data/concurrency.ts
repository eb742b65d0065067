/** Runs `task(item, i)` for every item with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** A counting semaphore: `run` waits for a free slot, so callers anywhere share one concurrency budget. */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  async run<R>(task: () => Promise<R>): Promise<R> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * A budget of bytes in flight: `run(cost, task)` waits until `cost` fits beside the tasks running (a task
 * larger than the whole budget runs alone), so a folder of large images decodes a few at a time, small ones
 * many at a time. Waiters are served in order, so a large one is not starved.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiting: Array<{ cost: number; start: () => void }> = [];

  constructor(readonly limit: number) {}

  private pump(): void {
    while (this.waiting.length > 0 && (this.used === 0 || this.used + this.waiting[0].cost <= this.limit)) {
      const next = this.waiting.shift()!;
      this.used += next.cost;
      next.start();
    }
  }

  async run<R>(cost: number, task: () => Promise<R>): Promise<R> {
    await new Promise<void>((start) => {
      this.waiting.push({ cost, start });
      this.pump();
    });
    try {
      return await task();
    } finally {
      this.used -= cost;
      this.pump();
    }
  }
}
