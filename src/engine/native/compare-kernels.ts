// Comparisons and logical ops for equal shapes or a scalar operand, as plain typed-array loops: the
// `cpu` versions index every element through a general broadcast, and ReLU6's gradient runs three
// of them over every activation.
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { sizeOf, type NativeKernel } from './kernel-utils.js';

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

function compareKernel(test: (x: number, y: number) => boolean, inputKind: 'float32' | 'bool'): NativeKernel {
  return ({ inputs, backend }) => {
    const { a, b } = inputs;
    if (a.dtype !== inputKind || b.dtype !== inputKind) return null;
    const ops = operands(backend, a, b, inputKind === 'float32' ? Float32Array : Uint8Array);
    if (!ops) return null;
    const { av, bv, shape } = ops;
    const n = sizeOf(shape);
    const out = new Uint8Array(n);
    if (av.length === n && bv.length === n) for (let i = 0; i < n; i++) out[i] = test(av[i], bv[i]) ? 1 : 0;
    else if (bv.length === 1) {
      const y = bv[0];
      for (let i = 0; i < n; i++) out[i] = test(av[i], y) ? 1 : 0;
    } else {
      const x = av[0];
      for (let i = 0; i < n; i++) out[i] = test(x, bv[i]) ? 1 : 0;
    }
    return backend.makeTensorInfo(shape, 'bool', out);
  };
}

export const compareKernels: Record<string, NativeKernel> = {
  Greater: compareKernel((x, y) => x > y, 'float32'),
  GreaterEqual: compareKernel((x, y) => x >= y, 'float32'),
  Less: compareKernel((x, y) => x < y, 'float32'),
  LessEqual: compareKernel((x, y) => x <= y, 'float32'),
  Equal: compareKernel((x, y) => x === y, 'float32'),
  NotEqual: compareKernel((x, y) => x !== y, 'float32'),
  LogicalAnd: compareKernel((x, y) => x !== 0 && y !== 0, 'bool'),
  LogicalOr: compareKernel((x, y) => x !== 0 || y !== 0, 'bool'),
};
