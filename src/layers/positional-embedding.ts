import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { singleShape, singleTensor } from './layer-args.js';
import { LearnedWeightLayer } from './learned-weight-layer.js';

/**
 * keras_cv_attention_models' `PositionalEmbedding`: adds a learned embedding (weight
 * `positional_embedding`, [1, tokens, channels]) to a token sequence, as ViT does.
 */
export class PositionalEmbedding extends LearnedWeightLayer {
  static className = 'PositionalEmbedding';
  private embedding?: tfl.LayerVariable;

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = singleShape(inputShape);
    this.embedding = this.addLearnedWeight('positional_embedding', [1, ...(shape.slice(1) as number[])]);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.add(singleTensor(inputs), this.embedding!.read()));
  }
}

tf.serialization.registerClass(PositionalEmbedding);
