/** Precision, recall, F1 and support per class from a confusion matrix (`m[true][predicted]`). */
export interface PrecisionRecallF1 {
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
}

/** Divides, returning 0 when the denominator is 0 (scikit-learn's default `zero_division`). */
function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** Per-class precision/recall/F1 as scikit-learn's `precision_recall_fscore_support` (0 where undefined). */
export function precisionRecallF1(matrix: readonly (readonly number[])[]): PrecisionRecallF1 {
  const k = matrix.length;
  const out: PrecisionRecallF1 = { precision: [], recall: [], f1: [], support: [] };
  for (let c = 0; c < k; c++) {
    const tp = matrix[c][c];
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < k; j++) {
      predicted += matrix[j][c];
      actual += matrix[c][j];
    }
    out.precision.push(ratio(tp, predicted));
    out.recall.push(ratio(tp, actual));
    out.f1.push(ratio(2 * tp, predicted + actual));
    out.support.push(actual);
  }
  return out;
}

/** Accuracy: the trace of the confusion matrix over its total. */
export function accuracyFromMatrix(matrix: readonly (readonly number[])[]): number {
  let correct = 0;
  let total = 0;
  matrix.forEach((row, i) => {
    correct += row[i];
    for (const v of row) total += v;
  });
  return ratio(correct, total);
}

/** Unweighted mean over every value (scikit-learn's `macro`). */
export function macroAverage(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Mean weighted by `weights` (scikit-learn's `weighted`, with supports as weights). */
export function weightedAverage(values: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  let total = 0;
  values.forEach((v, i) => {
    sum += v * weights[i];
    total += weights[i];
  });
  return ratio(sum, total);
}
