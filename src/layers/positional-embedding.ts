import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { singleShape, singleTensor } from './layer-args.js';

/**
 * keras_cv_attention_models' `PositionalEmbedding`: adds a learned embedding (weight
 * `positional_embedding`, [1, tokens, channels]) to a token sequence, as ViT does.
 */
export class PositionalEmbedding extends tfl.layers.Layer {
  static className = 'PositionalEmbedding';
  private embedding?: tfl.LayerVariable;

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = singleShape(inputShape);
    this.embedding = this.addWeight(
      'positional_embedding',
      [1, ...(shape.slice(1) as number[])],
      'float32',
      tfl.initializers.truncatedNormal({ stddev: 0.02 }),
      undefined,
      true,
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.add(singleTensor(inputs), this.embedding!.read()));
  }
}

tf.serialization.registerClass(PositionalEmbedding);
