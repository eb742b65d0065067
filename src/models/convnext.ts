import '../layers/gelu-activation.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { applyPooling } from './heads.js';
import { defineBuilder, defineModel, L, modelSpec } from './layer-factory.js';
import { LayerScale } from '../layers/layer-scale.js';
import { Normalization } from '../layers/normalization.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { IMAGENET_MEAN_RGB, IMAGENET_STD_RGB } from './preprocess.js';
import { KERAS_APPLICATIONS_URL, kerasImagenetWeights } from './pretrained.js';
import type { BuildOptions, InputShape } from './types.js';

type Sym = tfl.SymbolicTensor;

const layerNorm = (x: Sym, name?: string): Sym =>
  L.layerNormalization({ epsilon: 1e-6, name }).apply(x) as Sym;

/** Keras' `ConvNeXtBlock` at inference (no stochastic depth): depthwise 7×7, LayerNorm, MLP ×4, LayerScale, residual. */
function convNeXtBlock(inputs: Sym, dim: number, name: string): Sym {
  // Keras writes this as Conv2D(groups=dim); a depthwise convolution has the same parameters
  // (its kernel is stored as [7, 7, dim, 1] instead of [7, 7, 1, dim]).
  let x = L.depthwiseConv2d({
    kernelSize: 7,
    padding: 'same',
    useBias: true,
    name: `${name}_depthwise_conv`,
  }).apply(inputs) as Sym;
  x = layerNorm(x, `${name}_layernorm`);
  x = L.dense({ units: 4 * dim, name: `${name}_pointwise_conv_1` }).apply(x) as Sym;
  x = L.activation({ activation: 'gelu', name: `${name}_gelu` }).apply(x) as Sym;
  x = L.dense({ units: dim, name: `${name}_pointwise_conv_2` }).apply(x) as Sym;
  x = new LayerScale({ initValues: 1e-6, projectionDim: dim, name: `${name}_layer_scale` }).apply(x) as Sym;
  x = L.activation({ activation: 'linear', name: `${name}_identity` }).apply(x) as Sym;
  return L.add({ name: `${name}_add` }).apply([inputs, x]) as Sym;
}

export interface ConvNeXtOptions extends BuildOptions {
  /** Blocks per stage (Keras' `depths`). */
  depths: number[];
  /** Channels per stage (Keras' `projection_dims`). */
  projectionDims: number[];
  /** Prefix of every layer name (Keras' `model_name`, e.g. `convnext_tiny`). */
  modelName: string;
}

type ConvNeXtArchitecture = Pick<ConvNeXtOptions, 'modelName' | 'depths' | 'projectionDims'>;

const CONVNEXT_INPUT = { inputShape: [224, 224, 3] as InputShape, minSize: 32 };

function convNeXtGraph(opts: ResolvedOptions, architecture: ConvNeXtArchitecture): tfl.LayersModel {
  const { modelName, depths, projectionDims: dims } = architecture;
  const input = tfl.input({ shape: opts.inputShape, name: 'input_1' });
  let x: Sym = input;
  if (opts.inputShape[2] === 3) {
    x = new Normalization({
      name: `${modelName}_prestem_normalization`,
      mean: IMAGENET_MEAN_RGB.map((m) => m * 255),
      variance: IMAGENET_STD_RGB.map((s) => (s * 255) ** 2),
    }).apply(x) as Sym;
  }
  // Keras groups the stem and each downsampling step in a nested Sequential; the layers (and names) are the same.
  x = L.conv2d({ filters: dims[0], kernelSize: 4, strides: 4, name: `${modelName}_stem_conv` }).apply(
    x,
  ) as Sym;
  x = layerNorm(x, `${modelName}_stem_layernorm`);
  for (let i = 0; i < depths.length; i++) {
    if (i > 0) {
      x = layerNorm(x, `${modelName}_downsampling_layernorm_${i - 1}`);
      x = L.conv2d({
        filters: dims[i],
        kernelSize: 2,
        strides: 2,
        name: `${modelName}_downsampling_conv_${i - 1}`,
      }).apply(x) as Sym;
    }
    for (let j = 0; j < depths[i]; j++) x = convNeXtBlock(x, dims[i], `${modelName}_stage_${i}_block_${j}`);
  }
  if (opts.includeTop) {
    x = L.globalAveragePooling2d({ name: `${modelName}_head_gap` }).apply(x) as Sym;
    x = layerNorm(x, `${modelName}_head_layernorm`);
    x = L.dense({
      units: opts.classes,
      activation: opts.classifierActivation ?? 'linear',
      name: `${modelName}_head_dense`,
    }).apply(x) as Sym;
  } else {
    x = applyPooling(x, opts.pooling, { avg: 'global_average_pooling2d', max: 'global_max_pooling2d' });
    x = layerNorm(x, 'layer_normalization');
  }
  return tfl.model({ inputs: input, outputs: x, name: opts.name });
}

/** Keras' `convnext.ConvNeXt(depths, projection_dims, model_name)`: any ConvNeXt with Keras' layer names. */
export function buildConvNeXt(options: ConvNeXtOptions): tfl.LayersModel {
  return convNeXt(options);
}
const convNeXt = defineBuilder((options: ConvNeXtOptions) =>
  convNeXtGraph(resolveOptions(options, { name: options.modelName, ...CONVNEXT_INPUT }), options),
);

/** ConvNeXt-Tiny with the layer names and parameter counts of `keras.applications.ConvNeXtTiny`. */
export const buildConvNeXtTiny = defineModel({ name: 'convnext_tiny', ...CONVNEXT_INPUT }, (opts) =>
  convNeXtGraph(opts, {
    modelName: 'convnext_tiny',
    depths: [3, 3, 9, 3],
    projectionDims: [96, 192, 384, 768],
  }),
);

export const convnextSpecs = [
  modelSpec(buildConvNeXtTiny, {
    family: 'ConvNeXt',
    stats: { params: 28_589_128, flops: 8_943_655_376 },
    preprocessing: 'raw',
    description: 'ConvNeXt-Tiny (keras.applications.ConvNeXtTiny); normalisation inside the model',
    about: {
      paper: 'Liu, Mao, Wu, Feichtenhofer, Darrell & Xie, "A ConvNet for the 2020s", arXiv 2201.03545',
      year: 2022,
      introduced:
        'A ResNet modernised step by step with vision-transformer choices: a 4x4 "patchify" stem, 7x7 depthwise convolutions, LayerNorm, GELU, an inverted MLP and layer scale. A pure ConvNet that matches Swin transformers.',
      stages:
        'convnext_tiny_prestem_normalization, stem convnext_tiny_stem_; stages convnext_tiny_stage_0 … _3 (3, 3, 9, 3 blocks) with convnext_tiny_downsampling_ between them',
    },
    // keras/src/applications/convnext.py: BASE_WEIGHTS_PATH and WEIGHTS_HASHES["convnext_tiny"][1] (SHA-256).
    // Its stem and downsampling blocks are nested Sequential models, stored as nested groups.
    pretrained: [
      kerasImagenetWeights({
        url: `${KERAS_APPLICATIONS_URL}/convnext/convnext_tiny_notop.h5`,
        hash: 'd547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1',
        preprocessing: 'raw',
        top1: 81.3,
        license: 'MIT (facebookresearch/ConvNeXt, the origin of the Keras file)',
        params: 27_820_128,
        origin: 'Liu et al. (Meta AI), converted by Keras',
      }),
    ],
  }),
];
