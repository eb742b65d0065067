import '../layers/gelu-activation.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { applyPooling } from './heads.js';
import { defineBuilder, L } from './layer-factory.js';
import { LayerScale } from './layers/layer-scale.js';
import { Normalization } from './layers/normalization.js';
import { resolveOptions } from './options.js';
import { IMAGENET_MEAN_RGB, IMAGENET_STD_RGB } from './preprocess.js';
import type { BuildOptions, ModelSpec } from './types.js';

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

function buildConvNeXt(
  modelName: string,
  depths: number[],
  dims: number[],
  options: BuildOptions,
): tfl.LayersModel {
  const opts = resolveOptions(options, { name: modelName, inputShape: [224, 224, 3], minSize: 32 });
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

/** ConvNeXt-Tiny with the layer names and parameter counts of `keras.applications.ConvNeXtTiny`. */
export const buildConvNeXtTiny = defineBuilder((options: BuildOptions): tfl.LayersModel =>
  buildConvNeXt('convnext_tiny', [3, 3, 9, 3], [96, 192, 384, 768], options),
);

export const convnextSpecs: ModelSpec[] = [
  {
    name: 'convnext_tiny',
    family: 'ConvNeXt',
    build: buildConvNeXtTiny,
    stats: { params: 28_589_128, flops: 8_943_655_376 },
    defaultInputShape: [224, 224, 3],
    preprocessing: 'raw',
    description: 'ConvNeXt-Tiny (keras.applications.ConvNeXtTiny); normalisation inside the model',
  },
];
