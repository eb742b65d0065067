import sharp from 'sharp';

/** Longest side of the overlay image sent to the browser. */
const OVERLAY_SIZE = 320;

/** A perceptual blue→green→yellow→red ramp (the "turbo"-like look of Grad-CAM figures), 0..1 → RGB. */
function heatColor(t: number): [number, number, number] {
  const stops: Array<[number, number, number, number]> = [
    [0, 48, 18, 59],
    [0.25, 40, 149, 246],
    [0.5, 100, 250, 106],
    [0.75, 249, 186, 56],
    [1, 122, 4, 3],
  ];
  const v = Math.min(1, Math.max(0, t));
  for (let i = 1; i < stops.length; i++) {
    const [t1, r1, g1, b1] = stops[i];
    if (v <= t1) {
      const [t0, r0, g0, b0] = stops[i - 1];
      const f = (v - t0) / (t1 - t0);
      return [r0 + f * (r1 - r0), g0 + f * (g1 - g0), b0 + f * (b1 - b0)].map(Math.round) as [
        number,
        number,
        number,
      ];
    }
  }
  return [122, 4, 3];
}

/**
 * Draws a [height, width] heatmap in [0, 1] over the uploaded image as a PNG. The model saw the image stretched
 * to its input size, so the heatmap is stretched back over the whole image; its opacity grows with the value.
 */
export async function gradCamOverlayPng(
  image: Buffer,
  heatmap: Float32Array,
  height: number,
  width: number,
): Promise<Buffer> {
  const base = sharp(image, { pages: 1 })
    .autoOrient()
    .resize(OVERLAY_SIZE, OVERLAY_SIZE, { fit: 'inside' })
    .removeAlpha();
  const { data: pixels, info } = await base.raw().toBuffer({ resolveWithObject: true });
  const rgba = Buffer.alloc(height * width * 4);
  heatmap.forEach((value, i) => {
    const [r, g, b] = heatColor(value);
    rgba.set([r, g, b, Math.round(60 + 140 * Math.min(1, Math.max(0, value)))], i * 4);
  });
  const layer = await sharp(rgba, { raw: { width, height, channels: 4 } })
    .resize(info.width, info.height, { fit: 'fill', kernel: 'cubic' })
    .png()
    .toBuffer();
  return sharp(pixels, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .composite([{ input: layer }])
    .png()
    .toBuffer();
}
