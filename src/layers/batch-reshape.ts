import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type BaseLayerArgs, singleTensor } from './layer-args.js';

export interface BatchReshapeArgs extends BaseLayerArgs {
  /** The shape after the batch axis; the batch axis becomes whatever keeps the element count (`-1`). */
  targetShape: number[];
}

/**
 * `tf.reshape(x, [-1, ...targetShape])`: unlike Keras' `Reshape`, the batch axis may change size,
 * which window attention needs to fold windows into the batch and back.
 */
export class BatchReshape extends tfl.layers.Layer {
  static readonly className = 'BatchReshape';
  readonly targetShape: number[];

  constructor(args: BatchReshapeArgs) {
    super(args);
    this.targetShape = [...args.targetShape];
  }

  override computeOutputShape(_inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return [null, ...this.targetShape];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = singleTensor(inputs);
    return tf.reshape(x, [-1, ...this.targetShape]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), targetShape: this.targetShape };
  }
}

tf.serialization.registerClass(BatchReshape);
