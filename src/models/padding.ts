import type * as tfl from '@tensorflow/tfjs-layers';

/** Keras' `imagenet_utils.correct_pad`: the asymmetric zero padding before a strided 'valid' convolution. */
export function correctPad(x: tfl.SymbolicTensor, kernelSize: number): [[number, number], [number, number]] {
  const [h, w] = [x.shape[1], x.shape[2]];
  const adjust = [h == null ? 1 : 1 - (h % 2), w == null ? 1 : 1 - (w % 2)];
  const c = Math.floor(kernelSize / 2);
  return [
    [c - adjust[0], c],
    [c - adjust[1], c],
  ];
}

/** Keras' `_make_divisible`: rounds channels to a multiple of `divisor`, never going down by more than 10 %. */
export function makeDivisible(v: number, divisor: number, minValue = divisor): number {
  let newV = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (newV < 0.9 * v) newV += divisor;
  return newV;
}
