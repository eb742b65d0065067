import * as tfl from '@tensorflow/tfjs-layers';
import { poolingTop } from './heads.js';
import { defineModel, L, modelSpec } from './layer-factory.js';
import type { ResolvedOptions } from './options.js';
import { KERAS_APPLICATIONS_URL, kerasImagenetWeights } from './pretrained.js';

type Sym = tfl.SymbolicTensor;

const bn = (x: Sym, name: string): Sym =>
  L.batchNormalization({ axis: -1, epsilon: 1.001e-5, name }).apply(x) as Sym;
const relu = (x: Sym, name: string): Sym => L.activation({ activation: 'relu', name }).apply(x) as Sym;

/** Keras' `conv_block`: BN-ReLU-1×1 conv (4·growth), BN-ReLU-3×3 conv (growth), concatenated to the input. */
function convBlock(x: Sym, growthRate: number, name: string): Sym {
  let y = relu(bn(x, `${name}_0_bn`), `${name}_0_relu`);
  y = L.conv2d({ filters: 4 * growthRate, kernelSize: 1, useBias: false, name: `${name}_1_conv` }).apply(
    y,
  ) as Sym;
  y = relu(bn(y, `${name}_1_bn`), `${name}_1_relu`);
  y = L.conv2d({
    filters: growthRate,
    kernelSize: 3,
    padding: 'same',
    useBias: false,
    name: `${name}_2_conv`,
  }).apply(y) as Sym;
  return L.concatenate({ axis: -1, name: `${name}_concat` }).apply([x, y]) as Sym;
}

function transition(x: Sym, reduction: number, name: string): Sym {
  let y = relu(bn(x, `${name}_bn`), `${name}_relu`);
  const filters = Math.floor((y.shape[3] as number) * reduction);
  y = L.conv2d({ filters, kernelSize: 1, useBias: false, name: `${name}_conv` }).apply(y) as Sym;
  return L.averagePooling2d({ poolSize: 2, strides: 2, name: `${name}_pool` }).apply(y) as Sym;
}

function denseNetGraph(blocks: number[], opts: ResolvedOptions): tfl.LayersModel {
  const img = tfl.input({ shape: opts.inputShape, name: 'input_1' });
  let x = L.zeroPadding2d({
    padding: [
      [3, 3],
      [3, 3],
    ],
    name: 'zero_padding2d',
  }).apply(img) as Sym;
  x = L.conv2d({ filters: 64, kernelSize: 7, strides: 2, useBias: false, name: 'conv1/conv' }).apply(
    x,
  ) as Sym;
  x = relu(bn(x, 'conv1/bn'), 'conv1/relu');
  x = L.zeroPadding2d({
    padding: [
      [1, 1],
      [1, 1],
    ],
    name: 'zero_padding2d_1',
  }).apply(x) as Sym;
  x = L.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1' }).apply(x) as Sym;
  blocks.forEach((n, i) => {
    for (let b = 1; b <= n; b++) x = convBlock(x, 32, `conv${i + 2}_block${b}`);
    if (i < blocks.length - 1) x = transition(x, 0.5, `pool${i + 2}`);
  });
  x = relu(bn(x, 'bn'), 'relu');
  return tfl.model({ inputs: img, outputs: poolingTop(x, opts), name: opts.name });
}

/** DenseNet121 with the layer names and parameter counts of `keras.applications.DenseNet121`. */
export const buildDenseNet121 = defineModel(
  { name: 'densenet121', inputShape: [224, 224, 3], minSize: 32 },
  (opts) => denseNetGraph([6, 12, 24, 16], opts),
);

export const densenetSpecs = [
  modelSpec(buildDenseNet121, {
    family: 'DenseNet',
    stats: { params: 8_062_504, flops: 5_717_886_672 },
    preprocessing: 'torch',
    description: 'DenseNet-121 (keras.applications.DenseNet121)',
    about: {
      paper:
        'Huang, Liu, van der Maaten & Weinberger, "Densely Connected Convolutional Networks", arXiv 1608.06993',
      year: 2016,
      introduced:
        'Dense connectivity: every layer in a block receives the concatenated feature maps of all layers before it and adds 32 new channels, so features are reused and the network stays small.',
      stages:
        'stem conv1/ and pool1; dense blocks conv2 … conv5 (convN_blockM_) with transitions pool2 … pool4 between them; bn',
    },
    // keras/src/applications/densenet.py: DENSENET121_WEIGHT_PATH_NO_TOP and its file_hash.
    pretrained: [
      kerasImagenetWeights({
        url: `${KERAS_APPLICATIONS_URL}/densenet/densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5`,
        hash: '30ee3e1110167f948a6b9946edeeb738',
        preprocessing: 'torch',
        top1: 75.0,
        license: "BSD-3-Clause (Zhuang Liu's DenseNet release the Keras file was converted from)",
        params: 7_037_504,
        origin: 'Huang, Liu et al., converted by Keras',
      }),
    ],
  }),
];
