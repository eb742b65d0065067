// The benchmark models, from the model zoo: the user's reduced AlexNet and one Inception module.
import * as tfl from '@tensorflow/tfjs-layers';
import { buildAlexnetMini } from '../src/models/alexnet-mini.js';
import { inception } from '../src/models/googlenet.js';

/** The user's reduced AlexNet (7,742,721 parameters at 280×280×3). */
export function alexnetMini(inputShape: [number, number, number]): tfl.LayersModel {
  return buildAlexnetMini({ inputShape });
}

/**
 * One GoogLeNet Inception module (1×1 64; 1×1 96 → 3×3 128; 1×1 16 → 5×5 32; 3×3 max-pool → 1×1 32),
 * followed by a small binary head so that it can be trained.
 */
export function inceptionModule(inputShape: [number, number, number]): tfl.LayersModel {
  const input = tfl.input({ shape: inputShape });
  let x = inception(input, { f1x1: 64, f3x3Reduce: 96, f3x3: 128, f5x5Reduce: 16, f5x5: 32, poolProj: 32 });
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ units: 1, activation: 'sigmoid' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: 'inception_module' });
}
