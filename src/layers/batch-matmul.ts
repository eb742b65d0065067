import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** `a @ b` over the last two axes with matching leading axes, as Keras' `tf.linalg.matmul` op layer. */
export class BatchMatMul extends tfl.layers.Layer {
  static readonly className = 'BatchMatMul';

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [a, b] = inputShape as tfl.Shape[];
    return [...a.slice(0, -1), b[b.length - 1]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [a, b] = inputs as tf.Tensor[];
    return tf.matMul(a, b);
  }
}

tf.serialization.registerClass(BatchMatMul);
