import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type BaseLayerArgs, singleShape, singleTensor } from './layer-args.js';

export interface SplitLastAxisArgs extends BaseLayerArgs {
  /** How many equal parts the last axis is cut into. */
  numSplits: number;
}

/**
 * `tf.split(x, n, axis=-1)` as one layer with `n` outputs.
 *
 * tfjs-layers' graph executor applies a layer once for each of its outputs that the graph uses, keeping
 * the first application's tensors: an attention block's qkv split ran three times, and in training the
 * two unused copies stayed on the tape until the step ended. The parts of an input split before are kept
 * (weakly) and handed out again while the input lives; only parts disposed since are cut again (in
 * inference the executor disposes each part after its last use, so there the later applications
 * re-cut the parts already used).
 */
export class SplitLastAxis extends tfl.layers.Layer {
  static readonly className = 'SplitLastAxis';
  readonly numSplits: number;
  private readonly lastParts = new WeakMap<tf.Tensor, tf.Tensor[]>();

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
    const x = singleTensor(inputs);
    const kept = x.isDisposed ? undefined : this.lastParts.get(x);
    const parts = kept
      ? kept.map((t, i) => (t.isDisposed ? this.part(x, i) : t))
      : tf.split(x, this.numSplits, -1);
    this.lastParts.set(x, parts);
    return parts;
  }

  /** Part i of x alone. */
  private part(x: tf.Tensor, i: number): tf.Tensor {
    const size = [...x.shape];
    size[x.rank - 1] /= this.numSplits;
    const begin = size.map((_, d) => (d === x.rank - 1 ? i * size[d] : 0));
    return tf.slice(x, begin, size);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numSplits: this.numSplits };
  }
}

tf.serialization.registerClass(SplitLastAxis);
