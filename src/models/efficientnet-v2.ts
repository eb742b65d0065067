import * as tfl from '@tensorflow/tfjs-layers';
import { residual, squeezeExcite, stackStages, swish, type StageArgs } from './efficientnet-blocks.js';
import { defineModel, L, modelSpec } from './layer-factory.js';
import { poolingTop } from './heads.js';
import { Normalization } from '../layers/normalization.js';
import type { ResolvedOptions } from './options.js';
import { IMAGENET_MEAN_RGB, IMAGENET_STD_RGB } from './preprocess.js';
import { kerasImagenetWeights } from './pretrained.js';
import type { ModelSpec } from './types.js';

type Sym = tfl.SymbolicTensor;

interface BlockArgs extends StageArgs {
  kernelSize: number;
  expandRatio: number;
  seRatio: number;
  /** Fused-MBConv (one full convolution instead of 1x1 expansion + depthwise), as Keras' `conv_type: 1`. */
  fused: boolean;
}

/** `DEFAULT_BLOCKS_ARGS["efficientnetv2-b0"]` of keras/src/applications/efficientnet_v2.py (B1–B3 use the same). */
const BLOCKS: BlockArgs[] = [
  {
    kernelSize: 3,
    repeats: 1,
    filtersIn: 32,
    filtersOut: 16,
    expandRatio: 1,
    seRatio: 0,
    strides: 1,
    fused: true,
  },
  {
    kernelSize: 3,
    repeats: 2,
    filtersIn: 16,
    filtersOut: 32,
    expandRatio: 4,
    seRatio: 0,
    strides: 2,
    fused: true,
  },
  {
    kernelSize: 3,
    repeats: 2,
    filtersIn: 32,
    filtersOut: 48,
    expandRatio: 4,
    seRatio: 0,
    strides: 2,
    fused: true,
  },
  {
    kernelSize: 3,
    repeats: 3,
    filtersIn: 48,
    filtersOut: 96,
    expandRatio: 4,
    seRatio: 0.25,
    strides: 2,
    fused: false,
  },
  {
    kernelSize: 3,
    repeats: 5,
    filtersIn: 96,
    filtersOut: 112,
    expandRatio: 6,
    seRatio: 0.25,
    strides: 1,
    fused: false,
  },
  {
    kernelSize: 3,
    repeats: 8,
    filtersIn: 112,
    filtersOut: 192,
    expandRatio: 6,
    seRatio: 0.25,
    strides: 2,
    fused: false,
  },
];

interface Variant {
  name: string;
  kerasName: string;
  width: number;
  depth: number;
  size: number;
}

const VARIANTS: Variant[] = [
  { name: 'efficientnet_v2_b0', kerasName: 'efficientnetv2-b0', width: 1.0, depth: 1.0, size: 224 },
  { name: 'efficientnet_v2_b1', kerasName: 'efficientnetv2-b1', width: 1.0, depth: 1.1, size: 240 },
  { name: 'efficientnet_v2_b2', kerasName: 'efficientnetv2-b2', width: 1.1, depth: 1.2, size: 260 },
  { name: 'efficientnet_v2_b3', kerasName: 'efficientnetv2-b3', width: 1.2, depth: 1.4, size: 300 },
];

const DIVISOR = 8;
const DROPOUT_RATE = 0.2;
const BN_MOMENTUM = 0.9;

const bn = (x: Sym, name: string): Sym =>
  L.batchNormalization({ axis: -1, momentum: BN_MOMENTUM, name }).apply(x) as Sym;
const conv = (x: Sym, filters: number, kernelSize: number, strides: number, name: string): Sym =>
  L.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, name }).apply(x) as Sym;

/** Keras' `MBConvBlock` and `FusedMBConvBlock`; `dropRate` is per-sample drop-connect in training. */
function block(inputs: Sym, args: BlockArgs, dropRate: number, name: string): Sym {
  const filters = args.filtersIn * args.expandRatio;
  let x = inputs;
  if (args.expandRatio !== 1) {
    const kernel = args.fused ? args.kernelSize : 1;
    const strides = args.fused ? args.strides : 1;
    x = swish(
      bn(conv(x, filters, kernel, strides, `${name}expand_conv`), `${name}expand_bn`),
      `${name}expand_activation`,
    );
  }
  if (!args.fused) {
    x = L.depthwiseConv2d({
      kernelSize: args.kernelSize,
      strides: args.strides,
      padding: 'same',
      useBias: false,
      name: `${name}dwconv2`,
    }).apply(x) as Sym;
    x = swish(bn(x, `${name}bn`), `${name}activation`);
  }
  if (args.seRatio > 0 && args.seRatio <= 1)
    x = squeezeExcite(x, args.filtersIn, filters, args.seRatio, name);
  const projectKernel = args.fused && args.expandRatio === 1 ? args.kernelSize : 1;
  const projectStrides = args.fused && args.expandRatio === 1 ? args.strides : 1;
  x = bn(conv(x, args.filtersOut, projectKernel, projectStrides, `${name}project_conv`), `${name}project_bn`);
  if (args.fused && args.expandRatio === 1) x = swish(x, `${name}project_activation`);
  return residual(x, inputs, args, dropRate, name);
}

function efficientNetV2Graph(variant: Variant, opts: ResolvedOptions): tfl.LayersModel {
  const roundFilters = (filters: number): number =>
    Math.max(DIVISOR, Math.floor((filters * variant.width + DIVISOR / 2) / DIVISOR) * DIVISOR);
  const roundRepeats = (repeats: number): number => Math.ceil(variant.depth * repeats);

  const input = tfl.input({ shape: opts.inputShape, name: 'input_1' });
  // Keras' include_preprocessing for the B variants: 0–255 RGB in, ImageNet mean/std inside the model.
  let x: Sym = input;
  if (opts.inputShape[2] === 3) {
    x = L.rescaling({ scale: 1 / 255, name: 'rescaling' }).apply(x) as Sym;
    x = new Normalization({
      name: 'normalization',
      mean: [...IMAGENET_MEAN_RGB],
      variance: IMAGENET_STD_RGB.map((s) => s * s),
    }).apply(x) as Sym;
  } else {
    x = L.rescaling({ scale: 1 / 128, offset: -1, name: 'rescaling' }).apply(x) as Sym;
  }
  x = swish(bn(conv(x, roundFilters(BLOCKS[0].filtersIn), 3, 2, 'stem_conv'), 'stem_bn'), 'stem_activation');

  // Keras counts the drop-connect schedule over the unscaled repeats here (v1 uses the scaled ones).
  const total = BLOCKS.reduce((sum, b) => sum + b.repeats, 0);
  x = stackStages(x, BLOCKS, { filters: roundFilters, repeats: roundRepeats, total }, block);
  x = swish(bn(conv(x, roundFilters(1280), 1, 1, 'top_conv'), 'top_bn'), 'top_activation');
  const out = poolingTop(x, opts, { dropout: 'top_dropout' }, DROPOUT_RATE);
  return tfl.model({ inputs: input, outputs: out, name: opts.name });
}

const builders = VARIANTS.map((variant) =>
  defineModel({ name: variant.kerasName, inputShape: [variant.size, variant.size, 3], minSize: 32 }, (opts) =>
    efficientNetV2Graph(variant, opts),
  ),
);
export const buildEfficientNetV2B0 = builders[0];
export const buildEfficientNetV2B1 = builders[1];
export const buildEfficientNetV2B2 = builders[2];
export const buildEfficientNetV2B3 = builders[3];

const WEIGHTS_ORIGIN = {
  preprocessing: 'raw',
  license: 'Apache-2.0 (google/automl EfficientNetV2, the origin of the Keras files)',
  origin: 'Tan & Le (Google), trained for TensorFlow, converted by Keras',
} as const;

/**
 * keras/src/applications/efficientnet_v2.py: BASE_WEIGHTS_PATH, `<name>_notop.h5`, WEIGHTS_HASHES[bN][1];
 * top-1 from the Keras Applications table.
 */
const WEIGHTS = [
  { hash: '893217f2bb855e2983157299931e43ff', top1: 78.7, params: 5_919_312 },
  { hash: '0e80663031ca32d657f9caa404b6ec37', top1: 79.8, params: 6_931_124 },
  { hash: '1dfe2e7a5d45b6632553a8961ea609eb', top1: 80.5, params: 8_769_374 },
  { hash: 'f6abf7b5849ac99a89b50dd3fd532856', top1: 82.0, params: 12_930_622 },
];

/** Parameters and FLOPs at the default size with the ImageNet top. */
const STATS = [
  { params: 7_200_312, flops: 1_453_316_112 },
  { params: 8_212_124, flops: 2_419_884_776 },
  { params: 10_178_374, flops: 3_430_521_244 },
  { params: 14_467_622, flops: 6_079_705_948 },
];

export const efficientnetV2Specs: ModelSpec[] = VARIANTS.map((v, i) =>
  modelSpec(builders[i], {
    name: v.name,
    family: 'EfficientNetV2',
    stats: STATS[i],
    preprocessing: 'raw',
    description: `EfficientNetV2-B${i} (keras.applications.EfficientNetV2B${i}); rescaling and normalisation inside the model`,
    about: {
      paper: 'Tan & Le, "EfficientNetV2: Smaller Models and Faster Training", arXiv 2104.00298',
      year: 2021,
      introduced:
        'Fused-MBConv in the early stages (one 3x3 convolution instead of 1x1 expansion plus depthwise, faster on accelerators), a training-aware architecture search, and progressive learning: image size and regularisation grow during training.',
      stages:
        'rescaling and normalization; stem_; block1 … block3 fused (blockNx_expand_conv), block4 … block6 MBConv with squeeze-and-excitation; top_conv',
    },
    pretrained: [
      kerasImagenetWeights({
        url: `https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/${v.kerasName}_notop.h5`,
        ...WEIGHTS[i],
        ...WEIGHTS_ORIGIN,
      }),
    ],
  }),
);
