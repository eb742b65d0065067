/**
 * Area (box) resampling of uint8 HWC pixels, as `tf.image.resize(method='area')` defines it: each output
 * pixel is the overlap-weighted mean of the source pixels its footprint covers. libvips has no exact
 * equivalent, so it is computed here, separably (rows, then columns).
 */
interface AxisWeights {
  start: Int32Array;
  weights: Float64Array[];
}

function axisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const from = o * scale;
    const to = (o + 1) * scale;
    const first = Math.floor(from);
    const last = Math.min(inSize - 1, Math.ceil(to) - 1);
    const w = new Float64Array(last - first + 1);
    for (let i = first; i <= last; i++) w[i - first] = (Math.min(to, i + 1) - Math.max(from, i)) / scale;
    start[o] = first;
    weights.push(w);
  }
  return { start, weights };
}

export function areaResize(
  pixels: Uint8Array,
  inHeight: number,
  inWidth: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Uint8Array {
  const rows = axisWeights(inHeight, outHeight);
  const cols = axisWeights(inWidth, outWidth);
  const mid = new Float64Array(outHeight * inWidth * channels);
  const rowStride = inWidth * channels;
  for (let o = 0; o < outHeight; o++) {
    const w = rows.weights[o];
    for (let k = 0; k < w.length; k++) {
      const src = (rows.start[o] + k) * rowStride;
      const dst = o * rowStride;
      for (let j = 0; j < rowStride; j++) mid[dst + j] += w[k] * pixels[src + j];
    }
  }
  const out = new Uint8Array(outHeight * outWidth * channels);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const w = cols.weights[x];
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < w.length; k++)
          sum += w[k] * mid[(y * inWidth + cols.start[x] + k) * channels + c];
        out[(y * outWidth + x) * channels + c] = Math.min(255, Math.max(0, Math.round(sum)));
      }
    }
  }
  return out;
}
