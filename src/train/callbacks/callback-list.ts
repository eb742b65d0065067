import type { Callback, Logs, TrainingContext } from './callback.js';

/**
 * Keras' `CallbackList`: one object that hands each hook of the training loop to every callback, in order,
 * each awaited before the next.
 */
export class CallbackList {
  readonly callbacks: readonly Callback[];

  constructor(callbacks: readonly Callback[], context: TrainingContext) {
    this.callbacks = [...callbacks];
    for (const cb of this.callbacks) cb.setContext(context);
  }

  async onTrainBegin(): Promise<void> {
    for (const cb of this.callbacks) await cb.onTrainBegin();
  }

  async onTrainEnd(logs?: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onTrainEnd(logs);
  }

  async onEpochBegin(epoch: number): Promise<void> {
    for (const cb of this.callbacks) await cb.onEpochBegin(epoch);
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onEpochEnd(epoch, logs);
  }

  async onBatchBegin(batch: number): Promise<void> {
    for (const cb of this.callbacks) await cb.onBatchBegin(batch);
  }

  async onBatchEnd(batch: number, logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onBatchEnd(batch, logs);
  }
}
