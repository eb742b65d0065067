import type * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../../errors.js';
import type { Rng } from '../random.js';

/** One random augmentation, named as in Keras; applied to a whole batch, one draw per image. */
export interface AugmentationLayer {
  /** Keras class name, e.g. `RandomFlip`. */
  readonly name: string;
  /** Keras-style config (camelCase keys), for logs and run records. */
  getConfig(): Record<string, unknown>;
  /** [height, width, channels] out for [height, width, channels] in. */
  outputShape(input: readonly [number, number, number]): [number, number, number];
  /**
   * A new tensor; the input is left for the caller to dispose. Outside training every layer is the
   * identity except `RandomCrop`, which crops the centre (as in Keras).
   */
  apply(images: tf.Tensor4D, rng: Rng, training: boolean): tf.Tensor4D;
}

export type FillMode = 'reflect' | 'wrap' | 'constant' | 'nearest';
export type TransformInterpolation = 'bilinear' | 'nearest';

/** Options shared by the geometric layers (Keras defaults: reflect, bilinear, 0). */
export interface GeometryOptions {
  fillMode?: FillMode;
  interpolation?: TransformInterpolation;
  fillValue?: number;
}

/** Keras' factor convention: `f` means [-f, f]; `[lower, upper]` is taken as is. */
export function factorRange(name: string, factor: number | readonly [number, number]): [number, number] {
  const [lower, upper] = typeof factor === 'number' ? [-Math.abs(factor), Math.abs(factor)] : factor;
  if (!Number.isFinite(lower) || !Number.isFinite(upper) || lower > upper) {
    throw new VisionlabError(
      `${name} factor ${JSON.stringify(factor)} is not a number or a [lower, upper] pair.`,
    );
  }
  return [lower, upper];
}

export function uniform(rng: Rng, [lower, upper]: readonly [number, number]): number {
  return lower + (upper - lower) * rng();
}

export function resolveGeometry(options: GeometryOptions = {}): Required<GeometryOptions> {
  return {
    fillMode: options.fillMode ?? 'reflect',
    interpolation: options.interpolation ?? 'bilinear',
    fillValue: options.fillValue ?? 0,
  };
}
