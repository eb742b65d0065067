import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../../errors.js';
import type { Rng } from '../random.js';
import type { AugmentationLayer } from './layer.js';

/**
 * Keras `RandomCrop`: in training, a `height × width` window at a random place in each image. At
 * inference (and in training when an image is smaller than the window) Keras' `smart_resize`
 * applies instead: the largest centred window of the target aspect ratio, resized bilinearly.
 */
export class RandomCrop implements AugmentationLayer {
  readonly name = 'RandomCrop';

  constructor(
    readonly height: number,
    readonly width: number,
  ) {
    if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
      throw new VisionlabError(`RandomCrop size ${height}×${width} must be positive integers.`);
    }
  }

  getConfig(): Record<string, unknown> {
    return { height: this.height, width: this.width };
  }

  outputShape(input: readonly [number, number, number]): [number, number, number] {
    return [this.height, this.width, input[2]];
  }

  apply(images: tf.Tensor4D, rng: Rng, training: boolean): tf.Tensor4D {
    const [n, h, w] = images.shape;
    if (!training || h < this.height || w < this.width) return this.smartResize(images);
    const corners = Array.from({ length: n }, () => [
      Math.floor(rng() * (h - this.height + 1)),
      Math.floor(rng() * (w - this.width + 1)),
    ]);
    return tf.tidy(
      () =>
        tf.concat(
          corners.map(([top, left], i) =>
            tf.slice(images, [i, top, left, 0], [1, this.height, this.width, -1]),
          ),
          0,
        ) as tf.Tensor4D,
    );
  }

  private smartResize(images: tf.Tensor4D): tf.Tensor4D {
    const [, h, w] = images.shape;
    const cropHeight = Math.min(h, Math.floor((w * this.height) / this.width));
    const cropWidth = Math.min(w, Math.floor((h * this.width) / this.height));
    const top = Math.floor((h - cropHeight) / 2);
    const left = Math.floor((w - cropWidth) / 2);
    return tf.tidy(() => {
      const window = tf.slice(images, [0, top, left, 0], [-1, cropHeight, cropWidth, -1]);
      if (cropHeight === this.height && cropWidth === this.width) return tf.clone(window);
      return tf.image.resizeBilinear(window, [this.height, this.width], false, true);
    });
  }
}
