// The benchmark models, built with tfjs-layers exactly as the user describes them.
import * as tfl from '@tensorflow/tfjs-layers';

/** The user's reduced AlexNet (7,742,721 parameters at 280×280×3). */
export function alexnetMini(inputShape: [number, number, number]): tfl.LayersModel {
  const conv = (filters: number, kernelSize: number, strides = 1, padding: 'same' | 'valid' = 'valid') =>
    tfl.layers.conv2d({ filters, kernelSize, strides, padding, activation: 'relu' });
  const input = tfl.input({ shape: inputShape });
  let x = tfl.layers.zeroPadding2d({ padding: 3 }).apply(input) as tfl.SymbolicTensor;
  x = conv(96, 13, 3).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x) as tfl.SymbolicTensor;
  x = conv(256, 5, 1, 'same').apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x) as tfl.SymbolicTensor;
  x = conv(384, 3, 1, 'same').apply(x) as tfl.SymbolicTensor;
  x = conv(384, 3, 1, 'same').apply(x) as tfl.SymbolicTensor;
  x = conv(256, 3, 1, 'same').apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: 128, activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: 128, activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ units: 1, activation: 'sigmoid' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: 'alexnet_mini' });
}

/**
 * One GoogLeNet Inception module (1×1 64; 1×1 96 → 3×3 128; 1×1 16 → 5×5 32; 3×3 max-pool → 1×1 32),
 * followed by a small binary head so that it can be trained.
 */
export function inceptionModule(inputShape: [number, number, number]): tfl.LayersModel {
  const conv = (filters: number, kernelSize: number) =>
    tfl.layers.conv2d({ filters, kernelSize, padding: 'same', activation: 'relu' });
  const input = tfl.input({ shape: inputShape });
  const b1 = conv(64, 1).apply(input) as tfl.SymbolicTensor;
  const b2 = conv(128, 3).apply(conv(96, 1).apply(input)) as tfl.SymbolicTensor;
  const b3 = conv(32, 5).apply(conv(16, 1).apply(input)) as tfl.SymbolicTensor;
  const pooled = tfl.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(input);
  const b4 = conv(32, 1).apply(pooled) as tfl.SymbolicTensor;
  let x = tfl.layers.concatenate({ axis: -1 }).apply([b1, b2, b3, b4]) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ units: 1, activation: 'sigmoid' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: 'inception_module' });
}
