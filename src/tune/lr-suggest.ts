import { VisionlabError } from '../errors.js';

/** One step of the learning-rate ramp. */
export interface LrFindPoint {
  learningRate: number;
  /** The batch's training loss. */
  loss: number;
  /** The loss smoothed as fastai does: a debiased exponential moving average. */
  smoothedLoss: number;
}

/** The rules fastai's `lr_find` offers for reading the curve. */
export const LR_RULES = ['valley', 'steep', 'minimum'] as const;
export type LrRule = (typeof LR_RULES)[number];

export const LR_RULE_DESCRIPTIONS: Record<LrRule, string> = {
  valley:
    "fastai's valley: inside the longest stretch where the smoothed loss keeps falling, the rate halfway between its first third and its middle",
  steep: "fastai's steep: where the smoothed loss falls fastest against log learning rate",
  minimum: "fastai's minimum: a tenth of the rate with the lowest smoothed loss",
};

/** fastai's smoothing: `avg = β·avg + (1-β)·loss`, divided by `1 - β^(i+1)` to remove the start-up bias. */
export class SmoothedLoss {
  private avg = 0;
  private count = 0;
  constructor(private readonly beta = 0.98) {}

  /** Adds a loss; returns the smoothed value so far. */
  push(loss: number): number {
    this.avg = this.beta * this.avg + (1 - this.beta) * loss;
    this.count++;
    return this.avg / (1 - this.beta ** this.count);
  }
}

export function smoothLosses(losses: readonly number[], beta = 0.98): number[] {
  const smoother = new SmoothedLoss(beta);
  return losses.map((loss) => smoother.push(loss));
}

/** Index of the valley rule's suggestion (fastai's `valley`: longest decreasing subsequence of the losses). */
function valleyIndex(losses: readonly number[]): number {
  const n = losses.length;
  const lds = new Array<number>(n).fill(1);
  let maxStart = 0;
  let maxEnd = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (losses[i] < losses[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1;
      if (lds[maxEnd] < lds[i]) {
        maxEnd = i;
        maxStart = maxEnd - lds[maxEnd];
      }
    }
  }
  const sections = (maxEnd - maxStart) / 3;
  return maxStart + Math.trunc(sections) + Math.trunc(sections / 2);
}

function steepIndex(lrs: readonly number[], losses: readonly number[]): number {
  let best = 0;
  let bestGrad = Infinity;
  for (let i = 0; i + 1 < losses.length; i++) {
    const grad = (losses[i + 1] - losses[i]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i]));
    if (grad < bestGrad) [best, bestGrad] = [i, grad];
  }
  return best;
}

/**
 * The suggested learning rate from a finished ramp, by fastai's rules. As fastai does, the first tenth
 * of the points and the last five are left out (start-up noise and the divergence).
 */
export function suggestLearningRate(points: readonly LrFindPoint[], rule: LrRule = 'valley'): number {
  const skipStart = Math.floor(points.length / 10);
  const kept = points.slice(skipStart, Math.max(skipStart + 3, points.length - 5));
  if (kept.length < 3) {
    throw new VisionlabError(
      `the learning-rate ramp has only ${points.length} points, too few to suggest a rate`,
      'Run more iterations (at least 10), or start the ramp lower.',
    );
  }
  const lrs = kept.map((p) => p.learningRate);
  const losses = kept.map((p) => p.smoothedLoss);
  if (rule === 'valley') return lrs[valleyIndex(losses)];
  if (rule === 'steep') return lrs[steepIndex(lrs, losses)];
  let min = 0;
  losses.forEach((l, i) => {
    if (l < losses[min]) min = i;
  });
  return lrs[min] / 10;
}
