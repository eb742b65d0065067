import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface NormalizationArgs {
  name?: string;
  /** Fixed per-channel mean, as Keras' `mean=`: the layer then has no weights. */
  mean?: number[];
  /** Fixed per-channel variance, given together with `mean`. */
  variance?: number[];
  /** Without fixed statistics: starting value of the `mean` weight (zeros otherwise, as Keras before `adapt`). */
  adaptedMean?: number[];
  /** Without fixed statistics: starting value of the `variance` weight (ones otherwise). */
  adaptedVariance?: number[];
  inputShape?: number[];
  batchInputShape?: number[];
  trainable?: boolean;
}

/**
 * Keras' `Normalization` layer on the last axis: `(x - mean) / max(sqrt(variance), 1e-7)`.
 * With fixed `mean`/`variance` it has no weights; otherwise, like Keras, it holds three
 * non-trainable weights, `mean`, `variance` and `count`, so Keras files that contain them load by name.
 */
export class Normalization extends tfl.layers.Layer {
  static className = 'Normalization';
  private readonly args: NormalizationArgs;
  private mean?: tfl.LayerVariable | tf.Tensor;
  private variance?: tfl.LayerVariable | tf.Tensor;

  constructor(args: NormalizationArgs = {}) {
    super({ ...args, trainable: false });
    this.args = {
      mean: args.mean ?? undefined,
      variance: args.variance ?? undefined,
      adaptedMean: args.adaptedMean ?? undefined,
      adaptedVariance: args.adaptedVariance ?? undefined,
    };
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const channels = shape[shape.length - 1] as number;
    if (this.args.mean && this.args.variance) {
      this.mean = tf.keep(tf.tensor1d(this.args.mean));
      this.variance = tf.keep(tf.tensor1d(this.args.variance));
    } else {
      const weight = (name: string, init: ReturnType<typeof tfl.initializers.zeros>, values?: number[]) => {
        const w = this.addWeight(name, [channels], 'float32', init, undefined, false);
        if (values) {
          const t = tf.tensor1d(values);
          w.write(t);
          t.dispose();
        }
        return w;
      };
      this.mean = weight('mean', tfl.initializers.zeros(), this.args.adaptedMean);
      this.variance = weight('variance', tfl.initializers.ones(), this.args.adaptedVariance);
      this.addWeight('count', [], 'float32', tfl.initializers.zeros(), undefined, false);
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const read = (v: tfl.LayerVariable | tf.Tensor | undefined): tf.Tensor =>
        v instanceof tf.Tensor ? v : v!.read();
      const std = tf.maximum(tf.sqrt(read(this.variance)), 1e-7);
      return tf.div(tf.sub(x, read(this.mean)), std);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      axis: -1,
      mean: this.args.mean ?? null,
      variance: this.args.variance ?? null,
      adaptedMean: this.args.adaptedMean ?? null,
      adaptedVariance: this.args.adaptedVariance ?? null,
    };
  }
}

tf.serialization.registerClass(Normalization);
