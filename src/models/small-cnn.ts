import * as tf from '@tensorflow/tfjs-layers';

export interface SmallCnnOptions {
  inputShape?: [number, number, number];
  /** 1 or 2 classes build a single sigmoid unit; more build a softmax head. */
  classes?: number;
  filters?: number;
}

/** A small CNN for 28×28-scale images: the demo model, quick enough to train in seconds. */
export function buildSmallCnn(options: SmallCnnOptions = {}): tf.LayersModel {
  const { inputShape = [28, 28, 1], classes = 2, filters = 32 } = options;
  const binary = classes <= 2;
  const input = tf.input({ shape: inputShape, name: 'input' });
  let x = tf.layers.rescaling({ scale: 1 / 255, name: 'rescale' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: filters * 2, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.5, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 64, activation: 'relu', name: 'fc1' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({
      units: binary ? 1 : classes,
      activation: binary ? 'sigmoid' : 'softmax',
      name: 'predictions',
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'small_cnn' });
}
