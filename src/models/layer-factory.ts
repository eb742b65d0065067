import * as tfl from '@tensorflow/tfjs-layers';
import { resolveOptions, type FamilyDefaults, type ResolvedOptions } from './options.js';
import type { BuildOptions, ModelSpec } from './types.js';

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

/** A builder that knows its own defaults (name, input shape, classes), so its spec need not repeat them. */
export interface ModelBuilder<O extends BuildOptions = BuildOptions> {
  (options?: O): tfl.LayersModel;
  readonly defaults: FamilyDefaults;
}

/** {@link defineBuilder} for a builder whose options are resolved against `defaults` before it runs. */
export function defineModel<O extends BuildOptions = BuildOptions>(
  defaults: FamilyDefaults,
  build: (opts: ResolvedOptions, options: O) => tfl.LayersModel,
): ModelBuilder<O> {
  const builder = defineBuilder((options: O) => build(resolveOptions(options, defaults), options));
  return Object.assign(builder, { defaults });
}

/**
 * The registry entry of `builder`: its default input shape and classes come from its defaults, and so
 * does its name unless the registry name differs from the model's (Keras') own.
 */
export function modelSpec<O extends BuildOptions>(
  builder: ModelBuilder<O>,
  fields: Omit<ModelSpec, 'name' | 'build' | 'defaultInputShape' | 'defaultClasses'> & { name?: string },
): ModelSpec {
  const { name, inputShape, classes } = builder.defaults;
  return {
    name,
    build: builder as ModelSpec['build'],
    defaultInputShape: inputShape,
    ...(classes === undefined ? {} : { defaultClasses: classes }),
    ...fields,
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

/** Conv2D applied to `x`, with Keras' defaults: stride 1, `valid` padding, no activation. */
export function conv2d(
  x: tfl.SymbolicTensor,
  filters: number,
  kernelSize: number,
  name: string,
  strides = 1,
  padding: 'same' | 'valid' = 'valid',
  activation?: 'relu',
): tfl.SymbolicTensor {
  return L.conv2d({ filters, kernelSize, strides, padding, activation, name }).apply(x) as tfl.SymbolicTensor;
}
