import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { layerNormLastAxis } from '../engine/fused-ops.js';
import { type BaseLayerArgs, singleShape, singleTensor } from './layer-args.js';

export interface LayerNormalizationLastAxisArgs extends BaseLayerArgs {
  epsilon?: number;
}

/**
 * Keras' `LayerNormalization(axis=-1)` with the same `gamma`/`beta` weights, computed with broadcasting.
 * TF.js' own layer tiles mean, variance, gamma and beta to the full input size before normalizing (a
 * workaround for its `batchNorm` gradient); on transformer-sized maps those copies cost more than the
 * normalization itself. On `native` it runs as one fused op with its own gradient.
 */
export class LayerNormalizationLastAxis extends tfl.layers.Layer {
  static readonly className = 'LayerNormalizationLastAxis';
  readonly epsilon: number;
  private gamma?: tfl.LayerVariable;
  private beta?: tfl.LayerVariable;

  constructor(args: LayerNormalizationLastAxisArgs = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-3;
    this.supportsMasking = true;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = singleShape(inputShape);
    const channels = shape[shape.length - 1];
    if (channels === null) throw new Error('LayerNormalizationLastAxis needs a known last dimension');
    this.gamma = this.addWeight('gamma', [channels], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return layerNormLastAxis(
      singleTensor(inputs),
      (this.gamma as tfl.LayerVariable).read(),
      (this.beta as tfl.LayerVariable).read(),
      this.epsilon,
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(LayerNormalizationLastAxis);
