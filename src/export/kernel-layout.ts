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

/** A Keras `(a, b)` or `a` argument as a pair. */
export const pair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [v[0] as number, v[1] as number] : [v as number, v as number];
