import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type BaseLayerArgs, singleShape, singleTensor } from './layer-args.js';

export interface ScaleByConstantArgs extends BaseLayerArgs {
  scale: number;
}

/** `x * scale` with a fixed number, as Keras' `tf.math.multiply` op layer (attention's 1/sqrt(d)). */
export class ScaleByConstant extends tfl.layers.Layer {
  static readonly className = 'ScaleByConstant';
  readonly scale: number;

  constructor(args: ScaleByConstantArgs) {
    super(args);
    this.scale = args.scale;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mul(singleTensor(inputs), this.scale);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale };
  }
}

tf.serialization.registerClass(ScaleByConstant);
