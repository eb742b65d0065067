import * as tfl from '@tensorflow/tfjs-layers';
import { conv2d, defineModel, L, modelSpec } from './layer-factory.js';
import { flattenTop } from './heads.js';

type Sym = tfl.SymbolicTensor;

/**
 * AlexNet (Krizhevsky et al. 2012) as one tower on 227×227 inputs: five convolutions, three
 * max-poolings, two 4096-unit dense layers with dropout 0.5. Local response normalisation is left
 * out, as in most modern re-implementations (it has no parameters and little effect).
 */
export const buildAlexnet = defineModel(
  { name: 'alexnet', inputShape: [227, 227, 3], minSize: 67 },
  (opts) => {
    const input = tfl.input({ shape: opts.inputShape, name: 'input_1' });
    const pool = (x: Sym, name: string): Sym =>
      L.maxPooling2d({ poolSize: 3, strides: 2, name }).apply(x) as Sym;

    let x = conv2d(input, 96, 11, 'conv1', 4, 'valid', 'relu');
    x = pool(x, 'pool1');
    x = conv2d(x, 256, 5, 'conv2', 1, 'same', 'relu');
    x = pool(x, 'pool2');
    x = conv2d(x, 384, 3, 'conv3', 1, 'same', 'relu');
    x = conv2d(x, 384, 3, 'conv4', 1, 'same', 'relu');
    x = conv2d(x, 256, 3, 'conv5', 1, 'same', 'relu');
    x = pool(x, 'pool5');
    x = flattenTop(x, opts, [
      { units: 4096, name: 'fc6', dropout: { rate: 0.5, name: 'drop6' } },
      { units: 4096, name: 'fc7', dropout: { rate: 0.5, name: 'drop7' } },
    ]);
    return tfl.model({ inputs: input, outputs: x, name: opts.name });
  },
);

export const alexnetSpec = modelSpec(buildAlexnet, {
  stats: { params: 62_378_344, flops: 2_272_932_912 },
  family: 'AlexNet',
  preprocessing: 'caffe',
  description: 'AlexNet (2012), single tower, 227x227',
});
