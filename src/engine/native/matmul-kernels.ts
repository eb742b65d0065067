import type * as tf from '@tensorflow/tfjs-core';
import { BatchMatMul, _FusedMatMul } from '@tensorflow/tfjs-core';
import { bf16Compute } from '../precision.js';
import { applyActivation } from './conv-kernels.js';
import { allFloat32, floatsOf, sizeOf, type NativeKernel } from './kernel-utils.js';
import { outputFloats } from './buffer-pool.js';

/** Output shape and addon parameters, or null for batch broadcasts other than "same" or "one side 1". */
function plan(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean) {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const Kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (K !== Kb) return null;
  const batchShapeA = a.shape.slice(0, -2);
  const batchShapeB = b.shape.slice(0, -2);
  const batchA = sizeOf(batchShapeA);
  const batchB = sizeOf(batchShapeB);
  let batchShape: number[];
  if (batchA === 1) batchShape = batchShapeB;
  else if (batchB === 1) batchShape = batchShapeA;
  else if (batchShapeA.join() === batchShapeB.join()) batchShape = batchShapeA;
  else return null;
  if (batchA === 1 && batchB === 1)
    batchShape = batchShapeA.length >= batchShapeB.length ? batchShapeA : batchShapeB;
  const params = Int32Array.from([batchA, batchB, M, N, K, transposeA ? 1 : 0, transposeB ? 1 : 0]);
  return { params, shape: [...batchShape, M, N], size: Math.max(batchA, batchB) * M * N, N };
}

const batchMatMul: NativeKernel = ({ inputs, attrs, backend, addon }) => {
  const { a, b } = inputs;
  if (!allFloat32(backend, a, b)) return null;
  const p = plan(a, b, attrs.transposeA as boolean, attrs.transposeB as boolean);
  if (!p) return null;
  const c = outputFloats(p.size);
  addon.matmul(floatsOf(backend, a), floatsOf(backend, b), c, p.params, null, 0, bf16Compute());
  return backend.makeTensorInfo(p.shape, 'float32', c);
};

const fusedMatMul: NativeKernel = ({ inputs, attrs, backend, addon }) => {
  const { a, b } = inputs;
  const bias = inputs.bias as tf.TensorInfo | undefined;
  const preluActivationWeights = inputs.preluActivationWeights as tf.TensorInfo | undefined;
  if (!allFloat32(backend, a, b, bias, preluActivationWeights)) return null;
  const p = plan(a, b, attrs.transposeA as boolean, attrs.transposeB as boolean);
  if (!p) return null;
  if (bias && sizeOf(bias.shape) !== p.N) return null;
  const activation = (attrs.activation as string | undefined) ?? 'linear';
  const c = outputFloats(p.size);
  addon.matmul(
    floatsOf(backend, a),
    floatsOf(backend, b),
    c,
    p.params,
    bias ? floatsOf(backend, bias) : null,
    activation === 'relu' ? 1 : 0,
    bf16Compute(),
  );
  const out = backend.makeTensorInfo(p.shape, 'float32', c);
  return applyActivation(backend, out, activation, preluActivationWeights, attrs.leakyreluAlpha as number);
};

export const matmulKernels: Record<string, NativeKernel> = {
  [BatchMatMul]: batchMatMul,
  [_FusedMatMul]: fusedMatMul,
};
