import { VisionlabError } from '../errors.js';

/** Index of the largest value; the first one on ties (as numpy's argmax). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** Confusion matrix: `m[true][predicted]` counts, as scikit-learn's `confusion_matrix`. */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number,
): number[][] {
  if (labels.length !== predicted.length) {
    throw new VisionlabError(`confusionMatrix: ${labels.length} labels but ${predicted.length} predictions.`);
  }
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predicted[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses)) {
      throw new VisionlabError(
        `confusionMatrix: label ${t} or prediction ${p} at index ${i} is outside 0..${numClasses - 1}.`,
      );
    }
    m[t][p]++;
  }
  return m;
}
