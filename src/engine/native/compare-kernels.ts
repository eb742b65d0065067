// Comparisons (in the addon) and logical ops (typed-array loops) for equal shapes or a scalar
// operand: the `cpu` versions index every element through a general broadcast, and ReLU6's gradient
// runs three of them over every activation.
import * as tf from '@tensorflow/tfjs-core';
import {
  Equal,
  Greater,
  GreaterEqual,
  Less,
  LessEqual,
  LogicalAnd,
  LogicalOr,
  NotEqual,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { opCode, sizeOf, type NativeKernel } from './kernel-utils.js';

/** Kernels that the addon's `compare` runs, each by the code its `compareOps` table gives (native/src/compare.cc). */
export const COMPARE_KERNELS = [Greater, GreaterEqual, Less, LessEqual, Equal, NotEqual];

type Values = Float32Array | Uint8Array;

function operands(
  backend: MathBackendCPU,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  kind: typeof Float32Array | typeof Uint8Array,
): { av: Values; bv: Values; shape: number[] } | null {
  const av = backend.data.get(a.dataId).values;
  const bv = backend.data.get(b.dataId).values;
  if (!(av instanceof kind) || !(bv instanceof kind)) return null;
  const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const n = sizeOf(shape);
  if (!((av.length === n || av.length === 1) && (bv.length === n || bv.length === 1))) return null;
  return { av, bv, shape };
}

/** Float32 comparisons in the addon. */
function compareKernel(kernelName: string): NativeKernel {
  return ({ inputs, backend, addon }) => {
    const { a, b } = inputs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
    const ops = operands(backend, a, b, Float32Array);
    if (!ops) return null;
    const out = new Uint8Array(sizeOf(ops.shape));
    addon.compare(opCode(addon.compareOps, kernelName), ops.av as Float32Array, ops.bv as Float32Array, out);
    return backend.makeTensorInfo(ops.shape, 'bool', out);
  };
}

/** Logical ops on bool tensors (Uint8Array storage). */
function logicalKernel(and: boolean): NativeKernel {
  return ({ inputs, backend }) => {
    const { a, b } = inputs;
    if (a.dtype !== 'bool' || b.dtype !== 'bool') return null;
    const ops = operands(backend, a, b, Uint8Array);
    if (!ops) return null;
    const { av, bv, shape } = ops;
    const n = sizeOf(shape);
    const out = new Uint8Array(n);
    const sa = av.length === 1 ? 0 : 1;
    const sb = bv.length === 1 ? 0 : 1;
    if (and) for (let i = 0; i < n; i++) out[i] = av[i * sa] & bv[i * sb] ? 1 : 0;
    else for (let i = 0; i < n; i++) out[i] = av[i * sa] | bv[i * sb] ? 1 : 0;
    return backend.makeTensorInfo(shape, 'bool', out);
  };
}

export const compareKernels: Record<string, NativeKernel> = {
  ...Object.fromEntries(COMPARE_KERNELS.map((name) => [name, compareKernel(name)])),
  [LogicalAnd]: logicalKernel(true),
  [LogicalOr]: logicalKernel(false),
};
