import { Callback, type Logs } from '../../../src/train/index.js';

/** Records the running loss after every batch and can abort training after a given step. */
export class StepLosses extends Callback {
  readonly name = 'StepLosses';
  readonly losses: number[] = [];
  constructor(private readonly abortAfter?: { step: number; controller: AbortController }) {
    super();
  }
  override async onBatchEnd(_batch: number, logs: Logs): Promise<void> {
    this.losses.push(logs.loss as number);
    if (this.abortAfter && this.losses.length === this.abortAfter.step) this.abortAfter.controller.abort();
  }
}

/** Distance between two sets of weights relative to their size: ‖a − b‖₂ / ‖b‖₂ over all of them. */
export function weightDistance(a: Float32Array[], b: Float32Array[]): number {
  let diff = 0;
  let norm = 0;
  a.forEach((w, i) =>
    w.forEach((v, j) => {
      diff += (v - b[i][j]) ** 2;
      norm += b[i][j] ** 2;
    }),
  );
  return Math.sqrt(diff / norm);
}

/** Largest relative difference between two loss curves. */
export function maxRelative(a: number[], b: number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(Math.abs(b[i]), 1e-6)));
}
