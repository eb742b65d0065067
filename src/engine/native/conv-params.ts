import type * as tf from '@tensorflow/tfjs-core';
import { inputAndWindow, oneDnnEndPadding } from './window-padding.js';

export const ACT_NONE = 0;
export const ACT_RELU = 1;

/**
 * The addon's parameter vector for a convolution (native/src/conv.cc), or null when oneDNN's output-size rule disagrees
 * with TF.js's (e.g. a rounding mode), in which case the `cpu` kernel runs instead.
 */
export function convParams(
  info: tf.backend_util.Conv2DInfo,
  depthwise: boolean,
  act: number,
  bf16: boolean,
): Int32Array | null {
  const p = info.padInfo;
  const effH = (info.filterHeight - 1) * info.dilationHeight + 1;
  const effW = (info.filterWidth - 1) * info.dilationWidth + 1;
  const end = oneDnnEndPadding(info, effH, effW);
  if (!end || info.dataFormat !== 'channelsLast') return null;
  const { bottom, right } = end;
  if ([p.top, bottom, p.left, right].some((v) => v < 0)) return null;
  return Int32Array.from([
    ...inputAndWindow(info),
    info.outChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    p.top,
    p.left,
    bottom,
    right,
    depthwise ? info.inChannels : 1,
    act,
    bf16 ? 1 : 0,
  ]);
}
