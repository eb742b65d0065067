import * as tfl from '@tensorflow/tfjs-layers';
import { conv2d, defineModel, L, modelSpec } from './layer-factory.js';
import { flattenTop } from './heads.js';
import type { FamilyDefaults } from './options.js';

type Sym = tfl.SymbolicTensor;

/**
 * The reduced AlexNet for 280×280 inputs: ZeroPadding2D(3) → Conv2D(96, 13, strides 3) → MaxPool(3, 2)
 * → Conv2D(256, 5) → MaxPool(3, 2) → Conv2D(384, 3) ×2 → Conv2D(256, 3) → MaxPool(2) → Flatten
 * → Dense(128) → Dense(128) → Dense(1, sigmoid). Layer names are the ones Keras gives a fresh
 * Sequential model, so weights saved from that model load by name.
 */
const ALEXNET_MINI_DEFAULTS: FamilyDefaults = {
  name: 'alexnet_mini',
  inputShape: [280, 280, 3],
  classes: 1,
  classifierActivation: 'sigmoid',
  minSize: 37,
};

export const buildAlexnetMini = defineModel(ALEXNET_MINI_DEFAULTS, (opts) => {
  const input = tfl.input({ shape: opts.inputShape, name: 'input_1' });
  const pool = (x: Sym, poolSize: number, strides: number, name: string): Sym =>
    L.maxPooling2d({ poolSize, strides, name }).apply(x) as Sym;

  let x = L.zeroPadding2d({ padding: 3, name: 'zero_padding2d' }).apply(input) as Sym;
  x = conv2d(x, 96, 13, 'conv2d', 3, 'valid', 'relu');
  x = pool(x, 3, 2, 'max_pooling2d');
  x = conv2d(x, 256, 5, 'conv2d_1', 1, 'same', 'relu');
  x = pool(x, 3, 2, 'max_pooling2d_1');
  x = conv2d(x, 384, 3, 'conv2d_2', 1, 'same', 'relu');
  x = conv2d(x, 384, 3, 'conv2d_3', 1, 'same', 'relu');
  x = conv2d(x, 256, 3, 'conv2d_4', 1, 'same', 'relu');
  x = pool(x, 2, 2, 'max_pooling2d_2');
  x = flattenTop(
    x,
    opts,
    [
      { units: 128, name: 'dense' },
      { units: 128, name: 'dense_1' },
    ],
    { predictions: 'dense_2' },
  );
  return tfl.model({ inputs: input, outputs: x, name: opts.name });
});

export const alexnetMiniSpec = modelSpec(buildAlexnetMini, {
  stats: { params: 7_742_721, flops: 6_324_330_338 },
  family: 'AlexNet',
  preprocessing: 'tf',
  description: 'Reduced AlexNet for 280x280 binary classification (7.7M parameters)',
});
