import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import { VisionlabError } from '../errors.js';
import { Callback, type Logs } from '../train/callbacks/callback.js';
import { copyWeights, restoreWeights } from '../train/callbacks/weights.js';
import { fit } from '../train/fit.js';
import { makeOptimizer, setLearningRate, type OptimizerSpec } from '../train/optimizers.js';
import {
  LR_RULE_DESCRIPTIONS,
  SmoothedLoss,
  suggestLearningRate,
  type LrFindPoint,
  type LrRule,
} from './lr-suggest.js';

export interface LrFindOptions {
  /** First and last rate of the exponential ramp (fastai: 1e-7 and 10). */
  startLr?: number;
  endLr?: number;
  /** Batches in the ramp (default 200; the data are cycled when they hold fewer). */
  iterations?: number;
  /** Stop once the smoothed loss exceeds this many times its lowest value (fastai: 4). */
  divergence?: number;
  /** Smoothing factor of the loss (fastai: 0.98). */
  beta?: number;
  /** The optimizer to ramp (default Adam); a fresh one, so the model's own optimizer is never touched. */
  optimizer?: Omit<OptimizerSpec, 'learningRate'>;
  rule?: LrRule;
  /** Class weights of the training loss, as in `fit`. */
  classWeight?: Record<number, number>;
}

export interface LrFindResult {
  suggestion: number;
  rule: LrRule;
  /** What the rule does, in a sentence. */
  ruleDescription: string;
  points: LrFindPoint[];
  /** Why the ramp ended: all iterations ran, or the loss diverged. */
  stoppedBy: 'iterations' | 'divergence';
}

/** Sets each batch's rate on the ramp and records the batch loss; stops on divergence. */
export class LrRamp extends Callback {
  readonly name = 'LrRamp';
  readonly lrs: number[] = [];
  readonly losses: number[] = [];
  readonly smoothed: number[] = [];
  diverged = false;
  private readonly smoother: SmoothedLoss;
  private epochExamples = 0;
  private epochSum = 0;

  constructor(
    private readonly schedule: (i: number) => number,
    private readonly iterations: number,
    private readonly divergence: number,
    beta: number,
  ) {
    super();
    this.smoother = new SmoothedLoss(beta);
  }

  override async onEpochBegin(): Promise<void> {
    this.epochExamples = 0;
    this.epochSum = 0;
  }

  override async onBatchBegin(): Promise<void> {
    const lr = this.schedule(this.lrs.length);
    setLearningRate(this.context.optimizer, lr);
    this.lrs.push(lr);
  }

  override async onBatchEnd(_batch: number, logs: Logs): Promise<void> {
    // fit reports the running mean over the epoch; the batch's own loss is what it added to the sum.
    this.epochExamples += logs.size;
    const sum = logs.loss * this.epochExamples;
    const loss = (sum - this.epochSum) / logs.size;
    this.epochSum = sum;
    const best = Math.min(...this.smoothed);
    const smoothed = this.smoother.push(loss);
    this.losses.push(loss);
    this.smoothed.push(smoothed);
    if (!Number.isFinite(smoothed) || smoothed > this.divergence * best) this.diverged = true;
    if (this.diverged || this.losses.length >= this.iterations) this.context.stopTraining = true;
  }
}

/**
 * fastai's learning-rate finder: trains on an exponential ramp of rates from `startLr` to `endLr`, one
 * batch each, records the smoothed loss, stops when it diverges, and suggests a rate by `rule`. The
 * model's weights (BatchNormalization statistics included) are restored afterwards, and the model's
 * own optimizer is not used.
 */
export async function lrFind(
  model: LayersModel,
  data: ImageDataset,
  options: LrFindOptions = {},
): Promise<LrFindResult> {
  const { startLr = 1e-7, endLr = 10, iterations = 200, divergence = 4, beta = 0.98 } = options;
  const rule = options.rule ?? 'valley';
  if (!(startLr > 0 && endLr > startLr)) {
    throw new VisionlabError(`lrFind needs 0 < startLr < endLr, got ${startLr} and ${endLr}`);
  }
  if (!Number.isInteger(iterations) || iterations < 10) {
    throw new VisionlabError(`lrFind iterations=${iterations}: use a whole number of at least 10`);
  }
  const schedule = (i: number) => startLr * (endLr / startLr) ** (i / (iterations - 1));
  const ramp = new LrRamp(schedule, iterations, divergence, beta);
  const saved = copyWeights(model);
  const optimizer = makeOptimizer({ name: 'adam', ...options.optimizer, learningRate: startLr });
  try {
    await fit(model, data, {
      epochs: Math.ceil(iterations / data.numBatches()),
      optimizer,
      callbacks: [ramp],
      classWeight: options.classWeight,
      verbose: 0,
    });
  } finally {
    restoreWeights(model, saved);
    for (const t of saved) t.dispose();
    optimizer.dispose();
  }
  const points = ramp.losses.map((loss, i) => ({
    learningRate: ramp.lrs[i],
    loss,
    smoothedLoss: ramp.smoothed[i],
  }));
  return {
    suggestion: suggestLearningRate(points, rule),
    rule,
    ruleDescription: LR_RULE_DESCRIPTIONS[rule],
    points,
    stoppedBy: ramp.diverged ? 'divergence' : 'iterations',
  };
}
