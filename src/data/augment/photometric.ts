import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../../errors.js';
import type { Rng } from '../random.js';
import { factorRange, uniform, type AugmentationLayer } from './layer.js';

function perImage(values: number[]): tf.Tensor4D {
  return tf.tensor4d(values, [values.length, 1, 1, 1]);
}

/**
 * What RandomContrast and RandomBrightness share: one draw per image from `range`, an adjustment
 * by that draw, the result clipped to `valueRange`; the identity outside training.
 */
abstract class PerImageAdjustment implements AugmentationLayer {
  abstract readonly name: string;
  protected abstract readonly range: [number, number];

  constructor(
    readonly factor: number | readonly [number, number],
    readonly valueRange: readonly [number, number] = [0, 255],
  ) {}

  getConfig(): Record<string, unknown> {
    return { factor: this.factor, valueRange: this.valueRange };
  }

  outputShape(input: readonly [number, number, number]): [number, number, number] {
    return [...input];
  }

  /** `images` adjusted by each image's draw (run inside a tidy). */
  protected abstract adjust(images: tf.Tensor4D, draws: number[]): tf.Tensor;

  apply(images: tf.Tensor4D, rng: Rng, training: boolean): tf.Tensor4D {
    if (!training) return tf.clone(images);
    const draws = Array.from({ length: images.shape[0] }, () => uniform(rng, this.range));
    return tf.tidy(
      () => tf.clipByValue(this.adjust(images, draws), this.valueRange[0], this.valueRange[1]) as tf.Tensor4D,
    );
  }
}

/**
 * Keras `RandomContrast`: per image, `(x − mean) · c + mean` with the per-channel mean and `c` drawn
 * from [1 − lower, 1 + upper] (`factor` f means lower = upper = f), clipped to `valueRange`.
 */
export class RandomContrast extends PerImageAdjustment {
  readonly name = 'RandomContrast';
  protected readonly range: [number, number];

  constructor(factor: number | readonly [number, number], valueRange: readonly [number, number] = [0, 255]) {
    super(factor, valueRange);
    const [lower, upper] = typeof factor === 'number' ? [factor, factor] : factor;
    if (!(lower <= 1 && -lower <= upper)) {
      throw new VisionlabError(
        `RandomContrast factor ${JSON.stringify(factor)} must be in [0, 1] (or a [lower, upper] pair).`,
      );
    }
    this.range = [1 - lower, 1 + upper];
  }

  protected adjust(images: tf.Tensor4D, factors: number[]): tf.Tensor {
    const mean = tf.mean(images, [1, 2], true);
    return tf.add(tf.mul(tf.sub(images, mean), perImage(factors)), mean);
  }
}

/**
 * Keras `RandomBrightness`: adds `δ · (max − min)` per image, δ drawn from the factor range
 * (f means [−f, f]), clipped to `valueRange`.
 */
export class RandomBrightness extends PerImageAdjustment {
  readonly name = 'RandomBrightness';
  protected readonly range: [number, number];

  constructor(factor: number | readonly [number, number], valueRange: readonly [number, number] = [0, 255]) {
    super(factor, valueRange);
    this.range = factorRange('RandomBrightness', factor);
    if (this.range[0] < -1 || this.range[1] > 1) {
      throw new VisionlabError(`RandomBrightness factor ${JSON.stringify(factor)} must be within [-1, 1].`);
    }
  }

  protected adjust(images: tf.Tensor4D, deltas: number[]): tf.Tensor {
    const span = this.valueRange[1] - this.valueRange[0];
    return tf.add(images, perImage(deltas.map((d) => d * span)));
  }
}
