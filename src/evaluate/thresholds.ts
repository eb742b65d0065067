import { thresholdSweep } from './ranking.js';
import type { F1Threshold, YoudenThreshold } from './types.js';

/**
 * The probability threshold (predict positive when score ≥ threshold) that maximises F1 over every
 * distinct score; on equal F1 the higher threshold wins. Null without positive examples.
 */
export function bestF1Threshold(scores: ArrayLike<number>, positive: ArrayLike<boolean>): F1Threshold | null {
  const s = thresholdSweep(scores, positive);
  if (s.positives === 0) return null;
  let best: F1Threshold | null = null;
  s.thresholds.forEach((threshold, i) => {
    const tp = s.tp[i];
    const fp = s.fp[i];
    const fn = s.positives - tp;
    const f1 = (2 * tp) / (2 * tp + fp + fn);
    if (best === null || f1 > best.f1) {
      best = { threshold, f1, precision: tp / (tp + fp), recall: tp / s.positives };
    }
  });
  return best;
}

/**
 * The threshold that maximises Youden's J = TPR − FPR over every distinct score; on equal J the
 * higher threshold wins. Null unless both classes are present.
 */
export function youdenThreshold(
  scores: ArrayLike<number>,
  positive: ArrayLike<boolean>,
): YoudenThreshold | null {
  const s = thresholdSweep(scores, positive);
  if (s.positives === 0 || s.negatives === 0) return null;
  let best: YoudenThreshold | null = null;
  s.thresholds.forEach((threshold, i) => {
    const tpr = s.tp[i] / s.positives;
    const fpr = s.fp[i] / s.negatives;
    const j = tpr - fpr;
    if (best === null || j > best.j) best = { threshold, j, tpr, fpr };
  });
  return best;
}
