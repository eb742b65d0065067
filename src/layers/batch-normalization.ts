import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type BatchNormalizationArgs = Parameters<typeof tfl.layers.batchNormalization>[0];

const TfjsBatchNormalization = Object.getPrototypeOf(tfl.layers.batchNormalization({})).constructor as {
  new (args?: BatchNormalizationArgs): tfl.layers.Layer;
  className: string;
};

/**
 * TF.js' BatchNormalization with `scale: false` (used by Keras' InceptionV3) fails in training: its
 * training branch reads the absent `gamma`. This subclass gives that branch a constant gamma of ones,
 * which is what "no scale" means; everything else, including the saved config, is unchanged. It is
 * registered under the same class name so models loaded from files get the fix too.
 */
export class BatchNormalization extends TfjsBatchNormalization {
  static override className = 'BatchNormalization';
  private constantGamma?: tf.Tensor;

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    super.build(inputShape);
    const self = this as unknown as { scale: boolean; gamma: unknown };
    if (!self.scale && self.gamma == null) {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
      const ones = tf.keep(tf.ones([shape[shape.length - 1] as number]));
      this.constantGamma = ones;
      self.gamma = { read: () => ones };
    }
  }

  /** The constant gamma goes with the layer's own weights, when the last model holding it is disposed. */
  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0 && this.constantGamma) {
      this.constantGamma.dispose();
      this.constantGamma = undefined;
    }
    return result;
  }
}

tf.serialization.registerClass(
  BatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
);

export const batchNormalization = (args?: BatchNormalizationArgs): tfl.layers.Layer =>
  new BatchNormalization(args);
