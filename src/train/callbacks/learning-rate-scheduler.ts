import { getLearningRate, setLearningRate } from '../optimizers.js';
import { z } from 'zod';
import { VisionlabError } from '../../errors.js';
import { Callback, type Logs } from './callback.js';
import { callbackEntry } from './entry.js';
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
    if (!Number.isFinite(lr)) {
      throw new VisionlabError(
        `the learning-rate schedule returned ${lr} for epoch ${epoch + 1}`,
        'Make the schedule return a finite number for every epoch.',
      );
    }
    setLearningRate(this.context.optimizer, lr);
    if (this.verbose > 0)
      this.context.log(
        `Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${formatValue(lr)}.`,
      );
  }
}

/** The defaults of `cosineDecay` and of the `lrSchedule` config key alike. */
export const LR_SCHEDULE_DEFAULTS = {
  type: 'cosine' as 'cosine' | 'constant',
  warmupEpochs: 0,
  /** Warm-up starts at the learning rate × this. */
  warmupFrom: 0.1,
  alpha: 0,
};

const D = LR_SCHEDULE_DEFAULTS;

export const lrScheduleSchema = z
  .object({
    type: z.enum(['cosine', 'constant']).default(D.type),
    /** Epochs of linear warm-up from `learningRate` × `warmupFrom` up to `learningRate`. */
    warmupEpochs: z.number().int().min(0).default(D.warmupEpochs),
    warmupFrom: z.number().min(0).default(D.warmupFrom),
    /** Final learning rate as a fraction of the peak. */
    alpha: z.number().min(0).max(1).default(D.alpha),
    /** Epochs of the cosine decay after warm-up; default: the remaining epochs. */
    decayEpochs: z.number().int().min(1).optional(),
  })
  .strict();

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
  const {
    initialLearningRate,
    decayEpochs,
    alpha = LR_SCHEDULE_DEFAULTS.alpha,
    warmupEpochs = LR_SCHEDULE_DEFAULTS.warmupEpochs,
  } = options;
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

/** `lrSchedule: {type: 'cosine', …}`: cosine decay from the initial learning rate (Adam's 0.001 when none is given). */
export const lrScheduleEntry = callbackEntry({
  schema: lrScheduleSchema.optional(),
  flag: {
    name: '--lr-schedule',
    help: 'cosine decay with warm-up, e.g. type=cosine,warmup=3,alpha=0.01',
  },
  build: (s, run) => {
    if (s.type !== 'cosine') return undefined;
    const peak = run.learningRate ?? 0.001;
    return new LearningRateScheduler(
      cosineDecay({
        initialLearningRate: s.warmupEpochs > 0 ? peak * s.warmupFrom : peak,
        warmupTarget: peak,
        warmupEpochs: s.warmupEpochs,
        decayEpochs: s.decayEpochs ?? Math.max(1, run.epochs - s.warmupEpochs),
        alpha: s.alpha,
      }),
    );
  },
});
