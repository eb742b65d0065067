import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../../src/models/index.js';
import { createRng } from '../../src/data/random.js';
import { shortWeightName } from '../../src/weights/index.js';

/** The smallest square input each zoo family builds at, to keep whole-zoo tests fast. */
export function smallInputSize(spec: ModelSpec): number {
  if (spec.name === 'alexnet') return 67;
  if (spec.name === 'inception_v3') return 75;
  if (spec.family === 'AlexNet') return 40;
  return 32;
}

/**
 * Gives every weight a non-trivial value from a seeded generator: kernels uniform with a variance of
 * 1/fan-in (so activations stay in range through deep models), biases and batch-norm statistics
 * jittered as in the Keras fixtures, so a weight written to the wrong place shows in the outputs.
 * Fast enough to build the models with `initializeWeights: false` first.
 */
export function randomizeWeights(model: tfl.LayersModel, seed = 1): void {
  const random = createRng(seed);
  for (const v of model.weights) {
    const name = shortWeightName(v.originalName);
    const shape = v.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    let scale: number;
    let offset: number;
    if (name === 'kernel' || name === 'depthwise_kernel') {
      const fanIn = name === 'depthwise_kernel' ? shape[0] * shape[1] : size / shape[shape.length - 1];
      scale = 2 * Math.sqrt(3 / fanIn);
      offset = -scale / 2;
    } else if (name === 'bias' || name === 'beta' || name === 'moving_mean') [scale, offset] = [0.2, -0.1];
    else if (name === 'moving_variance' || name === 'gamma') [scale, offset] = [1, 0.5];
    else continue;
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = random() * scale + offset;
    const t = tf.tensor(values, shape);
    v.write(t);
    t.dispose();
  }
}

/** max |a − b| and the range (max − min) of `expected`. */
export function diffAndRange(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
): { maxDiff: number; range: number } {
  let maxDiff = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
    lo = Math.min(lo, expected[i]);
    hi = Math.max(hi, expected[i]);
  }
  return { maxDiff, range: hi - lo };
}

/** Pixels 0–255 of a random batch, the same each run. */
export function randomPixels(shape: [number, number, number, number], seed = 7): tf.Tensor4D {
  const random = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(
    Float32Array.from({ length: size }, () => random() * 255),
    shape,
  );
}

/** The zoo model at its small test size, 3 classes, logits out, weights to be set by {@link randomizeWeights}. */
export function buildSmall(spec: ModelSpec): { model: tfl.LayersModel; size: number } {
  const size = smallInputSize(spec);
  const model = spec.build({
    inputShape: [size, size, 3],
    classes: 3,
    classifierActivation: 'linear',
    initializeWeights: false,
  });
  return { model, size };
}
