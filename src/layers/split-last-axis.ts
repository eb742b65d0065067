import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type BaseLayerArgs, singleShape, singleTensor } from './layer-args.js';

export interface SplitLastAxisArgs extends BaseLayerArgs {
  /** How many equal parts the last axis is cut into. */
  numSplits: number;
}

/** `tf.split(x, n, axis=-1)` as one layer with `n` outputs. */
export class SplitLastAxis extends tfl.layers.Layer {
  static readonly className = 'SplitLastAxis';
  readonly numSplits: number;

  constructor(args: SplitLastAxisArgs) {
    super(args);
    this.numSplits = args.numSplits;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape[] {
    const shape = singleShape(inputShape);
    const last = shape[shape.length - 1];
    const part = last === null ? null : last / this.numSplits;
    return Array.from({ length: this.numSplits }, () => [...shape.slice(0, -1), part]);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return tf.split(singleTensor(inputs), this.numSplits, -1);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numSplits: this.numSplits };
  }
}

tf.serialization.registerClass(SplitLastAxis);
