import * as tfl from '@tensorflow/tfjs-layers';
import type { BuildOptions } from './types.js';

let zeroInit = false;

/**
 * Runs a builder; with `initializeWeights: false` its kernels start at zero instead of random values,
 * which makes building a large model fast when its weights are loaded from a file right after (or
 * when only its structure and counts are needed).
 */
export function defineBuilder<T, O extends BuildOptions = BuildOptions>(
  build: (options: O) => T,
): (options?: O) => T {
  return (options: O = {} as O) => {
    const previous = zeroInit;
    zeroInit = options.initializeWeights === false;
    try {
      return build(options);
    } finally {
      zeroInit = previous;
    }
  };
}

const kernelInit = <A extends object>(args: A, ...keys: string[]): A =>
  zeroInit ? { ...Object.fromEntries(keys.map((k) => [k, 'zeros'])), ...args } : args;

/** `tfl.layers` with the weight-initialisation switch of {@link defineBuilder} applied to weighted layers. */
export const L = {
  ...tfl.layers,
  conv2d: (args: Parameters<typeof tfl.layers.conv2d>[0]) =>
    tfl.layers.conv2d(kernelInit(args, 'kernelInitializer')),
  dense: (args: Parameters<typeof tfl.layers.dense>[0]) =>
    tfl.layers.dense(kernelInit(args, 'kernelInitializer')),
  depthwiseConv2d: (args: Parameters<typeof tfl.layers.depthwiseConv2d>[0]) =>
    tfl.layers.depthwiseConv2d(kernelInit(args, 'depthwiseInitializer')),
};
