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

/** A Keras `(a, b)` or `a` argument as a pair. */
export const pair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [v[0] as number, v[1] as number] : [v as number, v as number];
