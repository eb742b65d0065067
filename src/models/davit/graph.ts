import * as tfl from '@tensorflow/tfjs-layers';
import { LayerNormalizationLastAxis } from '../../layers/layer-normalization-last-axis.js';

export type Sym = tfl.SymbolicTensor;

/** Applies a layer to one symbolic tensor (or a list) and returns its single output. */
export function call(layer: tfl.layers.Layer, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

export function dims(x: Sym): number[] {
  return x.shape.slice(1).map((d) => {
    if (d === null) throw new Error('DaViT needs a fixed input size');
    return d;
  });
}

/** Keras' `conv2d_no_bias` initializer: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)), as PyTorch. */
export function torchUniform(fanIn: number): ReturnType<typeof tfl.initializers.randomUniform> {
  const limit = 1 / Math.sqrt(fanIn);
  return tfl.initializers.randomUniform({ minval: -limit, maxval: limit });
}

export const LAYER_NORM_EPSILON = 1e-5;

export function layerNorm(x: Sym, name: string): Sym {
  return call(new LayerNormalizationLastAxis({ epsilon: LAYER_NORM_EPSILON, name }), x);
}
