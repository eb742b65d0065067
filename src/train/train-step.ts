import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { perExampleCorrect, perExampleLoss, type LossName } from './losses.js';

function asArray(t: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(t) ? t : [t];
}

/** Runs one optimisation step; returns [total loss, loss per output…, correct per output…] for the batch. */
export function trainStep(
  model: LayersModel,
  optimizer: tf.Optimizer,
  varList: tf.Variable[],
  x: tf.Tensor,
  labels: tf.Tensor1D,
  sampleWeights: tf.Tensor1D | undefined,
  losses: LossName[],
  lossWeights: number[],
): tf.Tensor1D {
  const parts: tf.Scalar[] = [];
  const corrects: tf.Scalar[] = [];
  const total = optimizer.minimize(
    () => {
      const outputs = asArray(model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[]);
      let sum = tf.scalar(0);
      outputs.forEach((out, i) => {
        const perExample = perExampleLoss(losses[i], out, labels);
        const weighted = sampleWeights ? tf.mul(perExample, sampleWeights) : perExample;
        const loss = tf.mean(weighted) as tf.Scalar;
        parts.push(tf.keep(loss));
        corrects.push(tf.keep(tf.sum(perExampleCorrect(out, labels))) as tf.Scalar);
        sum = tf.add(sum, tf.mul(loss, lossWeights[i]));
      });
      for (const reg of model.calculateLosses()) sum = tf.add(sum, reg);
      return sum;
    },
    true,
    varList,
  ) as tf.Scalar;
  const packed = tf.stack([total, ...parts, ...corrects]) as tf.Tensor1D;
  tf.dispose([total, ...parts, ...corrects]);
  return packed;
}

export function evalStep(
  model: LayersModel,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  losses: LossName[],
  lossWeights: number[],
) {
  return tf.tidy(() => {
    const outputs = asArray(model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[]);
    const parts = outputs.map((out, i) => tf.mean(perExampleLoss(losses[i], out, labels)) as tf.Scalar);
    const corrects = outputs.map((out) => tf.sum(perExampleCorrect(out, labels)) as tf.Scalar);
    let total = tf.scalar(0);
    parts.forEach((p, i) => (total = tf.add(total, tf.mul(p, lossWeights[i]))));
    for (const reg of model.calculateLosses()) total = tf.add(total, reg);
    return tf.stack([total, ...parts, ...corrects]) as tf.Tensor1D;
  });
}
