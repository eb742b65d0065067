import * as tf from '@tensorflow/tfjs-core';
import {
  Abs,
  Add,
  ClipByValue,
  Concat,
  Erf,
  Exp,
  Log,
  Maximum,
  Mean,
  Minimum,
  Multiply,
  Neg,
  PadV2,
  RealDiv,
  Reciprocal,
  Relu,
  Relu6,
  Rsqrt,
  Sigmoid,
  Slice,
  Softmax,
  SplitV,
  Sqrt,
  Square,
  SquaredDifference,
  Step,
  Sub,
  Sum,
  Tile,
  Transpose,
} from '@tensorflow/tfjs-core';
import { allFloat32, floatsOf, opCode, sizeOf, type NativeKernel } from './kernel-utils.js';
import { outputFloats } from './buffer-pool.js';

/** Kernels that the addon's `binary` runs, each by the code its `binaryOps` table gives (native/src/eltwise.cc). */
export const BINARY_KERNELS = [Add, Sub, Multiply, RealDiv, Maximum, Minimum, SquaredDifference];

/** Kernels that the addon's `unary` runs, each by the code its `unaryOps` table gives. */
export const UNARY_KERNELS = [
  Relu,
  Step,
  Sqrt,
  Square,
  Neg,
  Exp,
  Log,
  Abs,
  Sigmoid,
  Rsqrt,
  Reciprocal,
  Relu6,
  Erf,
];

/** True when `small` repeats over the leading dimensions of `shape` (e.g. a bias [C] over [N, H, W, C]). */
function repeatsOver(small: number[], shape: number[]): boolean {
  const s = small.slice(small.findIndex((d) => d !== 1));
  if (s.length > shape.length) return false;
  return s.every((d, i) => d === shape[shape.length - s.length + i]);
}

function binaryKernel(kernelName: string): NativeKernel {
  return ({ inputs, backend, addon }) => {
    const { a, b } = inputs;
    const op = opCode(addon.binaryOps, kernelName);
    if (!allFloat32(backend, a, b)) return null;
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = sizeOf(shape);
    const na = sizeOf(a.shape);
    const nb = sizeOf(b.shape);
    if (n === 0) return null;
    const fast =
      (na === n && nb === n) ||
      (na === n && (nb === 1 || repeatsOver(b.shape, shape))) ||
      (nb === n && (na === 1 || repeatsOver(a.shape, shape)));
    const out = outputFloats(n);
    if (fast) {
      addon.binary(op, floatsOf(backend, a), floatsOf(backend, b), out);
    } else {
      const padded = (s: number[]) => Int32Array.from([...new Array(shape.length - s.length).fill(1), ...s]);
      addon.binary(
        op,
        floatsOf(backend, a),
        floatsOf(backend, b),
        out,
        padded(a.shape),
        padded(b.shape),
        Int32Array.from(shape),
      );
    }
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function unaryKernel(kernelName: string): NativeKernel {
  return ({ inputs, attrs, backend, addon }) => {
    const { x } = inputs;
    if (!allFloat32(backend, x)) return null;
    const out = outputFloats(sizeOf(x.shape));
    addon.unary(
      opCode(addon.unaryOps, kernelName),
      floatsOf(backend, x),
      out,
      (attrs.alpha as number | undefined) ?? 0,
    );
    return backend.makeTensorInfo([...x.shape], 'float32', out);
  };
}

/** Sum or Mean over a contiguous run of axes, as bias gradients, pooling heads and losses need. */
function reduceKernel(mean: boolean): NativeKernel {
  return ({ inputs, attrs, backend, addon }) => {
    const { x } = inputs;
    if (!allFloat32(backend, x)) return null;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape).sort((p, q) => p - q);
    if (axes.length === 0 || rank === 0) return null;
    const first = axes[0];
    const last = axes[axes.length - 1];
    if (last - first + 1 !== axes.length) return null;
    const outer = sizeOf(x.shape.slice(0, first));
    const middle = sizeOf(x.shape.slice(first, last + 1));
    const inner = sizeOf(x.shape.slice(last + 1));
    if (middle === 0) return null;
    const shape = attrs.keepDims
      ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d))
      : x.shape.filter((_, i) => i < first || i > last);
    const out = outputFloats(outer * inner);
    addon.sum(floatsOf(backend, x), out, outer, middle, inner, mean ? 1 / middle : 1);
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

/** Concat along any axis of float32 tensors. */
const concat: NativeKernel = ({ inputs, attrs, backend, addon }) => {
  const list = Object.values(inputs);
  if (list.length === 0 || !allFloat32(backend, ...list)) return null;
  const rank = list[0].shape.length;
  if (rank === 0 || list.some((t) => t.shape.length !== rank)) return null;
  const axis = tf.util.parseAxisParam(attrs.axis as number, list[0].shape)[0];
  const shape = [...list[0].shape];
  shape[axis] = list.reduce((s, t) => s + t.shape[axis], 0);
  const outer = sizeOf(shape.slice(0, axis));
  const out = outputFloats(sizeOf(shape));
  addon.concat(
    list.map((t) => floatsOf(backend, t)),
    out,
    outer,
  );
  return backend.makeTensorInfo(shape, 'float32', out);
};

/** SplitV (the gradient of Concat): float32, any axis. */
const splitV: NativeKernel = ({ inputs, attrs, backend, addon }) => {
  const { x } = inputs;
  if (!allFloat32(backend, x) || x.shape.length === 0) return null;
  const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x, attrs.numOrSizeSplits as number | number[], axis);
  const outer = sizeOf(x.shape.slice(0, axis));
  const shapes = sizes.map((s) => x.shape.map((d, i) => (i === axis ? s : d)));
  const outs = shapes.map((s) => outputFloats(sizeOf(s)));
  addon.split(floatsOf(backend, x), outs, outer);
  return shapes.map((s, i) => backend.makeTensorInfo(s, 'float32', outs[i]));
};

/** PadV2 with a constant, for any rank (ZeroPadding2D, `same` padding done by hand). */
const pad: NativeKernel = ({ inputs, attrs, backend, addon }) => {
  const { x } = inputs;
  if (!allFloat32(backend, x) || x.shape.length === 0) return null;
  const paddings = attrs.paddings as Array<[number, number]>;
  if (paddings.some(([b, a]) => b < 0 || a < 0)) return null;
  const shape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const out = outputFloats(sizeOf(shape));
  addon.pad(
    floatsOf(backend, x),
    out,
    Int32Array.from(x.shape),
    Int32Array.from(paddings.map((p) => p[0])),
    Int32Array.from(paddings.map((p) => p[1])),
    (attrs.constantValue as number | undefined) ?? 0,
  );
  return backend.makeTensorInfo(shape, 'float32', out);
};

/** Slice of any rank (the gradient of padding, crops). */
const slice: NativeKernel = ({ inputs, attrs, backend, addon }) => {
  const { x } = inputs;
  if (!allFloat32(backend, x) || x.shape.length === 0) return null;
  const [begin, size] = tf.slice_util.parseSliceParams(
    x as unknown as tf.Tensor,
    attrs.begin as number | number[],
    attrs.size as number | number[],
  );
  tf.slice_util.assertParamsValid(x as unknown as tf.Tensor, begin, size);
  const out = outputFloats(sizeOf(size));
  if (out.length > 0) {
    addon.slice(
      floatsOf(backend, x),
      out,
      Int32Array.from(x.shape),
      Int32Array.from(begin),
      Int32Array.from(size),
    );
  }
  return backend.makeTensorInfo(size, 'float32', out);
};

/** Tile of any rank (batch-norm gradients broadcast their statistics this way). */
const tile: NativeKernel = ({ inputs, attrs, backend, addon }) => {
  const { x } = inputs;
  const reps = attrs.reps as number[];
  if (!allFloat32(backend, x) || x.shape.length === 0 || reps.length !== x.shape.length) return null;
  const shape = x.shape.map((d, i) => d * reps[i]);
  const out = outputFloats(sizeOf(shape));
  if (out.length > 0) addon.tile(floatsOf(backend, x), out, Int32Array.from(x.shape), Int32Array.from(reps));
  return backend.makeTensorInfo(shape, 'float32', out);
};

const clipByValue: NativeKernel = ({ inputs, attrs, backend, addon }) => {
  const { x } = inputs;
  if (!allFloat32(backend, x)) return null;
  const out = outputFloats(sizeOf(x.shape));
  const clip = opCode(addon.unaryOps, ClipByValue);
  addon.unary(clip, floatsOf(backend, x), out, attrs.clipValueMin as number, attrs.clipValueMax as number);
  return backend.makeTensorInfo([...x.shape], 'float32', out);
};

/** Transpose of any rank (attention blocks move heads and windows around with it). */
const transpose: NativeKernel = ({ inputs, attrs, backend, addon }) => {
  const { x } = inputs;
  const perm = attrs.perm as number[];
  if (!allFloat32(backend, x) || x.shape.length === 0 || perm.length !== x.shape.length) return null;
  if (perm.every((p, i) => p === i)) {
    // tfjs-layers' Dense on 3-D inputs transposes its kernel by the identity: share the data instead.
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  }
  const shape = perm.map((p) => x.shape[p]);
  const out = outputFloats(sizeOf(shape));
  if (out.length > 0)
    addon.transpose(floatsOf(backend, x), out, Int32Array.from(x.shape), Int32Array.from(perm));
  return backend.makeTensorInfo(shape, 'float32', out);
};

/** Softmax over the last axis (attention). */
const softmax: NativeKernel = ({ inputs, attrs, backend, addon }) => {
  const { logits } = inputs;
  const rank = logits.shape.length;
  if (!allFloat32(backend, logits) || rank === 0) return null;
  const dim = tf.util.parseAxisParam(attrs.dim as number, logits.shape)[0];
  if (dim !== rank - 1) return null;
  const cols = logits.shape[rank - 1];
  const out = outputFloats(sizeOf(logits.shape));
  if (out.length > 0) addon.softmax(floatsOf(backend, logits), out, out.length / cols, cols);
  return backend.makeTensorInfo([...logits.shape], 'float32', out);
};

export const eltwiseKernels: Record<string, NativeKernel> = {
  ...Object.fromEntries(BINARY_KERNELS.map((name) => [name, binaryKernel(name)])),
  ...Object.fromEntries(UNARY_KERNELS.map((name) => [name, unaryKernel(name)])),
  [Sum]: reduceKernel(false),
  [Mean]: reduceKernel(true),
  [Concat]: concat,
  [SplitV]: splitV,
  [Slice]: slice,
  [Tile]: tile,
  [Transpose]: transpose,
  [Softmax]: softmax,
  [ClipByValue]: clipByValue,
  [PadV2]: pad,
};
