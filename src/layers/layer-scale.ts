import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface LayerScaleArgs {
  name?: string;
  /** Starting value of every scale (Keras' `init_values`, 1e-6 in ConvNeXt). */
  initValues: number;
  /** Number of channels (Keras' `projection_dim`). */
  projectionDim: number;
  trainable?: boolean;
}

/** Keras' ConvNeXt `LayerScale`: multiplies each channel by a learned scale (weight `gamma`). */
export class LayerScale extends tfl.layers.Layer {
  static className = 'LayerScale';
  private readonly initValues: number;
  private readonly projectionDim: number;
  private gamma?: tfl.LayerVariable;

  constructor(args: LayerScaleArgs) {
    super(args);
    this.initValues = args.initValues;
    this.projectionDim = args.projectionDim;
  }

  override build(): void {
    this.gamma = this.addWeight(
      'gamma',
      [this.projectionDim],
      'float32',
      tfl.initializers.constant({ value: this.initValues }),
      undefined,
      true,
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, this.gamma!.read()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initValues: this.initValues, projectionDim: this.projectionDim };
  }
}

tf.serialization.registerClass(LayerScale);
