import * as tfl from '@tensorflow/tfjs-layers';

/**
 * A layer with learned token weights initialised as keras_cv_attention_models does for ViT
 * (truncated normal, stddev 0.02, trainable).
 */
export abstract class LearnedWeightLayer extends tfl.layers.Layer {
  protected addLearnedWeight(name: string, shape: number[]): tfl.LayerVariable {
    return this.addWeight(
      name,
      shape,
      'float32',
      tfl.initializers.truncatedNormal({ stddev: 0.02 }),
      undefined,
      true,
    );
  }
}
