import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { decodeImage } from '../data/decode-image.js';
import { channelsOf, DEFAULT_MAX_PIXELS, type DecodeSpec } from '../data/decode-options.js';
import { preprocessInput } from '../models/preprocess.js';
import type { PreprocessMode } from '../models/types.js';
import { argmax } from './confusion-matrix.js';
import { gradCam, type GradCamResult } from './grad-cam.js';
import { classProbabilities } from './probabilities.js';
import type { RunInputConfig } from './run-config.js';

/**
 * Inference with a run's model: decode → 0–255 pixel batch → the run's preprocessing → class
 * probabilities (→ Grad-CAM). `predict`, `explain`, `evaluate` and the dashboard all go through here,
 * so that every one of them prepares an image exactly as training did.
 */

/** What inference needs of a run besides its decode settings. */
export interface InferenceSettings {
  preprocessing?: PreprocessMode;
  classNames: readonly string[];
}

/** The decode settings of a run: its image size, colour mode and resampling. */
export function decodeSpecOf(input: RunInputConfig): DecodeSpec {
  return {
    height: input.imageSize[0],
    width: input.imageSize[1],
    colorMode: input.colorMode,
    interpolation: input.interpolation ?? 'bilinear',
    cropToAspectRatio: input.cropToAspectRatio ?? false,
    maxPixels: DEFAULT_MAX_PIXELS,
  };
}

/** `[height, width, channels]` of the decoded images a run's model takes. */
export function runImageShape(input: RunInputConfig): [number, number, number] {
  return [input.imageSize[0], input.imageSize[1], channelsOf(input.colorMode)];
}

/** Decodes one encoded image (PNG, JPEG…) as the run decoded its training images: 0–255 pixels, row-major HWC. */
export function decodeRunImage(bytes: Buffer, input: RunInputConfig): Promise<Uint8Array> {
  return decodeImage(bytes, decodeSpecOf(input));
}

/** Decoded images as one float32 batch `[n, h, w, c]` of 0–255 values, as a dataset's batches hold them. */
export function pixelBatch(images: readonly Uint8Array[], input: RunInputConfig): tf.Tensor4D {
  const shape = runImageShape(input);
  const size = shape[0] * shape[1] * shape[2];
  const x = new Float32Array(images.length * size);
  images.forEach((pixels, row) => x.set(pixels, row * size));
  return tf.tensor4d(x, [images.length, ...shape], 'float32');
}

/**
 * The model's input for a batch of 0–255 pixels: Keras' `preprocess_input` with the run's mode, as
 * training applied it to every batch; the pixels themselves when the run has no preprocessing.
 */
export function modelInput(pixels: tf.Tensor4D, preprocessing: PreprocessMode | undefined): tf.Tensor4D {
  return preprocessing ? preprocessInput(pixels, preprocessing) : pixels;
}

/** Class probabilities `[n, classes]` of a batch of 0–255 pixels with the run's preprocessing. */
export function pixelProbabilities(
  model: LayersModel,
  pixels: tf.Tensor4D,
  settings: InferenceSettings,
): tf.Tensor2D {
  return tf.tidy(() =>
    classProbabilities(model, modelInput(pixels, settings.preprocessing), settings.classNames.length),
  );
}

/** Computes class probabilities `[n, classes]` for a batch of decoded 0–255 pixels `[n, h, w, c]`. */
export interface ClassPredictor {
  probabilities(pixels: tf.Tensor4D): Promise<tf.Tensor2D>;
}

/** The TF.js model as a {@link ClassPredictor}: the run's preprocessing, then `model.predict`. */
export function layersPredictor(model: LayersModel, settings: InferenceSettings): ClassPredictor {
  return { probabilities: async (pixels) => pixelProbabilities(model, pixels, settings) };
}

export interface ImageInferenceOptions {
  /** Also compute Grad-CAM: of `classIndex` (default the predicted class) on `layerName` (default the last spatial map). */
  gradCam?: { classIndex?: number; layerName?: string };
}

/** One image through the model. */
export interface ImageInference {
  /** One probability per class, in class order. */
  probabilities: number[];
  /** Index of the most probable class. */
  predicted: number;
  gradCam?: GradCamResult;
  /** Why Grad-CAM could not be computed (e.g. the model has no spatial feature map), when it was asked for. */
  gradCamError?: Error;
}

/** Class probabilities (and Grad-CAM, when asked) of one decoded image of the run. */
export async function inferImage(
  model: LayersModel,
  pixels: Uint8Array,
  input: RunInputConfig,
  options: ImageInferenceOptions = {},
): Promise<ImageInference> {
  const x = tf.tidy(() => modelInput(pixelBatch([pixels], input), input.preprocessing));
  try {
    const probs = tf.tidy(() => classProbabilities(model, x, input.classNames.length));
    const probabilities = Array.from(await probs.data());
    probs.dispose();
    const predicted = argmax(probabilities);
    const result: ImageInference = { probabilities, predicted };
    if (options.gradCam) {
      try {
        const { classIndex, layerName } = options.gradCam;
        result.gradCam = gradCam(model, x, classIndex ?? predicted, layerName);
      } catch (err) {
        result.gradCamError = err as Error;
      }
    }
    return result;
  } finally {
    x.dispose();
  }
}
