import * as tfl from '@tensorflow/tfjs-layers';
import { conv2d, defineBuilder, L } from './layer-factory.js';
import { flattenTop } from './heads.js';
import { resolveOptions } from './options.js';
import { kerasApplicationSpecs } from './pretrained.js';
import type { BuildOptions, ModelSpec } from './types.js';

type Sym = tfl.SymbolicTensor;

function buildVgg(name: string, convsPerBlock: number[], options: BuildOptions): tfl.LayersModel {
  const opts = resolveOptions(options, { name, inputShape: [224, 224, 3], minSize: 32 });
  const filters = [64, 128, 256, 512, 512];
  const input = tfl.input({ shape: opts.inputShape, name: 'input_1' });
  let x = input;
  convsPerBlock.forEach((convs, b) => {
    for (let c = 1; c <= convs; c++) {
      x = conv2d(x, filters[b], 3, `block${b + 1}_conv${c}`, 1, 'same', 'relu');
    }
    x = L.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }).apply(x) as Sym;
  });
  x = flattenTop(
    x,
    opts,
    [
      { units: 4096, name: 'fc1' },
      { units: 4096, name: 'fc2' },
    ],
    { avg: 'global_average_pooling2d', max: 'global_max_pooling2d' },
  );
  return tfl.model({ inputs: input, outputs: x, name: opts.name });
}

/** VGG16 with the layer names and parameter counts of `keras.applications.VGG16`. */
export const buildVgg16 = defineBuilder((options: BuildOptions): tfl.LayersModel =>
  buildVgg('vgg16', [2, 2, 3, 3, 3], options),
);
/** VGG19 with the layer names and parameter counts of `keras.applications.VGG19`. */
export const buildVgg19 = defineBuilder((options: BuildOptions): tfl.LayersModel =>
  buildVgg('vgg19', [2, 2, 4, 4, 4], options),
);

const VGG_WEIGHTS = {
  preprocessing: 'caffe',
  license: 'CC BY 4.0 (the Oxford VGG release the Keras file was converted from)',
  origin: 'Simonyan & Zisserman (Oxford VGG), converted by Keras',
} as const;

const common: Pick<ModelSpec, 'family' | 'defaultInputShape' | 'preprocessing' | 'about'> = {
  family: 'VGG',
  defaultInputShape: [224, 224, 3],
  preprocessing: 'caffe',
  about: {
    paper:
      'Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition", arXiv 1409.1556',
    year: 2014,
    introduced:
      'Depth from uniform stacks of small 3x3 convolutions: two 3x3 layers see as far as one 5x5 with fewer weights. Most parameters sit in the two 4096-unit dense layers of the top.',
    stages: 'block1 … block5 (blockN_convM, each ending in blockN_pool); top fc1, fc2, predictions',
  },
};

// keras/src/applications/vgg16.py and vgg19.py: WEIGHTS_PATH_NO_TOP and its file_hash.
export const vggSpecs: ModelSpec[] = kerasApplicationSpecs(common, VGG_WEIGHTS, [
  {
    name: 'vgg16',
    build: buildVgg16,
    description: 'VGG16 (keras.applications.VGG16)',
    stats: { params: 138_357_544, flops: 30_973_763_536 },
    file: 'vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
    hash: '6d6bbae143d832006294945121d1f1fc',
    top1: 71.3,
    params: 14_714_688,
  },
  {
    name: 'vgg19',
    build: buildVgg19,
    description: 'VGG19 (keras.applications.VGG19)',
    stats: { params: 143_667_240, flops: 39_299_968_976 },
    file: 'vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
    hash: '253f8cb515780f3b799900260a226db6',
    top1: 71.3,
    params: 20_024_384,
  },
]);
