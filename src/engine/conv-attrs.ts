import * as tf from '@tensorflow/tfjs-core';

/** The `pad`, `dimRoundingMode` and size/stride attributes of TF.js' convolution and pooling kernels. */
export type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
export type Rounding = 'floor' | 'round' | 'ceil' | undefined;
export type Pair = number | [number, number];

/** TF.js' channels-last geometry of a convolution kernel call, from its input and filter shapes and attributes. */
export function convInfoFromAttrs(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: tf.NamedAttrMap,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as Pair,
    (attrs.dilations as Pair | undefined) ?? 1,
    attrs.pad as Pad,
    attrs.dimRoundingMode as Rounding,
    depthwise,
    'channelsLast',
  );
}
