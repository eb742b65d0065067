// Layer normalization and GELU as single ops with their own gradients where the backend has fused
// kernels for them (`native`), and as TF.js's composed element-wise ops elsewhere. The fused forms
// keep only their inputs (and per-row statistics) for the backward pass instead of every intermediate.
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS } from './native/norm-kernels.js';

function fused(kernelName: string, ...xs: tf.Tensor[]): boolean {
  return xs.every((x) => x.dtype === 'float32') && tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

function run(kernelName: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor[] {
  const out = tf.engine().runKernel(kernelName, inputs, attrs);
  return Array.isArray(out) ? out : [out];
}

/** `(x - mean) / sqrt(variance + epsilon) * gamma + beta` over the last axis (Keras' LayerNormalization). */
export function layerNormLastAxis(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): tf.Tensor {
  if (fused(FUSED_KERNELS.layerNorm, x, gamma, beta)) {
    const [y, mean, variance] = run(FUSED_KERNELS.layerNorm, { x, gamma, beta }, { epsilon });
    mean.dispose();
    variance.dispose();
    return y;
  }
  return tf.tidy(() => {
    const centered = tf.sub(x, tf.mean(x, -1, true));
    const variance = tf.mean(tf.square(centered), -1, true);
    const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normalized, gamma), beta);
  });
}

/** The exact GELU, `x · Φ(x) = x · (1 + erf(x / √2)) / 2`, as Keras' `gelu` (approximate=False). */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (fused(FUSED_KERNELS.gelu, x)) return run(FUSED_KERNELS.gelu, { x })[0];
  return tf.tidy(() => tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.SQRT2))))));
}

// The gradients run when the forward op ran fused, so their kernels exist on that backend too. All
// three layer-norm gradients come from one kernel call; the ones the tape does not ask for are
// disposed with the rest of the backward pass.
tf.registerGradient({
  kernelName: FUSED_KERNELS.layerNorm,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, gamma, mean, variance] = saved;
    const dy = (Array.isArray(dys) ? dys[0] : dys) ?? tf.zerosLike(x);
    const [dx, dgamma, dbeta] = run(FUSED_KERNELS.layerNormGrad, { x, gamma, mean, variance, dy }, attrs);
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
});

tf.registerGradient({
  kernelName: FUSED_KERNELS.gelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => run(FUSED_KERNELS.geluGrad, { x, dy: dy as tf.Tensor })[0] };
  },
});
