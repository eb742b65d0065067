import { getLearningRate, setLearningRate } from '../optimizers.js';
import { Callback, type Logs } from './callback.js';
import { formatValue } from './format.js';

/** Learning rate of a 0-based epoch, given the current one (Keras' `schedule(epoch, lr)`). */
export type Schedule = (epoch: number, lr: number) => number;

/** Keras' `LearningRateScheduler`: sets the learning rate at the start of every epoch. */
export class LearningRateScheduler extends Callback {
  readonly name = 'LearningRateScheduler';

  constructor(
    private readonly schedule: Schedule,
    private readonly verbose: 0 | 1 = 0,
  ) {
    super();
  }

  override async onEpochBegin(epoch: number, _logs?: Logs): Promise<void> {
    const lr = this.schedule(epoch, getLearningRate(this.context.optimizer));
    if (!Number.isFinite(lr))
      throw new Error(`the learning-rate schedule returned ${lr} for epoch ${epoch + 1}`);
    setLearningRate(this.context.optimizer, lr);
    if (this.verbose > 0)
      this.context.log(
        `Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${formatValue(lr)}.`,
      );
  }
}

export interface CosineDecayOptions {
  /** Learning rate at the start (of warm-up when there is one, else of the decay). */
  initialLearningRate: number;
  /** Epochs over which the rate decays (after warm-up). */
  decayEpochs: number;
  /** Final rate as a fraction of the peak. Default 0. */
  alpha?: number;
  /** Epochs of linear warm-up before the decay. Default 0. */
  warmupEpochs?: number;
  /** Peak reached at the end of warm-up; default `initialLearningRate`. */
  warmupTarget?: number;
}

/**
 * Keras' `CosineDecay` with linear warm-up, per epoch: during warm-up the rate rises linearly from
 * `initialLearningRate` to `warmupTarget`; then it follows half a cosine from the peak down to
 * `alpha × peak` over `decayEpochs`, and stays there.
 */
export function cosineDecay(options: CosineDecayOptions): Schedule {
  const { initialLearningRate, decayEpochs, alpha = 0, warmupEpochs = 0 } = options;
  const peak = options.warmupTarget ?? initialLearningRate;
  return (epoch) => {
    if (epoch < warmupEpochs) {
      return initialLearningRate + ((peak - initialLearningRate) * epoch) / warmupEpochs;
    }
    const step = Math.min(epoch - warmupEpochs, decayEpochs);
    const cosine = 0.5 * (1 + Math.cos((Math.PI * step) / decayEpochs));
    return peak * ((1 - alpha) * cosine + alpha);
  };
}

/** Linear warm-up from `from` to `to` over `epochs`, then `to` (compose with another schedule with `after`). */
export function linearWarmup(options: {
  from: number;
  to: number;
  epochs: number;
  after?: Schedule;
}): Schedule {
  return (epoch, lr) => {
    if (epoch < options.epochs) return options.from + ((options.to - options.from) * epoch) / options.epochs;
    return options.after ? options.after(epoch - options.epochs, lr) : options.to;
  };
}
