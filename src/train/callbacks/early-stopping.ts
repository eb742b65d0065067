import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { CallbackState, Logs } from './callback.js';
import { optionalEntry, withDefaults } from './entry.js';
import {
  MonitorCallback,
  PLATEAU_DEFAULTS,
  plateauSchemaShape,
  type MonitorOptions,
} from './monitor-callback.js';
import { copyWeights, restoreWeights } from './weights.js';

export interface EarlyStoppingOptions extends MonitorOptions {
  patience?: number;
  /** Training stops unless the monitored value beats this within `patience` epochs. */
  baseline?: number;
  /** Put back the weights of the best epoch when training ends, however it ends. */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching at all (a warm-up). */
  startFromEpoch?: number;
}

/** The defaults of the constructor and of the `earlyStopping` config key alike. */
export const EARLY_STOPPING_DEFAULTS = {
  ...PLATEAU_DEFAULTS,
  minDelta: 0,
  patience: 0,
  restoreBestWeights: false,
  startFromEpoch: 0,
};

const D = EARLY_STOPPING_DEFAULTS;

export const earlyStoppingSchema = z
  .object({
    ...plateauSchemaShape(D),
    baseline: z.number().optional(),
    restoreBestWeights: z.boolean().default(D.restoreBestWeights),
    startFromEpoch: z.number().int().min(0).default(D.startFromEpoch),
  })
  .strict();

/**
 * Keras' `EarlyStopping` (Keras 3 semantics): stops after `patience` epochs without an improvement
 * of more than `minDelta`, and with `restoreBestWeights` restores the best epoch's weights at the end
 * of training whether it stopped early or ran out of epochs.
 */
export class EarlyStopping extends MonitorCallback {
  readonly name = 'EarlyStopping';
  readonly patience: number;
  readonly baseline?: number;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  wait = 0;
  stoppedEpoch = 0;
  best?: number;
  bestEpoch = 0;
  private bestWeights?: tf.Tensor[];

  constructor(options: EarlyStoppingOptions = {}) {
    super(options, D);
    const o = withDefaults(D, options);
    this.patience = o.patience;
    this.baseline = options.baseline;
    this.restoreBestWeights = o.restoreBestWeights;
    this.startFromEpoch = o.startFromEpoch;
  }

  override async onTrainBegin(): Promise<void> {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = undefined;
    this.bestEpoch = 0;
    this.disposeBest();
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const current = this.monitoredValue(this.monitor, logs);
    if (current === undefined) return;
    if (epoch < this.startFromEpoch) return;
    // Keras 3: when best weights were never recorded, the current ones are the best.
    if (this.restoreBestWeights && !this.bestWeights) this.bestWeights = copyWeights(this.model);
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) {
        this.disposeBest();
        this.bestWeights = copyWeights(this.model);
      }
      // Restart the wait only when the value beats both the previous best and the baseline.
      if (this.baseline === undefined || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.context.stopTraining = true;
    }
  }

  override async onTrainEnd(): Promise<void> {
    if (this.stoppedEpoch > 0 && this.verbose > 0) {
      this.context.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    }
    if (this.restoreBestWeights && this.bestWeights) {
      if (this.verbose > 0) {
        this.context.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      }
      restoreWeights(this.model, this.bestWeights);
      this.context.restoredEpoch = this.bestEpoch + 1;
    }
  }

  override getState(): CallbackState {
    return {
      json: {
        wait: this.wait,
        stoppedEpoch: this.stoppedEpoch,
        best: this.best ?? null,
        bestEpoch: this.bestEpoch,
      },
      tensors: this.bestWeights,
    };
  }

  override setState(state: CallbackState): void {
    const j = state.json as { wait: number; stoppedEpoch: number; best: number | null; bestEpoch: number };
    this.wait = j.wait;
    this.stoppedEpoch = j.stoppedEpoch;
    this.best = j.best ?? undefined;
    this.bestEpoch = j.bestEpoch;
    this.disposeBest();
    this.bestWeights = state.tensors?.length ? state.tensors : undefined;
  }

  private disposeBest(): void {
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = undefined;
  }

  override dispose(): void {
    this.disposeBest();
  }
}

export const earlyStoppingEntry = optionalEntry(
  earlyStoppingSchema,
  '--early-stopping',
  'e.g. patience=7,restore-best (monitor, min-delta, mode, baseline, start-from-epoch)',
  (options) => new EarlyStopping(options),
);
