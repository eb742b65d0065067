import { z } from 'zod';
import { Callback, type Logs } from './callback.js';
import { callbackEntry } from './entry.js';

/**
 * Keras' `TerminateOnNaN`: ends training as soon as a batch's loss is NaN or infinite; also after an epoch
 * whose validation loss is (the training loss can stay finite while the weights have overflowed).
 */
export class TerminateOnNaN extends Callback {
  readonly name = 'TerminateOnNaN';

  override async onBatchEnd(batch: number, logs: Logs): Promise<void> {
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      this.context.log(`Batch ${batch}: Invalid loss, terminating training`);
      this.context.stopTraining = true;
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const loss = logs.val_loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      this.context.log(`Epoch ${epoch + 1}: Invalid val_loss, terminating training`);
      this.context.stopTraining = true;
    }
  }
}

/** On unless the config says `terminateOnNaN: false`. */
export const terminateOnNaNEntry = callbackEntry({
  schema: z.boolean().default(true),
  build: (on) => (on ? new TerminateOnNaN() : undefined),
});
