import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../../errors.js';
import type { Rng } from '../random.js';
import { factorRange, uniform, type AugmentationLayer } from './layer.js';

function perImage(values: number[]): tf.Tensor4D {
  return tf.tensor4d(values, [values.length, 1, 1, 1]);
}

/**
 * Keras `RandomContrast`: per image, `(x − mean) · c + mean` with the per-channel mean and `c` drawn
 * from [1 − lower, 1 + upper] (`factor` f means lower = upper = f), clipped to `valueRange`.
 */
export class RandomContrast implements AugmentationLayer {
  readonly name = 'RandomContrast';
  private readonly range: [number, number];

  constructor(
    readonly factor: number | readonly [number, number],
    readonly valueRange: readonly [number, number] = [0, 255],
  ) {
    const [lower, upper] = typeof factor === 'number' ? [factor, factor] : factor;
    if (!(lower <= 1 && -lower <= upper)) {
      throw new VisionlabError(
        `RandomContrast factor ${JSON.stringify(factor)} must be in [0, 1] (or a [lower, upper] pair).`,
      );
    }
    this.range = [1 - lower, 1 + upper];
  }

  getConfig(): Record<string, unknown> {
    return { factor: this.factor, valueRange: this.valueRange };
  }

  outputShape(input: readonly [number, number, number]): [number, number, number] {
    return [...input];
  }

  apply(images: tf.Tensor4D, rng: Rng, training: boolean): tf.Tensor4D {
    if (!training) return tf.clone(images);
    const factors = Array.from({ length: images.shape[0] }, () => uniform(rng, this.range));
    return tf.tidy(() => {
      const mean = tf.mean(images, [1, 2], true);
      const out = tf.add(tf.mul(tf.sub(images, mean), perImage(factors)), mean);
      return tf.clipByValue(out, this.valueRange[0], this.valueRange[1]) as tf.Tensor4D;
    });
  }
}

/**
 * Keras `RandomBrightness`: adds `δ · (max − min)` per image, δ drawn from the factor range
 * (f means [−f, f]), clipped to `valueRange`.
 */
export class RandomBrightness implements AugmentationLayer {
  readonly name = 'RandomBrightness';
  private readonly range: [number, number];

  constructor(
    readonly factor: number | readonly [number, number],
    readonly valueRange: readonly [number, number] = [0, 255],
  ) {
    this.range = factorRange('RandomBrightness', factor);
    if (this.range[0] < -1 || this.range[1] > 1) {
      throw new VisionlabError(`RandomBrightness factor ${JSON.stringify(factor)} must be within [-1, 1].`);
    }
  }

  getConfig(): Record<string, unknown> {
    return { factor: this.factor, valueRange: this.valueRange };
  }

  outputShape(input: readonly [number, number, number]): [number, number, number] {
    return [...input];
  }

  apply(images: tf.Tensor4D, rng: Rng, training: boolean): tf.Tensor4D {
    if (!training) return tf.clone(images);
    const span = this.valueRange[1] - this.valueRange[0];
    const deltas = Array.from({ length: images.shape[0] }, () => uniform(rng, this.range) * span);
    return tf.tidy(
      () =>
        tf.clipByValue(
          tf.add(images, perImage(deltas)),
          this.valueRange[0],
          this.valueRange[1],
        ) as tf.Tensor4D,
    );
  }
}
