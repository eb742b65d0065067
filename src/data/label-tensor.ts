import * as tf from '@tensorflow/tfjs-core';
import type { LabelMode } from './types.js';

/** The label tensor of a batch, in the shape and dtype Keras uses for `labelMode`. */
export function labelTensor(
  classIndices: Int32Array,
  mode: LabelMode,
  numClasses: number,
): tf.Tensor | undefined {
  switch (mode) {
    case 'none':
      return undefined;
    case 'int':
      return tf.tensor1d(classIndices, 'int32');
    case 'binary':
      return tf.tensor2d(Float32Array.from(classIndices), [classIndices.length, 1], 'float32');
    case 'categorical': {
      const oneHot = new Float32Array(classIndices.length * numClasses);
      classIndices.forEach((c, i) => (oneHot[i * numClasses + c] = 1));
      return tf.tensor2d(oneHot, [classIndices.length, numClasses], 'float32');
    }
  }
}
