import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../errors.js';

export const OPTIMIZER_NAMES = ['adam', 'sgd', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface OptimizerSpec {
  name: OptimizerName;
  learningRate?: number;
  /** SGD momentum (0 = plain SGD) and RMSprop momentum. */
  momentum?: number;
}

/** Keras' default learning rates per optimizer. */
const DEFAULT_LR: Record<OptimizerName, number> = {
  adam: 0.001,
  sgd: 0.01,
  rmsprop: 0.001,
  adagrad: 0.001,
};

/** Keras' default learning rate of the optimizer. */
export function defaultLearningRate(name: OptimizerName): number {
  return DEFAULT_LR[name];
}

/** Builds an optimizer with Keras' defaults (Adam β1 0.9, β2 0.999, ε 1e-7; RMSprop ρ 0.9). */
export function makeOptimizer(spec: OptimizerSpec | OptimizerName): tf.Optimizer {
  const s = typeof spec === 'string' ? { name: spec } : spec;
  const lr = s.learningRate ?? DEFAULT_LR[s.name];
  switch (s.name) {
    case 'adam':
      return tf.train.adam(lr, 0.9, 0.999, 1e-7);
    case 'sgd':
      return s.momentum ? tf.train.momentum(lr, s.momentum) : tf.train.sgd(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr, 0.9, s.momentum ?? 0, 1e-7);
    case 'adagrad':
      return tf.train.adagrad(lr);
    default:
      throw new VisionlabError(
        `unknown optimizer "${String((s as { name: unknown }).name)}"`,
        `Use one of: ${OPTIMIZER_NAMES.join(', ')}.`,
      );
  }
}

/** The fields TF.js optimizers keep their learning rate in; read on every step by Adam, RMSprop, Adagrad. */
interface WithLearningRate {
  learningRate: number;
  setLearningRate?: (lr: number) => void;
}

/** The optimizer's current learning rate. */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const lr = (optimizer as unknown as WithLearningRate).learningRate;
  if (typeof lr !== 'number') {
    throw new VisionlabError(`the optimizer ${optimizer.getClassName()} has no numeric learning rate`);
  }
  return lr;
}

/**
 * Changes the learning rate in place, keeping the optimizer's slots (moments, iterations). SGD and
 * Momentum cache `-lr` in a scalar tensor that `setLearningRate` replaces; the others read the field.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as WithLearningRate;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}
