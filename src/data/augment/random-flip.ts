import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../../errors.js';
import type { Rng } from '../random.js';
import type { AugmentationLayer } from './layer.js';

export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';

/** Keras `RandomFlip`: each image is flipped with probability ½ along each axis the mode names. */
export class RandomFlip implements AugmentationLayer {
  readonly name = 'RandomFlip';

  constructor(readonly mode: FlipMode = 'horizontal_and_vertical') {
    if (!['horizontal', 'vertical', 'horizontal_and_vertical'].includes(mode)) {
      throw new VisionlabError(
        `RandomFlip mode "${mode}" is not horizontal, vertical or horizontal_and_vertical.`,
      );
    }
  }

  getConfig(): Record<string, unknown> {
    return { mode: this.mode };
  }

  outputShape(input: readonly [number, number, number]): [number, number, number] {
    return [...input];
  }

  apply(images: tf.Tensor4D, rng: Rng, training: boolean): tf.Tensor4D {
    if (!training) return tf.clone(images);
    const n = images.shape[0];
    const axes: number[] = [];
    if (this.mode !== 'vertical') axes.push(2);
    if (this.mode !== 'horizontal') axes.push(1);
    const draws = axes.map((axis) => ({ axis, flip: Array.from({ length: n }, () => rng() < 0.5) }));
    return tf.tidy(() => {
      let out: tf.Tensor4D = images;
      for (const { axis, flip } of draws) {
        const mask = tf.tensor4d(
          flip.map((f) => (f ? 1 : 0)),
          [n, 1, 1, 1],
          'bool',
        );
        out = tf.where(tf.broadcastTo(mask, out.shape), tf.reverse(out, axis), out) as tf.Tensor4D;
      }
      return out === images ? tf.clone(images) : out;
    });
  }
}
