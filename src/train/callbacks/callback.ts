import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EpochRecord } from '../types.js';

/** Metric values by Keras name (`loss`, `accuracy`, `val_loss`, `val_accuracy`, `lr`…). */
export type Logs = Record<string, number>;

/** What a callback sees of the run in progress. */
export interface TrainingContext {
  model: LayersModel;
  optimizer: tf.Optimizer;
  /** Set to true to end training after the current epoch (Keras' `model.stop_training`). */
  stopTraining: boolean;
  epochs: number;
  /** Batches per epoch. */
  steps: number;
  /** Finished epochs so far. */
  history: EpochRecord[];
  /** The 1-based epoch whose weights the model holds after EarlyStopping restored the best ones. */
  restoredEpoch?: number;
  /** Prints one line without breaking the progress bar. */
  log(line: string): void;
}

/** JSON state a callback hands to a checkpoint, plus tensors (such as the best weights so far). */
export interface CallbackState {
  json: Record<string, unknown>;
  tensors?: tf.Tensor[];
}

/**
 * Keras' `Callback`, in TypeScript casing. Epoch and batch indices are 0-based as in Keras;
 * `EpochRecord.epoch` in the history is 1-based.
 */
export abstract class Callback {
  /** Name used to match this callback's saved state on resume. */
  abstract readonly name: string;
  protected context!: TrainingContext;

  setContext(context: TrainingContext): void {
    this.context = context;
  }

  get model(): LayersModel {
    return this.context.model;
  }

  /** `logs[monitor]`; when it is missing, logs Keras' warning naming what is available and returns undefined. */
  protected monitoredValue(monitor: string, logs: Logs): number | undefined {
    const value = logs[monitor];
    if (value === undefined) {
      this.context.log(
        `warning: ${this.name} is conditioned on "${monitor}", which is not available; available: ${Object.keys(logs).join(', ')}`,
      );
    }
    return value;
  }

  async onTrainBegin(_logs?: Logs): Promise<void> {}
  async onTrainEnd(_logs?: Logs): Promise<void> {}
  async onEpochBegin(_epoch: number, _logs?: Logs): Promise<void> {}
  async onEpochEnd(_epoch: number, _logs: Logs): Promise<void> {}
  async onBatchBegin(_batch: number, _logs?: Logs): Promise<void> {}
  async onBatchEnd(_batch: number, _logs: Logs): Promise<void> {}

  /** What a checkpoint must keep to continue exactly; the default keeps nothing. */
  getState(): CallbackState {
    return { json: {} };
  }

  /** Restores `getState()`'s output (called after `onTrainBegin` on resume); takes ownership of the tensors. */
  setState(_state: CallbackState): void {}

  /** Frees tensors the callback holds. */
  dispose(): void {}
}

export type MonitorMode = 'auto' | 'min' | 'max';

/** Keras' rule for `mode: 'auto'`: maximise accuracy-like metrics, minimise everything else. */
export function resolveMode(mode: MonitorMode, monitor: string): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return /acc|auc|fmeasure|precision|recall/.test(monitor) ? 'max' : 'min';
}
