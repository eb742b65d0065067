import * as tf from '@tensorflow/tfjs-core';

/** n images of h×w×1 whose pixel (y, x) is 10·y + x + 100·i. */
export function ramp(n: number, h: number, w: number): tf.Tensor4D {
  const values: number[] = [];
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) values.push(10 * y + x + 100 * i);
  return tf.tensor4d(values, [n, h, w, 1]);
}
