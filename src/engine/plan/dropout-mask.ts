import * as tf from '@tensorflow/tfjs-core';

/**
 * The multiplier `tf.dropout(x, rate, undefined, seed)` applies to an `x` of `shape`: 0 or 1/(1-rate),
 * drawn with the same `randomUniform` call (one draw of `Math.random` when unseeded), so that a planned
 * step and the eager Dropout layer see the same mask.
 */
export function dropoutMultiplier(shape: number[], options: { rate: number; seed?: number }): Float32Array {
  const keep = 1 - options.rate;
  const multiplier = tf.tidy(() =>
    tf.div(tf.floor(tf.add(tf.randomUniform(shape, 0, 1, 'float32', options.seed), keep)), keep),
  );
  const values = multiplier.dataSync() as Float32Array;
  multiplier.dispose();
  return values;
}
