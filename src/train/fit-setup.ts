import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Batch, ImageDataset } from '../data/types.js';
import { VisionlabError } from '../errors.js';
import { defaultLossFor, type LossName } from './losses.js';
import { makeOptimizer, type OptimizerName, type OptimizerSpec } from './optimizers.js';

/** Weight of each output's loss in the total, by position or by output name. */
export type LossWeights = number[] | Record<string, number>;

export function resolveLossWeights(weights: LossWeights | undefined, outputNames: string[]): number[] {
  if (weights === undefined) return outputNames.map(() => 1);
  if (Array.isArray(weights)) {
    if (weights.length !== outputNames.length) {
      throw new VisionlabError(
        `lossWeights has ${weights.length} entries but the model has ${outputNames.length} outputs (${outputNames.join(', ')})`,
      );
    }
    return weights;
  }
  for (const key of Object.keys(weights)) {
    if (!outputNames.includes(key)) {
      throw new VisionlabError(
        `lossWeights names "${key}", which is not an output (${outputNames.join(', ')})`,
      );
    }
  }
  return outputNames.map((n) => weights[n] ?? 1);
}

export function resolveOptimizer(
  model: LayersModel,
  spec: tf.Optimizer | OptimizerSpec | OptimizerName | undefined,
): tf.Optimizer {
  if (spec === undefined) {
    const compiled = (model as unknown as { optimizer_?: tf.Optimizer }).optimizer_;
    return compiled ?? makeOptimizer('adam');
  }
  if (typeof spec === 'string' || !('minimize' in spec)) return makeOptimizer(spec);
  return spec;
}

/** Output layer names (a Sequential model may not fill `outputNames` until compiled). */
export function outputNamesOf(model: LayersModel): string[] {
  const names = model.outputNames;
  if (Array.isArray(names) && names.length === model.outputs.length) return names;
  return model.outputs.map((o) => o.sourceLayer.name);
}

function outputUnits(model: LayersModel): number[] {
  return model.outputs.map((o) => o.shape[o.shape.length - 1] ?? 1);
}

export function resolveLosses(model: LayersModel, loss: LossName | LossName[] | undefined): LossName[] {
  const units = outputUnits(model);
  if (loss === undefined) return units.map(defaultLossFor);
  if (typeof loss === 'string') return units.map(() => loss);
  if (loss.length !== units.length) {
    throw new VisionlabError(`loss lists ${loss.length} losses but the model has ${units.length} outputs`);
  }
  return loss;
}

/** `auto` (and nothing) is a progress bar in a terminal and one line per epoch elsewhere. */
export function resolveVerbose(verbose: 0 | 1 | 2 | 'auto' | undefined): 0 | 1 | 2 {
  if (verbose === 'auto' || verbose === undefined) return process.stdout.isTTY ? 1 : 2;
  return verbose;
}

/** Class index of each example of the batch, from the dataset's labels. */
export function batchLabels(dataset: ImageDataset, batch: Batch): tf.Tensor1D {
  const labels = new Int32Array(batch.indices.length);
  for (let i = 0; i < labels.length; i++) labels[i] = dataset.labels[batch.indices[i]];
  return tf.tensor1d(labels, 'int32');
}

export function sampleWeightsFor(
  dataset: ImageDataset,
  batch: Batch,
  classWeight: Record<number, number> | undefined,
): tf.Tensor1D | undefined {
  if (!classWeight) return undefined;
  const w = new Float32Array(batch.indices.length);
  for (let i = 0; i < w.length; i++) w[i] = classWeight[dataset.labels[batch.indices[i]]] ?? 1;
  return tf.tensor1d(w);
}

export function disposeBatch(batch: Batch): void {
  batch.x.dispose();
  batch.y?.dispose();
}
