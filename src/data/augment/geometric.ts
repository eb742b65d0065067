import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random.js';
import {
  factorRange,
  resolveGeometry,
  uniform,
  type AugmentationLayer,
  type GeometryOptions,
} from './layer.js';
import { transformEach, type TransformMatrix as Matrix } from './transform-each.js';

/** Shared machinery: one projective transform per image, mapping output to input coordinates (as Keras builds them). */
abstract class GeometricLayer implements AugmentationLayer {
  abstract readonly name: string;
  protected readonly geometry: Required<GeometryOptions>;

  constructor(options: GeometryOptions = {}) {
    this.geometry = resolveGeometry(options);
  }

  abstract getConfig(): Record<string, unknown>;
  protected abstract matrix(rng: Rng, height: number, width: number): Matrix;

  outputShape(input: readonly [number, number, number]): [number, number, number] {
    return [...input];
  }

  apply(images: tf.Tensor4D, rng: Rng, training: boolean): tf.Tensor4D {
    if (!training) return tf.clone(images);
    const [n, height, width] = images.shape;
    const rows = Array.from({ length: n }, () => this.matrix(rng, height, width));
    return transformEach(images, rows, this.geometry);
  }
}

/** Keras `RandomRotation`: angle drawn from `factor` × 2π; positive is counter-clockwise. */
export class RandomRotation extends GeometricLayer {
  readonly name = 'RandomRotation';
  private readonly range: [number, number];

  constructor(
    readonly factor: number | readonly [number, number],
    options: GeometryOptions = {},
  ) {
    super(options);
    this.range = factorRange('RandomRotation', factor);
  }

  getConfig(): Record<string, unknown> {
    return { factor: this.factor, ...this.geometry };
  }

  protected matrix(rng: Rng, height: number, width: number): Matrix {
    const angle = uniform(rng, this.range) * 2 * Math.PI;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const x = (width - 1 - (cos * (width - 1) - sin * (height - 1))) / 2;
    const y = (height - 1 - (sin * (width - 1) + cos * (height - 1))) / 2;
    return [cos, -sin, x, sin, cos, y, 0, 0];
  }
}

/**
 * Keras `RandomZoom`: a positive factor zooms out, a negative one zooms in (by that fraction).
 * Without `widthFactor` both axes use the same draw, keeping the aspect ratio.
 */
export class RandomZoom extends GeometricLayer {
  readonly name = 'RandomZoom';
  private readonly heightRange: [number, number];
  private readonly widthRange?: [number, number];

  constructor(
    readonly heightFactor: number | readonly [number, number],
    readonly widthFactor?: number | readonly [number, number],
    options: GeometryOptions = {},
  ) {
    super(options);
    this.heightRange = factorRange('RandomZoom', heightFactor);
    this.widthRange = widthFactor === undefined ? undefined : factorRange('RandomZoom', widthFactor);
  }

  getConfig(): Record<string, unknown> {
    return { heightFactor: this.heightFactor, widthFactor: this.widthFactor, ...this.geometry };
  }

  protected matrix(rng: Rng, height: number, width: number): Matrix {
    const zy = 1 + uniform(rng, this.heightRange);
    const zx = this.widthRange ? 1 + uniform(rng, this.widthRange) : zy;
    return [zx, 0, ((width - 1) / 2) * (1 - zx), 0, zy, ((height - 1) / 2) * (1 - zy), 0, 0];
  }
}

/** Keras `RandomTranslation`: shifts by a fraction of the height and width drawn from the factors. */
export class RandomTranslation extends GeometricLayer {
  readonly name = 'RandomTranslation';
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number];

  constructor(
    readonly heightFactor: number | readonly [number, number],
    readonly widthFactor: number | readonly [number, number],
    options: GeometryOptions = {},
  ) {
    super(options);
    this.heightRange = factorRange('RandomTranslation', heightFactor);
    this.widthRange = factorRange('RandomTranslation', widthFactor);
  }

  getConfig(): Record<string, unknown> {
    return { heightFactor: this.heightFactor, widthFactor: this.widthFactor, ...this.geometry };
  }

  protected matrix(rng: Rng, height: number, width: number): Matrix {
    const dy = uniform(rng, this.heightRange) * height;
    const dx = uniform(rng, this.widthRange) * width;
    return [1, 0, -dx, 0, 1, -dy, 0, 0];
  }
}
