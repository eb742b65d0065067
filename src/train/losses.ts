import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../errors.js';

export type LossName = 'binaryCrossentropy' | 'sparseCategoricalCrossentropy' | 'categoricalCrossentropy';

/** Keras' `epsilon()`: probabilities are clipped to [ε, 1-ε] before the log. */
const EPSILON = 1e-7;

/** The loss Keras users would compile this output with: one unit → binary, more → sparse categorical. */
export function defaultLossFor(units: number): LossName {
  return units === 1 ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy';
}

/**
 * Per-example loss of probabilities `pred` ([n, units]) against class indices `labels` (int32 [n]),
 * so every label mode the data module yields reduces to the class index of each example.
 */
export function perExampleLoss(loss: LossName, pred: tf.Tensor, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const units = pred.shape[pred.shape.length - 1] ?? 1;
    const p = tf.clipByValue(tf.reshape(pred, [pred.shape[0], -1]), EPSILON, 1 - EPSILON);
    if (loss === 'binaryCrossentropy') {
      if (units !== 1) {
        throw new VisionlabError(
          `binaryCrossentropy needs a model output of 1 unit, this one has ${units}`,
          'Use sparseCategoricalCrossentropy for a softmax head.',
        );
      }
      const y = tf.reshape(tf.cast(labels, 'float32'), [-1, 1]);
      const l = tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))));
      return tf.reshape(l, [-1]) as tf.Tensor1D;
    }
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), units);
    return tf.neg(tf.sum(tf.mul(oneHot, tf.log(p)), -1)) as tf.Tensor1D;
  });
}

/** Per-example correctness (1 or 0) as float32 [n]: threshold 0.5 for one unit, argmax otherwise. */
export function perExampleCorrect(pred: tf.Tensor, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const units = pred.shape[pred.shape.length - 1] ?? 1;
    const p = tf.reshape(pred, [pred.shape[0], -1]);
    const predicted = units === 1 ? tf.cast(tf.greater(tf.reshape(p, [-1]), 0.5), 'int32') : tf.argMax(p, -1);
    return tf.cast(tf.equal(predicted, tf.cast(labels, 'int32')), 'float32') as tf.Tensor1D;
  });
}
