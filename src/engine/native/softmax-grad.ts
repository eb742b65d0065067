// Softmax's gradient in one native pass on the `native` backend. TF.js computes it as
// sub(dy·y, sum(dy·y)·y): three attention-map-sized tensors (one broadcast product) for every
// attention block of a transformer, in every training step. The gradient registered here gives the
// same float32 values through one kernel on `native` (softmax over the last axis, float32), and
// TF.js's own composition on every other backend.
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { NATIVE, registerSameShapeKernel } from './kernel-utils.js';

export const SOFTMAX_GRAD_KERNEL = 'VisionlabSoftmaxGrad';

function softmaxGrad(dy: tf.Tensor, y: tf.Tensor, dim: number): tf.Tensor {
  const last = dim === -1 || dim === y.rank - 1;
  if (tf.getBackend() === NATIVE && last && y.rank > 0 && dy.dtype === 'float32' && y.dtype === 'float32') {
    return tf.engine().runKernel(SOFTMAX_GRAD_KERNEL, { dy, y }) as tf.Tensor;
  }
  const dyTimesY = tf.mul(dy, y);
  return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
}

let installed = false;

/** Registers the native kernel and the Softmax gradient that uses it. */
export function installSoftmaxGrad(addon: NativeAddon): void {
  if (installed) return;
  installed = true;
  registerSameShapeKernel(SOFTMAX_GRAD_KERNEL, ['dy', 'y'], (dy, y, dx, shape) => {
    const cols = shape[shape.length - 1];
    if (dx.length > 0) addon.softmaxBackward(y, dy, dx, dx.length / cols, cols);
  });
  tf.registerGradient({
    kernelName: 'Softmax',
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [y] = saved;
      const { dim } = attrs as unknown as { dim: number };
      return { logits: () => softmaxGrad(dy as tf.Tensor, y, dim) };
    },
  });
}
