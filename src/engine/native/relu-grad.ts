// ReLU's gradient in one native pass on the `native` backend. TF.js computes it as
// mul(dy, cast(step(x))): a step tensor the size of the activation, then a product, for every ReLU of
// a CNN in every training step. The gradient registered here gives the same float32 values through
// one kernel on `native`, and TF.js's own composition on every other backend.
import * as tf from '@tensorflow/tfjs-core';
import { Relu } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { NATIVE, registerSameShapeKernel } from './kernel-utils.js';

export const RELU_GRAD_KERNEL = 'VisionlabReluGrad';

/** dy × step(x); the native pass when it can take the tensors, TF.js's kernels otherwise. */
function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (tf.getBackend() === NATIVE && dy.dtype === 'float32' && x.dtype === 'float32') {
    return tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x }) as tf.Tensor;
  }
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

let installed = false;

/** Registers the native kernel and the Relu gradient that uses it (and its own, for second derivatives). */
export function installReluGrad(addon: NativeAddon): void {
  if (installed) return;
  installed = true;
  registerSameShapeKernel(RELU_GRAD_KERNEL, ['dy', 'x'], (dy, x, dx) => addon.reluBackward(dy, x, dx));
  tf.registerGradient({
    kernelName: Relu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => reluGrad(dy as tf.Tensor, x) };
    },
  });
  // d(dy × step(x)) = ddx × step(x) for dy, and 0 for x (step is flat almost everywhere).
  tf.registerGradient({
    kernelName: RELU_GRAD_KERNEL,
    inputsToSave: ['x'],
    gradFunc: (ddx, saved) => {
      const [x] = saved;
      return { dy: () => reluGrad(ddx as tf.Tensor, x), x: () => tf.zerosLike(x) };
    },
  });
}
