import * as tf from '@tensorflow/tfjs-core';
import { allFloat32, floatsOf, sizeOf, type NativeKernel } from './kernel-utils.js';
import { outputFloats } from './buffer-pool.js';
import type { Pad, Pair, Rounding } from '../conv-attrs.js';
import { oneDnnEndPadding } from './window-padding.js';

export function poolParams(
  xShape: number[],
  attrs: tf.NamedAttrMap,
): { params: Int32Array; out: number[] } | null {
  const info = tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize as Pair,
    attrs.strides as Pair,
    1,
    attrs.pad as Pad,
    attrs.dimRoundingMode as Rounding,
  );
  const p = info.padInfo;
  const end = oneDnnEndPadding(info, info.filterHeight, info.filterWidth);
  if (!end) return null;
  const { bottom, right } = end;
  // oneDNN wants every window to overlap the input.
  if (bottom >= info.filterHeight || right >= info.filterWidth || p.top < 0 || p.left < 0) return null;
  if (p.top >= info.filterHeight || p.left >= info.filterWidth) return null;
  const params = Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    p.top,
    p.left,
    bottom,
    right,
  ]);
  return { params, out: [info.batchSize, info.outHeight, info.outWidth, info.outChannels] };
}

function poolForward(max: boolean): NativeKernel {
  return ({ inputs, attrs, backend, addon }) => {
    const { x } = inputs;
    if (!allFloat32(backend, x) || x.shape.length !== 4) return null;
    const plan = poolParams(x.shape, attrs);
    if (!plan) return null;
    const y = outputFloats(sizeOf(plan.out));
    addon.poolForward(max, floatsOf(backend, x), y, plan.params);
    return backend.makeTensorInfo(plan.out, 'float32', y);
  };
}

/**
 * MaxPoolGrad (dy, input, output) and AvgPoolGrad (dy, input). Average pooling's gradient divides by
 * the number of in-bounds pixels, as its forward pass does (TF semantics).
 */
function poolBackward(max: boolean): NativeKernel {
  return ({ inputs, attrs, backend, addon }) => {
    const { dy, input } = inputs;
    if (!allFloat32(backend, dy, input) || input.shape.length !== 4) return null;
    const plan = poolParams(input.shape, attrs);
    if (!plan) return null;
    const dx = outputFloats(sizeOf(input.shape));
    addon.poolBackward(max, floatsOf(backend, input), floatsOf(backend, dy), dx, plan.params);
    return backend.makeTensorInfo([...input.shape], 'float32', dx);
  };
}

export const poolKernels: Record<string, NativeKernel> = {
  MaxPool: poolForward(true),
  AvgPool: poolForward(false),
  MaxPoolGrad: poolBackward(true),
  AvgPoolGrad: poolBackward(false),
};
