import type { CurvePoint } from './types.js';

/** Cumulative true/false positives at each distinct score, from the highest score down. */
interface Sweep {
  thresholds: number[];
  tp: number[];
  fp: number[];
  positives: number;
  negatives: number;
}

/** One pass over the scores sorted in descending order; tied scores form one threshold. */
function sweep(scores: ArrayLike<number>, positive: ArrayLike<boolean>): Sweep {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const out: Sweep = { thresholds: [], tp: [], fp: [], positives: 0, negatives: 0 };
  let tp = 0;
  let fp = 0;
  for (let n = 0; n < order.length; n++) {
    const i = order[n];
    if (positive[i]) tp++;
    else fp++;
    const next = order[n + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      out.thresholds.push(scores[i]);
      out.tp.push(tp);
      out.fp.push(fp);
    }
  }
  out.positives = tp;
  out.negatives = fp;
  return out;
}

/** ROC curve (x = FPR, y = TPR) over every distinct score, starting at (0, 0) with threshold +∞, as scikit-learn's `roc_curve`. */
export function rocCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean>): CurvePoint[] {
  const s = sweep(scores, positive);
  const points: CurvePoint[] = [{ threshold: Number.POSITIVE_INFINITY, x: 0, y: 0 }];
  s.thresholds.forEach((threshold, i) => {
    points.push({
      threshold,
      x: s.negatives === 0 ? 0 : s.fp[i] / s.negatives,
      y: s.positives === 0 ? 0 : s.tp[i] / s.positives,
    });
  });
  return points;
}

/** Area under the ROC curve by the trapezoidal rule (tied scores count one half); null without both classes. */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number | null {
  const s = sweep(scores, positive);
  if (s.positives === 0 || s.negatives === 0) return null;
  let area = 0;
  let prevX = 0;
  let prevY = 0;
  s.thresholds.forEach((_, i) => {
    const x = s.fp[i] / s.negatives;
    const y = s.tp[i] / s.positives;
    area += ((x - prevX) * (y + prevY)) / 2;
    prevX = x;
    prevY = y;
  });
  return area;
}

/** Precision–recall curve (x = recall, y = precision), one point per distinct score, highest threshold first. */
export function precisionRecallCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean>): CurvePoint[] {
  const s = sweep(scores, positive);
  return s.thresholds.map((threshold, i) => ({
    threshold,
    x: s.positives === 0 ? 0 : s.tp[i] / s.positives,
    y: s.tp[i] / (s.tp[i] + s.fp[i]),
  }));
}

/**
 * Average precision, scikit-learn's `average_precision_score`: Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct
 * thresholds, a step-wise area without interpolation; null when there is no positive example.
 */
export function averagePrecision(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number | null {
  const s = sweep(scores, positive);
  if (s.positives === 0) return null;
  let ap = 0;
  let prevRecall = 0;
  s.thresholds.forEach((_, i) => {
    const recall = s.tp[i] / s.positives;
    ap += (recall - prevRecall) * (s.tp[i] / (s.tp[i] + s.fp[i]));
    prevRecall = recall;
  });
  return ap;
}

/** At most `max` points of a curve, evenly spaced, always keeping the first and the last. */
export function thinCurve(points: readonly CurvePoint[], max = 1000): CurvePoint[] {
  if (points.length <= max) return [...points];
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * step)]);
}

export { sweep as thresholdSweep };
