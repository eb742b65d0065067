import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../errors.js';
import type { PreprocessMode } from './types.js';

/** ImageNet statistics used by Keras' `imagenet_utils`. */
export const IMAGENET_MEAN_RGB = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD_RGB = [0.229, 0.224, 0.225] as const;
/** Caffe means, in BGR order, on the 0–255 scale. */
export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;

export const PREPROCESS_MODES: readonly PreprocessMode[] = ['tf', 'torch', 'caffe', 'raw'];

/**
 * Keras' `imagenet_utils.preprocess_input` for channels-last RGB images with values in 0–255:
 * `tf` scales to [-1, 1]; `torch` scales to [0, 1] then normalises with the ImageNet mean and std;
 * `caffe` converts RGB to BGR and subtracts the ImageNet mean (no scaling); `raw` returns a float copy.
 */
export function preprocessInput<T extends tf.Tensor>(x: T, mode: PreprocessMode): T {
  if (!PREPROCESS_MODES.includes(mode)) {
    throw new VisionlabError(
      `Unknown preprocessing mode "${String(mode)}".`,
      `Use one of: ${PREPROCESS_MODES.join(', ')}.`,
    );
  }
  const channels = x.shape[x.rank - 1];
  if (mode !== 'tf' && mode !== 'raw' && channels !== 3) {
    throw new VisionlabError(
      `preprocessInput mode "${mode}" needs 3 channels (RGB) in the last axis; got shape [${x.shape.join(', ')}].`,
      'Convert the images to RGB first, or use mode "tf" or "raw".',
    );
  }
  return tf.tidy(() => {
    const f = tf.cast(x, 'float32');
    switch (mode) {
      case 'tf':
        return tf.sub(tf.div(f, 127.5), 1);
      case 'torch':
        return tf.div(tf.sub(tf.div(f, 255), [...IMAGENET_MEAN_RGB]), [...IMAGENET_STD_RGB]);
      case 'caffe':
        return tf.sub(tf.reverse(f, -1), [...CAFFE_MEAN_BGR]);
      case 'raw':
        return tf.clone(f);
    }
  }) as T;
}
