import type { LayersModel } from '@tensorflow/tfjs-layers';

type Weights = Array<{ shape: Array<number | null> }>;

/** Number of values in a list of weights. */
export const countValues = (weights: Weights): number =>
  weights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);

/** Keras' `len(model.trainable_weights)`. */
export function countTrainableWeights(model: LayersModel): number {
  return model.trainableWeights.length;
}

/** Sum of the sizes of the trainable weights (Keras' "Trainable params"). */
export function countTrainableParams(model: LayersModel): number {
  return countValues(model.trainableWeights);
}
