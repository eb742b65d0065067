const EPSILON = 1e-15;

/** Mean cross-entropy −log p(true class), with probabilities clipped to [1e-15, 1] so a confident miss stays finite. */
export function logLoss(labels: ArrayLike<number>, probabilities: readonly ArrayLike<number>[]): number {
  if (labels.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i][labels[i]];
    sum -= Math.log(Math.min(1, Math.max(EPSILON, p)));
  }
  return sum / labels.length;
}
