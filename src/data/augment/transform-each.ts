import * as tf from '@tensorflow/tfjs-core';
import type { GeometryOptions } from './layer.js';
import { warpImage, type TransformMatrix } from './warp-image.js';

export type { TransformMatrix } from './warp-image.js';

/**
 * The batch with image i resampled through `matrices[i]`, as `tf.image.transform` defines it. Not
 * `tf.image.transform` itself: the TF.js 4.22 `cpu` Transform kernel (which the `native` backend reuses)
 * returns after the first image of a batch and leaves every other image at the fill value, and, called
 * image by image instead, it is about 3× slower than `warpImage`, which gives the same values bit for bit.
 */
export function transformEach(
  images: tf.Tensor4D,
  matrices: readonly TransformMatrix[],
  geometry: Required<GeometryOptions>,
): tf.Tensor4D {
  const [n, height, width, channels] = images.shape;
  if (matrices.length !== n) throw new Error(`transformEach: ${matrices.length} matrices for ${n} images`);
  if (images.dtype !== 'float32') {
    const asFloat = tf.cast(images, 'float32');
    const warped = transformEach(asFloat, matrices, geometry);
    const result = tf.cast(warped, images.dtype);
    tf.dispose([asFloat, warped]);
    return result;
  }
  const pixels = images.dataSync() as Float32Array;
  const output = new Float32Array(pixels.length);
  const size = height * width * channels;
  const spec = { height, width, channels, ...geometry };
  matrices.forEach((matrix, i) =>
    warpImage(
      pixels.subarray(i * size, (i + 1) * size),
      output.subarray(i * size, (i + 1) * size),
      matrix,
      spec,
    ),
  );
  return tf.tensor4d(output, images.shape, 'float32');
}
