import type * as tf from '@tensorflow/tfjs-core';

/**
 * The bottom/right padding oneDNN needs to reproduce TF.js' output size for windows `windowHeight` ×
 * `windowWidth` tall and wide (dilation included), or null when oneDNN's rule (floor) still disagrees.
 * TF.js may round a numeric padding's output size up: the last windows then read zeros past the input,
 * which is bottom/right padding as far as oneDNN is concerned.
 */
export function oneDnnEndPadding(
  info: tf.backend_util.Conv2DInfo,
  windowHeight: number,
  windowWidth: number,
): { bottom: number; right: number } | null {
  const p = info.padInfo;
  const bottom = Math.max(
    p.bottom,
    (info.outHeight - 1) * info.strideHeight + windowHeight - info.inHeight - p.top,
  );
  const right = Math.max(
    p.right,
    (info.outWidth - 1) * info.strideWidth + windowWidth - info.inWidth - p.left,
  );
  const oh = Math.floor((info.inHeight + p.top + bottom - windowHeight) / info.strideHeight) + 1;
  const ow = Math.floor((info.inWidth + p.left + right - windowWidth) / info.strideWidth) + 1;
  if (oh !== info.outHeight || ow !== info.outWidth) return null;
  return { bottom, right };
}

/** How the addon's convolution and pooling parameters begin: the NHWC input, then the window's height and width. */
export function inputAndWindow(info: tf.backend_util.Conv2DInfo): number[] {
  return [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth];
}
