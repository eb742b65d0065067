import { pair } from './kernel-layout.js';

/** TF's 'same' padding of one spatial axis (before, after): the odd pixel goes after. */
export function samePads(
  size: number | null,
  kernel: number,
  stride: number,
  dilation = 1,
): [number, number] | null {
  if (size === null) return null;
  const effective = (kernel - 1) * dilation + 1;
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Where a Keras window op (conv, pool) looks: its kernel, strides, dilation and padding. */
export interface KerasWindow {
  kernel: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: unknown;
}

/** The window of a convolution layer's `config`, with the kernel size read from its weights. */
export function convWindow(config: Record<string, unknown>, kernel: [number, number]): KerasWindow {
  const dilation = pair(config.dilationRate ?? 1);
  return { kernel, strides: pair(config.strides), dilation, padding: config.padding };
}

/** The window of a pooling layer's `config` (strides default to the pool size). */
export function poolWindow(config: Record<string, unknown>): KerasWindow {
  const kernel = pair(config.poolSize);
  return {
    kernel,
    strides: pair(config.strides ?? config.poolSize),
    dilation: [1, 1],
    padding: config.padding,
  };
}

/**
 * The padding of a Keras window op on an NHWC input: [top, bottom, left, right], zeros for 'valid';
 * null when 'same' meets an unknown size.
 */
export function windowPads(
  { kernel, strides, dilation, padding }: KerasWindow,
  input: ReadonlyArray<number | null>,
): [number, number, number, number] | null {
  if (padding === 'valid') return [0, 0, 0, 0];
  const h = samePads(input[1], kernel[0], strides[0], dilation[0]);
  const w = samePads(input[2], kernel[1], strides[1], dilation[1]);
  return h && w ? [h[0], h[1], w[0], w[1]] : null;
}
