import * as tf from '@tensorflow/tfjs-core';
import type { GeometryOptions } from './layer.js';

/** Row of `tf.image.transform`: [a0, a1, a2, b0, b1, b2, c0, c1], mapping OUTPUT (x, y) to INPUT coordinates. */
export type TransformMatrix = [number, number, number, number, number, number, number, number];

/**
 * `tf.image.transform` with one matrix per image, called image by image: the TF.js 4.22 `cpu`
 * Transform kernel (which the `native` backend reuses) returns after the first image of a batch and
 * leaves every other image at `fillValue`, so a batched call blacks out all but image 0.
 */
export function transformEach(
  images: tf.Tensor4D,
  matrices: readonly TransformMatrix[],
  geometry: Required<GeometryOptions>,
): tf.Tensor4D {
  const n = images.shape[0];
  if (matrices.length !== n) throw new Error(`transformEach: ${matrices.length} matrices for ${n} images`);
  if (n === 0) return tf.clone(images);
  return tf.tidy(() => {
    const outputs = matrices.map((matrix, i) =>
      tf.image.transform(
        n === 1 ? images : tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1]),
        tf.tensor2d(matrix, [1, 8]),
        geometry.interpolation,
        geometry.fillMode,
        geometry.fillValue,
      ),
    );
    return n === 1 ? outputs[0] : tf.concat(outputs, 0);
  });
}
