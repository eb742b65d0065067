import * as tfl from '@tensorflow/tfjs-layers';
import { residual, squeezeExcite, stackStages, swish, type StageArgs } from './efficientnet-blocks.js';
import { defineModel, L, modelSpec } from './layer-factory.js';
import { poolingTop } from './heads.js';
import { Normalization } from '../layers/normalization.js';
import { correctPad } from './padding.js';
import { IMAGENET_MEAN_RGB, IMAGENET_STD_RGB } from './preprocess.js';
import type { ResolvedOptions } from './options.js';
import { kerasImagenetWeights } from './pretrained.js';
import type { BuildOptions, ModelSpec } from './types.js';

type Sym = tfl.SymbolicTensor;

interface BlockArgs extends StageArgs {
  kernelSize: number;
  expandRatio: number;
  seRatio: number;
}

const BLOCKS: BlockArgs[] = [
  { kernelSize: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, strides: 1, seRatio: 0.25 },
  { kernelSize: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, strides: 2, seRatio: 0.25 },
  { kernelSize: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expandRatio: 6, strides: 2, seRatio: 0.25 },
  { kernelSize: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expandRatio: 6, strides: 2, seRatio: 0.25 },
  { kernelSize: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expandRatio: 6, strides: 1, seRatio: 0.25 },
  { kernelSize: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expandRatio: 6, strides: 2, seRatio: 0.25 },
  { kernelSize: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expandRatio: 6, strides: 1, seRatio: 0.25 },
];

interface Variant {
  name: string;
  width: number;
  depth: number;
  size: number;
  dropout: number;
}

/** Parameters and FLOPs at the default size with the ImageNet top. */
const STATS = [
  { params: 5_330_571, flops: 796_771_112 },
  { params: 7_856_239, flops: 1_414_806_496 },
  { params: 9_177_569, flops: 2_039_542_244 },
  { params: 12_320_535, flops: 3_744_030_816 },
];

const VARIANTS: Variant[] = [
  { name: 'efficientnetb0', width: 1.0, depth: 1.0, size: 224, dropout: 0.2 },
  { name: 'efficientnetb1', width: 1.0, depth: 1.1, size: 240, dropout: 0.2 },
  { name: 'efficientnetb2', width: 1.1, depth: 1.2, size: 260, dropout: 0.3 },
  { name: 'efficientnetb3', width: 1.2, depth: 1.4, size: 300, dropout: 0.3 },
];

/**
 * keras/src/applications/efficientnet.py: BASE_WEIGHTS_PATH, `<name>_notop.h5` and WEIGHTS_HASHES[bN][1];
 * top-1 from the Keras Applications table; parameters without the top.
 */
const WEIGHTS = [
  { hash: '50bc09e76180e00e4465e1a485ddc09d', top1: 77.1, params: 4_049_571 },
  { hash: '74c4e6b3e1f6a1eea24c589628592432', top1: 79.1, params: 6_575_239 },
  { hash: '111f8e2ac8aa800a7a99e3239f7bfb39', top1: 80.1, params: 7_768_569 },
  { hash: 'af6d107764bb5b1abb91932881670226', top1: 81.6, params: 10_783_535 },
];

const WEIGHTS_ORIGIN = {
  preprocessing: 'raw',
  license: 'Apache-2.0 (TensorFlow TPU models, the origin of the Keras files)',
  origin: 'Tan & Le (Google Brain), trained for TensorFlow, converted by Keras',
} as const;

const DEPTH_DIVISOR = 8;

const bn = (x: Sym, name: string): Sym => L.batchNormalization({ axis: -1, name }).apply(x) as Sym;
const pointwise = (x: Sym, filters: number, name: string): Sym =>
  L.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, name }).apply(x) as Sym;

/** Keras' `block`: MBConv with squeeze-and-excitation and (in training) per-sample drop-connect. */
function mbConv(inputs: Sym, args: BlockArgs, dropRate: number, name: string): Sym {
  const filters = args.filtersIn * args.expandRatio;
  let x = inputs;
  if (args.expandRatio !== 1)
    x = swish(
      bn(pointwise(x, filters, `${name}expand_conv`), `${name}expand_bn`),
      `${name}expand_activation`,
    );
  let padding: 'same' | 'valid' = 'same';
  if (args.strides === 2) {
    x = tfl.layers
      .zeroPadding2d({ padding: correctPad(x, args.kernelSize), name: `${name}dwconv_pad` })
      .apply(x) as Sym;
    padding = 'valid';
  }
  x = tfl.layers
    .depthwiseConv2d({
      kernelSize: args.kernelSize,
      strides: args.strides,
      padding,
      useBias: false,
      name: `${name}dwconv`,
    })
    .apply(x) as Sym;
  x = swish(bn(x, `${name}bn`), `${name}activation`);
  if (args.seRatio > 0 && args.seRatio <= 1)
    x = squeezeExcite(x, args.filtersIn, filters, args.seRatio, name);
  x = bn(pointwise(x, args.filtersOut, `${name}project_conv`), `${name}project_bn`);
  return residual(x, inputs, args, dropRate, name);
}

export interface EfficientNetOptions extends BuildOptions {
  /**
   * Keras adds a `Rescaling` by 1/sqrt(std) after the input normalisation only when it builds the model
   * for its ImageNet weights (`weights="imagenet"`; tensorflow/tensorflow#49930). Default true; false
   * builds Keras' `weights=None` architecture, for files saved from such a model.
   */
  imagenetRescaling?: boolean;
}

function efficientNetGraph(
  variant: Variant,
  opts: ResolvedOptions,
  options: EfficientNetOptions,
): tfl.LayersModel {
  const roundFilters = (filters: number): number => {
    const f = filters * variant.width;
    let n = Math.max(DEPTH_DIVISOR, Math.floor((f + DEPTH_DIVISOR / 2) / DEPTH_DIVISOR) * DEPTH_DIVISOR);
    if (n < 0.9 * f) n += DEPTH_DIVISOR;
    return n;
  };
  const roundRepeats = (repeats: number): number => Math.ceil(variant.depth * repeats);

  const input = tfl.input({ shape: opts.inputShape, name: 'input_1' });
  // The preprocessing is part of the model, as in Keras: inputs are 0–255 RGB.
  let x = L.rescaling({ scale: 1 / 255, name: 'rescaling' }).apply(input) as Sym;
  x = new Normalization({
    name: 'normalization',
    adaptedMean: [...IMAGENET_MEAN_RGB],
    adaptedVariance: IMAGENET_STD_RGB.map((s) => s * s),
  }).apply(x) as Sym;
  // Keras adds this with ImageNet weights (tensorflow/tensorflow#49930); TF.js' Rescaling multiplies by any tensor-like.
  if (options.imagenetRescaling !== false) {
    const stdScale = IMAGENET_STD_RGB.map((s) => 1 / Math.sqrt(s)) as unknown as number;
    x = L.rescaling({ scale: stdScale, name: 'rescaling_1' }).apply(x) as Sym;
  }
  x = L.zeroPadding2d({ padding: correctPad(x, 3), name: 'stem_conv_pad' }).apply(x) as Sym;
  x = tfl.layers
    .conv2d({
      filters: roundFilters(32),
      kernelSize: 3,
      strides: 2,
      padding: 'valid',
      useBias: false,
      name: 'stem_conv',
    })
    .apply(x) as Sym;
  x = swish(bn(x, 'stem_bn'), 'stem_activation');

  x = stackStages(
    x,
    BLOCKS,
    {
      filters: roundFilters,
      repeats: roundRepeats,
      total: BLOCKS.reduce((sum, b) => sum + roundRepeats(b.repeats), 0),
    },
    mbConv,
  );
  x = pointwise(x, roundFilters(1280), 'top_conv');
  x = swish(bn(x, 'top_bn'), 'top_activation');
  const out = poolingTop(x, opts, { dropout: 'top_dropout' }, variant.dropout);
  return tfl.model({ inputs: input, outputs: out, name: opts.name });
}

const builders = VARIANTS.map((variant) =>
  defineModel<EfficientNetOptions>(
    { name: variant.name, inputShape: [variant.size, variant.size, 3], minSize: 32 },
    (opts, options) => efficientNetGraph(variant, opts, options),
  ),
);
export const buildEfficientNetB0 = builders[0];
export const buildEfficientNetB1 = builders[1];
export const buildEfficientNetB2 = builders[2];
export const buildEfficientNetB3 = builders[3];

export const efficientnetSpecs: ModelSpec[] = VARIANTS.map((v, i) =>
  modelSpec(builders[i], {
    name: `efficientnet_b${i}`,
    family: 'EfficientNet',
    stats: STATS[i],
    preprocessing: 'raw',
    description: `EfficientNet-B${i} (keras.applications.EfficientNetB${i}); rescaling and normalisation inside the model`,
    about: {
      paper:
        'Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks", arXiv 1905.11946',
      year: 2019,
      introduced:
        'Compound scaling: B1–B7 grow depth, width and input size together by fixed ratios from a searched B0. Blocks are MobileNetV2 inverted residuals with squeeze-and-excitation and swish.',
      stages:
        'rescaling and normalization (inside the model); stem_; block1a … block7x (letters are repeats; block2, 3, 4 and 6 halve the resolution); top_conv',
    },
    pretrained: [
      kerasImagenetWeights({
        url: `https://storage.googleapis.com/keras-applications/${v.name}_notop.h5`,
        ...WEIGHTS[i],
        ...WEIGHTS_ORIGIN,
      }),
    ],
  }),
);
