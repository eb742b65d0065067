import * as tfl from '@tensorflow/tfjs-layers';
import { conv2d, defineBuilder, L } from './layer-factory.js';
import { poolingTop } from './heads.js';
import { resolveOptions } from './options.js';
import { kerasApplicationSpecs } from './pretrained.js';
import type { BuildOptions, ModelSpec } from './types.js';

type Sym = tfl.SymbolicTensor;

const BN_EPSILON = 1.001e-5;

const bn = (x: Sym, name: string): Sym =>
  L.batchNormalization({ axis: -1, epsilon: BN_EPSILON, name }).apply(x) as Sym;
const relu = (x: Sym, name: string): Sym => L.activation({ activation: 'relu', name }).apply(x) as Sym;
const conv = conv2d;

/** Keras' `block1`: the bottleneck residual block of ResNet v1. */
function bottleneck(x: Sym, filters: number, name: string, stride = 1, convShortcut = true): Sym {
  let shortcut = x;
  if (convShortcut) shortcut = bn(conv(x, 4 * filters, 1, `${name}_0_conv`, stride), `${name}_0_bn`);
  let y = relu(bn(conv(x, filters, 1, `${name}_1_conv`, stride), `${name}_1_bn`), `${name}_1_relu`);
  y = relu(bn(conv(y, filters, 3, `${name}_2_conv`, 1, 'same'), `${name}_2_bn`), `${name}_2_relu`);
  y = bn(conv(y, 4 * filters, 1, `${name}_3_conv`), `${name}_3_bn`);
  y = L.add({ name: `${name}_add` }).apply([shortcut, y]) as Sym;
  return relu(y, `${name}_out`);
}

/** Keras' `stack1`. */
function stack(x: Sym, filters: number, blocks: number, name: string, stride1 = 2): Sym {
  let y = bottleneck(x, filters, `${name}_block1`, stride1);
  for (let i = 2; i <= blocks; i++) y = bottleneck(y, filters, `${name}_block${i}`, 1, false);
  return y;
}

function buildResNet(
  name: string,
  blocks: [number, number, number, number],
  options: BuildOptions,
): tfl.LayersModel {
  const opts = resolveOptions(options, { name, inputShape: [224, 224, 3], minSize: 32 });
  const input = tfl.input({ shape: opts.inputShape, name: 'input_1' });
  let x = tfl.layers
    .zeroPadding2d({
      padding: [
        [3, 3],
        [3, 3],
      ],
      name: 'conv1_pad',
    })
    .apply(input) as Sym;
  x = conv(x, 64, 7, 'conv1_conv', 2);
  x = relu(bn(x, 'conv1_bn'), 'conv1_relu');
  x = tfl.layers
    .zeroPadding2d({
      padding: [
        [1, 1],
        [1, 1],
      ],
      name: 'pool1_pad',
    })
    .apply(x) as Sym;
  x = L.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }).apply(x) as Sym;
  x = stack(x, 64, blocks[0], 'conv2', 1);
  x = stack(x, 128, blocks[1], 'conv3');
  x = stack(x, 256, blocks[2], 'conv4');
  x = stack(x, 512, blocks[3], 'conv5');
  return tfl.model({ inputs: input, outputs: poolingTop(x, opts), name: opts.name });
}

/** ResNet50 with the layer names and parameter counts of `keras.applications.ResNet50`. */
export const buildResNet50 = defineBuilder((options: BuildOptions): tfl.LayersModel => {
  return buildResNet('resnet50', [3, 4, 6, 3], options);
});

/** ResNet101 with the layer names and parameter counts of `keras.applications.ResNet101`. */
export const buildResNet101 = defineBuilder((options: BuildOptions): tfl.LayersModel => {
  return buildResNet('resnet101', [3, 4, 23, 3], options);
});

const RESNET_WEIGHTS = {
  preprocessing: 'caffe',
  license: "MIT (Kaiming He's deep-residual-networks release the Keras files were converted from)",
  origin: 'He et al. (Microsoft Research), converted by Keras',
} as const;

const common: Pick<ModelSpec, 'family' | 'defaultInputShape' | 'preprocessing' | 'about'> = {
  family: 'ResNet',
  defaultInputShape: [224, 224, 3],
  preprocessing: 'caffe',
  about: {
    paper: 'He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition", arXiv 1512.03385',
    year: 2015,
    introduced:
      'Residual connections: each block learns a correction added to its input, so networks of 50 to 150 layers train. Bottleneck blocks squeeze channels with 1x1 convolutions around the 3x3 one.',
    stages: 'stem conv1_ and pool1_; stages conv2_ … conv5_ (convN_blockM_), each halving the resolution',
  },
};

// keras/src/applications/resnet.py: BASE_WEIGHTS_PATH and WEIGHTS_HASHES[name][1] (no top).
export const resnetSpecs: ModelSpec[] = kerasApplicationSpecs(common, RESNET_WEIGHTS, [
  {
    name: 'resnet50',
    build: buildResNet50,
    description: 'ResNet-50 v1 (keras.applications.ResNet50)',
    stats: { params: 25_636_712, flops: 7_764_217_808 },
    file: 'resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    hash: '4d473c1dd8becc155b73f8504c6f6626',
    top1: 74.9,
    params: 23_587_712,
  },
  {
    name: 'resnet101',
    build: buildResNet101,
    description: 'ResNet-101 v1 (keras.applications.ResNet101)',
    stats: { params: 44_707_176, flops: 15_212_543_952 },
    file: 'resnet/resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5',
    hash: '88cf7a10940856eca736dc7b7e228a21',
    top1: 76.4,
    params: 42_658_176,
  },
]);
