import { getLearningRate, setLearningRate } from '../optimizers.js';
import { Callback, resolveMode, type CallbackState, type Logs, type MonitorMode } from './callback.js';
import { formatValue } from './format.js';

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  /** New lr = lr × factor (below 1). */
  factor?: number;
  patience?: number;
  mode?: MonitorMode;
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. */
  cooldown?: number;
  minLR?: number;
  verbose?: 0 | 1;
}

/**
 * Keras' `ReduceLROnPlateau`: multiplies the optimizer's learning rate by `factor` (never below
 * `minLR`) after `patience` epochs without improvement, in place, so Adam/RMSprop moments are kept.
 */
export class ReduceLROnPlateau extends Callback {
  readonly name = 'ReduceLROnPlateau';
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLR: number;
  readonly verbose: 0 | 1;
  wait = 0;
  cooldownCounter = 0;
  best = Infinity;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    super();
    this.monitor = options.monitor ?? 'val_loss';
    this.factor = options.factor ?? 0.1;
    if (!(this.factor < 1 && this.factor > 0)) {
      throw new RangeError(`ReduceLROnPlateau does not support a factor ≥ 1 or ≤ 0 (got ${this.factor})`);
    }
    this.patience = options.patience ?? 10;
    this.mode = resolveMode(options.mode ?? 'auto', this.monitor);
    this.minDelta = options.minDelta ?? 1e-4;
    this.cooldown = options.cooldown ?? 0;
    this.minLR = options.minLR ?? 0;
    this.verbose = options.verbose ?? 0;
    this.reset();
  }

  private reset(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.cooldownCounter = 0;
    this.wait = 0;
  }

  private improved(current: number): boolean {
    return this.mode === 'min' ? current < this.best - this.minDelta : current > this.best + this.minDelta;
  }

  override async onTrainBegin(): Promise<void> {
    this.reset();
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const current = this.monitoredValue(this.monitor, logs);
    if (current === undefined) return;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.improved(current)) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter <= 0) {
      this.wait += 1;
      if (this.wait >= this.patience) {
        const optimizer = this.context.optimizer;
        const oldLR = getLearningRate(optimizer);
        // Keras compares in float32: an lr already at minLR is left alone.
        if (Math.fround(oldLR) > Math.fround(this.minLR)) {
          const newLR = Math.max(oldLR * this.factor, this.minLR);
          setLearningRate(optimizer, newLR);
          if (this.verbose > 0) {
            this.context.log(
              `Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${formatValue(newLR)}.`,
            );
          }
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }

  override getState(): CallbackState {
    return { json: { wait: this.wait, cooldownCounter: this.cooldownCounter, best: this.best } };
  }

  override setState(state: CallbackState): void {
    const j = state.json as { wait: number; cooldownCounter: number; best: number | null };
    this.wait = j.wait;
    this.cooldownCounter = j.cooldownCounter;
    // JSON has no Infinity: null stands for "no best yet".
    this.best = j.best ?? (this.mode === 'min' ? Infinity : -Infinity);
  }
}
