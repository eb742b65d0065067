import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Batch, ImageDataset } from '../data/types.js';
import { VisionlabError } from '../errors.js';
import { modelStructure, type LayerPlace } from '../freeze/structure.js';
import { defaultLossFor, perExampleLoss, type LossName } from '../train/losses.js';

export interface AutoRgnOptions {
  /** Batches of the dataset to average over (default 4). */
  batches?: number;
  /** Report per stage or per block (default stages). */
  unit?: 'stages' | 'blocks';
}

/** Squared gradient and weight norms of one layer's weights on each batch. */
export interface LayerGradientNorms {
  index: number;
  /** Σ w² over the layer's weights. */
  weightSquares: number;
  /** Σ g² over the layer's weights, one value per batch. */
  gradientSquares: number[];
}

export interface UnitRgn {
  /** `stem`, `stage 3` or `block 12`, `top`, `head`. */
  unit: string;
  /** Mean over the batches of ‖g‖ / ‖w‖ over the unit's weights. */
  rgn: number;
}

export interface AutoRgnResult {
  units: UnitRgn[];
  layers: LayerGradientNorms[];
  batches: number;
}

function unitOf(place: LayerPlace, unit: 'stages' | 'blocks'): string | undefined {
  if (place.part === 'input') return undefined;
  if (place.part !== 'stage') return place.part;
  return unit === 'stages' ? `stage ${place.stage}` : `block ${place.globalBlock}`;
}

/**
 * Relative gradient norm of the weights of `layers` (indices): ‖g‖/‖w‖ over all their weights together,
 * averaged over the batches; undefined when they hold no weights.
 */
export function relativeGradientNorm(
  norms: readonly LayerGradientNorms[],
  layers: ReadonlySet<number>,
): number | undefined {
  const chosen = norms.filter((n) => layers.has(n.index));
  const w = chosen.reduce((sum, n) => sum + n.weightSquares, 0);
  if (chosen.length === 0 || w === 0) return undefined;
  const batches = chosen[0].gradientSquares.length;
  let total = 0;
  for (let b = 0; b < batches; b++) {
    total += Math.sqrt(chosen.reduce((sum, n) => sum + n.gradientSquares[b], 0)) / Math.sqrt(w);
  }
  return total / batches;
}

/** Σ g² per layer (of `layers`, whose weights are `variables` in order) for the mean loss of one batch. */
async function gradientSquares(
  model: LayersModel,
  variables: tf.Variable[],
  layers: Array<{ weights: unknown[] }>,
  loss: LossName,
  dataset: ImageDataset,
  batch: Batch,
): Promise<Float32Array> {
  const squares = tf.tidy(() => {
    const labels = tf.tensor1d(
      Array.from(batch.indices, (i) => dataset.labels[i]),
      'int32',
    );
    const { value, grads } = tf.variableGrads(() => {
      const outs = model.apply(batch.x, { training: false }) as tf.Tensor | tf.Tensor[];
      const pred = Array.isArray(outs) ? outs[0] : outs;
      return tf.mean(perExampleLoss(loss, pred, labels)) as tf.Scalar;
    }, variables);
    value.dispose();
    let k = 0;
    return tf.stack(
      layers.map((l) => tf.addN(l.weights.map(() => tf.sum(tf.square(grads[variables[k++].name]))))),
    );
  });
  try {
    return (await squares.data()) as Float32Array;
  } finally {
    squares.dispose();
  }
}

/**
 * Auto-RGN (Lee et al., "Surgical Fine-Tuning Improves Adaptation to Distribution Shifts", ICLR 2023):
 * on a few batches, the gradient of the loss with respect to every weight (the model in inference mode,
 * as its frozen layers would run), and per stage or block the relative gradient norm ‖g‖/‖w‖. The blocks
 * whose weights the new data pull on hardest relative to their size are the ones worth tuning.
 */
export async function autoRgn(
  model: LayersModel,
  dataset: ImageDataset,
  options: AutoRgnOptions = {},
): Promise<AutoRgnResult> {
  const batches = options.batches ?? 4;
  if (!Number.isInteger(batches) || batches < 1) {
    throw new VisionlabError(`Auto-RGN batches=${batches}: give a whole number ≥ 1`);
  }
  const withWeights = model.layers
    .map((l, index) => ({ index, weights: l.trainableWeights }))
    .filter((l) => l.weights.length > 0);
  const variables = withWeights.flatMap((l) => l.weights.map((w) => w.read() as tf.Variable));
  const output = model.outputs[0];
  const loss = defaultLossFor(output.shape[output.shape.length - 1] ?? 1);
  const layers: LayerGradientNorms[] = withWeights.map((l) => ({
    index: l.index,
    weightSquares: tf.tidy(() => tf.addN(l.weights.map((w) => tf.sum(tf.square(w.read())))).dataSync()[0]),
    gradientSquares: [],
  }));
  let seen = 0;
  for await (const batch of dataset.batches(0)) {
    try {
      const values = await gradientSquares(model, variables, withWeights, loss, dataset, batch);
      layers.forEach((l, i) => l.gradientSquares.push(values[i]));
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
    if (++seen === batches) break;
  }
  if (seen === 0) throw new VisionlabError('Auto-RGN got no batch: the training split is empty');
  const structure = modelStructure(model);
  const unit = options.unit ?? 'stages';
  const byUnit = new Map<string, Set<number>>();
  for (const place of structure.layers) {
    const name = unitOf(place, unit);
    if (name !== undefined) byUnit.set(name, (byUnit.get(name) ?? new Set()).add(place.index));
  }
  const units: UnitRgn[] = [];
  for (const [name, indices] of byUnit) {
    const rgn = relativeGradientNorm(layers, indices);
    if (rgn !== undefined) units.push({ unit: name, rgn });
  }
  return { units, layers, batches: seen };
}
