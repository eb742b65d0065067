import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';

/** The activation of the layer producing the model's (first) output, when it says. */
function outputActivation(model: LayersModel): string | undefined {
  const layer = model.outputs[0]?.sourceLayer;
  const config = layer?.getConfig() as { activation?: unknown } | undefined;
  return typeof config?.activation === 'string' ? config.activation : undefined;
}

/**
 * Class probabilities [n, classes] of a classifier's first output: a sigmoid unit p becomes
 * [1 − p, p]; logits (a `linear` output layer) go through softmax or sigmoid.
 */
export function classProbabilities(model: LayersModel, x: tf.Tensor4D, numClasses: number): tf.Tensor2D {
  return tf.tidy(() => {
    const raw = model.predict(x);
    const out = (Array.isArray(raw) ? raw[0] : raw) as tf.Tensor;
    return outputProbabilities(out, numClasses, outputActivation(model) === 'linear');
  });
}

/** {@link classProbabilities} of an output computed elsewhere (e.g. by onnxruntime); `logits` when its last layer is linear. */
export function outputProbabilities(out: tf.Tensor, numClasses: number, logits: boolean): tf.Tensor2D {
  return tf.tidy(() => {
    const units = out.shape[out.shape.length - 1] ?? 1;
    const flat = tf.reshape(out, [out.shape[0], units]) as tf.Tensor2D;
    if (units === 1) {
      if (numClasses !== 2) {
        throw new VisionlabError(
          `The model has one output unit but ${numClasses} classes were given.`,
          'A single sigmoid unit means a binary task: give exactly two class names.',
        );
      }
      const p = logits ? tf.sigmoid(flat) : flat;
      return tf.concat([tf.sub(1, p), p], 1) as tf.Tensor2D;
    }
    if (units !== numClasses) {
      throw new VisionlabError(
        `The model outputs ${units} classes but ${numClasses} class names were given.`,
        'Use the class names the model was trained with (config.json of its run).',
      );
    }
    return logits ? tf.softmax(flat) : flat;
  });
}
