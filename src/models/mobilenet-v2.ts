import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder, L } from './layer-factory.js';
import { correctPad, makeDivisible } from './padding.js';
import { poolingTop } from './heads.js';
import { resolveOptions } from './options.js';
import { KERAS_APPLICATIONS_URL, kerasImagenetWeights } from './pretrained.js';
import type { BuildOptions, ModelAbout, ModelSpec } from './types.js';

type Sym = tfl.SymbolicTensor;

const bn = (x: Sym, name: string): Sym =>
  L.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name }).apply(x) as Sym;
const relu6 = (x: Sym, name: string): Sym => L.reLU({ maxValue: 6, name }).apply(x) as Sym;
const pointwise = (x: Sym, filters: number, name: string): Sym =>
  L.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, name }).apply(x) as Sym;

function invertedResidual(
  inputs: Sym,
  expansion: number,
  stride: number,
  filters: number,
  blockId: number,
  alpha: number,
): Sym {
  const inChannels = inputs.shape[3] as number;
  const pointwiseFilters = makeDivisible(Math.trunc(filters * alpha), 8);
  let prefix = `block_${blockId}_`;
  let x = inputs;
  if (blockId) {
    x = relu6(
      bn(pointwise(x, expansion * inChannels, `${prefix}expand`), `${prefix}expand_BN`),
      `${prefix}expand_relu`,
    );
  } else {
    prefix = 'expanded_conv_';
  }
  if (stride === 2) x = L.zeroPadding2d({ padding: correctPad(x, 3), name: `${prefix}pad` }).apply(x) as Sym;
  x = tfl.layers
    .depthwiseConv2d({
      kernelSize: 3,
      strides: stride,
      useBias: false,
      padding: stride === 1 ? 'same' : 'valid',
      name: `${prefix}depthwise`,
    })
    .apply(x) as Sym;
  x = relu6(bn(x, `${prefix}depthwise_BN`), `${prefix}depthwise_relu`);
  x = bn(pointwise(x, pointwiseFilters, `${prefix}project`), `${prefix}project_BN`);
  if (inChannels === pointwiseFilters && stride === 1)
    return L.add({ name: `${prefix}add` }).apply([inputs, x]) as Sym;
  return x;
}

/** [expansion, stride, filters] of blocks 0–16 (alpha = 1). */
const BLOCKS: Array<[number, number, number]> = [
  [1, 1, 16],
  [6, 2, 24],
  [6, 1, 24],
  [6, 2, 32],
  [6, 1, 32],
  [6, 1, 32],
  [6, 2, 64],
  [6, 1, 64],
  [6, 1, 64],
  [6, 1, 64],
  [6, 1, 96],
  [6, 1, 96],
  [6, 1, 96],
  [6, 2, 160],
  [6, 1, 160],
  [6, 1, 160],
  [6, 1, 320],
];

export interface MobileNetV2Options extends BuildOptions {
  /** Keras' `alpha`, the width multiplier (default 1.0; Keras publishes 0.35, 0.5, 0.75, 1.0, 1.3, 1.4). */
  alpha?: number;
}

/**
 * MobileNetV2's layers from `Conv1` to `out_relu` (1280 channels at 1/32 of the input for alpha ≤ 1).
 * `stemPad` builds the stem of Keras ≤ 2.2.4 (keras-applications 1.0.7), an explicit `Conv1_pad` before
 * a 'valid' `Conv1`; later Keras pads inside `Conv1` ('same'), which is the same for even input sizes.
 */
export function mobileNetV2Features(input: Sym, alpha = 1.0, stemPad = false): Sym {
  const firstFilters = makeDivisible(32 * alpha, 8);
  const stem = stemPad
    ? (L.zeroPadding2d({ padding: correctPad(input, 3), name: 'Conv1_pad' }).apply(input) as Sym)
    : input;
  let x = tfl.layers
    .conv2d({
      filters: firstFilters,
      kernelSize: 3,
      strides: 2,
      padding: stemPad ? 'valid' : 'same',
      useBias: false,
      name: 'Conv1',
    })
    .apply(stem) as Sym;
  x = relu6(bn(x, 'bn_Conv1'), 'Conv1_relu');
  BLOCKS.forEach(([expansion, stride, filters], id) => {
    x = invertedResidual(x, expansion, stride, filters, id, alpha);
  });
  // As in the paper, the width multiplier widens the last convolution but never narrows it.
  const lastFilters = alpha > 1 ? makeDivisible(1280 * alpha, 8) : 1280;
  x = L.conv2d({ filters: lastFilters, kernelSize: 1, useBias: false, name: 'Conv_1' }).apply(x) as Sym;
  return relu6(bn(x, 'Conv_1_bn'), 'out_relu');
}

/** Keras' MobileNetV2 top names. */
export const MOBILENET_V2_POOLING = { avg: 'global_average_pooling2d', max: 'global_max_pooling2d' };

/** MobileNetV2 with the layer names and parameter counts of `keras.applications.MobileNetV2`. */
export const buildMobileNetV2 = defineBuilder((options: MobileNetV2Options): tfl.LayersModel => {
  const alpha = options.alpha ?? 1.0;
  const size = options.inputShape?.[0] ?? 224;
  const opts = resolveOptions(options, {
    name: `mobilenetv2_${alpha.toFixed(2)}_${size}`,
    inputShape: [224, 224, 3],
    minSize: 32,
  });
  const input = tfl.input({ shape: opts.inputShape, name: 'input_1' });
  const out = poolingTop(mobileNetV2Features(input, alpha), opts, MOBILENET_V2_POOLING);
  return tfl.model({ inputs: input, outputs: out, name: opts.name });
});

export const MOBILENET_V2_ABOUT: ModelAbout = {
  paper:
    'Sandler, Howard, Zhu, Zhmoginov & Chen, "MobileNetV2: Inverted Residuals and Linear Bottlenecks", arXiv 1801.04381',
  year: 2018,
  introduced:
    'Inverted residual blocks: widen with a 1x1 convolution, filter with a cheap 3x3 depthwise convolution, project back to a narrow linear bottleneck that carries the shortcut. Made for phones: few multiply-adds.',
  stages:
    'stem Conv1; expanded_conv and block_1 … block_16 (1/4: block_1–2, 1/8: block_3–5, 1/16: block_6–12, 1/32: block_13–16); Conv_1 and out_relu',
};

export const mobilenetV2Spec: ModelSpec = {
  name: 'mobilenet_v2',
  stats: { params: 3_538_984, flops: 621_291_664 },
  family: 'MobileNet',
  build: buildMobileNetV2,
  defaultInputShape: [224, 224, 3],
  preprocessing: 'tf',
  description: 'MobileNetV2 alpha 1.0 (keras.applications.MobileNetV2)',
  about: MOBILENET_V2_ABOUT,
  // keras/src/applications/mobilenet_v2.py: BASE_WEIGHT_PATH + the no-top file name for alpha 1.0 at 224.
  pretrained: [
    kerasImagenetWeights({
      url: `${KERAS_APPLICATIONS_URL}/mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5`,
      hash: null,
      checksumNote:
        'Keras publishes no digest for its MobileNetV2 files (mobilenet_v2.py calls get_file without file_hash); the download is not verified.',
      preprocessing: 'tf',
      top1: 71.3,
      license: 'Apache-2.0 (TensorFlow models, the origin of the Keras file)',
      params: 2_257_984,
      origin: 'Sandler et al. (Google), trained for TensorFlow, converted by Keras',
    }),
  ],
};
