/**
 * Where a tensor's axes are: `keras` as the TF.js model holds it (NHWC for images), or `nchw`, the
 * same 4-D tensor transposed by [0, 3, 1, 2] for the operators that want channels first.
 */
export type Layout = 'keras' | 'nchw';

/** Where Keras axis i of a 4-D tensor lives in its NCHW form. */
export const NCHW_AXIS_OF_KERAS_AXIS = [0, 2, 3, 1];

/**
 * A Keras convolution kernel [kh, kw, in, out] (depthwise: [kh, kw, in, multiplier]) in the
 * [out, in / groups, kh, kw] order of ONNX and PyTorch. A depthwise output channel is
 * `in · multiplier + m` in both worlds, so it becomes [in · multiplier, 1, kh, kw].
 */
export function channelsFirstKernel(
  values: Float32Array,
  shape: readonly number[],
  depthwise: boolean,
): { values: Float32Array; shape: number[] } {
  const [kh, kw, cin, cout] = shape;
  const out = new Float32Array(values.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < cout; co++) {
          const src = ((i * kw + j) * cin + ci) * cout + co;
          const dst = depthwise ? ((ci * cout + co) * kh + i) * kw + j : ((co * cin + ci) * kh + i) * kw + j;
          out[dst] = values[src];
        }
  return { values: out, shape: depthwise ? [cin * cout, 1, kh, kw] : [cout, cin, kh, kw] };
}

/** A Keras dense kernel [in, out] as PyTorch's `Linear.weight` [out, in]. */
export function transposedMatrix(
  values: Float32Array,
  shape: readonly number[],
): { values: Float32Array; shape: number[] } {
  const [rows, cols] = shape;
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return { values: out, shape: [cols, rows] };
}

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

/**
 * The padding of a Keras window op (conv, pool) on an NHWC input: [top, bottom, left, right], zeros
 * for 'valid'; null when 'same' meets an unknown size.
 */
export function windowPads(
  padding: unknown,
  input: ReadonlyArray<number | null>,
  kernel: [number, number],
  strides: [number, number],
  dilation: [number, number] = [1, 1],
): [number, number, number, number] | null {
  if (padding === 'valid') return [0, 0, 0, 0];
  const h = samePads(input[1], kernel[0], strides[0], dilation[0]);
  const w = samePads(input[2], kernel[1], strides[1], dilation[1]);
  return h && w ? [h[0], h[1], w[0], w[1]] : null;
}

/** A Keras `(a, b)` or `a` argument as a pair. */
export const pair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [v[0] as number, v[1] as number] : [v as number, v as number];
