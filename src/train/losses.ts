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

/** A batch's loss, its gradient with respect to the model's output and its count of correct predictions. */
export interface BatchLossAndGradient {
  /** Mean over the batch of the (sample-weighted) per-example loss. */
  loss: number;
  correct: number;
  /** d(weight × loss) / d(pred), shaped as `pred`. */
  gradient: Float32Array;
}

/**
 * `mean(perExampleLoss(loss, pred, labels) × sampleWeights)`, its gradient with respect to `pred` scaled by
 * `weight`, and the sum of `perExampleCorrect`, computed in one pass over the arrays of a [n, units]
 * output: the same formulas (probabilities clipped to [ε, 1-ε], no gradient where the clip bites; argmax
 * takes the first maximum) without a dozen small tensors and their tape for a few hundred numbers.
 */
export function batchLossAndGradient(
  loss: LossName,
  pred: Float32Array,
  units: number,
  labels: ArrayLike<number>,
  sampleWeights?: ArrayLike<number>,
  weight = 1,
): BatchLossAndGradient {
  const n = labels.length;
  if (pred.length !== n * units) {
    throw new VisionlabError(
      `the model output has ${pred.length} values, not ${n} examples × ${units} units`,
    );
  }
  if (loss === 'binaryCrossentropy' && units !== 1) {
    throw new VisionlabError(
      `binaryCrossentropy needs a model output of 1 unit, this one has ${units}`,
      'Use sparseCategoricalCrossentropy for a softmax head.',
    );
  }
  const lo = Math.fround(EPSILON);
  const hi = Math.fround(1 - EPSILON);
  const gradient = new Float32Array(pred.length);
  let sum = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    const w = sampleWeights ? sampleWeights[i] : 1;
    const scale = (weight * w) / n;
    if (loss === 'binaryCrossentropy') {
      const p = pred[i];
      const c = Math.min(Math.max(p, lo), hi);
      sum += -w * (label * Math.log(c) + (1 - label) * Math.log(1 - c));
      if (p >= lo && p <= hi) gradient[i] = scale * ((1 - label) / (1 - c) - label / c);
      if (Number(p > 0.5) === label) correct++;
      continue;
    }
    if (!Number.isInteger(label) || label < 0 || label >= units) {
      throw new VisionlabError(
        `label ${label} is not a class of this ${units}-unit output`,
        'Give every example a class index from 0 to units - 1.',
      );
    }
    const row = i * units;
    const p = pred[row + label];
    const c = Math.min(Math.max(p, lo), hi);
    sum += -w * Math.log(c);
    if (p >= lo && p <= hi) gradient[row + label] = -scale / c;
    let best = 0;
    for (let k = 1; k < units; k++) if (pred[row + k] > pred[row + best]) best = k;
    if (best === label) correct++;
  }
  return { loss: sum / n, correct, gradient };
}
