import type { Logs } from './callbacks/callback.js';

/** Running sums of an epoch, so a resumed epoch logs the same loss as an uninterrupted one. */
export interface EpochTotals {
  /** Sum over batches of (batch loss × batch size), total at index 0 then per output. */
  loss: number[];
  correct: number[];
  count: number;
}

export function newTotals(outputs: number): EpochTotals {
  return { loss: new Array(outputs + 1).fill(0), correct: new Array(outputs).fill(0), count: 0 };
}

/** Adds one batch's `[total loss, loss per output…, correct per output…]` (a step's output) to the totals. */
export function accumulate(
  totals: EpochTotals,
  values: Float32Array | Int32Array | Uint8Array,
  size: number,
  outputs: number,
): void {
  for (let i = 0; i <= outputs; i++) totals.loss[i] += values[i] * size;
  for (let i = 0; i < outputs; i++) totals.correct[i] += values[1 + outputs + i];
  totals.count += size;
}

/** Keras' log names: `loss`, `accuracy`, and per output `<name>_loss`/`<name>_accuracy` when there are several. */
export function totalsToLogs(t: EpochTotals, outputNames: string[], prefix = ''): Logs {
  const n = Math.max(1, t.count);
  const logs: Logs = { [`${prefix}loss`]: t.loss[0] / n, [`${prefix}accuracy`]: t.correct[0] / n };
  if (outputNames.length > 1) {
    outputNames.forEach((name, i) => {
      logs[`${prefix}${name}_loss`] = t.loss[i + 1] / n;
      logs[`${prefix}${name}_accuracy`] = t.correct[i] / n;
    });
  }
  return logs;
}
