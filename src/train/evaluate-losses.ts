import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import type { Logs } from './callbacks/callback.js';
import { accumulate, newTotals, totalsToLogs } from './epoch-totals.js';
import {
  batchLabels,
  disposeBatch,
  outputNamesOf,
  resolveLosses,
  resolveLossWeights,
  type LossWeights,
} from './fit-setup.js';
import type { LossName } from './losses.js';
import { evalStep } from './train-step.js';

/** Loss and accuracy of `model` over `dataset` (Keras' `evaluate`), with the `val_` prefix when asked. */
export async function evaluateLosses(
  model: LayersModel,
  dataset: ImageDataset,
  options: { loss?: LossName | LossName[]; lossWeights?: LossWeights; prefix?: string } = {},
): Promise<Logs> {
  const outputNames = outputNamesOf(model);
  const losses = resolveLosses(model, options.loss);
  const lossWeights = resolveLossWeights(options.lossWeights, outputNames);
  const totals = newTotals(outputNames.length);
  for await (const batch of dataset.batches(0)) {
    const labels = batchLabels(dataset, batch);
    const packed = evalStep(model, batch.x, labels, losses, lossWeights);
    accumulate(totals, await packed.data(), batch.indices.length, outputNames.length);
    tf.dispose([packed, labels]);
    disposeBatch(batch);
  }
  return totalsToLogs(totals, outputNames, options.prefix ?? '');
}
