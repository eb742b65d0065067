import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { singleShape, singleTensor } from './layer-args.js';
import { LearnedWeightLayer } from './learned-weight-layer.js';

/**
 * keras_cv_attention_models' `ClassToken`: prepends one learned token (weight `tokens`, [1, 1, channels])
 * to a sequence [batch, tokens, channels], as ViT's [CLS] token.
 */
export class ClassToken extends LearnedWeightLayer {
  static className = 'ClassToken';
  private tokens?: tfl.LayerVariable;

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = singleShape(inputShape);
    this.tokens = this.addLearnedWeight('tokens', [1, 1, shape[shape.length - 1] as number]);
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [batch, n, c] = singleShape(inputShape);
    return [batch, n === null ? null : n + 1, c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs);
      const token = tf.tile(this.tokens!.read(), [x.shape[0], 1, 1]);
      return tf.concat([token, x], 1);
    });
  }
}

tf.serialization.registerClass(ClassToken);

/** The [CLS] token of a sequence: `x[:, 0]`, [batch, tokens, channels] → [batch, channels]. */
export class FirstToken extends LearnedWeightLayer {
  static className = 'FirstToken';

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = singleShape(inputShape);
    return [shape[0], shape[2]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs);
      return tf.reshape(tf.slice(x, [0, 0, 0], [-1, 1, -1]), [x.shape[0], x.shape[2] as number]);
    });
  }
}

tf.serialization.registerClass(FirstToken);
