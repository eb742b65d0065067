import type * as tf from '@tensorflow/tfjs-core';
import { BatchMatMul, _FusedMatMul } from '@tensorflow/tfjs-core';
import { bf16Compute } from '../precision.js';
import { applyActivation } from './conv-kernels.js';
import { allFloat32, floatsOf, sizeOf, type NativeKernel } from './kernel-utils.js';
import { outputFloats } from './buffer-pool.js';
import { bf16Copies } from './bf16-copies.js';
import type { NativeAddon } from './addon.js';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

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

/** C = A·B through the addon; in bf16 the operands' rounded forms are kept for their next product. */
function multiply(
  addon: NativeAddon,
  backend: MathBackendCPU,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  c: Float32Array,
  params: Int32Array,
  bias: Float32Array | null,
  act: number,
): void {
  const av = floatsOf(backend, a);
  const bv = floatsOf(backend, b);
  if (!bf16Compute()) {
    addon.matmul(av, bv, c, params, bias, act, false);
    return;
  }
  const ac = bf16Copies.operand(av);
  const bc = bf16Copies.operand(bv);
  addon.matmul(
    av,
    bv,
    c,
    params,
    bias,
    act,
    true,
    ac?.bits ?? null,
    ac?.ready ?? false,
    bc?.bits ?? null,
    bc?.ready ?? false,
  );
}

const batchMatMul: NativeKernel = ({ inputs, attrs, backend, addon }) => {
  const { a, b } = inputs;
  if (!allFloat32(backend, a, b)) return null;
  const p = plan(a, b, attrs.transposeA as boolean, attrs.transposeB as boolean);
  if (!p) return null;
  const c = outputFloats(p.size);
  multiply(addon, backend, a, b, c, p.params, null, 0);
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
  multiply(
    addon,
    backend,
    a,
    b,
    c,
    p.params,
    bias ? floatsOf(backend, bias) : null,
    activation === 'relu' ? 1 : 0,
  );
  const out = backend.makeTensorInfo(p.shape, 'float32', c);
  return applyActivation(backend, out, activation, preluActivationWeights, attrs.leakyreluAlpha as number);
};

export const matmulKernels: Record<string, NativeKernel> = {
  [BatchMatMul]: batchMatMul,
  [_FusedMatMul]: fusedMatMul,
};
