import { getLearningRate, setLearningRate } from '../optimizers.js';
import { VisionlabError } from '../../errors.js';
import { z } from 'zod';
import type { CallbackState, Logs } from './callback.js';
import { optionalEntry, withDefaults } from './entry.js';
import {
  MonitorCallback,
  PLATEAU_DEFAULTS,
  plateauSchemaShape,
  type MonitorOptions,
} from './monitor-callback.js';
import { formatValue } from './format.js';

export interface ReduceLROnPlateauOptions extends MonitorOptions {
  /** New lr = lr × factor (below 1). */
  factor?: number;
  patience?: number;
  /** Epochs to wait after a reduction before counting again. */
  cooldown?: number;
  minLR?: number;
}

/** The defaults of the constructor and of the `reduceLr` config key alike. */
export const REDUCE_LR_DEFAULTS = {
  ...PLATEAU_DEFAULTS,
  minDelta: 1e-4,
  factor: 0.1,
  patience: 10,
  cooldown: 0,
  minLR: 0,
};

const D = REDUCE_LR_DEFAULTS;

export const reduceLrSchema = z
  .object({
    ...plateauSchemaShape(D),
    factor: z.number().gt(0).lt(1).default(D.factor),
    cooldown: z.number().int().min(0).default(D.cooldown),
    minLR: z.number().min(0).default(D.minLR),
  })
  .strict();

/**
 * Keras' `ReduceLROnPlateau`: multiplies the optimizer's learning rate by `factor` (never below
 * `minLR`) after `patience` epochs without improvement, in place, so Adam/RMSprop moments are kept.
 */
export class ReduceLROnPlateau extends MonitorCallback {
  readonly name = 'ReduceLROnPlateau';
  readonly factor: number;
  readonly patience: number;
  readonly cooldown: number;
  readonly minLR: number;
  wait = 0;
  cooldownCounter = 0;
  best = Infinity;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    super(options, D);
    const o = withDefaults(D, options);
    this.factor = o.factor;
    if (!(this.factor < 1 && this.factor > 0)) {
      throw new VisionlabError(
        `ReduceLROnPlateau factor ${this.factor} is out of range`,
        'give a factor between 0 and 1 (exclusive), e.g. 0.5 to halve the learning rate',
      );
    }
    this.patience = o.patience;
    this.cooldown = o.cooldown;
    this.minLR = o.minLR;
    this.reset();
  }

  private reset(): void {
    this.best = this.worstValue();
    this.cooldownCounter = 0;
    this.wait = 0;
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
    if (this.isImprovement(current, this.best)) {
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
    this.best = j.best ?? this.worstValue();
  }
}

export const reduceLrEntry = optionalEntry(
  reduceLrSchema,
  '--reduce-lr',
  'ReduceLROnPlateau, e.g. factor=0.5,patience=3,min-lr=1e-5 (monitor, cooldown, min-delta)',
  (options) => new ReduceLROnPlateau(options),
);
