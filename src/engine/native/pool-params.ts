import * as tf from '@tensorflow/tfjs-core';
import type { Pad, Pair, Rounding } from '../conv-attrs.js';
import { inputAndWindow, oneDnnEndPadding } from './window-padding.js';

/** The addon's parameter vector for a pooling window (native/src/pool.cc) and the output shape, or null where oneDNN cannot reproduce TF.js. */
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
    ...inputAndWindow(info),
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
