import type * as tfl from '@tensorflow/tfjs-layers';

function shapeOf(layer: tfl.layers.Layer): number[] {
  const s = layer.outputShape as (number | null)[];
  return s.map((d) => d ?? 1);
}

/** Multiply-adds ×2 of one forward pass for one image, counting convolutions and dense layers. */
export function forwardFlopsPerImage(model: tfl.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const kernel = weights[0].shape;
    const out = shapeOf(layer);
    if (cls === 'Conv2D') {
      const [kh, kw, ci, co] = kernel;
      flops += 2 * out[1] * out[2] * kh * kw * ci * co;
    } else if (cls === 'DepthwiseConv2D') {
      const [kh, kw, c, m] = kernel;
      flops += 2 * out[1] * out[2] * kh * kw * c * m;
    } else if (cls === 'Dense') {
      const [inputs, units] = kernel;
      flops += 2 * inputs * units;
    }
  }
  return flops;
}
