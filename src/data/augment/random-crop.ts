import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../../errors.js';
import type { Rng } from '../random.js';
import type { AugmentationLayer } from './layer.js';

/**
 * Keras `RandomCrop`: in training, a `height × width` window at a random place in each image; at
 * inference, the centre window. Images smaller than the window are first resized up to it.
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
    const boxes: number[] = [];
    for (let i = 0; i < n; i++) {
      const top = training
        ? Math.floor(rng() * (Math.max(h, this.height) - this.height + 1))
        : (h - this.height) >> 1;
      const left = training
        ? Math.floor(rng() * (Math.max(w, this.width) - this.width + 1))
        : (w - this.width) >> 1;
      boxes.push(Math.max(0, top), Math.max(0, left));
    }
    return tf.tidy(() => {
      const source =
        h < this.height || w < this.width
          ? tf.image.resizeBilinear(images, [Math.max(h, this.height), Math.max(w, this.width)])
          : images;
      const crops = Array.from({ length: n }, (_, i) =>
        tf.slice(source, [i, boxes[2 * i], boxes[2 * i + 1], 0], [1, this.height, this.width, -1]),
      );
      return tf.concat(crops, 0) as tf.Tensor4D;
    });
  }
}
