import type { FillMode, TransformInterpolation } from './layer.js';

/** [a0, a1, a2, b0, b1, b2, c0, c1]: output (x, y) samples input ((a0·x + a1·y + a2) / k, (b0·x + b1·y + b2) / k), k = c0·x + c1·y + 1. */
export type TransformMatrix = [number, number, number, number, number, number, number, number];

export interface WarpSpec {
  height: number;
  width: number;
  channels: number;
  interpolation: TransformInterpolation;
  fillMode: FillMode;
  fillValue: number;
}

/** Where an input coordinate outside [0, len − 1] reads from, per fill mode (`constant` reads the fill value). */
function foldCoordinate(coord: number, len: number, mode: FillMode): number {
  if (mode === 'constant' || (coord >= 0 && coord <= len - 1)) return coord;
  if (len <= 1) return 0;
  let folded = coord;
  if (mode === 'reflect') {
    // Mirror including the edge pixel: [abcd] → [dcba|abcd|dcba], period 2·len.
    const period = 2 * len;
    if (folded < 0) {
      folded += period * Math.trunc(-folded / period);
      folded = folded < -len ? folded + period : -folded - 1;
    } else {
      folded -= period * Math.trunc(folded / period);
      if (folded >= len) folded = period - folded - 1;
    }
  } else if (mode === 'wrap') {
    // TensorFlow's wrap: [abcd] → [abcd|abcd|abcd].
    const span = len - 1;
    folded =
      folded < 0 ? folded + len * (Math.trunc(-folded / span) + 1) : folded - len * Math.trunc(folded / span);
  }
  // `nearest` is only the clamp; the clamp also keeps rounding from stepping one past the edge.
  return Math.min(Math.max(folded, 0), len - 1);
}

/**
 * One image (HWC, float32) resampled through a projective transform with TensorFlow's
 * `ImageProjectiveTransformV3` semantics (the rules `tf.image.transform` documents): coordinates are
 * pixel indices, nearest rounds with `Math.round` (as the TF.js kernels do), bilinear reads the fill
 * value for taps outside the image.
 */
export function warpImage(
  input: Float32Array,
  output: Float32Array,
  m: TransformMatrix,
  spec: WarpSpec,
): void {
  const { height, width, channels, interpolation, fillMode, fillValue } = spec;
  const [a0, a1, a2, b0, b1, b2, c0, c1] = m.map(Math.fround);
  const fill = Math.fround(fillValue);
  /** Offset of pixel (y, x) in `input`, or −1 outside the image (where the fill value is read). */
  const offset = (y: number, x: number): number =>
    y >= 0 && y < height && x >= 0 && x < width ? (y * width + x) * channels : -1;
  const read = (at: number, ch: number): number => (at < 0 ? fill : input[at + ch]);
  let out = 0;
  for (let outY = 0; outY < height; outY++) {
    for (let outX = 0; outX < width; outX++, out += channels) {
      const k = c0 * outX + c1 * outY + 1;
      if (k === 0) {
        output.fill(fill, out, out + channels);
        continue;
      }
      const x = foldCoordinate((a0 * outX + a1 * outY + a2) / k, width, fillMode);
      const y = foldCoordinate((b0 * outX + b1 * outY + b2) / k, height, fillMode);
      if (interpolation === 'nearest') {
        const at = offset(Math.round(y), Math.round(x));
        for (let ch = 0; ch < channels; ch++) output[out + ch] = read(at, ch);
        continue;
      }
      const y0 = Math.floor(y);
      const x0 = Math.floor(x);
      const wy1 = y - y0;
      const wx1 = x - x0;
      const wy0 = y0 + 1 - y;
      const wx0 = x0 + 1 - x;
      const inTop = y0 >= 0 && y0 < height;
      const inBottom = y0 + 1 >= 0 && y0 + 1 < height;
      const inLeft = x0 >= 0 && x0 < width;
      const inRight = x0 + 1 >= 0 && x0 + 1 < width;
      const at00 = (y0 * width + x0) * channels;
      const at10 = at00 + width * channels;
      for (let ch = 0; ch < channels; ch++) {
        const f00 = inTop && inLeft ? input[at00 + ch] : fill;
        const f01 = inTop && inRight ? input[at00 + channels + ch] : fill;
        const f10 = inBottom && inLeft ? input[at10 + ch] : fill;
        const f11 = inBottom && inRight ? input[at10 + channels + ch] : fill;
        const top = wx0 * f00 + wx1 * f01;
        const bottom = wx0 * f10 + wx1 * f11;
        output[out + ch] = wy0 * top + wy1 * bottom;
      }
    }
  }
}
