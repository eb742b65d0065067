import * as tf from '@tensorflow/tfjs-layers';
import { defineModel, L, modelSpec } from './layer-factory.js';

/**
 * A small CNN for 28×28-scale images: the demo model, quick enough to train in seconds. Its head follows
 * the classes: 1 or 2 build a single sigmoid unit, more a softmax layer.
 */
export const buildSmallCnn = defineModel(
  { name: 'small_cnn', inputShape: [28, 28, 1], classes: 2, minSize: 4 },
  (opts) => {
    const filters = 32;
    const binary = opts.classes <= 2;
    const input = tf.input({ shape: opts.inputShape, name: 'input' });
    let x = L.rescaling({ scale: 1 / 255, name: 'rescale' }).apply(input) as tf.SymbolicTensor;
    x = L.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' }).apply(
      x,
    ) as tf.SymbolicTensor;
    x = L.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
    x = L.conv2d({
      filters: filters * 2,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'conv2',
    }).apply(x) as tf.SymbolicTensor;
    x = L.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(x) as tf.SymbolicTensor;
    x = L.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
    x = L.dropout({ rate: 0.5, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
    x = L.dense({ units: 64, activation: 'relu', name: 'fc1' }).apply(x) as tf.SymbolicTensor;
    const output = L.dense({
      units: binary ? 1 : opts.classes,
      activation: binary ? 'sigmoid' : 'softmax',
      name: 'predictions',
    }).apply(x) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: output, name: opts.name });
  },
);

export const smallCnnSpec = modelSpec(buildSmallCnn, {
  family: 'SmallCNN',
  preprocessing: 'raw',
  description: 'Small demo CNN for 28x28 grayscale images (rescaling inside the model)',
});
