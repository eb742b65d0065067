import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** A copy of every weight of the model (trainable or not), detached from the live variables. */
export function copyWeights(model: LayersModel): tf.Tensor[] {
  return model.weights.map((w) => tf.clone(w.read()));
}

/** Writes copies made by `copyWeights` back into the model. */
export function restoreWeights(model: LayersModel, weights: readonly tf.Tensor[]): void {
  // The variables take a reference to the copies' data; the copies stay valid for another restore.
  model.weights.forEach((w, i) => w.write(weights[i]));
}
