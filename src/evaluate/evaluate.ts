import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import type { PreprocessMode } from '../models/types.js';
import { VisionlabError } from '../errors.js';
import { layersPredictor } from './inference.js';
import { computeMetrics } from './metrics.js';
import type { EvaluationMetrics } from './types.js';

export interface EvaluateOptions {
  /** `preprocessInput` mode applied to each batch (0–255 pixels) before the model; none when omitted. */
  preprocessing?: PreprocessMode;
  /** Called after each batch with the examples done so far. */
  onProgress?: (done: number, total: number) => void;
}

/** The model's output for every example it could read, in dataset order. */
export interface Predictions {
  /** Dataset index of each evaluated example (unreadable files are absent). */
  indices: Int32Array;
  sources: string[];
  labels: Int32Array;
  /** One row per example, one probability per class. */
  probabilities: number[][];
}

export interface EvaluationResult {
  metrics: EvaluationMetrics;
  predictions: Predictions;
}

/** Runs the model over every batch of `dataset` and collects class probabilities. */
export async function predictDataset(
  model: LayersModel,
  dataset: ImageDataset,
  options: EvaluateOptions = {},
): Promise<Predictions> {
  const predictor = layersPredictor(model, {
    preprocessing: options.preprocessing,
    classNames: dataset.classNames,
  });
  const indices: number[] = [];
  const probabilities: number[][] = [];
  for await (const batch of dataset.batches(0)) {
    try {
      const probs = await predictor.probabilities(batch.x);
      const values = (await probs.array()) as number[][];
      probs.dispose();
      probabilities.push(...values);
      indices.push(...batch.indices);
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
    options.onProgress?.(indices.length, dataset.length);
  }
  const order = Int32Array.from(indices.keys()).sort((a, b) => indices[a] - indices[b]);
  const sorted = Int32Array.from(order, (i) => indices[i]);
  return {
    indices: sorted,
    sources: Array.from(sorted, (i) => dataset.sources[i]),
    labels: Int32Array.from(sorted, (i) => dataset.labels[i]),
    probabilities: Array.from(order, (i) => probabilities[i]),
  };
}

/** Test metrics of `model` over `dataset` (Keras' `evaluate`, with the full classification report). */
export async function evaluate(
  model: LayersModel,
  dataset: ImageDataset,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  if (dataset.labelMode === 'none') {
    throw new VisionlabError(
      'Cannot evaluate a dataset without labels (labelMode "none").',
      'Load it with labelMode "int", "binary" or "categorical".',
    );
  }
  const predictions = await predictDataset(model, dataset, options);
  if (predictions.labels.length === 0) {
    throw new VisionlabError('No example of the dataset could be read, so there is nothing to evaluate.');
  }
  return {
    metrics: computeMetrics(predictions.labels, predictions.probabilities, dataset.classNames),
    predictions,
  };
}
