import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface NormalizationArgs {
  name?: string;
  /** Initial per-channel mean (the `mean` weight); zeros by default, as Keras before `adapt`. */
  mean?: number[];
  /** Initial per-channel variance; ones by default. */
  variance?: number[];
  inputShape?: number[];
  batchInputShape?: number[];
  trainable?: boolean;
}

/**
 * Keras' `Normalization` layer on the last axis: `(x - mean) / max(sqrt(variance), 1e-7)`.
 * Like Keras it holds three non-trainable weights, `mean`, `variance` and `count`, so Keras files that
 * contain them load by name.
 */
export class Normalization extends tfl.layers.Layer {
  static className = 'Normalization';
  private readonly initialMean?: number[];
  private readonly initialVariance?: number[];
  private meanWeight?: tfl.LayerVariable;
  private varianceWeight?: tfl.LayerVariable;

  constructor(args: NormalizationArgs = {}) {
    super({ ...args, trainable: false });
    this.initialMean = args.mean ?? undefined;
    this.initialVariance = args.variance ?? undefined;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const channels = shape[shape.length - 1] as number;
    this.meanWeight = this.addWeight(
      'mean',
      [channels],
      'float32',
      tfl.initializers.zeros(),
      undefined,
      false,
    );
    this.varianceWeight = this.addWeight(
      'variance',
      [channels],
      'float32',
      tfl.initializers.ones(),
      undefined,
      false,
    );
    setValues(this.meanWeight, this.initialMean);
    setValues(this.varianceWeight, this.initialVariance);
    this.addWeight('count', [], 'float32', tfl.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const std = tf.maximum(tf.sqrt(this.varianceWeight!.read()), 1e-7);
      return tf.div(tf.sub(x, this.meanWeight!.read()), std);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      axis: -1,
      mean: this.initialMean ?? null,
      variance: this.initialVariance ?? null,
    };
  }
}

function setValues(weight: tfl.LayerVariable, values: number[] | undefined): void {
  if (!values) return;
  const t = tf.tensor1d(values);
  weight.write(t);
  t.dispose();
}

tf.serialization.registerClass(Normalization);
